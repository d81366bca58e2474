import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { OccupancyObserver, occupancyInfo, type OccupancyResult } from './occupancy.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';

const make = (tr: Trajectories, params: Record<string, unknown>) => () => {
  const dim = tr[0][0].length,
    o = new OccupancyObserver();
  o.configure(
    paramsFor(occupancyInfo, params),
    runContext(
      fakeLandscape(dim, () => 0),
      dim,
      tr.length,
      tr[0].length - 1,
    ),
  );
  return o;
};
const run = (tr: Trajectories, params: Record<string, unknown>, blockSize: number, parts = 1): OccupancyResult =>
  runObserver(make(tr, params), tr, blockSize, parts);

// 2-D chains, coordinate 1 separates the basins at 0.5; state 0 is the initial state (never counted).
const designed: Trajectories = [
  [
    [0, 9],
    [0, 0],
    [0, 1],
    [0, 1],
    [0, 0.6],
    [0, 0.4],
    [0, 0.6],
    [0, 1],
    [0, 0.5],
  ], // above at steps 2, 3, 4, 6, 7, 8 (0.5 itself is above)
  [
    [0, 0],
    [0, 1],
    [0, 1],
    [0, 1],
    [0, 1],
    [0, 1],
    [0, 1],
    [0, 1],
    [0, 1],
  ], // always above
];

/** K chains of a two-state Markov chain (below → above with probability a per step, back with b), on coordinate 0. */
function telegraph(K: number, steps: number, a: number, b: number, seed: number): Trajectories {
  const rng = Xoshiro128.fromSeed(seed);
  return Array.from({ length: K }, () => {
    let up = rng.nextDouble() < a / (a + b); // start in the stationary distribution
    return Array.from({ length: steps + 1 }, () => {
      const x = [up ? 1 : -1];
      if (rng.nextDouble() < (up ? b : a)) up = !up;
      return x;
    });
  });
}

describe('occupancy (002 Eq. 3: relative occupancy of two minima)', () => {
  it('counts the steps above the dividing point after the burn-in, per chain, and averages the fractions over chains', () => {
    const r = run(designed, { coordinate: 1, dividing: 0.5 }, 3);
    expect(r.fractionsAbove).toEqual([6 / 8, 1]);
    expect(r.above).toBe((6 / 8 + 1) / 2);
    expect(r.stdError).toBeCloseTo(Math.abs(1 - 6 / 8) / 2, 15); // sd of two values / √2 = |x₁ − x₂|/2
    const b = run(designed, { coordinate: 1, dividing: 0.5, burnIn: 4 }, 3); // steps 5..8 count
    expect(b.fractionsAbove).toEqual([3 / 4, 1]);
    expect(b.stepsPerChain).toBe(4);
  });

  it('counts committed transitions only: passing dividing ± margin on the far side', () => {
    // margin 0: chain 0 commits below at step 1 (0), then up (1), down (0.4), up (0.6): 3 transitions; chain 1 none
    const r0 = run(designed, { coordinate: 1, dividing: 0.5 }, 2);
    expect([r0.transitions, r0.minTransitionsPerChain]).toEqual([3, 0]);
    // margin 0.3 (commit below 0.2, above 0.8): the 0.6 ↔ 0.4 flicker is no transition, only 0 → 1
    expect(run(designed, { coordinate: 1, dividing: 0.5, margin: 0.3 }, 4).transitions).toBe(1);
  });

  it('bit-identical whatever the block size and the split of chains over workers', () => {
    const tr = telegraph(7, 300, 0.05, 0.1, 3);
    const one = run(tr, { dividing: 0, burnIn: 17 }, 300);
    for (const [block, parts] of [
      [1, 7],
      [13, 3],
      [64, 2],
    ])
      expect(bitDifference(run(tr, { dividing: 0, burnIn: 17 }, block, parts), one)).toBeNull();
  });

  it("a two-state Markov chain: p_above = a/(a + b) and log(p_below/p_above) = log(b/a) within 4 s.e.; the s.e. is the chain's", () => {
    const a = 0.01,
      b = 0.03,
      K = 40,
      n = 20000,
      r = run(telegraph(K, n, a, b, 11), { dividing: 0 }, 1000, 2);
    expect(Math.abs(r.logRatio - Math.log(b / a))).toBeLessThan(4 * r.logRatioStdError);
    // Var of a time average of a two-state chain: p(1 − p)(1 + λ)/((1 − λ)n), λ = 1 − a − b; K chains. The s.e. from K = 40
    // chains has a relative sd 1/√(2·39) ≈ 11 %: ±35 % is 3 of those.
    const p = a / (a + b),
      lambda = 1 - a - b,
      se = Math.sqrt((p * (1 - p) * (1 + lambda)) / ((1 - lambda) * n) / K);
    expect(r.stdError / se).toBeGreaterThan(0.65);
    expect(r.stdError / se).toBeLessThan(1.35);
    expect(r.logRatioStdError).toBeCloseTo(r.stdError / (r.above * r.below), 15); // delta method
    // switches per step in stationarity: p_below·a + p_above·b = 2ab/(a + b); ~12 000 of them (±1 %), checked to 5 %
    expect(r.transitions / (K * n) / ((2 * a * b) / (a + b))).toBeCloseTo(1, 1);
  });

  it('bad parameters name the field', () => {
    expect(() => make(designed, { coordinate: 2 })()).toThrow(/occupancy\.params\.coordinate/);
    expect(() => make(designed, { dividing: 'x' })()).toThrow(/occupancy\.params\.dividing/);
    expect(() => make(designed, { margin: -1 })()).toThrow(/occupancy\.params\.margin/);
    expect(() => make(designed, { burnIn: 8 })()).toThrow(/occupancy\.params\.burnIn/);
  });
});
