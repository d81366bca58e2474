import { describe, expect, it } from 'vitest';
import { didYouMean } from './errors.ts';

describe('didYouMean', () => {
  it('suggests the closest known name within a third of the length (a swap of neighbours counts once), else nothing', () => {
    const known = ['eta', 'batchSize', 'burnIn', 'regression-ness', 'earthquake-ness'];
    expect(didYouMean('etaa', known)).toBe(' (did you mean "eta"?)');
    expect(didYouMean('bacthSize', known)).toBe(' (did you mean "batchSize"?)'); // one transposition
    expect(didYouMean('BurnIn', known)).toBe(' (did you mean "burnIn"?)'); // case
    expect(didYouMean('regresion-nes', known)).toBe(' (did you mean "regression-ness"?)'); // 2 edits of 13
    expect(didYouMean('chains', known)).toBe('');
    expect(didYouMean('xyz', known)).toBe('');
    expect(didYouMean('eta', known)).toBe(''); // already a known name
    expect(didYouMean(42, known)).toBe('');
    expect(didYouMean('x'.repeat(10_000), known)).toBe(''); // hostile input: no quadratic work
  });
});
