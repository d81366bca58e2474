import { describe, expect, it } from 'vitest';
import { paramsFor } from '@nesslab/kernel/testing';
import { RelativeLossObserver, relativeLossInfo, recordedSteps, type RelativeLossResult } from './relative-loss.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';

const sq = (t: Float64Array) => t.reduce((s, v) => s + v * v, 0);

/** 𝓛(θ) = |θ|² + 1, counting its calls. */
const setup = (tr: Trajectories, reference: number[] | undefined, params: Record<string, unknown>) => {
  const dim = tr[0][0].length;
  const landscape = fakeLandscape(dim, (t) => sq(t) + 1);
  const make = () => {
    const o = new RelativeLossObserver();
    o.configure(
      paramsFor(relativeLossInfo, params),
      runContext(landscape, dim, tr.length, tr[0].length - 1, reference),
    );
    return o;
  };
  return { landscape, make };
};
const run = (
  tr: Trajectories,
  reference: number[] | undefined,
  params: Record<string, unknown>,
  blockSize: number,
  parts = 1,
): RelativeLossResult => runObserver(setup(tr, reference, params).make, tr, blockSize, parts);

/** Chain c at step k: θ = (c + 1, k/2), so with θ₀ = 0 the relative loss is exactly (c + 1)² + k²/4. */
const grid = (chains: number, steps: number) =>
  Array.from({ length: chains }, (_, c) => Array.from({ length: steps + 1 }, (_, k) => [c + 1, k / 2]));

describe('relative-loss (004 Fig. 1C)', () => {
  it('records step 0 and log-spaced steps up to the last, deduplicated', () => {
    expect(recordedSteps(4, 1000, 'log')).toEqual([0, 1, 10, 100, 1000]);
    expect(recordedSteps(5, 9, 'linear')).toEqual([0, 1, 3, 5, 7, 9]);
    expect(recordedSteps(200, 50, 'log')).toEqual(Array.from({ length: 51 }, (_, k) => k)); // crowded at the start: every step once
    expect(recordedSteps(1, 30, 'log')).toEqual([0, 30]);
    const s = recordedSteps(200, 200_000, 'log');
    expect(s[0]).toBe(0);
    expect(s[1]).toBe(1);
    expect(s.at(-1)).toBe(200_000);
    expect(s.length).toBeLessThanOrEqual(201);
    expect(s.every((v, i) => i === 0 || v > s[i - 1])).toBe(true);
  });

  it('gives the exact values for 𝓛 = |θ|² + 1, computing the loss only at the recorded steps', () => {
    const tr = grid(3, 1000);
    const { landscape, make } = setup(tr, [0, 0], { points: 4 });
    const r = runObserver(make, tr, 7, 1);
    expect(r.steps).toEqual([0, 1, 10, 100, 1000]);
    expect(r.referenceLoss).toBe(1);
    expect(r.chains).toBe(3);
    // Values (c+1)² + k²/4 for c = 0, 1, 2: mean 14/3 + k²/4; sd of {1, 4, 9} = √(49/3) whatever k.
    r.steps.forEach((k, j) => {
      expect(r.mean[j]).toBeCloseTo(14 / 3 + (k * k) / 4, 9);
      expect(r.sd[j]).toBeCloseTo(Math.sqrt(49 / 3), 12);
    });
    // One loss at θ₀ per configure (two observers here: one worker, one that combines), then 3 chains × 5 steps.
    expect(landscape.calls).toBe(2 + 3 * 5);
  });

  it('divides by 𝓛(θ₀) at a reference point that is not the minimum', () => {
    // θ₀ = (1, 2): 𝓛(θ₀) = 6; one chain that stays at (2, 0) from step 1 on: 𝓛 = 5, relative −1/6; step 0 is θ₀.
    const tr = [[[1, 2], ...Array.from({ length: 20 }, () => [2, 0])]];
    const r = run(tr, [1, 2], { points: 3, spacing: 'linear' }, 4);
    expect(r.steps).toEqual([0, 1, 11, 20]);
    expect(r.mean).toEqual([0, 5 / 6 - 1, 5 / 6 - 1, 5 / 6 - 1]);
    expect(r.sd.every(Number.isNaN)).toBe(true); // one chain: no sd
  });

  it('is bit-identical for block sizes 1, 7, 1000 and for one part or three', () => {
    const tr = Array.from({ length: 7 }, (_, c) =>
      Array.from({ length: 1201 }, (_, k) => [
        Math.sin(0.37 * c + 0.011 * k) * Math.exp(-k / 500),
        Math.cos(0.1 * c * k) / (1 + k),
      ]),
    );
    const ref = run(tr, [0.1, -0.2], { points: 50 }, 1);
    expect(ref.steps.length).toBeGreaterThan(30);
    expect(ref.mean.every(Number.isFinite)).toBe(true);
    for (const blockSize of [1, 7, 1000]) {
      for (const parts of [1, 3])
        expect(bitDifference(run(tr, [0.1, -0.2], { points: 50 }, blockSize, parts), ref)).toBeNull();
    }
  });

  it('refuses a run without a reference point or with bad params', () => {
    expect(() => setup(grid(1, 5), undefined, {}).make()).toThrow(/relative-loss: needs the run's reference point θ₀/);
    expect(() => setup(grid(1, 5), [0, 0], { points: 0 }).make()).toThrow(
      'relative-loss.params.points: must be ≥ 1, got 0',
    );
    expect(() => setup(grid(1, 5), [0, 0], { spacing: 'geometric' }).make()).toThrow(
      'relative-loss.params.spacing: must be one of "log", "linear", got "geometric"',
    );
  });
});
