import type { Observable } from 'rxjs';
import { definePlugin, type Frame, type Observer, type ParamsOf, type RunContext } from '@nesslab/kernel';
import { ChainAccumulator, concatChains, meanAndStdError, reduceFrames, type ChainPart } from '../chain-group.ts';
import { ChainWelford, chanMerge, packedSize } from './welford.ts';
import { GroupedMoments, MOMENTS_GROUP } from './grouped-moments.ts';

/**
 * Above this N the per-chain accumulation folds groups of MOMENTS_GROUP states at once (`GroupedMoments`, a blocked
 * rank-k update: 4.4× faster at N = 490); up to it, one state at a time (`ChainWelford`'s unrolled loop, faster there).
 */
export const GROUPED_MIN_DIM = 17;

export const momentsInfo = definePlugin({
  kind: 'observer',
  name: 'moments',
  description:
    `Running mean and covariance Σ of θ over steps and chains (Welford per chain, by groups of ${MOMENTS_GROUP} states for N ≥ ${GROUPED_MIN_DIM}; ` +
    "pooled by Chan et al.'s merge in chain order, " +
    'about the pooled mean, normalised by count − 1); standard errors from the spread of the per-chain estimates.',
  source: '004 §4.3',
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
      description:
        'Count only steps that are multiples of `every` (e.g. n = M/m: WOR states at epoch boundaries, as 004 samples them). ' +
        'Also divides the cost at large N by `every`: for a chain correlated over τ ≫ every steps (AR(1)-like, ' +
        'τ ≈ 1/(η h_min) for SGD) the standard errors grow only by a factor ≈ 1 + every²/(24τ²).',
    },
    chainMeans: {
      type: 'boolean',
      default: false,
      description: "Also report every chain's own mean (chains × N numbers).",
    },
  },
  reads: ['theta'],
  precision: 'float64',
});

/** Per-chain Welford accumulators of a chain range: count[c], mean[c·N + α], m2[c·T + k] (packed upper triangle, T = N(N+1)/2). */
export interface MomentsPartial extends ChainPart {
  count: Float64Array;
  mean: Float64Array;
  m2: Float64Array;
  chainMeans: boolean;
}

export interface MomentsResult {
  /** States counted, over all chains (steps after burn-in × chains). */
  count: number;
  chains: number;
  mean: number[];
  /** Standard error of each mean component: sd of the chain means over chains / √chains (NaN with one chain). */
  meanStdError: number[];
  /** Pooled covariance about the pooled mean, M2 / (count − 1). */
  covariance: number[][];
  /** sd over chains of the per-chain covariances M2_c/(n_c − 1), / √chains (NaN with one chain). */
  covarianceStdError: number[][];
  /** Every chain's own mean, [chain][α], when the param `chainMeans` is set. */
  chainMeans?: number[][];
}

class MomentsAccumulator extends ChainAccumulator<MomentsPartial> {
  private welford: ChainWelford | GroupedMoments | null = null;

  constructor(
    dim: number,
    private readonly burnIn: number,
    private readonly chainMeans: boolean,
    private readonly every: number,
  ) {
    super('moments', dim);
  }

  protected allocate(chains: number): void {
    this.welford =
      this.dim >= GROUPED_MIN_DIM ? new GroupedMoments(this.dim, chains) : new ChainWelford(this.dim, chains);
  }

  protected addBlock(f: Frame): void {
    const w = this.welford!,
      theta = f.theta,
      dim = f.dim,
      stride = f.blockSize * dim;
    let first = Math.max(0, this.burnIn + 1 - f.stepStart);
    if (this.every === 1) {
      for (let c = 0; c < f.chains; c++) w.addRun(c, theta, c * stride + first * dim, f.steps - first);
      return;
    }
    first += (this.every - ((f.stepStart + first) % this.every)) % this.every; // first counted step: a multiple of `every`
    for (let c = 0; c < f.chains; c++) {
      for (let s = first; s < f.steps; s += this.every) w.add(c, theta, c * stride + s * dim);
    }
  }

  /** The end of the stream: a grouped accumulator first folds each chain's short last group. */
  partial(): MomentsPartial {
    const w = this.welford ?? new ChainWelford(this.dim, 0);
    if (w instanceof GroupedMoments) w.flush();
    return {
      dim: this.dim,
      chainStart: this.chainStart,
      chains: this.chains,
      count: w.count,
      mean: w.mean,
      m2: w.m2,
      chainMeans: this.chainMeans,
    };
  }
}

/** 'moments': mean and covariance of θ (004 §4.3), bit-identical whatever the block size or the split over workers. */
export class MomentsObserver implements Observer<MomentsPartial, MomentsResult> {
  private dim = 0;
  private burnIn = 0;
  private chainMeans = false;
  private every = 1;

  configure(params: ParamsOf<typeof momentsInfo>, run: RunContext): void {
    this.burnIn = params.burnIn;
    this.chainMeans = params.chainMeans;
    this.every = params.every;
    this.dim = run.dim;
  }

  attach(frames: Observable<Frame>): Observable<MomentsPartial> {
    const { dim, burnIn, chainMeans, every } = this;
    return frames.pipe(reduceFrames(() => new MomentsAccumulator(dim, burnIn, chainMeans, every)));
  }

  combine(parts: MomentsPartial[]): MomentsPartial {
    return concatChains('moments', parts, ['count', 'mean', 'm2'], ['chainMeans']);
  }

  result(part: MomentsPartial): MomentsResult {
    return momentsResult(part);
  }

  /** Live: tr Σ and Σ₁₁ of the chains finished so far. */
  live(part: MomentsPartial): Record<string, number> {
    const r = momentsResult(part);
    return { 'tr Σ': r.covariance.reduce((t, row, a) => t + row[a]!, 0), 'Σ₁₁': r.covariance[0]![0]! };
  }

  /** Each component's variance Σₐₐ with ±1 standard error over chains. */
  figure(r: MomentsResult): Record<string, unknown> {
    const values = r.covariance.map((row, a) => ({
      a: a + 1,
      variance: row[a],
      low: row[a]! - r.covarianceStdError[a]![a]!,
      high: row[a]! + r.covarianceStdError[a]![a]!,
    }));
    return {
      title: 'Variance of each component, ±1 standard error over chains',
      width: Math.min(640, 40 + 14 * values.length),
      height: 260,
      data: { values },
      layer: [
        {
          mark: { type: 'rule', color: '#888' },
          encoding: {
            x: { field: 'a', type: 'ordinal', title: 'component a of θ' },
            y: { field: 'low', type: 'quantitative' },
            y2: { field: 'high' },
          },
        },
        {
          mark: { type: 'point', filled: true },
          encoding: {
            x: { field: 'a', type: 'ordinal' },
            y: { field: 'variance', type: 'quantitative', title: 'Σₐₐ' },
          },
        },
      ],
    };
  }
}

/** Reduces per-chain accumulators over chains, in chain-index order. */
export function momentsResult(part: MomentsPartial): MomentsResult {
  const n = part.dim,
    chains = part.chains,
    T = packedSize(n);
  // Pooled: Chan's merge of chain 0, 1, 2, … in that order.
  const mean = new Float64Array(n),
    m2 = new Float64Array(T),
    delta = new Float64Array(n);
  let count = 0;
  for (let c = 0; c < chains; c++)
    count = chanMerge(n, count, mean, m2, part.count[c], part.mean, c * n, part.m2, c * T, delta);

  const meanStdError = Array.from(
    { length: n },
    (_, a) => meanAndStdError(chains, (c) => part.mean[c * n + a]).stdError,
  );
  const covariance: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(NaN));
  const covarianceStdError: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(NaN));
  for (let a = 0, p = 0; a < n; a++) {
    for (let b = a; b < n; b++, p++) {
      const cov = count > 1 ? m2[p] / (count - 1) : NaN;
      const se = meanAndStdError(chains, (c) => part.m2[c * T + p] / (part.count[c] - 1)).stdError;
      covariance[a][b] = covariance[b][a] = cov;
      covarianceStdError[a][b] = covarianceStdError[b][a] = se;
    }
  }
  const result: MomentsResult = {
    count,
    chains,
    mean: Array.from(mean, (m) => (count > 0 ? m : NaN)),
    meanStdError,
    covariance,
    covarianceStdError,
  };
  if (part.chainMeans)
    result.chainMeans = Array.from({ length: chains }, (_, c) => Array.from(part.mean.subarray(c * n, (c + 1) * n)));
  return result;
}
