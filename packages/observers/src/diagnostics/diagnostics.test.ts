import { describe, expect, it } from 'vitest';
import { assemble, ScenarioError, simulate, Xoshiro128 } from '@nesslab/kernel';
import { paramsFor, toyModule, toySpec } from '@nesslab/kernel/testing';
import { observersModule } from '../index.ts';
import { DiagnosticsObserver, diagnosticsInfo, type DiagnosticsResult } from './diagnostics.ts';
import { EnsembleDiagnostics, normalQuantile } from './convergence.ts';
import { imqKernelSteinDiscrepancy } from './stein.ts';

// Every statistic is checked against a second, plain implementation of the published formulas written out below (chains
// as arrays of arrays, no code shared with the observer), at 1e-12 relative:
// - Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021, Bayesian Analysis 16(2) 667–718: split chains, rank
//   normalisation z = Φ⁻¹((r − 3/8)/(S + 1/4)) with average ranks for ties, R̂ from B and W (after BDA3),
//   R̂ = max(bulk, folded), ESS from Eq. 10–11 (§3.2) with Geyer's initial monotone sequence, tail-ESS = min over the
//   5 % and 95 % quantile indicators (§4). Where the paper leaves details to code, as the authors' R package posterior.
// - Margossian, Hoffman, Sountsov, Riou-Durand, Vehtari & Gelman 2024, Bayesian Analysis: nested R̂, Eq. 4–8.
// - Gorham & Mackey 2017, ICML: the KSD with the Langevin Stein operator, k₀ʲ summed per coordinate j, IMQ kernel.

type Chains = number[][];
const sum = (v: number[]) => v.reduce((s, x) => s + x, 0);
const mean = (v: number[]) => sum(v) / v.length;
/** Sample variance, 1/(n − 1) Σ (x − x̄)². */
const variance = (v: number[]) => sum(v.map((x) => (x - mean(v)) ** 2)) / (v.length - 1);

/** Φ(z) = ½ + φ(z) Σ_{k≥0} z^(2k+1)/(1·3·5·…·(2k+1)) (Marsaglia 2004, J. Stat. Softw. 11(4)); Φ⁻¹ by Newton's method. */
function Phi(z: number): number {
  let term = z,
    series = z;
  for (let k = 1; Math.abs(term) > 1e-18 * Math.abs(series); k++) series += term *= (z * z) / (2 * k + 1);
  return 0.5 + (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI)) * series;
}
function probit(p: number): number {
  let z = 0;
  for (let i = 0; i < 100; i++) {
    const step = (Phi(z) - p) / (Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI));
    z -= step;
    if (Math.abs(step) < 1e-17 * (1 + Math.abs(z))) break;
  }
  return z;
}

/** Split chains: the first ⌊n/2⌋ and the last ⌊n/2⌋ draws of each chain become two chains. */
function split(chains: Chains): Chains {
  const h = Math.floor(chains[0]!.length / 2);
  return [...chains.map((c) => c.slice(0, h)), ...chains.map((c) => c.slice(c.length - h))];
}

/** Rank normalisation: r = 1 + #{smaller} + (#{equal} − 1)/2 over all S draws, z = Φ⁻¹((r − 3/8)/(S + 1/4)). */
function rankNormalised(chains: Chains): Chains {
  const all = chains.flat(),
    S = all.length;
  return chains.map((c) =>
    c.map((x) => {
      const r = 1 + all.filter((y) => y < x).length + (all.filter((y) => y === x).length - 1) / 2;
      return probit((r - 3 / 8) / (S + 1 / 4));
    }),
  );
}

/** R̂: B = n·var(chain means), W = mean chain variance, var⁺ = (n − 1)/n·W + B/n, R̂ = √(var⁺/W). */
function rhatByHand(chains: Chains): number {
  const n = chains[0]!.length,
    B = n * variance(chains.map(mean)),
    W = mean(chains.map(variance));
  return Math.sqrt((((n - 1) / n) * W + B / n) / W);
}

/** The median of all draws (the mean of the two middle ones for an even count). */
function medianByHand(v: number[]): number {
  const s = [...v].sort((a, b) => a - b),
    h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/** Quantile, type 7 of Hyndman & Fan (R's and NumPy's default): (1 − h)·x₍ⱼ₎ + h·x₍ⱼ₊₁₎ at j + h = (S − 1)p. */
function quantileByHand(v: number[], p: number): number {
  const s = [...v].sort((a, b) => a - b),
    at = (s.length - 1) * p,
    j = Math.floor(at),
    h = at - j;
  return h > 0 ? (1 - h) * s[j]! + h * s[j + 1]! : s[j]!;
}

/**
 * ESS (Eq. 10–11): ρ̂_t = 1 − (W − γ̂_t)/var⁺ with γ̂_t = (1/M) Σ_m (1/n) Σ_{k<n−t} (x_k − x̄_m)(x_{k+t} − x̄_m) (Geyer's
 * biased autocovariance, as posterior, Stan and ArviZ compute the paper's s²ρ̂), ρ̂₀ = 1. Pairs P_k = ρ̂_{2k} + ρ̂_{2k+1}
 * are read while the previous one is positive and 2k < n − 3 (posterior's loop bound); the positive ones before the last
 * read are made monotone, P̃_k = min(P̃_{k−1}, P_k); τ̂ = −1 + 2 Σ_{k<end} P̃_k + ρ̂_{2·end}, the last even term counted
 * when positive or when its pair is non-negative (posterior's "improved estimate"); S_eff = S/max(τ̂, 1/log₁₀ S).
 */
function essByHand(chains: Chains): { ess: number; monotone: boolean } {
  const M = chains.length,
    n = chains[0]!.length,
    S = M * n,
    means = chains.map(mean);
  const gamma = (t: number) =>
    mean(chains.map((c, m) => sum(c.slice(0, n - t).map((x, k) => (x - means[m]!) * (c[k + t]! - means[m]!))) / n));
  const W = mean(chains.map(variance)),
    varPlus = ((n - 1) / n) * W + (M > 1 ? variance(means) : 0),
    rho = (t: number) => (t === 0 ? 1 : 1 - (W - gamma(t)) / varPlus);
  const P = [rho(0) + rho(1)];
  while (P[P.length - 1]! > 0 && 2 * P.length < n - 3) P.push(rho(2 * P.length) + rho(2 * P.length + 1));
  const end = P.length - 1;
  let monotoneSum = 0,
    running = Infinity,
    monotone = false;
  for (let k = 0; k < end; k++) {
    monotone ||= P[k]! > running;
    running = Math.min(running, P[k]!);
    monotoneSum += running;
  }
  const lastEven = rho(2 * end),
    tau = -1 + 2 * monotoneSum + (lastEven > 0 || P[end]! >= 0 ? lastEven : 0);
  return { ess: S / Math.max(tau, 1 / Math.log10(S)), monotone };
}

/** Bulk and tail R̂ and ESS of one quantity, and nested R̂ (Margossian et al. Eq. 4–8) with K superchains. */
function byHand(chains: Chains, K: number) {
  const rhatBulk = rhatByHand(rankNormalised(split(chains))),
    med = medianByHand(chains.flat()),
    rhatTail = rhatByHand(rankNormalised(split(chains.map((c) => c.map((x) => Math.abs(x - med)))))),
    bulk = essByHand(rankNormalised(split(chains)));
  const tail = [0.05, 0.95].map((p) => {
    const q = quantileByHand(chains.flat(), p);
    return essByHand(split(chains.map((c) => c.map((x) => (x <= q ? 1 : 0)))));
  });
  return {
    rhat: Math.max(rhatBulk, rhatTail),
    rhatBulk,
    rhatTail,
    essBulk: bulk.ess,
    essTail: Math.min(tail[0]!.ess, tail[1]!.ess),
    nestedRhat: nestedByHand(chains, K),
    monotone: bulk.monotone || tail.some((t) => t.monotone),
  };
}

/**
 * Nested R̂ (Margossian et al. 2024): superchain k = chains k·M … k·M + M − 1; x̄_k = (1/M) Σ_m x̄_{mk} (Eq. 4);
 * B̂_ν = 1/(K − 1) Σ_k (x̄_k − x̄)² (Eq. 6); Ŵ_ν = (1/K) Σ_k (B̃_k + W̃_k), B̃_k = 1/(M − 1) Σ_m (x̄_{mk} − x̄_k)² (0 if
 * M = 1), W̃_k = (1/M) Σ_m s²_{mk} (Eq. 7); R̂_ν = √(1 + B̂_ν/Ŵ_ν) (Eq. 8).
 */
function nestedByHand(chains: Chains, K: number): number {
  const M = Math.floor(chains.length / K),
    superchains = Array.from({ length: K }, (_, k) => chains.slice(k * M, (k + 1) * M)),
    superMeans = superchains.map((s) => mean(s.map(mean))),
    B = sum(superMeans.map((m) => (m - mean(superMeans)) ** 2)) / (K - 1),
    W = mean(
      superchains.map(
        (s, k) => (M > 1 ? sum(s.map((c) => (mean(c) - superMeans[k]!) ** 2)) / (M - 1) : 0) + mean(s.map(variance)),
      ),
    );
  return Math.sqrt(1 + B / W);
}

/**
 * KSD (Gorham & Mackey 2017) of equally weighted points with scores s: ‖w‖₂, w_j² = (1/n²) Σ_{i,i′} k₀ʲ(x_i, x_i′),
 * k₀ʲ(x, y) = s_j(x)s_j(y)k + s_j(x)∂k/∂y_j + s_j(y)∂k/∂x_j + ∂²k/∂x_j∂y_j, k = (c² + ‖x − y‖²)^β, whose derivatives are
 * ∂k/∂x_j = 2β(x_j − y_j)(c² + ‖x − y‖²)^(β−1) = −∂k/∂y_j and
 * ∂²k/∂x_j∂y_j = −2β(c² + ‖x − y‖²)^(β−1) − 4β(β − 1)(x_j − y_j)²(c² + ‖x − y‖²)^(β−2).
 */
function ksdByHand(points: number[][], scores: number[][], c: number, beta: number): number {
  const n = points.length;
  let total = 0;
  for (let j = 0; j < points[0]!.length; j++)
    for (let i = 0; i < n; i++)
      for (let i2 = 0; i2 < n; i2++) {
        const x = points[i]!,
          y = points[i2]!,
          u = c * c + sum(x.map((xa, a) => (xa - y[a]!) ** 2)),
          dkdx = 2 * beta * (x[j]! - y[j]!) * u ** (beta - 1),
          d2k = -2 * beta * u ** (beta - 1) - 4 * beta * (beta - 1) * (x[j]! - y[j]!) ** 2 * u ** (beta - 2);
        total += scores[i]![j]! * scores[i2]![j]! * u ** beta - scores[i]![j]! * dkdx + scores[i2]![j]! * dkdx + d2k;
      }
  return Math.sqrt(total / (n * n));
}

const close = (actual: number, expected: number, rel = 1e-12) =>
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-15);

// Fixed arrays: AR(1) draws (φ = 0.6, 0.3, 0.5) with shifted chains, rounded to 0.01 so that ties occur.
const A: Chains = [
  [
    0.08, -0.37, 1.18, 1.69, 1.34, 1.92, 1.56, 1.2, 0.67, 0.68, 0.84, 0.48, 0.41, 0.59, 0.12, 0.11, -0.6, -0.04, -0.5,
    0.14, 1.68, 1.72, 0.04, 0.59,
  ],
  [
    -0.32, 0.21, 0.75, 0.54, 1.98, 2.05, 0.69, 0.94, 0.98, 1.12, -0.09, 0.13, -0.24, -0.17, 0.97, 1.05, 1.05, 1.31,
    0.52, 0.41, 0.46, -0.14, 0.27, -0.47,
  ],
  [
    -0.78, 0.73, -0.78, 0.25, 1.27, 0.84, -0.35, -1.43, -1.22, -0.56, -0.09, 0.19, -0.47, 0.3, -0.26, -1.18, -0.64,
    -0.98, -0.14, -0.02, -1.35, -2.48, -2.45, -1.04,
  ],
  [
    -0.44, 1.29, 0.94, 0.85, 1.18, 0.75, 0.09, 0.07, 0.69, 0.09, -0.94, 1.07, 1.09, 1.95, 1.76, 2.61, 1.42, 1.5, 1.64,
    -0.94, -1.14, 0.57, -0.21, -1.16,
  ],
];
const B: Chains = [
  [0.55, 0.06, 0.03, 0.26, -0.45, -0.08, -1.07, 0.25],
  [0.64, 0.05, -1.49, 0.26, 0.07, -0.47, 1.01, -0.41],
  [1.08, -0.82, -1.25, 0.13, 0.33, 0.38, 0.24, 1.13],
  [-0.55, -0.92, -1.03, -0.14, 0.07, 2.35, -0.84, 1.1],
];
// 8 chains × 9 draws (odd: the split leaves out the middle draw), for nested R̂ with K = 4 and K = 2.
const C: Chains = [
  [-1.85, -0.09, -2.37, -2.3, -0.13, 0.31, 1.47, 2.2, 0.56],
  [-0.04, 0.8, 0.75, 0.19, -0.04, 0.9, 2.24, 1.56, 1.84],
  [0.5, 2.01, 1.49, 0.24, 1.75, 1.64, 0.87, 0.52, 1.06],
  [2.16, 2.68, 2.29, 2.18, 0.81, 1.78, 2.81, 0.73, 0.9],
  [0.37, -0.41, -0.53, -0.14, -0.42, -1.46, 0.57, -0.49, -2.06],
  [-1.46, 0.55, -0.85, -1.42, -1.13, 0.15, -0.42, 0.73, -0.98],
  [-0.07, 0.39, 0.64, 1.69, 0.86, -0.23, 0, -1.91, -0.96],
  [1.52, 1.11, 0.2, -0.64, -1.44, -0.91, -1.62, -1.75, 1.46],
];

/** The observer's estimators on chains laid out chain-major, K superchains of ⌊chains/K⌋. */
const ours = (chains: Chains, K: number) =>
  new EnsembleDiagnostics(chains.length, chains[0]!.length, K, Math.floor(chains.length / K)).of(
    Float64Array.from(chains.flat()),
  );

const FIELDS = ['rhat', 'rhatBulk', 'rhatTail', 'essBulk', 'essTail', 'nestedRhat'] as const;

describe('diagnostics: the estimators against the published formulas', () => {
  it('Φ⁻¹ (AS 241) agrees with Newton on Φ’s series', () => {
    for (const p of [0.0025, 0.01, 0.05, 0.075, 0.1, 0.3, 0.5, 0.62, 0.925, 0.95, 0.99, 0.9975])
      close(normalQuantile(p), probit(p));
  });

  it('R̂, bulk-/tail-ESS and nested R̂ of fixed arrays (4 × 24, 4 × 8, 8 × 9) match the formulas', () => {
    let monotone = false;
    for (const [chains, K] of [
      [A, 2],
      [B, 2],
      [C, 4],
      [C, 2],
      [C, 8],
    ] as const) {
      const got = ours(chains, K),
        want = byHand(chains, K);
      for (const f of FIELDS) close(got[f], want[f]);
      monotone ||= want.monotone;
    }
    expect(monotone).toBe(true); // the initial monotone sequence changed a pair somewhere (not only its positive part)
    expect(new Set(A.flat()).size).toBeLessThan(96); // A has ties: the average ranks are exercised
  });

  // ArviZ (arviz-stats, commit ef043f4, src/arviz_stats/base/diagnostics.py: rhat method 'rank', 'z_scale', 'folded';
  // ess 'bulk' and 'tail' with prob (0.05, 0.95); rhat_nested 'identity'), run on the arrays above. It folds the
  // split draws about their own median, so it agrees on even chain lengths (A, B) only; its autocovariance is an FFT.
  it('matches ArviZ on the same arrays', () => {
    const a = ours(A, 2),
      b = ours(B, 2);
    close(a.rhat, 1.1832475272949223, 1e-10);
    close(a.rhatTail, 1.0773103476447512, 1e-10);
    close(a.essBulk, 20.735126046579364, 1e-10);
    close(a.essTail, 43.568409343715246, 1e-10);
    close(b.rhat, 1.0541105502725054, 1e-10);
    close(b.rhatTail, 0.9628108867267643, 1e-10);
    close(b.essBulk, 48.16479930623699, 1e-10); // = 32·log₁₀ 32: 4 draws per split chain, Geyer's sum is empty
    close(ours(C, 4).nestedRhat, 1.2474472302312236, 1e-10);
    close(ours(C, 2).nestedRhat, 1.2215672190387739, 1e-10);
  });

  it('i.i.d. normal draws: R̂ ≈ 1 and ESS ≈ the draw count', () => {
    // 4 chains × 2000 draws. Over 150 i.i.d. replicates (ArviZ) R̂ − 1 spreads by ≈ 0.0003 and ESS/8000 by ≈ 3 %.
    const rng = Xoshiro128.fromSeed(7),
      iid = Array.from({ length: 4 }, () => Array.from({ length: 2000 }, () => rng.nextNormal())),
      d = ours(iid, 2);
    expect(Math.abs(d.rhat - 1)).toBeLessThan(0.003);
    expect(Math.abs(d.nestedRhat - 1)).toBeLessThan(0.01);
    expect(d.essBulk / 8000).toBeGreaterThan(0.8);
    expect(d.essBulk / 8000).toBeLessThan(1.2);
    expect(d.essTail / 8000).toBeGreaterThan(0.8);
    expect(d.essTail / 8000).toBeLessThan(1.2);
  });

  it('KSD with the IMQ kernel matches the per-coordinate Stein kernels, whose derivatives match finite differences', () => {
    const rng = Xoshiro128.fromSeed(3),
      points = Array.from({ length: 7 }, () => [rng.nextNormal(), rng.nextNormal()]),
      scores = points.map(([x, y]) => [-x! + 0.3 * y!, -2 * y! + 0.1]);
    for (const [c, beta] of [
      [1, -0.5],
      [0.7, -0.3],
    ] as const)
      close(
        imqKernelSteinDiscrepancy(Float64Array.from(points.flat()), Float64Array.from(scores.flat()), 7, 2, c, beta),
        ksdByHand(points, scores, c, beta),
      );
    // ∂²k/∂x₁∂y₁ by central differences against the formula above (c = 1, β = −½).
    const k = (x: number[], y: number[]) => (1 + (x[0]! - y[0]!) ** 2 + (x[1]! - y[1]!) ** 2) ** -0.5,
      x = [0.3, -0.2],
      y = [-0.4, 0.5],
      e = 1e-4,
      numeric =
        (k([x[0]! + e, x[1]!], [y[0]! + e, y[1]!]) -
          k([x[0]! + e, x[1]!], [y[0]! - e, y[1]!]) -
          k([x[0]! - e, x[1]!], [y[0]! + e, y[1]!]) +
          k([x[0]! - e, x[1]!], [y[0]! - e, y[1]!])) /
        (4 * e * e),
      u = 1 + 0.7 ** 2 + 0.7 ** 2;
    close(numeric, -2 * -0.5 * u ** -1.5 - 4 * -0.5 * -1.5 * 0.7 ** 2 * u ** -2.5, 1e-6);
  });
});

// The toy run (8 chains × 60 steps, 2-D, toy-sgd) with the trajectory observer beside: the diagnostics must be those of
// the trajectory's states at steps burnIn + k·every, whatever the chain groups and the block size.
const PARAMS = { burnIn: 4, every: 2, maxSamples: 20, superchains: 4, kernelSamples: 30 };
const container = assemble(toyModule, observersModule);
const run = (groups: number, blockSize?: number) =>
  simulate(
    container,
    {
      ...toySpec,
      chains: 8,
      steps: 60,
      ...(blockSize ? { blockSize } : {}),
      observers: [{ name: 'trajectory' }, { name: 'diagnostics', params: PARAMS }],
    },
    { groups },
  );

describe('diagnostics observer', () => {
  it('gives the formulas’ values for the kept states of a run, and the KSD with the score −∇𝓛', async () => {
    const r = await run(1),
      d = r.observers.diagnostics as DiagnosticsResult,
      rows = r.observers.trajectory as number[][]; // per chain, (θ₁, θ₂, batchLoss) at steps 1, 2, …
    const at = (c: number, step: number, a: number) => rows[c]![(step - 1) * 3 + a]!;
    const steps = Array.from({ length: 20 }, (_, k) => 4 + 2 * (k + 1)); // 6, 8, …, 44
    expect(d).toMatchObject({ chains: 8, samples: 20, steps: { first: 6, last: 44, every: 2 }, superchains: 4 });
    for (let a = 0; a < 2; a++) {
      const want = byHand(
        rows.map((_, c) => steps.map((s) => at(c, s, a))),
        4,
      );
      for (const f of FIELDS) close(d[f][a]!, want[f]);
    }
    expect(d.worst.rhat.value).toBe(Math.max(...d.rhat));
    expect(d.worst.essBulk.value).toBe(Math.min(...d.essBulk));
    expect(d.worst.rhat.coordinate).toBe(d.rhat.indexOf(d.worst.rhat.value));
    // KSD: 30 of the 160 kept draws, pooled index ⌊i·160/30⌋ chain by chain; toy-quadratic's 𝓛 = (1/M) Σ ½|θ − x_i|²
    // with x_i = (sin(1 + 7.4i), sin(4.7 + 7.4i)), M = 8, so s = −∇𝓛 = −(1/M) Σ (θ − x_i).
    const data = Array.from({ length: 8 }, (_, i) => [Math.sin(1 + 3.7 * (2 * i)), Math.sin(1 + 3.7 * (2 * i + 1))]);
    const points = Array.from({ length: 30 }, (_, i) => {
      const j = Math.floor((i * 160) / 30);
      return [0, 1].map((a) => at(Math.floor(j / 20), steps[j % 20]!, a));
    });
    const scores = points.map((p) => p.map((t, a) => -sum(data.map((x) => t - x[a]!)) / 8));
    expect(d.ksd).toMatchObject({ points: 30, c: 1, beta: -0.5, temperature: 1 });
    close(d.ksd.value, ksdByHand(points, scores, 1, -0.5));
  });

  it('is bit-identical for any number of chain groups and any block size', async () => {
    const one = (await run(1)).observers.diagnostics;
    for (const [groups, blockSize] of [
      [2, undefined],
      [3, 7],
      [8, 1],
    ] as const)
      expect((await run(groups, blockSize)).observers.diagnostics, `${groups} groups`).toEqual(one);
  });

  it('reports the worst raw split-R̂ live, draws R̂ and ESS per coordinate, says what it holds, refuses too few draws', async () => {
    const o = new DiagnosticsObserver(),
      context = { landscape: {} as never, dim: 2, chains: 8, steps: 60 };
    o.configure(paramsFor(diagnosticsInfo, PARAMS), context);
    expect(o.memoryBytes()).toBeGreaterThan(2 * 8 * 8 * 20 * 2); // the kept draws, twice (groups and combined)
    const r = await run(3),
      d = r.observers.diagnostics as DiagnosticsResult,
      rows = r.observers.trajectory as number[][];
    // Live: the largest classic split-R̂ (B and W of the split chains, no ranks) over the coordinates of the raw draws.
    const draws = new Float64Array(8 * 2 * 20);
    rows.forEach((row, c) => {
      for (let a = 0; a < 2; a++) for (let k = 0; k < 20; k++) draws[(c * 2 + a) * 20 + k] = row[(5 + 2 * k) * 3 + a]!;
    });
    const raw = [0, 1].map((a) =>
      split(rows.map((_, c) => Array.from(draws.subarray((c * 2 + a) * 20, (c * 2 + a + 1) * 20)))),
    );
    close(
      o.live({ dim: 2, chainStart: 0, chains: 8, samples: 20, draws })['max split-R̂ (raw θ)']!,
      Math.max(...raw.map(rhatByHand)),
    );
    const spec = o.figure(d) as { vconcat: { layer: { data: { values: { measure?: string }[] } }[] }[] };
    expect(spec.vconcat).toHaveLength(2);
    expect(new Set(spec.vconcat[0]!.layer[0]!.data.values.map((v) => v.measure))).toEqual(
      new Set(['split-R̂ (rank-normalised)', 'nested R̂']),
    );
    expect(JSON.stringify(spec)).not.toMatch(/R_hat|Rhat|theta/);
    expect(() => o.configure(paramsFor(diagnosticsInfo, { burnIn: 50, every: 4 }), context)).toThrow(ScenarioError);
  });
});
