import type { Observable } from 'rxjs';
import {
  definePlugin,
  ScenarioError,
  type Frame,
  type Observer,
  type ParamsOf,
  type RunContext,
} from '@nesslab/kernel';
import { concatChains, reduceFrames, type ChainPart } from '../chain-group.ts';
import { EpochWindowAccumulator, windowParams, windowSettings, type WindowSettings } from '../fft/epoch-window.ts';

/** z of the two-sided 99 % band of white noise's autocorrelation, ±z/√W (003 Fig. 3b). */
export const Z99 = 2.576;

export const autocorrelationInfo = definePlugin({
  kind: 'observer',
  name: 'autocorrelation',
  description:
    "Sample autocorrelation r(ℓ) = Σ_j (x_j − x̄)(x_{j+ℓ} − x̄) / Σ_j (x_j − x̄)², ℓ = 1 … L, of every weight's epoch series over a window of " +
    'W epochs after burnIn (the increments θ_{k_{j+1}} − θ_{k_j}, or the states), mean ± sd over weights and chains, with the 99 % band ' +
    '±2.576/√W of white noise and the fraction of (weight, lag) pairs outside it (≈ 1 % for white noise). Stores chains·N·W doubles (at most 2^27).',
  source: '003 Fig. 3b, §IV-B',
  params: {
    ...windowParams,
    lags: { type: 'integer', default: 20, minimum: 1, description: 'L, the largest lag in epochs (L < W)' },
    series: {
      type: 'string',
      default: 'increments',
      enum: ['increments', 'theta'],
      description:
        "'increments': x_j = θ_{k_{j+1}} − θ_{k_j}; 'theta': the sampled states θ_{k_j} (003 Fig. 3b plots those)",
    },
  },
  precision: 'float64',
  reads: ['theta', 'previous'],
});

/**
 * Per chain c and lag ℓ (index c·L + ℓ − 1), Welford over the chain's non-constant weights: mean and m2 of r_α(ℓ),
 * outside = #{α : |r_α(ℓ)| > 2.576/√W}; used[c] = weights counted (a weight whose series is constant has no r).
 */
export interface AutocorrelationPartial extends ChainPart {
  window: number;
  lags: number;
  used: Float64Array;
  mean: Float64Array;
  m2: Float64Array;
  outside: Float64Array;
}

export interface AutocorrelationResult {
  /** 1 … L, in epochs. */
  lag: number[];
  /** Mean of r_α(ℓ) over the weights and chains. */
  mean: number[];
  /** sd over the weights and chains (003 Fig. 3b's band), and sd/√series. */
  sd: number[];
  stdError: number[];
  /** 2.576/√W: white noise stays inside ±band at a lag 99 % of the time. */
  band: number;
  /** Per lag, the fraction of series with |r(ℓ)| > band; and over all lags. */
  fractionOutside: number[];
  fractionOutsideAll: number;
  /** Series counted (N·chains minus the constant ones), and the constant ones left out. */
  series: number;
  constantSeries: number;
  window: number;
}

class AutocorrelationAccumulator extends EpochWindowAccumulator<AutocorrelationPartial> {
  private used = new Float64Array(0);
  private mean = new Float64Array(0);
  private m2 = new Float64Array(0);
  private outside = new Float64Array(0);
  private readonly deviation: Float64Array;

  constructor(
    dim: number,
    settings: WindowSettings,
    private readonly lags: number,
    states: boolean,
  ) {
    super('autocorrelation', dim, settings, states);
    this.deviation = new Float64Array(settings.window);
  }

  protected allocateReduction(chains: number): void {
    this.used = new Float64Array(chains);
    this.mean = new Float64Array(chains * this.lags);
    this.m2 = new Float64Array(chains * this.lags);
    this.outside = new Float64Array(chains * this.lags);
  }

  partial(): AutocorrelationPartial {
    this.checkFull();
    const W = this.settings.window,
      L = this.lags,
      n = this.dim,
      x = this.deviation,
      band = Z99 / Math.sqrt(W);
    for (let c = 0; c < this.chains; c++) {
      for (let a = 0; a < n; a++) {
        const at = (c * n + a) * W;
        let mean = 0;
        for (let j = 0; j < W; j++) mean += this.series[at + j];
        mean /= W;
        let c0 = 0;
        for (let j = 0; j < W; j++) {
          x[j] = this.series[at + j] - mean;
          c0 += x[j] * x[j];
        }
        if (!(c0 > 0)) continue; // a frozen weight: r undefined, counted in constantSeries
        const u = ++this.used[c];
        for (let l = 1; l <= L; l++) {
          let s = 0;
          for (let j = 0; j + l < W; j++) s += x[j] * x[j + l];
          const r = s / c0,
            i = c * L + l - 1,
            d = r - this.mean[i]; // r(ℓ), the biased (÷ c0) estimator, |r| ≤ 1
          this.mean[i] += d / u;
          this.m2[i] += d * (r - this.mean[i]);
          if (Math.abs(r) > band) this.outside[i]++;
        }
      }
    }
    const { dim, chainStart, chains, used, mean, m2, outside } = this;
    return { dim, chainStart, chains, window: W, lags: L, used, mean, m2, outside };
  }
}

/** 'autocorrelation': per-weight autocorrelation of the epoch series with white noise's 99 % band (003 Fig. 3b). */
export class AutocorrelationObserver implements Observer<AutocorrelationPartial, AutocorrelationResult> {
  private dim = 0;
  private lags = 20;
  private states = false;
  private settings: WindowSettings = { every: 1, burnIn: 0, window: 2 };

  configure(params: ParamsOf<typeof autocorrelationInfo>, run: RunContext): void {
    this.settings = windowSettings('autocorrelation', params, run);
    this.lags = params.lags;
    if (this.lags >= this.settings.window) {
      throw new ScenarioError(
        'autocorrelation.params.lags',
        `must be below the window W = ${this.settings.window}, got ${this.lags}`,
      );
    }
    this.states = params.series === 'theta';
    this.dim = run.dim;
  }

  attach(frames: Observable<Frame>): Observable<AutocorrelationPartial> {
    const { dim, settings, lags, states } = this;
    return frames.pipe(reduceFrames(() => new AutocorrelationAccumulator(dim, settings, lags, states)));
  }

  combine(parts: AutocorrelationPartial[]): AutocorrelationPartial {
    return concatChains('autocorrelation', parts, ['used', 'mean', 'm2', 'outside'], ['window', 'lags']);
  }

  result(part: AutocorrelationPartial): AutocorrelationResult {
    return autocorrelationResult(part);
  }
}

/** Merges the chains' Welford sums in chain order (Chan et al.) per lag. */
export function autocorrelationResult(part: AutocorrelationPartial): AutocorrelationResult {
  const L = part.lags,
    lag: number[] = [],
    mean: number[] = [],
    sd: number[] = [],
    stdError: number[] = [],
    fractionOutside: number[] = [];
  let series = 0;
  for (let c = 0; c < part.chains; c++) series += part.used[c];
  let outsideAll = 0;
  for (let l = 1; l <= L; l++) {
    let m = 0,
      m2 = 0,
      seen = 0,
      outside = 0;
    for (let c = 0; c < part.chains; c++) {
      const n = part.used[c],
        i = c * L + l - 1;
      outside += part.outside[i];
      if (n === 0) continue;
      const d = part.mean[i] - m;
      m += (d * n) / (seen + n);
      m2 += part.m2[i] + (d * d * seen * n) / (seen + n);
      seen += n;
    }
    const s = seen > 1 ? Math.sqrt(m2 / (seen - 1)) : NaN;
    lag.push(l);
    mean.push(seen > 0 ? m : NaN);
    sd.push(s);
    stdError.push(s / Math.sqrt(seen));
    fractionOutside.push(outside / series);
    outsideAll += outside;
  }
  return {
    lag,
    mean,
    sd,
    stdError,
    band: Z99 / Math.sqrt(part.window),
    fractionOutside,
    fractionOutsideAll: outsideAll / (series * L),
    series,
    constantSeries: part.dim * part.chains - series,
    window: part.window,
  };
}
