import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { AutocorrelationObserver, autocorrelationInfo, type AutocorrelationResult } from './autocorrelation.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';

const autocorrelation = (dim: number, chains: number, steps: number, params: Record<string, unknown>) => () => {
  const o = new AutocorrelationObserver();
  o.configure(
    paramsFor(autocorrelationInfo, params),
    runContext(
      fakeLandscape(dim, () => 0),
      dim,
      chains,
      steps,
    ),
  );
  return o;
};
const run = (tr: Trajectories, params: Record<string, unknown>, blockSize = 64, parts = 1): AutocorrelationResult =>
  runObserver(autocorrelation(tr[0][0].length, tr.length, tr[0].length - 1, params), tr, blockSize, parts);

/** θ_{k+1} = θ_k + x_k, θ_0 = 0. */
const integrate = (x: number[][][]): number[][][] =>
  x.map((chain) =>
    chain.reduce((tr, step) => (tr.push(tr[tr.length - 1].map((v, a) => v + step[a])), tr), [chain[0].map(() => 0)]),
  );
/** chains × length × dim stationary AR(1) series v_j = ρ v_{j−1} + z_j (ρ = 0: white noise), chain c from seed + c. */
const ar1 = (chains: number, length: number, dim: number, rho: number, seed: number): number[][][] =>
  Array.from({ length: chains }, (_, c) => {
    const rng = Xoshiro128.fromSeed(seed + c);
    let v = Array.from({ length: dim }, () => rng.nextNormal() / Math.sqrt(1 - rho * rho));
    return Array.from({ length }, (_, j) => (j === 0 ? v : (v = v.map((p) => rho * p + rng.nextNormal()))));
  });

describe('autocorrelation (003 Fig. 3b)', () => {
  it('computes r(ℓ) = Σ(x_j − x̄)(x_{j+ℓ} − x̄)/Σ(x_j − x̄)² of the increments, as by hand', () => {
    // Increments 1, 2, 3, 4 (x̄ = 2.5, deviations −1.5 −.5 .5 1.5, c0 = 5): r(1) = (.75 − .25 + .75)/5 = 0.25,
    // r(2) = (−.75 − .75)/5 = −0.3. The second weight has increments 4, 3, 2, 1: the same r.
    const tr = integrate([
      [
        [1, 4],
        [2, 3],
        [3, 2],
        [4, 1],
      ],
    ]);
    const r = run(tr, { window: 4, lags: 2 });
    expect(r.lag).toEqual([1, 2]);
    expect(Math.abs(r.mean[0] - 0.25)).toBeLessThan(1e-15);
    expect(Math.abs(r.mean[1] + 0.3)).toBeLessThan(1e-15);
    expect(r.sd[0]).toBe(0);
    expect(r.band).toBe(2.576 / 2);
    expect(r.series).toBe(2);
  });

  it('white noise stays inside the 99 % band ±2.576/√W at about the expected rate, with mean r ≈ −1/W', () => {
    const W = 256,
      L = 20,
      dim = 8,
      chains = 16;
    const r = run(integrate(ar1(chains, W, dim, 0, 3)), { window: W, lags: L });
    expect(r.series).toBe(dim * chains);
    // Var r(ℓ) ≈ (W − ℓ)/W² (Bartlett): the band ±2.576/√W is exceeded with probability 1 % at ℓ = 1 down to 0.7 % at
    // ℓ = 20, ≈ 0.85 % on average. 2560 (weight, lag) pairs: binomial sd 0.18 %; [0.3 %, 1.5 %] is > 3 sd on either side.
    expect(r.fractionOutsideAll).toBeGreaterThan(0.003);
    expect(r.fractionOutsideAll).toBeLessThan(0.015);
    for (let l = 0; l < L; l++) {
      // E r(ℓ) = −(W − ℓ)/W² + O(W⁻²) for the mean-corrected estimator; 4 standard errors of the mean over 128 series.
      expect(Math.abs(r.mean[l] + (W - l - 1) / W ** 2)).toBeLessThan(4 * r.stdError[l]);
      // sd ≈ √((W − ℓ)/W²) = 0.062; its estimate from 128 values has relative sd ≈ 1/√256 = 0.0625: 4 of those is 0.25.
      expect(Math.abs(r.sd[l] / Math.sqrt((W - l - 1) / W ** 2) - 1)).toBeLessThan(0.25);
    }
  });

  it('an AR(1) series gives ρ^ℓ within its error, for the increments and for the states (series: theta)', () => {
    const W = 2048,
      L = 10,
      dim = 8,
      chains = 8,
      rho = 0.6,
      n = dim * chains;
    const x = ar1(chains, W + 1, dim, rho, 17);
    const check = (r: AutocorrelationResult) => {
      for (let l = 1; l <= L; l++) {
        // Bartlett: Var r(ℓ) ≈ [(1 + ρ²)(1 − ρ^{2ℓ})/(1 − ρ²) − 2ℓρ^{2ℓ}]/W; the mean over n series has that /n.
        const variance = (((1 + rho * rho) * (1 - rho ** (2 * l))) / (1 - rho * rho) - 2 * l * rho ** (2 * l)) / W;
        // The estimator's bias is O(1/W): |E r − ρ^ℓ| ≤ (ℓρ^ℓ + 2(1 + ρ)/(1 − ρ))/W = 0.004 at most here.
        const bias = (l * rho ** l + (2 * (1 + rho)) / (1 - rho)) / W;
        expect(Math.abs(r.mean[l - 1] - rho ** l)).toBeLessThan(4 * Math.sqrt(variance / n) + bias);
        // The sd over series estimates √variance, relative error ≈ 1/√(2n) = 0.09: 0.35 is 4 of those.
        expect(Math.abs(r.sd[l - 1] / Math.sqrt(variance) - 1)).toBeLessThan(0.35);
      }
      expect(r.fractionOutside[0]).toBe(1); // ρ = 0.6 is ten bands (0.057) away from 0
    };
    check(run(integrate(x.map((c) => c.slice(0, W))), { window: W, lags: L }, 512));
    check(run(x, { window: W, lags: L, series: 'theta' }, 512));
  });

  it('leaves out a frozen weight (constant series: r undefined) and counts it', () => {
    const x = ar1(3, 64, 2, 0, 5).map((chain, c) => chain.map((v) => (c === 1 ? [v[0], 0] : v)));
    const r = run(integrate(x), { window: 64, lags: 3 });
    expect(r.series).toBe(5);
    expect(r.constantSeries).toBe(1);
    expect(r.mean.every(Number.isFinite)).toBe(true);
  });

  it('is bit-identical for block sizes 1, 7, 1000 and for one part or three', () => {
    const tr = integrate(ar1(7, 400, 3, 0.3, 9));
    const params = { window: 90, every: 4, burnIn: 5, lags: 6 };
    const ref = run(tr, params, 1);
    for (const blockSize of [1, 7, 1000]) {
      for (const parts of [1, 3]) expect(bitDifference(run(tr, params, blockSize, parts), ref)).toBeNull();
    }
  });

  it('refuses lags ≥ window, an unknown series, a run too short, naming the field', () => {
    expect(() => autocorrelation(2, 1, 1000, { window: 64, lags: 64 })()).toThrow(
      'autocorrelation.params.lags: must be below the window W = 64, got 64',
    );
    expect(() => autocorrelation(2, 1, 1000, { series: 'loss' })()).toThrow(
      'autocorrelation.params.series: must be one of "increments", "theta", got "loss"',
    );
    expect(() => autocorrelation(2, 1, 100, { window: 128 })()).toThrow(
      'autocorrelation.params.window: needs burnIn + every·window = 0 + 1·128 = 128 steps, the run has 100',
    );
  });
});
