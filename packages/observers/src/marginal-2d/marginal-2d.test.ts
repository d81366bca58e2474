import { describe, expect, it } from 'vitest';
import { paramsFor } from '@nesslab/kernel/testing';
import { Marginal2dObserver, marginal2dInfo, type Marginal2dResult } from './marginal-2d.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';
import { linearProcess } from '../synthetic.ts';

const marginal =
  (dim: number, chains: number, steps: number, reference: number[] | undefined, params: Record<string, unknown> = {}) =>
  () => {
    const o = new Marginal2dObserver();
    o.configure(
      paramsFor(marginal2dInfo, params),
      runContext(
        fakeLandscape(dim, () => 0),
        dim,
        chains,
        steps,
        reference,
      ),
    );
    return o;
  };
const run = (
  tr: Trajectories,
  reference: number[],
  blockSize: number,
  parts = 1,
  params: Record<string, unknown> = {},
): Marginal2dResult =>
  runObserver(marginal(tr[0][0].length, tr.length, tr[0].length - 1, reference, params), tr, blockSize, parts);

const SIGMA = [
  [1, 0.2, 0.1],
  [0.2, 4, -1.5],
  [0.1, -1.5, 1],
];
const ZERO = SIGMA.map((r) => r.map(() => 0));

describe('marginal-2d (004 Fig. 2 heat maps)', () => {
  it('puts each state in its cell of the (α, γ) plane, in units Θ about θ₀ and the offset; the rest is counted outside', () => {
    // Plane (3, 1): x = (θ₃ − 1)/2, y = (θ₁ − 0)/0.5; window [−1, 1]² about offset (0, 0), 2 bins: cells of width 1.
    const tr = [
      [
        [0, 9, 1],
        [0.25, 9, 2.5],
        [-0.25, 9, 2.5],
        [-0.25, 9, 0.5],
        [0.6, 9, 1],
        [0, 9, 7],
        [NaN, 9, 1],
      ],
    ];
    const r = run(tr, [0, 5, 1], 4, 1, { components: [3, 1], scales: [2, 0.5], range: 1, bins: 2 });
    expect(r.components).toEqual([3, 1]);
    expect(r.xEdges).toEqual([-1, 0, 1]);
    // States 1…6 (step 0 is never counted): (0.75, 0.5) → (1, 1); (0.75, −0.5) → (1, 0); (−0.25, −0.5) → (0, 0);
    // (0, 1.2) and (3, 0) fall outside; NaN is outside too.
    expect(r.counts).toEqual([
      [1, 0],
      [1, 1],
    ]);
    expect(r.outside).toBe(3);
    expect(r.total).toBe(6);
    expect(r.density[1][1]).toBe(1 / 6); // count / (total × cell area 1)
    // The window follows `offset`: centred on (3, 0), the state (3, 0) is in the upper-right cell.
    const moved = run(tr, [0, 5, 1], 4, 1, { components: [3, 1], scales: [2, 0.5], range: 1, bins: 2, offset: [3, 0] });
    expect(moved.xEdges).toEqual([2, 3, 4]);
    expect(moved.counts).toEqual([
      [0, 0],
      [0, 1],
    ]);
  });

  it('burnIn and every select the same states as the moments observer: steps > burnIn that are multiples of every', () => {
    const tr = [Array.from({ length: 21 }, (_, k) => [k / 100, 0])];
    const r = run(tr, [0, 0], 3, 1, { components: [1, 2], range: 1, bins: 1, burnIn: 4, every: 5 });
    expect(r.total).toBe(4); // steps 5, 10, 15, 20
    expect(r.outside).toBe(0);
  });

  it('the mass inside the 1-σ ellipse of the marginal N(0, Σ_SS) matches the Gaussian integral over the same cells', () => {
    // i.i.d. N(0, Σ) in 3-D, plane (2, 3), Θ = √Σ_αα. The marginal of a Gaussian is N(0, Σ_SS); its 1-σ ellipse holds
    // 1 − e^{−1/2} = 0.393 of the mass; on the grid we compare the cells whose centre lies inside it with the exact
    // density integrated over those cells (5 × 5 midpoint rule per cell: error ~1e-5, far below the sampling error).
    const chains = 20,
      steps = 4000,
      n = chains * steps;
    const tr = linearProcess({ F: ZERO, noiseCovariance: SIGMA, chains, steps, seed: 5 });
    const s = [Math.sqrt(SIGMA[1][1]), Math.sqrt(SIGMA[2][2])],
      rho = SIGMA[1][2] / (s[0] * s[1]);
    const bins = 40,
      range = 4,
      r = run(tr, [0, 0, 0], 500, 1, { components: [2, 3], scales: s, range, bins });
    expect(r.total).toBe(n);
    const q = (x: number, y: number) => (x * x - 2 * rho * x * y + y * y) / (1 - rho * rho); // δᵀΣ_SS⁻¹δ in units Θ
    const pdf = (x: number, y: number) => Math.exp(-q(x, y) / 2) / (2 * Math.PI * Math.sqrt(1 - rho * rho));
    const w = (2 * range) / bins;
    let observed = 0,
      expected = 0;
    for (let i = 0; i < bins; i++) {
      for (let j = 0; j < bins; j++) {
        const x = -range + (i + 0.5) * w,
          y = -range + (j + 0.5) * w;
        if (q(x, y) > 1) continue;
        observed += r.counts[i][j] / n;
        for (let u = 0; u < 5; u++)
          for (let v = 0; v < 5; v++)
            expected += pdf(x - w / 2 + ((u + 0.5) * w) / 5, y - w / 2 + ((v + 0.5) * w) / 5) * (w / 5) ** 2;
      }
    }
    expect(Math.abs(expected - (1 - Math.exp(-0.5)))).toBeLessThan(0.02); // the cells approximate the ellipse
    // 4 binomial standard errors √(p(1 − p)/n) = 0.0017 for n = 8e4 independent samples.
    expect(Math.abs(observed - expected)).toBeLessThan(4 * Math.sqrt((expected * (1 - expected)) / n));
    // Outside ±4Θ: P(|x| > 4 or |y| > 4) ≈ 2 · 2 · 3.2e-5 = 1.3e-4 of 8e4 = ~10 states.
    expect(r.outside).toBeLessThan(40);
  });

  it('is bit-identical for block sizes 1, 7, 1000 and for one part or three', () => {
    const F = [
      [0.9, 0.05, 0],
      [-0.05, 0.8, 0.02],
      [0, 0, 0.95],
    ];
    const tr = linearProcess({
      F,
      noiseCovariance: [
        [1, 0.2, 0],
        [0.2, 1, 0.1],
        [0, 0.1, 0.3],
      ],
      chains: 7,
      steps: 1500,
      seed: 4,
      start: [1, 1, 1],
    });
    const params = { components: [1, 3], scales: [2, 1.5], range: 3, bins: 17, burnIn: 13, every: 2 };
    const ref = run(tr, [0.5, -0.25, 0], 1, 1, params);
    expect(ref.total).toBe(7 * 744); // steps 14, 16, …, 1500
    expect(ref.outside).toBeGreaterThan(0);
    for (const blockSize of [1, 7, 1000]) {
      for (const parts of [1, 3])
        expect(bitDifference(run(tr, [0.5, -0.25, 0], blockSize, parts, params), ref)).toBeNull();
    }
  });

  it('refuses bad params and a run without a reference point, naming the field', () => {
    expect(() => marginal(2, 1, 10, undefined, { components: [1, 2] })()).toThrow(
      /marginal-2d: needs the run's reference point θ₀/,
    );
    expect(() => marginal(7, 1, 10, [0, 0, 0, 0, 0, 0, 0], { components: [6, 8] })()).toThrow(
      /marginal-2d\.params\.components: must be two distinct integers in 1 … 7/,
    );
    expect(() => marginal(7, 1, 10, [0, 0, 0, 0, 0, 0, 0], { components: [6, 6] })()).toThrow(
      'marginal-2d.params.components',
    );
    expect(() => marginal(7, 1, 10, [0, 0, 0, 0, 0, 0, 0], { scales: [1, 0] })()).toThrow('marginal-2d.params.scales');
    expect(() => marginal(7, 1, 10, [0, 0, 0, 0, 0, 0, 0], { range: -1 })()).toThrow('marginal-2d.params.range');
    expect(() => marginal(7, 1, 10, [0, 0, 0, 0, 0, 0, 0], { bins: 0 })()).toThrow('marginal-2d.params.bins');
    expect(() => marginal(2, 1, 10, [0, 0])()).toThrow('marginal-2d.params.components'); // the default (6, 7) needs dim ≥ 7
  });
});
