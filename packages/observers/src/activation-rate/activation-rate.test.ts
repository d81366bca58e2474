import { describe, expect, it } from 'vitest';
import type { Landscape } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { ActivationRateObserver, activationRateInfo } from './activation-rate.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';

/** A 1-input, 2-unit ReLU layer without bias, θ = (W₁, W₂), on the inputs x ∈ {1, −2}: σ̄′ = (1/4) Σ_i Σ_k 1[W_k x_i > 0] (Eq. 14). */
const X = [1, -2];
function tinyNet(): Landscape {
  const l = fakeLandscape(2, () => 0);
  return Object.assign(l, {
    activationRate: (t: Float64Array) => X.reduce((s, x) => s + (t[0] * x > 0 ? 1 : 0) + (t[1] * x > 0 ? 1 : 0), 0) / 4,
  });
}
const make =
  (tr: Trajectories, params: Record<string, unknown> = {}, landscape = tinyNet()) =>
  () => {
    const o = new ActivationRateObserver();
    o.configure(paramsFor(activationRateInfo, params), runContext(landscape, 2, tr.length, tr[0].length - 1));
    return o;
  };

describe('activation-rate (000 Eq. 14)', () => {
  it('hand-computed rates: (1, 1) → ½, (1, 0) → ¼, (−1, −1) → ½, (0, 0) → 0, at the recorded steps', () => {
    // Chain 0 sits at (1, 1) until step 5, then (1, 0); chain 1 at (−1, −1), then (0, 0) from step 10 on.
    const tr = [
      Array.from({ length: 21 }, (_, k) => (k < 5 ? [1, 1] : [1, 0])),
      Array.from({ length: 21 }, (_, k) => (k < 10 ? [-1, -1] : [0, 0])),
    ];
    const r = runObserver(make(tr, { points: 3, spacing: 'linear' }), tr, 4);
    expect(r.steps).toEqual([0, 1, 11, 20]);
    expect(r.mean).toEqual([0.5, 0.5, 0.125, 0.125]);
    expect(r.sd[0]).toBe(0);
    expect(r.sd[2]).toBeCloseTo(Math.SQRT1_2 * 0.25, 15); // two chains at ¼ and 0: sd = |¼ − 0|/√2
    expect(r.chains).toBe(2);
  });

  it('is bit-identical for block sizes 1, 7, 100 and for one chain group or three', () => {
    const tr = Array.from({ length: 7 }, (_, c) =>
      Array.from({ length: 301 }, (_, k) => [Math.sin(0.3 * c + 0.05 * k), Math.cos(0.7 * c - 0.03 * k)]),
    );
    const ref = runObserver(make(tr, { points: 40 }), tr, 1);
    expect(ref.mean.every(Number.isFinite)).toBe(true);
    for (const blockSize of [1, 7, 100])
      for (const parts of [1, 3])
        expect(bitDifference(runObserver(make(tr, { points: 40 }), tr, blockSize, parts), ref)).toBeNull();
  });

  it('refuses a landscape without activationRate, and bad schedule params', () => {
    const tr = [
      [
        [0, 0],
        [1, 1],
      ],
    ];
    expect(() =>
      make(
        tr,
        {},
        fakeLandscape(2, () => 0),
      )(),
    ).toThrow(/activation-rate: needs a landscape with a ReLU hidden layer/);
    expect(() => make(tr, { points: 0 })()).toThrow('activation-rate.params.points: must be ≥ 1, got 0');
    expect(() => make(tr, { spacing: 'cubic' })()).toThrow(/activation-rate\.params\.spacing/);
  });
});
