import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { Xoshiro128 } from '@nesslab/kernel';
import { PAPER_X, PAPER_Y } from './data.ts';
import { tanhRegressionRandomInit, TANH_REGRESSION_MINIMUM_START } from './regression.ts';

// tanh-regression-tfjs carries copies of what it shares with the built-in tanh-regression of @nesslab/landscapes
// (a plugin package this one may not import): the paper's data and the two starts. The values below were taken
// from @nesslab/landscapes (PAPER_X, PAPER_Y, TanhRegression) when the copies were made; if one side changes,
// so must the other (and the tfjs-regression scenario, which compares the two landscapes, would say so).
const sha256 = (v: readonly number[]) =>
  createHash('sha256')
    .update(new Uint8Array(Float64Array.from(v).buffer))
    .digest('hex');

describe('the copies shared with the built-in tanh-regression', () => {
  it("the paper's data, bit for bit (SHA-256 of the float64 values)", () => {
    expect(PAPER_X.length).toBe(200);
    expect(PAPER_Y.length).toBe(200);
    for (let i = 0; i < 200; i++) expect(PAPER_X[i]).toBeCloseTo(-3 + 0.03 * i, 12);
    expect(sha256(PAPER_X)).toBe('f5e46dddc513629f1d44b81205c24dcbc9e3df694e481961aac6da77dc009caa');
    expect(sha256(PAPER_Y)).toBe('e0d0901d76dcc12aab95e92848a9bc21689cf98572f7fd3d90582b682d076a90');
  });

  it('the random start and the minimum start, bit for bit', () => {
    const out = new Float64Array(7),
      rng = Xoshiro128.fromSeed(3);
    tanhRegressionRandomInit(out, () => rng.nextNormal());
    expect(Array.from(out)).toEqual([
      0.03876241998541704, 0.2608881069632816, 0.22600065496259308, 0.053285285295523156, 0.19796298758289765,
      0.26575020572805297, 0.12925454139872306,
    ]);
    expect(TANH_REGRESSION_MINIMUM_START).toEqual([1.283, 1.231, 0.705, -0.532, 0.928, -0.909, -0.009]);
  });
});
