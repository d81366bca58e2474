import type { Observable } from 'rxjs';
import {
  definePlugin,
  gaussianKlBits,
  ScenarioError,
  symmetrize,
  type Frame,
  type Observer,
  type ParamsOf,
  type RunContext,
} from '@nesslab/kernel';
import { ChainAccumulator, concatChains, reduceFrames, type ChainPart } from '../chain-group.ts';
import { ChainWelford, packedSize } from '../moments/welford.ts';

export const klToPosteriorInfo = definePlugin({
  kind: 'observer',
  name: 'kl-to-posterior',
  description:
    'D_KL(P_fit ‖ P_po) in bits of the Gaussian fitted to the states (mean and covariance, float64 Welford per chain) to the ' +
    "posterior N(θ₀, H₀⁻¹) of a quadratic loss (θ₀ = the run's reference, H₀ = the landscape's Hessian there), mean term included; " +
    'finite-sample bias removed and standard error estimated by the jackknife over chains.',
  source: '004 Eq. 46',
  params: {
    burnIn: {
      type: 'integer',
      default: 0,
      minimum: 0,
      description: 'Steps 1 … burnIn are skipped (step 0, the initial state, is never counted).',
    },
    every: {
      type: 'integer',
      default: 1,
      minimum: 1,
      description: 'Count only steps that are multiples of `every` (n = M/m: SGWORLD states at epoch boundaries).',
    },
  },
  precision: 'float64',
  reads: ['theta', 'reference'],
});

/** Per-chain Welford accumulators, as `moments`: count[c], mean[c·N + α], m2[c·T + k] (packed upper triangle). */
export interface KlPartial extends ChainPart {
  count: Float64Array;
  mean: Float64Array;
  m2: Float64Array;
}

export interface KlResult {
  /** States counted over all chains. */
  count: number;
  chains: number;
  /** Pooled mean and covariance (about the pooled mean, / (count − 1)). */
  mean: number[];
  covariance: number[][];
  /** Eq. 46 (+ mean term) of the pooled Gaussian fit: biased upwards by the sampling noise of the fit. */
  klBitsPlugin: number;
  /** Jackknife over chains: C·KL_all − (C − 1)·mean_c KL_{−c}; removes the O(1/count) bias. NaN below 3 chains. */
  klBits: number;
  /** klBitsPlugin − klBits: what an exact sampler of the same run length would show (the estimator's noise floor). */
  bias: number;
  /** Jackknife standard error √((C − 1)/C Σ_c (KL_{−c} − mean)²). */
  stdError: number;
}

class KlAccumulator extends ChainAccumulator<KlPartial> {
  private welford: ChainWelford | null = null;

  constructor(
    dim: number,
    private readonly burnIn: number,
    private readonly every: number,
  ) {
    super('kl-to-posterior', dim);
  }

  protected allocate(chains: number): void {
    this.welford = new ChainWelford(this.dim, chains);
  }

  protected addBlock(f: Frame): void {
    const w = this.welford!,
      dim = f.dim,
      stride = f.blockSize * dim;
    let first = Math.max(0, this.burnIn + 1 - f.stepStart);
    first += (this.every - ((f.stepStart + first) % this.every)) % this.every; // a multiple of `every`
    for (let c = 0; c < f.chains; c++) {
      if (this.every === 1) w.addRun(c, f.theta, c * stride + first * dim, f.steps - first);
      else for (let s = first; s < f.steps; s += this.every) w.add(c, f.theta, c * stride + s * dim);
    }
  }

  partial(): KlPartial {
    const w = this.welford ?? new ChainWelford(this.dim, 0);
    return { dim: this.dim, chainStart: this.chainStart, chains: this.chains, count: w.count, mean: w.mean, m2: w.m2 };
  }
}

/** 'kl-to-posterior' (004 Eq. 46): needs run.reference = θ₀; the posterior precision is landscape.hessian(θ₀). */
export class KlToPosteriorObserver implements Observer<KlPartial, KlResult> {
  private dim = 0;
  private burnIn = 0;
  private every = 1;
  private theta0 = new Float64Array(0);
  private precision: Float64Array = new Float64Array(0);

  configure(params: ParamsOf<typeof klToPosteriorInfo>, run: RunContext): void {
    this.burnIn = params.burnIn;
    this.every = params.every;
    if (!run.reference || run.reference.length !== run.dim)
      throw new ScenarioError('kl-to-posterior', "needs the run's reference point θ₀ (the posterior mean)");
    this.dim = run.dim;
    this.theta0 = Float64Array.from(run.reference);
    const H = new Float64Array(run.dim * run.dim);
    run.landscape.hessian(this.theta0, H);
    this.precision = symmetrize(H, run.dim);
  }

  attach(frames: Observable<Frame>): Observable<KlPartial> {
    const { dim, burnIn, every } = this;
    return frames.pipe(reduceFrames(() => new KlAccumulator(dim, burnIn, every)));
  }

  combine(parts: KlPartial[]): KlPartial {
    return concatChains('kl-to-posterior', parts, ['count', 'mean', 'm2']);
  }

  result(part: KlPartial): KlResult {
    return klResult(part, this.theta0, this.precision);
  }

  /** Live: the KL (bits) to the posterior so far, jackknifed once 3 chains are in (Eq. 46). */
  live(part: KlPartial): Record<string, number> {
    const r = klResult(part, this.theta0, this.precision);
    return { 'KL (bits)': Number.isFinite(r.klBits) ? r.klBits : r.klBitsPlugin };
  }
}

/**
 * Pools chains (all, or all but `skip`) in chain order about θ₀: n = Σn_c, d = Σn_c(μ_c − θ₀)/n,
 * Σ = (Σ_c [M2_c + n_c(μ_c − θ₀)(μ_c − θ₀)ᵀ] − n ddᵀ)/(n − 1). Returns d, Σ and the KL in bits.
 */
function pooledKl(part: KlPartial, theta0: Float64Array, precision: Float64Array, skip: number) {
  const N = part.dim,
    T = packedSize(N),
    d = new Float64Array(N),
    S = new Float64Array(N * N),
    u = new Float64Array(N);
  let n = 0;
  for (let c = 0; c < part.chains; c++) {
    if (c === skip) continue;
    const nc = part.count[c];
    n += nc;
    for (let a = 0; a < N; a++) {
      u[a] = part.mean[c * N + a] - theta0[a];
      d[a] += nc * u[a];
    }
    for (let a = 0, p = c * T; a < N; a++)
      for (let b = a; b < N; b++, p++) S[a * N + b] += part.m2[p] + nc * u[a] * u[b];
  }
  for (let a = 0; a < N; a++) d[a] /= n;
  const covariance = new Float64Array(N * N),
    delta = new Float64Array(N * N),
    inv = invert(precision, N);
  for (let a = 0; a < N; a++)
    for (let b = a; b < N; b++) {
      const v = (S[a * N + b] - n * d[a] * d[b]) / (n - 1);
      covariance[a * N + b] = covariance[b * N + a] = v;
      delta[a * N + b] = delta[b * N + a] = v - inv[a * N + b];
    }
  return { n, d, covariance, kl: gaussianKlBits(delta, d, precision, N) };
}

/** Inverse of a small symmetric positive-definite matrix (Gauss–Jordan; N ≤ ~10). */
function invert(A: Float64Array, N: number): Float64Array {
  const a = Float64Array.from(A),
    inv = new Float64Array(N * N);
  for (let i = 0; i < N; i++) inv[i * N + i] = 1;
  for (let k = 0; k < N; k++) {
    const p = a[k * N + k];
    for (let j = 0; j < N; j++) {
      a[k * N + j] /= p;
      inv[k * N + j] /= p;
    }
    for (let i = 0; i < N; i++) {
      if (i === k) continue;
      const f = a[i * N + k];
      for (let j = 0; j < N; j++) {
        a[i * N + j] -= f * a[k * N + j];
        inv[i * N + j] -= f * inv[k * N + j];
      }
    }
  }
  return symmetrize(inv, N);
}

/** KL of the pooled fit, and the jackknife over chains (leave one chain out) for its bias and standard error. */
export function klResult(part: KlPartial, theta0: Float64Array, precision: Float64Array): KlResult {
  const N = part.dim,
    C = part.chains;
  const all = pooledKl(part, theta0, precision, -1);
  let klBits = NaN,
    stdError = NaN;
  if (C >= 3) {
    const loo = Array.from({ length: C }, (_, c) => pooledKl(part, theta0, precision, c).kl);
    const m = loo.reduce((s, v) => s + v, 0) / C;
    klBits = C * all.kl - (C - 1) * m;
    stdError = Math.sqrt(((C - 1) / C) * loo.reduce((s, v) => s + (v - m) ** 2, 0));
  }
  return {
    count: all.n,
    chains: C,
    mean: Array.from(all.d, (v, a) => v + theta0[a]),
    covariance: Array.from({ length: N }, (_, a) => Array.from(all.covariance.subarray(a * N, (a + 1) * N))),
    klBitsPlugin: all.kl,
    klBits,
    bias: all.kl - klBits,
    stdError,
  };
}
