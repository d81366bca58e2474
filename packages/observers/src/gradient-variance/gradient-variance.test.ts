import { describe, expect, it } from 'vitest';
import { paramsFor } from '@nesslab/kernel/testing';
import { GradientVarianceObserver, gradientVarianceInfo } from './gradient-variance.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';

/** M = 3 samples, N = 2: ∇ℓ_i(θ) = (i θ₀, θ₁), plus a constant ∇R = (1, 1) that must not count as noise. */
function threePoints() {
  const l = fakeLandscape(2, () => 0);
  return Object.assign(l, {
    dataSize: 3,
    minibatchGradient: (t: Float64Array, batch: Int32Array, m: number, out: Float64Array) => {
      out[0] = 1;
      out[1] = 1 + t[1];
      let s = 0;
      for (let j = 0; j < m; j++) s += batch[j] * t[0];
      out[0] += s / m;
    },
  });
}
const make =
  (tr: Trajectories, params: Record<string, unknown> = {}) =>
  () => {
    const o = new GradientVarianceObserver();
    o.configure(paramsFor(gradientVarianceInfo, params), runContext(threePoints(), 2, tr.length, tr[0].length - 1));
    return o;
  };
const still = (theta0: number) => [Array.from({ length: 6 }, () => [theta0, 0.7])];

describe('gradient-variance (000 Eq. 17–18)', () => {
  it('m = 1: (1/N) Σ_α s²_α = ½ · Var{0, θ₀, 2θ₀} = θ₀²/3', () => {
    const r = runObserver(make(still(3), { points: 2 }), still(3), 2);
    for (const v of r.mean) expect(v).toBeCloseTo(9 / 3, 13);
  });

  it('m = 2 equals the variance over all 3 pairs of distinct indices (θ₀²/12); m = M gives 0', () => {
    // Pairs {0,1}, {0,2}, {1,2}: means θ₀/2, θ₀, 3θ₀/2; variance θ₀²/6 in component 0, 0 in component 1; average θ₀²/12.
    const r = runObserver(make(still(3), { batchSize: 2, points: 2 }), still(3), 5);
    for (const v of r.mean) expect(v).toBeCloseTo(9 / 12, 13);
    const full = runObserver(make(still(3), { batchSize: 3, points: 2 }), still(3), 5);
    for (const v of full.mean) expect(v).toBe(0);
  });

  it('is bit-identical for block sizes and chain groups', () => {
    const tr = Array.from({ length: 6 }, (_, c) =>
      Array.from({ length: 120 }, (_, k) => [Math.cos(c + 0.2 * k), c - k / 7]),
    );
    const ref = runObserver(make(tr), tr, 1);
    expect(ref.mean.every((v) => v > 0)).toBe(true);
    for (const blockSize of [1, 11, 200])
      for (const parts of [1, 4]) expect(bitDifference(runObserver(make(tr), tr, blockSize, parts), ref)).toBeNull();
  });

  it('refuses a batch larger than M', () => {
    expect(() => make(still(1), { batchSize: 4 })()).toThrow(
      "gradient-variance.params.batchSize: must be at most the landscape's M = 3, got 4",
    );
  });
});
