import { describe, expect, it } from 'vitest';
import { ChainWelford } from './welford.ts';

describe('ChainWelford', () => {
  it('the generated (unrolled) loop does bit for bit what the generic loop does', () => {
    const n = 7,
      steps = 500,
      x = new Float64Array(steps * n).map((_, i) => Math.sin(i) * 1e-3 + (i % n));
    const fast = new ChainWelford(n, 2),
      slow = new ChainWelford(n, 2);
    fast.addRun(1, x, 0, 123);
    fast.addRun(1, x, 123 * n, steps - 123);
    (slow as unknown as { addRunLoop(c: number, x: Float64Array, at: number, s: number): void }).addRunLoop(
      1,
      x,
      0,
      steps,
    );
    expect(fast.count).toEqual(slow.count);
    expect(fast.mean).toEqual(slow.mean);
    expect(fast.m2).toEqual(slow.m2);
    expect(fast.count[0]).toBe(0);
  });
});
