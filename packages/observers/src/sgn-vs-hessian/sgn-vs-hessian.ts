import type { Observable } from 'rxjs';
import {
  chainStreams,
  definePlugin,
  diffusionWR,
  ScenarioError,
  symmetricEigen,
  Xoshiro128,
  type Frame,
  type Landscape,
  type Observer,
  type ParamsOf,
  type Rng,
  type RunContext,
  hasSampleHessian,
} from '@nesslab/kernel';
import { concatChains, FinalStateAccumulator, reduceFrames, type ChainPart } from '../chain-group.ts';
import { referencePoint } from '../params.ts';

/** Largest N: S outer products of N(N+1)/2 entries per state and Jacobi eigenvectors (symmetricEigen, O(N³) per sweep). */
export const MAX_SGN_DIM = 512;

export const sgnVsHessianInfo = definePlugin({
  kind: 'observer',
  name: 'sgn-vs-hessian',
  description:
    "Stochastic-gradient-noise covariance against the Hessian (001 §2, Eq. 7: C ≈ H/B near a minimum). At each chain's final state " +
    '(or at θ₀): C = sample covariance of ∇L_B − ∇L over `minibatches` S minibatches of B distinct indices, compared element by ' +
    'element (i ≤ j) with κ_B M H_L, κ_B = (M − B)/(B(M − 1)), H_L = (1/M)Σ_i ∇²ℓ_i (needs landscape.sampleHessian): Pearson, ' +
    'proportionality factor Σ C h / Σ h², and the worst |C − C_exact|/√(C_ii C_jj) against the exact 2D/η² (004 Eq. 14, the ' +
    "kernel's diffusionWR, η = 1); eigenvalues λ_e of κ_B M H_L with u_eᵀ C u_e (001 Fig. 2 axes). Draws for chain c come from " +
    "Xoshiro128.fromSeed(seed) jumped c times (the engine's chainStreams), so any worker split gives the same bits. O(S N² + M N²) per state.",
  source: '001 §2, Eq. 7, Fig. 2; 004 Eq. 14',
  params: {
    at: {
      type: 'string',
      default: 'final',
      enum: ['final', 'reference'],
      description: "'final': at every chain's last state; 'reference': at the run's θ₀",
    },
    batchSize: {
      type: 'integer',
      default: 1,
      minimum: 1,
      description: 'B, distinct indices per sampled minibatch (< M: B = M has no noise)',
    },
    minibatches: {
      type: 'integer',
      default: 10_000,
      minimum: 2,
      description: 'S, sampled minibatches per state: each C_ij has a standard error ≈ √(2/S)·√(C_ii C_jj)',
    },
    seed: {
      type: 'integer',
      default: 0,
      minimum: 0,
      description:
        "seed of the minibatch draws (chain c: this stream jumped c times; 'reference': the stream itself); not the run's seed, or chain c re-reads its own stream",
    },
  },
  precision: 'float64',
  reads: ['theta', 'reference'],
  readsReferenceWhen: (params) => params.at === 'reference', // at: 'final' needs no θ₀
});

/** One state's comparison; h, c are the i ≤ j elements row by row, eigenvalues ascending. */
export interface SgnVsHessian {
  pearson: number;
  /** Least-squares slope of C on κ_B M H through 0: 1 when C = H/B exactly. */
  factor: number;
  sampledVsExact: number;
  gradientNorm: number;
  regulariserNorm: number;
  h: Float64Array;
  c: Float64Array;
  eigenvalues: Float64Array;
  eigenCovariance: Float64Array;
}

const SCALARS = 5; // pearson, factor, sampledVsExact, gradientNorm, regulariserNorm

/** at 'final': per chain (chain-major) the scalars, the N(N+1)/2 pairs (h, c) and the N eigenvalues with u_eᵀCu_e. */
export interface SgnVsHessianPartial extends ChainPart {
  scalars: Float64Array;
  h: Float64Array;
  c: Float64Array;
  eigenvalues: Float64Array;
  eigenCovariance: Float64Array;
}

export interface SgnVsHessianResult {
  at: 'final' | 'reference';
  batchSize: number;
  minibatches: number;
  seed: number;
  kappa: number;
  /** One entry per state (each chain's final state, or θ₀ alone). */
  pearson: number[];
  factor: number[];
  sampledVsExact: number[];
  gradientNorm: number[];
  regulariserNorm: number[];
  /** κ_B M (H_L)_ij and C_ij for i ≤ j, row by row. */
  hessianOverB: number[][];
  covariance: number[][];
  /** Eigenvalues λ_e of κ_B M H_L (ascending) and u_eᵀ C u_e. */
  eigenvalues: number[][];
  eigenCovariance: number[][];
}

/** Pearson correlation of two equal-length arrays. */
function correlation(x: Float64Array, y: Float64Array): number {
  const n = x.length;
  let mx = 0,
    my = 0,
    sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Sampled C at θ (S minibatches of B distinct indices drawn from `rng`) against κ_B M H_L and the exact 2D/η² (001 Eq. 7, 004 Eq. 14). */
export function sgnVsHessian(landscape: Landscape, theta: Float64Array, B: number, S: number, rng: Rng): SgnVsHessian {
  const N = landscape.dim,
    M = landscape.dataSize,
    kappa = (M - B) / (B * (M - 1)),
    P = (N * (N + 1)) / 2;
  if (!hasSampleHessian(landscape))
    throw new ScenarioError(
      'sgn-vs-hessian',
      "needs the landscape's sampleHessian (∇²ℓ_i), which this landscape lacks",
    );
  const order = Int32Array.from({ length: M }, (_, i) => i),
    batch = new Int32Array(B),
    g = new Float64Array(N),
    full = new Float64Array(N),
    reg = new Float64Array(N);
  landscape.gradient(theta, full);
  landscape.regulariserGradient(theta, reg);
  const second = new Float64Array(N * N),
    mean = new Float64Array(N);
  for (let s = 0; s < S; s++) {
    for (let i = 0; i < B; i++) {
      const j = i + rng.nextInt(M - i),
        t = order[j];
      order[j] = order[i];
      order[i] = t;
      batch[i] = t;
    } // partial Fisher–Yates
    landscape.minibatchGradient(theta, batch, B, g);
    for (let a = 0; a < N; a++) {
      g[a] -= full[a];
      mean[a] += g[a] / S;
    } // ∇L_B − ∇L: centred on ∇𝓛, ∇R cancels, no cancellation in C
    for (let a = 0; a < N; a++) for (let b = a; b < N; b++) second[a * N + b] += (g[a] * g[b]) / S;
  }
  const exact = diffusionWR(landscape, theta, 1, B).map((d) => 2 * d); // C_exact = 2D/η², η = 1 (004 Eq. 14)
  const H = new Float64Array(N * N),
    Hi = new Float64Array(N * N);
  for (let i = 0; i < M; i++) {
    landscape.sampleHessian(theta, i, Hi);
    for (let k = 0; k < N * N; k++) H[k] += Hi[k] / M;
  } // H_L = (1/M)Σ_i ∇²ℓ_i
  for (let k = 0; k < N * N; k++) H[k] *= kappa * M; // κ_B M H_L: H/B of 001 Eq. 7 for ℓ_i = M·NLL_i
  const C = new Float64Array(N * N),
    h = new Float64Array(P),
    c = new Float64Array(P);
  let worst = 0,
    ch = 0,
    hh = 0;
  for (let a = 0, k = 0; a < N; a++)
    for (let b = a; b < N; b++, k++) {
      C[a * N + b] = C[b * N + a] = c[k] = (second[a * N + b] - mean[a] * mean[b]) * (S / (S - 1)); // unbiased covariance
      h[k] = H[a * N + b];
      worst = Math.max(worst, Math.abs(c[k] - exact[a * N + b]) / Math.sqrt(exact[a * N + a] * exact[b * N + b]));
      ch += c[k] * h[k];
      hh += h[k] * h[k];
    }
  const { values, vectors } = symmetricEigen(H, N),
    eigenCovariance = new Float64Array(N);
  for (let e = 0; e < N; e++)
    for (let a = 0; a < N; a++)
      for (let b = 0; b < N; b++) eigenCovariance[e] += vectors[a * N + e] * C[a * N + b] * vectors[b * N + e]; // u_eᵀ C u_e
  return {
    pearson: correlation(h, c),
    factor: ch / hh,
    sampledVsExact: worst,
    gradientNorm: Math.hypot(...full),
    regulariserNorm: Math.hypot(...reg),
    h,
    c,
    eigenvalues: values,
    eigenCovariance,
  };
}

/** Each chain's last state; partial() measures at them with the chains' own streams (`measure` null at 'reference'). */
class FinalSgnAccumulator extends FinalStateAccumulator<SgnVsHessianPartial> {
  constructor(
    dim: number,
    private readonly measure: ((theta: Float64Array, rng: Rng) => SgnVsHessian) | null,
    private readonly seed: number,
  ) {
    super('sgn-vs-hessian', dim, measure !== null);
  }

  /** The O(S N² + M N²) work per chain happens here, in the chain group's own thread. */
  partial(): SgnVsHessianPartial {
    const n = this.dim,
      P = (n * (n + 1)) / 2,
      chains = this.measure ? this.chains : 0;
    const out = {
      dim: n,
      chainStart: this.chainStart,
      chains: this.chains,
      scalars: new Float64Array(chains * SCALARS),
      h: new Float64Array(chains * P),
      c: new Float64Array(chains * P),
      eigenvalues: new Float64Array(chains * n),
      eigenCovariance: new Float64Array(chains * n),
    };
    const rngs = chains > 0 ? chainStreams(this.seed, this.chainStart, chains) : [];
    for (let k = 0; k < chains; k++) {
      const m = this.measure!(this.finalState(k), rngs[k]);
      out.scalars.set([m.pearson, m.factor, m.sampledVsExact, m.gradientNorm, m.regulariserNorm], k * SCALARS);
      out.h.set(m.h, k * P);
      out.c.set(m.c, k * P);
      out.eigenvalues.set(m.eigenvalues, k * n);
      out.eigenCovariance.set(m.eigenCovariance, k * n);
    }
    return out;
  }
}

/** 'sgn-vs-hessian': minibatch-gradient-noise covariance vs H/B (001 §2, Eq. 7, Fig. 2). */
export class SgnVsHessianObserver implements Observer<SgnVsHessianPartial, SgnVsHessianResult> {
  private dim = 0;
  private at: 'final' | 'reference' = 'final';
  private batchSize = 1;
  private minibatches = 10_000;
  private seed = 0;
  private landscape: Landscape | null = null;
  private reference: Float64Array | null = null;

  configure(params: ParamsOf<typeof sgnVsHessianInfo>, run: RunContext): void {
    const field = (key: string) => `sgn-vs-hessian.params.${key}`;
    this.at = params.at;
    this.batchSize = params.batchSize;
    this.minibatches = params.minibatches;
    this.seed = params.seed;
    const M = run.landscape.dataSize,
      n = run.dim;
    if (this.batchSize >= M)
      throw new ScenarioError(
        field('batchSize'),
        `must be below the landscape's M = ${M} (B = M has no noise), got ${this.batchSize}`,
      );
    if (!hasSampleHessian(run.landscape))
      throw new ScenarioError(
        'sgn-vs-hessian',
        "needs the landscape's sampleHessian (∇²ℓ_i, for H_L = (1/M)Σ_i ∇²ℓ_i), which this landscape lacks",
      );
    if (n > MAX_SGN_DIM)
      throw new ScenarioError(
        'sgn-vs-hessian',
        `N = ${n} is above ${MAX_SGN_DIM}: S outer products of N² entries and Jacobi eigenvectors per state`,
      );
    this.reference = referencePoint('sgn-vs-hessian', this.at, run);
    this.landscape = run.landscape;
    this.dim = n;
  }

  attach(frames: Observable<Frame>): Observable<SgnVsHessianPartial> {
    const { dim, landscape, batchSize, minibatches, seed } = this;
    const measure =
      this.at === 'final'
        ? (theta: Float64Array, rng: Rng) => sgnVsHessian(landscape!, theta, batchSize, minibatches, rng)
        : null;
    return frames.pipe(reduceFrames(() => new FinalSgnAccumulator(dim, measure, seed)));
  }

  combine(parts: SgnVsHessianPartial[]): SgnVsHessianPartial {
    return concatChains('sgn-vs-hessian', parts, ['scalars', 'h', 'c', 'eigenvalues', 'eigenCovariance']);
  }

  result(part: SgnVsHessianPartial): SgnVsHessianResult {
    const n = this.dim,
      P = (n * (n + 1)) / 2,
      M = this.landscape!.dataSize,
      B = this.batchSize;
    const rows: SgnVsHessian[] =
      this.at === 'reference'
        ? [sgnVsHessian(this.landscape!, this.reference!, B, this.minibatches, Xoshiro128.fromSeed(this.seed))]
        : Array.from({ length: part.chains }, (_, k) => {
            const s = part.scalars.subarray(k * SCALARS, (k + 1) * SCALARS);
            return {
              pearson: s[0],
              factor: s[1],
              sampledVsExact: s[2],
              gradientNorm: s[3],
              regulariserNorm: s[4],
              h: part.h.subarray(k * P, (k + 1) * P),
              c: part.c.subarray(k * P, (k + 1) * P),
              eigenvalues: part.eigenvalues.subarray(k * n, (k + 1) * n),
              eigenCovariance: part.eigenCovariance.subarray(k * n, (k + 1) * n),
            };
          });
    const each = <T>(f: (r: SgnVsHessian) => T) => rows.map(f);
    return {
      at: this.at,
      batchSize: B,
      minibatches: this.minibatches,
      seed: this.seed,
      kappa: (M - B) / (B * (M - 1)),
      pearson: each((r) => r.pearson),
      factor: each((r) => r.factor),
      sampledVsExact: each((r) => r.sampledVsExact),
      gradientNorm: each((r) => r.gradientNorm),
      regulariserNorm: each((r) => r.regulariserNorm),
      hessianOverB: each((r) => Array.from(r.h)),
      covariance: each((r) => Array.from(r.c)),
      eigenvalues: each((r) => Array.from(r.eigenvalues)),
      eigenCovariance: each((r) => Array.from(r.eigenCovariance)),
    };
  }
}
