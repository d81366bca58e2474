import type { Observable } from 'rxjs';
import { definePlugin, toRows, type Frame, type Observer, type ParamsOf, type RunContext } from '@nesslab/kernel';
import { ChainAccumulator, concatChains, reduceFrames, type ChainPart } from '../chain-group.ts';
import { StridedIncrements, type IncrementVisitor } from '../shared/strided-increments.ts';
import { estimate, layout, pairCount, shiftStats, type EstimateMethod, type Layout } from './estimators.ts';

export const entropyEstimateInfo = definePlugin({
  kind: 'observer',
  name: 'entropy-estimate',
  description:
    'Entropy production rate of a stationary chain from its trajectory alone (no Σ, C or D₀), per step, from the increments ' +
    'θ_k → θ_{k+ℓ} of the states every ℓ steps after the burn-in, in the linear basis (1, θ). method "tur": the short-time ' +
    'TUR with the optimal current, σ̂ = (2/ℓ)μ̂ᵀK̂⁻¹μ̂ over the currents J_{μk} = Δθ_μ φ_k(θ_mid) (Otsubo et al. 2020; ' +
    'Manikandan et al. 2020); "force": linear force inference, σ̂ = ⟨v̂·D̂⁻¹v̂⟩ with the Stratonovich-projected velocity ' +
    'and the residual diffusion of the regressed drift Aθ + b (Frishman & Ronceray 2020). Both less their finite-data ' +
    'bias N(N−1)/τ (2/τ per rotational field of the basis, τ the steps used); standard error by a delete-one-chain jackknife.',
  source:
    'Otsubo, Ito, Dechant & Sagawa, PRE 101, 062106 (2020); Manikandan, Gupta & Krishnamurthy, PRL 124, 120603 (2020); Frishman & Ronceray, PRX 10, 021009 (2020)',
  params: {
    method: {
      type: 'string',
      default: 'tur',
      enum: ['tur', 'force'],
      description: '"tur": short-time TUR, optimal linear current; "force": linear stochastic force inference',
    },
    burnIn: {
      type: 'integer',
      default: 0,
      minimum: 0,
      description: 'Steps 1 … burnIn are skipped: the first state used is θ_burnIn (θ_0, the initial state, when 0).',
    },
    every: {
      type: 'integer',
      default: 1,
      minimum: 1,
      description: 'ℓ: the states used are θ_burnIn, θ_burnIn+ℓ, …; each increment spans ℓ steps (Δt = ℓ)',
    },
  },
  precision: 'float64',
  reads: ['theta', 'previous'],
});

/**
 * Per chain c of a chain range: count[c] increments, origin[c·N …] its first state used (the chain's sums are about
 * it), and stats[c·width …] its sufficient statistics in the layout of `layout(method, N)` (estimators.ts).
 */
export interface EntropyEstimatePartial extends ChainPart {
  method: EstimateMethod;
  every: number;
  burnIn: number;
  count: Float64Array;
  origin: Float64Array;
  stats: Float64Array;
}

export interface EntropyEstimateResult {
  method: EstimateMethod;
  /** ℓ, steps per increment. */
  every: number;
  burnIn: number;
  chains: number;
  /** n: increments used, over all chains. */
  increments: number;
  /** τ = nℓ: the steps they span. */
  steps: number;
  /** N_b = N(N + 1): vector fields in the basis (the currents of the TUR). */
  basisSize: number;
  /** The estimate, per step (nats): plugIn − bias. */
  rate: number;
  /** The plug-in estimate, per step. */
  plugIn: number;
  /** N(N − 1)/τ: the expected finite-data excess of the plug-in, 2/τ per rotational field of the basis (estimators.ts). */
  bias: number;
  /** Delete-one-chain jackknife: √((C − 1)/C · Σ_c (rate_(−c) − mean)²); NaN with one chain. */
  stdError: number;
  /** 'force' only: the regressed drift F(θ) = Aθ + b, A per step (N × N). */
  drift?: number[][];
  /** 'force' only: D̂ per step (N × N), from the residual covariance of the increments. */
  diffusion?: number[][];
}

/** 'tur': increments per chain whose second moments are buffered and then summed at once. */
const BLOCK = 32;

class EntropyEstimateAccumulator extends ChainAccumulator<EntropyEstimatePartial> {
  private count = new Float64Array(0);
  private origin = new Float64Array(0);
  private stats = new Float64Array(0);
  private readonly walk: StridedIncrements;
  private readonly x: Float64Array;
  private readonly d: Float64Array;
  /** 'tur': per chain, BLOCK increments' ΔΔᵀ (P pairs) then φφᵀ (Q pairs), [c·bufferWidth + pair·BLOCK + j]. */
  private buffer = new Float64Array(0);
  private buffered = new Int32Array(0);
  private readonly bufferWidth: number;
  private readonly visit: IncrementVisitor;

  constructor(
    private readonly L: Layout,
    private readonly every: number,
    private readonly burnIn: number,
  ) {
    super('entropy-estimate', L.dim);
    this.walk = new StridedIncrements(L.dim, burnIn, every);
    this.x = new Float64Array(L.dim + 1);
    this.d = new Float64Array(L.dim);
    this.bufferWidth = L.method === 'tur' ? (pairCount(L.dim) + pairCount(L.dim + 1)) * BLOCK : 0;
    this.visit = L.method === 'force' ? this.force : this.tur;
  }

  protected allocate(chains: number): void {
    this.walk.allocate(chains);
    this.count = new Float64Array(chains);
    this.origin = new Float64Array(chains * this.dim);
    this.stats = new Float64Array(chains * this.L.width);
    this.buffer = new Float64Array(chains * this.bufferWidth);
    this.buffered = new Int32Array(chains);
  }

  protected addBlock(f: Frame): void {
    this.walk.forEach(f, this.visit);
  }

  /**
   * Δ = θ_{k+ℓ} − θ_k into this.d and φ = (1, θ − o) into this.x, at the pre-point θ_k (mid = 0) or the midpoint
   * (mid = ½), the chain's origin o being its first state used; then W += Δφᵀ (N × K_s) at `c·width + at`.
   */
  private increment(
    c: number,
    from: Float64Array,
    fromAt: number,
    to: Float64Array,
    toAt: number,
    mid: number,
    at: number,
  ): void {
    const n = this.dim,
      ks = n + 1,
      o = this.origin,
      x = this.x,
      d = this.d,
      st = this.stats;
    if (this.count[c] === 0) for (let a = 0; a < n; a++) o[c * n + a] = from[fromAt + a];
    this.count[c]++;
    x[0] = 1;
    for (let a = 0; a < n; a++) {
      const pre = from[fromAt + a];
      d[a] = to[toAt + a] - pre;
      x[a + 1] = pre - o[c * n + a] + mid * d[a];
    }
    let p = c * this.L.width + at;
    for (let m = 0; m < n; m++) for (let k = 0; k < ks; k++) st[p++] += d[m] * x[k];
  }

  /** W_I += Δφᵀ (pre-point φ), Φ += φφᵀ, ΣΔΔᵀ += ΔΔᵀ. */
  private readonly force: IncrementVisitor = (c, from, fromAt, to, toAt) => {
    const n = this.dim,
      ks = n + 1,
      st = this.stats,
      x = this.x,
      d = this.d;
    this.increment(c, from, fromAt, to, toAt, 0, ks * ks);
    let p = c * this.L.width;
    for (let i = 0; i < ks; i++) for (let j = 0; j < ks; j++) st[p++] += x[i] * x[j];
    p += n * ks;
    for (let m = 0; m < n; m++) for (let k = 0; k < n; k++) st[p++] += d[m] * d[k];
  };

  /**
   * W_S += Δφ(m)ᵀ (the current sums Σ J), at once; T += (ΔΔᵀ) ⊗ (φ(m)φ(m)ᵀ) (the second moments Σ J Jᵀ, upper
   * triangles) by blocks of BLOCK increments of the chain: its products are buffered and summed as dot products.
   */
  private readonly tur: IncrementVisitor = (c, from, fromAt, to, toAt) => {
    this.increment(c, from, fromAt, to, toAt, 0.5, 0);
    const n = this.dim,
      ks = n + 1,
      x = this.x,
      d = this.d;
    const buf = this.buffer,
      j = this.buffered[c];
    let at = c * this.bufferWidth + j;
    for (let m = 0; m < n; m++) for (let k = m; k < n; k++, at += BLOCK) buf[at] = d[m] * d[k];
    for (let m = 0; m < ks; m++) for (let k = m; k < ks; k++, at += BLOCK) buf[at] = x[m] * x[k];
    if ((this.buffered[c] = j + 1) === BLOCK) this.flush(c);
  };

  /**
   * T[p·Q + q] += Σ_j P_j[p]·Q_j[q] over chain c's buffered increments j, each dot product in four partial sums: the
   * blocks are cut by the chain's own increment count, so the sums are the same for any block size or chain groups.
   */
  private flush(c: number): void {
    const m = this.buffered[c];
    if (m === 0) return;
    const n = this.dim,
      P = pairCount(n),
      Q = pairCount(n + 1),
      buf = this.buffer,
      st = this.stats,
      base = c * this.bufferWidth,
      m4 = m - (m % 4);
    let p = c * this.L.width + n * (n + 1);
    for (let a = 0; a < P; a++) {
      const ao = base + a * BLOCK;
      for (let b = 0; b < Q; b++) {
        const bo = base + (P + b) * BLOCK;
        let s0 = 0,
          s1 = 0,
          s2 = 0,
          s3 = 0,
          i = 0;
        for (; i < m4; i += 4) {
          s0 += buf[ao + i] * buf[bo + i];
          s1 += buf[ao + i + 1] * buf[bo + i + 1];
          s2 += buf[ao + i + 2] * buf[bo + i + 2];
          s3 += buf[ao + i + 3] * buf[bo + i + 3];
        }
        for (; i < m; i++) s0 += buf[ao + i] * buf[bo + i];
        st[p++] += s0 + s1 + (s2 + s3);
      }
    }
    this.buffered[c] = 0;
  }

  partial(): EntropyEstimatePartial {
    if (this.L.method === 'tur') for (let c = 0; c < this.chains; c++) this.flush(c);
    return {
      dim: this.dim,
      chainStart: this.chainStart,
      chains: this.chains,
      method: this.L.method,
      every: this.every,
      burnIn: this.burnIn,
      count: this.count,
      origin: this.origin,
      stats: this.stats,
    };
  }
}

/** 'entropy-estimate': the entropy production rate from the trajectory alone, by the short-time TUR or force inference. */
export class EntropyEstimateObserver implements Observer<EntropyEstimatePartial, EntropyEstimateResult> {
  private L!: Layout;
  private every = 1;
  private burnIn = 0;
  private chains = 0;

  configure(params: ParamsOf<typeof entropyEstimateInfo>, run: RunContext): void {
    this.L = layout(params.method as EstimateMethod, run.dim);
    this.every = params.every;
    this.burnIn = params.burnIn;
    this.chains = run.chains;
  }

  attach(frames: Observable<Frame>): Observable<EntropyEstimatePartial> {
    const { L, every, burnIn } = this;
    return frames.pipe(reduceFrames(() => new EntropyEstimateAccumulator(L, every, burnIn)));
  }

  combine(parts: EntropyEstimatePartial[]): EntropyEstimatePartial {
    return concatChains('entropy-estimate', parts, ['count', 'origin', 'stats'], ['method', 'every', 'burnIn']);
  }

  result(part: EntropyEstimatePartial): EntropyEstimateResult {
    return entropyEstimateResult(part);
  }

  /** Per chain: its sums, their copy in the common origin for the result, the TUR's buffer, its origin and last state. */
  memoryBytes(): number {
    const buffer = this.L.method === 'tur' ? (pairCount(this.L.dim) + pairCount(this.L.dim + 1)) * BLOCK : 0;
    return this.chains * 8 * (2 * this.L.width + buffer + 3 * this.L.dim + 2);
  }

  /** Live: the estimate so far (no jackknife). */
  live(part: EntropyEstimatePartial): Record<string, number> {
    return { 'σ̂ per step': pooled(part).rate };
  }
}

/** The chains' statistics moved to one origin (the first chain with an increment), and their sum in chain order. */
function pooled(part: EntropyEstimatePartial) {
  const L = layout(part.method, part.dim),
    n = part.dim,
    C = part.chains,
    W = L.width;
  const moved = new Float64Array(C * W),
    total = new Float64Array(W),
    shift = new Float64Array(n),
    out = new Float64Array(W);
  let count = 0;
  const first = Math.max(
    0,
    part.count.findIndex((k) => k > 0),
  );
  for (let c = 0; c < C; c++) {
    for (let a = 0; a < n; a++) shift[a] = part.count[c] > 0 ? part.origin[c * n + a] - part.origin[first * n + a] : 0;
    shiftStats(L, part.stats, c * W, shift, out);
    moved.set(out, c * W);
    for (let i = 0; i < W; i++) total[i] += out[i];
    count += part.count[c];
  }
  const e = estimate(L, total, count, part.every);
  return { L, moved, total, count, estimate: e, rate: e.plugIn - e.bias };
}

/** The pooled estimate and its delete-one-chain jackknife standard error. */
export function entropyEstimateResult(part: EntropyEstimatePartial): EntropyEstimateResult {
  const { L, moved, total, count, estimate: e, rate } = pooled(part);
  const C = part.chains,
    W = L.width,
    N = part.dim;
  const loo = new Float64Array(W),
    replicates: number[] = [];
  for (let c = 0; c < C && C > 1; c++) {
    for (let i = 0; i < W; i++) loo[i] = total[i] - moved[c * W + i];
    const r = estimate(L, loo, count - part.count[c], part.every);
    replicates.push(r.plugIn - r.bias);
  }
  const mean = replicates.reduce((s, r) => s + r, 0) / replicates.length;
  const ss = replicates.reduce((s, r) => s + (r - mean) * (r - mean), 0);
  return {
    method: part.method,
    every: part.every,
    burnIn: part.burnIn,
    chains: C,
    increments: count,
    steps: count * part.every,
    basisSize: N * (N + 1),
    rate,
    plugIn: e.plugIn,
    bias: e.bias,
    stdError: C > 1 ? Math.sqrt(((C - 1) / C) * ss) : NaN,
    ...(part.method === 'force' ? { drift: toRows(e.drift, N), diffusion: toRows(e.diffusion, N) } : {}),
  };
}
