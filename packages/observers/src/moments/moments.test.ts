import { describe, expect, it } from 'vitest';
import { paramsFor } from '@nesslab/kernel/testing';
import { MomentsObserver, momentsInfo, type MomentsResult } from './moments.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';
import { linearProcess } from '../synthetic.ts';

const moments =
  (dim: number, chains: number, steps: number, params: Record<string, unknown> = {}) =>
  () => {
    const o = new MomentsObserver();
    o.configure(
      paramsFor(momentsInfo, params),
      runContext(
        fakeLandscape(dim, () => 0),
        dim,
        chains,
        steps,
      ),
    );
    return o;
  };
const run = (tr: Trajectories, blockSize: number, parts = 1, params: Record<string, unknown> = {}): MomentsResult =>
  runObserver(moments(tr[0][0].length, tr.length, tr[0].length - 1, params), tr, blockSize, parts);

// A known covariance (positive definite, strongly correlated pair, one small variance).
const SIGMA = [
  [4, 1.2, -0.6],
  [1.2, 1, 0.3],
  [-0.6, 0.3, 0.5],
];
const ZERO = SIGMA.map((r) => r.map(() => 0));

describe('moments', () => {
  it('recovers a known covariance from i.i.d. Gaussian samples within the sampling error', () => {
    // θ_k = L z_k with L Lᵀ = Σ: i.i.d. N(0, Σ). 40 chains × 2000 steps, n = 80 000 samples.
    const chains = 40,
      steps = 2000,
      n = chains * steps;
    const tr = linearProcess({ F: ZERO, noiseCovariance: SIGMA, chains, steps, seed: 11 });
    const r = run(tr, 256);
    expect(r.count).toBe(n);
    expect(r.chains).toBe(chains);
    for (let a = 0; a < 3; a++) {
      // For i.i.d. Gaussian samples the sample mean has variance Σ_aa/n and the sample covariance element
      // has variance (Σ_ab² + Σ_aa Σ_bb)/n (Isserlis). 4.5 of those standard errors: a correct estimator fails
      // this less than once in 10⁵ per element, and a wrong normalisation or a mean-shift bug is far outside.
      expect(Math.abs(r.mean[a])).toBeLessThan(4.5 * Math.sqrt(SIGMA[a][a] / n));
      for (let b = 0; b < 3; b++) {
        const se = Math.sqrt((SIGMA[a][b] ** 2 + SIGMA[a][a] * SIGMA[b][b]) / n);
        expect(Math.abs(r.covariance[a][b] - SIGMA[a][b])).toBeLessThan(4.5 * se);
        // The standard error estimated from the spread over 40 chains estimates the same se
        // (an sd from 40 values is good to ~±11 %, so [0.6, 1.5] has wide margins).
        expect(r.covarianceStdError[a][b] / se).toBeGreaterThan(0.6);
        expect(r.covarianceStdError[a][b] / se).toBeLessThan(1.5);
        expect(r.covariance[a][b]).toBe(r.covariance[b][a]);
      }
      expect(r.meanStdError[a] / Math.sqrt(SIGMA[a][a] / n)).toBeGreaterThan(0.6);
      expect(r.meanStdError[a] / Math.sqrt(SIGMA[a][a] / n)).toBeLessThan(1.5);
    }
  });

  it('pools the chains about the pooled mean, normalised by count − 1 (a small case by hand)', () => {
    // chain 0 visits 1, 2, 3 and chain 1 visits 5, 6, 7 (1-D; step 0 is never counted).
    const tr = [
      [[0], [1], [2], [3]],
      [[9], [5], [6], [7]],
    ];
    const r = run(tr, 2);
    const xs = [1, 2, 3, 5, 6, 7],
      m = 4;
    const cov = xs.reduce((s, x) => s + (x - m) ** 2, 0) / 5;
    expect(r.count).toBe(6);
    expect(r.mean[0]).toBeCloseTo(m, 14);
    expect(r.covariance[0][0]).toBeCloseTo(cov, 13); // 6.8, not the within-chain 1
    // Per-chain covariances are 1 and 1: no spread, zero standard error.
    expect(r.covarianceStdError[0][0]).toBe(0);
    expect(run(tr, 2, 1, { chainMeans: true }).chainMeans).toEqual([[2], [6]]);
  });

  it('skips steps ≤ burnIn: the same as the trajectory cut at step burnIn', () => {
    const tr = linearProcess({
      F: [
        [0.5, 0.1],
        [0, 0.8],
      ],
      noiseCovariance: [
        [1, 0],
        [0, 2],
      ],
      chains: 3,
      steps: 100,
      seed: 5,
      start: [50, -80],
    });
    const cut = tr.map((t) => t.slice(10));
    expect(bitDifference(run(tr, 7, 1, { burnIn: 10 }), run(cut, 7))).toBeNull();
    expect(run(tr, 7, 1, { burnIn: 10 }).count).toBe(3 * 90);
    expect(run(tr, 7, 1, { burnIn: 100 }).count).toBe(0);
  });

  it('with every = k counts only steps that are multiples of k, whatever the block size', () => {
    const tr = linearProcess({
      F: [
        [0.5, 0.1],
        [0, 0.8],
      ],
      noiseCovariance: [
        [1, 0],
        [0, 2],
      ],
      chains: 3,
      steps: 100,
      seed: 6,
      start: [1, 2],
    });
    // trajectory index j holds step j (j = 0: the initial state, never counted); keep steps 12, 16, …, 100
    const thinned = tr.map((t) => [t[0], ...t.filter((_, j) => j > 10 && j % 4 === 0)]);
    for (const block of [1, 7, 1000])
      expect(bitDifference(run(tr, block, 1, { burnIn: 10, every: 4 }), run(thinned, 7))).toBeNull();
    expect(run(tr, 7, 1, { burnIn: 10, every: 4 }).count).toBe(3 * 23);
  });

  it('is bit-identical for block sizes 1, 7, 1000 and for one part or three', () => {
    const F = [
      [0.9, 0.05, 0],
      [-0.05, 0.8, 0.02],
      [0, 0, 0.95],
    ];
    const tr = linearProcess({ F, noiseCovariance: SIGMA, chains: 7, steps: 1500, seed: 3, start: [1, 1, 1] });
    const ref = run(tr, 1, 1, { burnIn: 13, chainMeans: true });
    expect(Number.isFinite(ref.covariance[0][1])).toBe(true);
    for (const blockSize of [7, 1000]) {
      for (const parts of [1, 3]) {
        expect(bitDifference(run(tr, blockSize, parts, { burnIn: 13, chainMeans: true }), ref)).toBeNull();
      }
    }
    expect(bitDifference(run(tr, 1, 3, { burnIn: 13, chainMeans: true }), ref)).toBeNull();
    expect(run(tr, 7, 3, { burnIn: 13 })).toEqual(run(tr, 1000, 1, { burnIn: 13 }));
  });

  it('rejects bad params with the field named', () => {
    expect(() => moments(2, 1, 1, { burnIn: -1 })()).toThrow('moments.params.burnIn: must be ≥ 0, got -1');
    expect(() => moments(2, 1, 1, { burnIn: 1.5 })()).toThrow('moments.params.burnIn');
    expect(() => moments(2, 1, 1, { chainMeans: 'yes' })()).toThrow('moments.params.chainMeans');
  });
});
