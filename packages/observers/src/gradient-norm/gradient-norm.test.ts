import { describe, expect, it } from 'vitest';
import type { Landscape } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { GradientNormObserver, gradientNormInfo } from './gradient-norm.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';

/** 𝓛 = ½(θ₁² + 4θ₂²): ∇𝓛 = (θ₁, 4θ₂), so |∇𝓛| at (3, 1) is 5 and at (0, −1) is 4. */
function bowl(): Landscape {
  return Object.assign(
    fakeLandscape(2, (t) => 0.5 * (t[0] * t[0] + 4 * t[1] * t[1])),
    {
      gradient: (t: Float64Array, out: Float64Array) => {
        out[0] = t[0];
        out[1] = 4 * t[1];
      },
    },
  );
}
const make =
  (tr: Trajectories, params: Record<string, unknown> = {}, landscape = bowl()) =>
  () => {
    const o = new GradientNormObserver();
    o.configure(paramsFor(gradientNormInfo, params), runContext(landscape, 2, tr.length, tr[0].length - 1));
    return o;
  };

describe('gradient-norm (003 Fig. 3c)', () => {
  it('|∇𝓛| of the states at the recorded steps, mean and sd over chains', () => {
    const tr = [
      Array.from({ length: 21 }, (_, k) => (k < 5 ? [3, 1] : [0, -1])),
      Array.from({ length: 21 }, (_, k) => (k < 10 ? [0, -1] : [0, 0])),
    ];
    const r = runObserver(make(tr, { points: 3, spacing: 'linear' }), tr, 4);
    expect(r.steps).toEqual([0, 1, 11, 20]);
    expect(r.mean).toEqual([4.5, 4.5, 2, 2]);
    expect(r.sd[0]).toBeCloseTo(Math.SQRT1_2, 15); // chains at 5 and 4: sd = |5 − 4|/√2
    expect(r.sd[2]).toBeCloseTo(4 * Math.SQRT1_2, 15);
  });

  it('is bit-identical for block sizes 1, 7, 100 and for one chain group or three', () => {
    const tr = Array.from({ length: 5 }, (_, c) =>
      Array.from({ length: 201 }, (_, k) => [Math.sin(0.3 * c + 0.05 * k), Math.cos(0.7 * c - 0.03 * k)]),
    );
    const ref = runObserver(make(tr, { points: 30 }), tr, 1);
    expect(ref.mean.every(Number.isFinite)).toBe(true);
    for (const blockSize of [1, 7, 100])
      for (const parts of [1, 3])
        expect(bitDifference(runObserver(make(tr, { points: 30 }), tr, blockSize, parts), ref)).toBeNull();
  });

  it('every = n records only at multiples of n (epoch ends), spaced in units of n', () => {
    const tr = [Array.from({ length: 101 }, (_, k) => [k, 0])]; // |∇𝓛| = θ₁ = k at step k
    const r = runObserver(make(tr, { points: 4, spacing: 'linear', every: 10 }), tr, 7);
    expect(r.steps).toEqual([0, 10, 40, 70, 100]);
    expect(r.mean).toEqual([0, 10, 40, 70, 100]);
  });

  it('names a bad schedule param', () => {
    const tr = [
      [
        [0, 0],
        [1, 1],
      ],
    ];
    expect(() => make(tr, { points: 0 })()).toThrow('gradient-norm.params.points: must be ≥ 1, got 0');
    expect(() => make(tr, { every: 0 })()).toThrow(/gradient-norm\.params\.every/);
  });
});
