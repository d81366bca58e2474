import { describe, expect, it } from 'vitest';
import {
  chainStreams,
  diffusionWR,
  resolveParams,
  symmetricEigen,
  Xoshiro128,
  type Landscape,
  type PerSampleHessian,
} from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { SgnVsHessianObserver, sgnVsHessian, sgnVsHessianInfo, type SgnVsHessianResult } from './sgn-vs-hessian.ts';
import { bitDifference, fakeLandscape, runObserver, type Trajectories } from '../testing.ts';

/**
 * ℓ_i = ½θᵀAθ − x_i·θ (centred x_i), R = ½λ|θ|², with A = (1/M²)Σ_i x_i x_iᵀ: per-sample gradients Aθ − x_i, so the
 * exact minibatch covariance is κ_B·(1/M)Σ x_i x_iᵀ = κ_B M A = κ_B M H_L — C ∝ H by construction (the Styblinski–Tang
 * construction of docs/science.md §7 with a quadratic f).
 */
function dataTerms(x: number[][], lambda: number): Landscape & PerSampleHessian & { A: Float64Array } {
  const M = x.length,
    N = x[0].length,
    mean = Array.from({ length: N }, (_, a) => x.reduce((t, r) => t + r[a], 0) / M);
  const xs = x.map((r) => r.map((v, a) => v - mean[a])),
    A = new Float64Array(N * N);
  for (const r of xs) for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) A[a * N + b] += (r[a] * r[b]) / (M * M);
  const Atheta = (theta: Float64Array, out: Float64Array) => {
    for (let a = 0; a < N; a++) {
      out[a] = 0;
      for (let b = 0; b < N; b++) out[a] += A[a * N + b] * theta[b];
    }
  };
  return {
    ...fakeLandscape(N, () => 0),
    dataSize: M,
    A,
    gradient: (theta, out) => {
      Atheta(theta, out);
      for (let a = 0; a < N; a++) out[a] += lambda * theta[a];
    },
    minibatchGradient: (theta, batch, m, out) => {
      Atheta(theta, out);
      for (let a = 0; a < N; a++) {
        out[a] += lambda * theta[a];
        for (let k = 0; k < m; k++) out[a] -= xs[batch[k]][a] / m;
      }
    },
    sampleGradients: (theta, out) => {
      const g = new Float64Array(N);
      Atheta(theta, g);
      for (let i = 0; i < M; i++) for (let a = 0; a < N; a++) out[i * N + a] = g[a] - xs[i][a];
    },
    regulariserGradient: (theta, out) => {
      for (let a = 0; a < N; a++) out[a] = lambda * theta[a];
    },
    sampleHessian: (_theta, _i, out) => out.set(A),
  };
}
const gaussianData = (M: number, N: number, seed: number) => {
  const rng = Xoshiro128.fromSeed(seed);
  return Array.from({ length: M }, () => Array.from({ length: N }, () => rng.nextNormal()));
};
const observer =
  (landscape: Landscape, chains: number, params: Record<string, unknown>, reference?: number[]) => () => {
    const o = new SgnVsHessianObserver();
    o.configure(paramsFor(sgnVsHessianInfo, params), {
      landscape,
      dim: landscape.dim,
      chains,
      steps: 10,
      reference: reference && Float64Array.from(reference),
    });
    return o;
  };
const run = (
  landscape: Landscape,
  tr: Trajectories,
  params: Record<string, unknown>,
  blockSize = 4,
  parts = 1,
): SgnVsHessianResult => runObserver(observer(landscape, tr.length, params), tr, blockSize, parts);
/** Chains that wander and end at `ends[c]`. */
const ending = (ends: number[][], steps = 10): number[][][] =>
  ends.map((end, c) =>
    Array.from({ length: steps + 1 }, (_, k) => (k === steps ? end : end.map((v, a) => v + Math.sin(k + a + c)))),
  );

describe('sgn-vs-hessian (001 §2, Eq. 7, Fig. 2)', () => {
  it('C ∝ H by construction: the sampled C is the exact 2D/η² within 5 s.e., factor 1, Pearson and eigen-directions agree', () => {
    const M = 40,
      B = 4,
      S = 20_000,
      lambda = 0.7,
      L = dataTerms(gaussianData(M, 3, 1), lambda),
      theta = Float64Array.from([0.3, -1, 0.5]);
    const m = sgnVsHessian(L, theta, B, S, Xoshiro128.fromSeed(2));
    const kappa = (M - B) / (B * (M - 1)),
      exact = diffusionWR(L, theta, 1, B); // C_exact = 2D (η = 1) = κ_B M A
    const h: number[] = [];
    for (let a = 0; a < 3; a++)
      for (let b = a; b < 3; b++) {
        h.push(kappa * M * L.A[a * 3 + b]);
        expect(Math.abs(2 * exact[a * 3 + b] - h.at(-1)!)).toBeLessThan(1e-14 * h[0]); // the construction itself (round-off)
      }
    m.h.forEach((v, k) => expect(Math.abs(v - h[k])).toBeLessThan(1e-14 * h[0]));
    // Each C_ij is a mean of S products of near-Gaussian noise (a mean of 4 of 40 Gaussian points): standard error
    // √((C_ii C_jj + C_ij²)/S) ≤ √(2/S)·√(C_ii C_jj); 5 s.e. for the worst of 6 elements fails with probability < 10⁻⁵.
    const tol = 5 * Math.sqrt(2 / S);
    expect(m.sampledVsExact).toBeLessThan(tol);
    expect(m.sampledVsExact).toBeGreaterThan(0);
    // factor = Σ C h / Σ h², a weighted mean of element ratios C_ij/h_ij = 1 + O(√(2/S)).
    expect(Math.abs(m.factor - 1)).toBeLessThan(tol);
    // With |C − h| ≤ tol·√(h_ii h_jj) per element, the angle between centred C and h has sin² ≤ Σ tol² h_ii h_jj / |h − h̄|², and 1 − ρ ≤ sin².
    const diag = [0, 3, 5],
      hbar = h.reduce((t, v) => t + v, 0) / 6;
    let e2 = 0,
      k = 0;
    for (let a = 0; a < 3; a++) for (let b = a; b < 3; b++, k++) e2 += tol * tol * h[diag[a]] * h[diag[b]];
    expect(1 - m.pearson).toBeLessThan(e2 / h.reduce((t, v) => t + (v - hbar) ** 2, 0));
    // Eigen-directions: λ_e of κ_B M A (kernel's symmetricEigen), and u_eᵀ C u_e = λ_e up to a variance's relative s.e. √(2/S).
    const ref = symmetricEigen(
      Float64Array.from(L.A, (v) => kappa * M * v),
      3,
    ).values;
    m.eigenvalues.forEach((v, e) => expect(Math.abs(v - ref[e])).toBeLessThan(1e-14 * ref[2]));
    m.eigenCovariance.forEach((v, e) => expect(Math.abs(v / m.eigenvalues[e] - 1)).toBeLessThan(tol));
    // |∇𝓛| = |(A + λ)θ| and |∇R| = λ|θ|: ∇R is in every minibatch gradient and carries no noise.
    const g = [0, 1, 2].map((a) => [0, 1, 2].reduce((t, b) => t + L.A[a * 3 + b] * theta[b], lambda * theta[a]));
    expect(Math.abs(m.gradientNorm - Math.hypot(...g))).toBeLessThan(1e-14);
    expect(Math.abs(m.regulariserNorm - lambda * Math.hypot(...theta))).toBeLessThan(1e-14);
  });

  it('rank one (M = 2, B = 1): every sampled C is a multiple of H, so Pearson = 1 to round-off', () => {
    // ∇ℓ_B − ∇L = ∓u for the two points x = ±u: C = f·uuᵀ with f = S/(S − 1)(1 − t²), t the mean sign; κ_B M H_L = uuᵀ.
    const L = dataTerms(
        [
          [1, -2, 0.5],
          [-1, 2, -0.5],
        ],
        0,
      ),
      S = 1000;
    const m = sgnVsHessian(L, Float64Array.from([1, 1, 1]), 1, S, Xoshiro128.fromSeed(3));
    expect(1 - m.pearson).toBeLessThan(1e-12);
    // 1 − f ≈ (S t² − 1)/S with S t² ~ χ²₁: below 25/S unless χ²₁ > 25 (probability 6·10⁻⁷).
    expect(Math.abs(m.factor - 1)).toBeLessThan(25 / S);
  });

  it("each chain's final state with its own stream (chainStreams(seed, c)); 'reference' at θ₀ with fromSeed(seed)", () => {
    const L = dataTerms(gaussianData(12, 2, 4), 0.1),
      ends = [
        [0, 0],
        [1, -1],
        [1, -1],
      ],
      p = { batchSize: 3, minibatches: 500, seed: 9 };
    const r = run(L, ending(ends), p, 3);
    const streams = chainStreams(9, 0, 3);
    ends.forEach((end, c) => {
      const m = sgnVsHessian(L, Float64Array.from(end), 3, 500, streams[c]);
      expect([r.pearson[c], r.factor[c], r.sampledVsExact[c], r.covariance[c], r.eigenCovariance[c]]).toEqual([
        m.pearson,
        m.factor,
        m.sampledVsExact,
        Array.from(m.c),
        Array.from(m.eigenCovariance),
      ]);
    });
    expect(r.covariance[2]).not.toEqual(r.covariance[1]); // same state, independent draws
    expect(r.hessianOverB[2]).toEqual(r.hessianOverB[1]);
    expect([r.at, r.batchSize, r.minibatches, r.seed, r.kappa]).toEqual(['final', 3, 500, 9, 9 / (3 * 11)]);
    const ref = runObserver(observer(L, 3, { ...p, at: 'reference' }, ends[1]), ending(ends), 3);
    expect(ref.covariance).toEqual([
      Array.from(sgnVsHessian(L, Float64Array.from(ends[1]), 3, 500, Xoshiro128.fromSeed(9)).c),
    ]);
    expect(sgnVsHessianInfo.readsReferenceWhen(resolveParams(sgnVsHessianInfo, {}, 'p'))).toBe(false);
    expect(sgnVsHessianInfo.readsReferenceWhen(resolveParams(sgnVsHessianInfo, { at: 'reference' }, 'p'))).toBe(true);
  });

  it('is bit-identical for block sizes 1, 3, 1000 and for one chain group, two or three', () => {
    const L = dataTerms(gaussianData(10, 3, 5), 0.2);
    const tr = ending(
        [
          [1, 2, 3],
          [0, 0, 1],
          [2, 2, 2],
          [-1, 0, 1],
          [0.3, 0.3, 0.1],
        ],
        25,
      ),
      p = { batchSize: 2, minibatches: 200 };
    const ref = run(L, tr, p, 1);
    for (const blockSize of [1, 3, 1000])
      for (const parts of [1, 2, 3]) expect(bitDifference(run(L, tr, p, blockSize, parts), ref)).toBeNull();
  });

  it('refuses bad input, naming the field', () => {
    const L = dataTerms(gaussianData(6, 2, 6), 0);
    expect(() => observer(L, 1, { batchSize: 6 })()).toThrow(
      "sgn-vs-hessian.params.batchSize: must be below the landscape's M = 6 (B = M has no noise), got 6",
    );
    expect(() => observer(L, 1, { minibatches: 1 })()).toThrow('sgn-vs-hessian.params.minibatches: must be ≥ 2, got 1');
    expect(() => observer(L, 1, { seed: -1 })()).toThrow('sgn-vs-hessian.params.seed: must be ≥ 0, got -1');
    expect(() => observer(L, 1, { at: 'start' })()).toThrow(
      'sgn-vs-hessian.params.at: must be one of "final", "reference", got "start"',
    );
    expect(() => observer(L, 1, { at: 'reference' })()).toThrow(
      "sgn-vs-hessian.params.at: is 'reference' but the run has no reference point",
    );
    const noHessian = { ...L, sampleHessian: undefined };
    expect(() => observer(noHessian, 1, {})()).toThrow("sgn-vs-hessian: needs the landscape's sampleHessian");
    expect(() => sgnVsHessian(noHessian, new Float64Array(2), 1, 10, Xoshiro128.fromSeed(1))).toThrow(
      "sgn-vs-hessian: needs the landscape's sampleHessian",
    );
    expect(() =>
      observer({ ...fakeLandscape(600, () => 0), dataSize: 10, sampleHessian: () => {} } as Landscape, 1, {})(),
    ).toThrow('sgn-vs-hessian: N = 600 is above 512');
  });
});
