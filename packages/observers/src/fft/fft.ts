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
import { EpochWindowAccumulator, windowParams, windowSettings, type WindowSettings } from './epoch-window.ts';
import { isPowerOfTwo, Radix2Fft } from './radix2.ts';

export const fftInfo = definePlugin({
  kind: 'observer',
  name: 'fft',
  description:
    'Power spectrum of the epoch increments x_j = θ_{k_{j+1}} − θ_{k_j} of every weight over a window of W epochs after burnIn ' +
    '(periodogram |X_f|²/W, f = 0 … W/2 cycles per W epochs; white noise of variance s² gives s² in every bin), ' +
    'mean ± sd over the weights and chains. Stores chains·N·W doubles (at most 2^27).',
  source: '003 Fig. 3a, §IV-B',
  params: {
    ...windowParams,
    window: {
      ...windowParams.window,
      default: 256,
      description:
        'W, the sampled increments per weight, a power of two (radix-2 FFT); the run needs burnIn + every·W steps. Memory: chains·N·W doubles (≤ 2^27)',
    },
  },
  precision: 'float64',
  reads: ['theta', 'previous'],
});

/** Per chain c and bin f (B = W/2 + 1 bins), Welford over the N weights: mean[c·B + f] of P_α(f), m2 = Σ_α (P_α(f) − mean)². */
export interface FftPartial extends ChainPart {
  window: number;
  every: number;
  mean: Float64Array;
  m2: Float64Array;
}

export interface FftResult {
  /** f/W, cycles per epoch (1 epoch = `every` steps), f = 0 … W/2. */
  frequency: number[];
  /** Mean periodogram over the N·chains series. */
  power: number[];
  /** sd of the periodogram over the N·chains series (n − 1): the paper's band (a white-noise bin has sd = mean). */
  sd: number[];
  /** sd/√(N·chains): the error of `power` when the series are independent. */
  stdError: number[];
  /** Mean power of the lowest quarter of the bins f ≥ 1 over that of the highest quarter: ≈ 1 for white noise, > 1 for a low-frequency excess (003 Fig. 3a). */
  lowHighRatio: number;
  window: number;
  every: number;
  series: number;
}

class FftAccumulator extends EpochWindowAccumulator<FftPartial> {
  private mean = new Float64Array(0);
  private m2 = new Float64Array(0);
  private readonly fft: Radix2Fft;
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(dim: number, settings: WindowSettings) {
    super('fft', dim, settings);
    this.fft = new Radix2Fft(settings.window);
    this.re = new Float64Array(settings.window);
    this.im = new Float64Array(settings.window);
  }

  protected allocateReduction(chains: number): void {
    const bins = this.settings.window / 2 + 1;
    this.mean = new Float64Array(chains * bins);
    this.m2 = new Float64Array(chains * bins);
  }

  partial(): FftPartial {
    this.checkFull();
    const W = this.settings.window,
      bins = W / 2 + 1,
      n = this.dim,
      { re, im } = this;
    for (let c = 0; c < this.chains; c++) {
      for (let a = 0; a < n; a++) {
        const at = (c * n + a) * W;
        for (let j = 0; j < W; j++) re[j] = this.series[at + j];
        im.fill(0);
        this.fft.transform(re, im);
        for (let f = 0; f < bins; f++) {
          const p = (re[f] * re[f] + im[f] * im[f]) / W; // periodogram: E = s² per bin for white noise of variance s²
          const i = c * bins + f,
            d = p - this.mean[i];
          this.mean[i] += d / (a + 1); // Welford over the weights: no cancellation when the sd ≪ the mean
          this.m2[i] += d * (p - this.mean[i]);
        }
      }
    }
    const { window, every } = this.settings;
    return { dim: n, chainStart: this.chainStart, chains: this.chains, window, every, mean: this.mean, m2: this.m2 };
  }
}

/** 'fft': per-weight power spectrum of the epoch increments (003 Fig. 3a). */
export class FftObserver implements Observer<FftPartial, FftResult> {
  private dim = 0;
  private settings: WindowSettings = { every: 1, burnIn: 0, window: 2 };

  configure(params: ParamsOf<typeof fftInfo>, run: RunContext): void {
    const w = params.window;
    if (!isPowerOfTwo(w)) {
      throw new ScenarioError('fft.params.window', `must be a power of two (radix-2 FFT), got ${w}`);
    }
    this.settings = windowSettings('fft', params, run);
    this.dim = run.dim;
  }

  attach(frames: Observable<Frame>): Observable<FftPartial> {
    const { dim, settings } = this;
    return frames.pipe(reduceFrames(() => new FftAccumulator(dim, settings)));
  }

  combine(parts: FftPartial[]): FftPartial {
    return concatChains('fft', parts, ['mean', 'm2'], ['window', 'every']);
  }

  result(part: FftPartial): FftResult {
    return fftResult(part);
  }
}

/** Merges the chains' Welford sums in chain order (Chan et al.), then mean / sd over the N·chains periodograms per bin. */
export function fftResult(part: FftPartial): FftResult {
  const W = part.window,
    bins = W / 2 + 1,
    n = part.dim,
    count = n * part.chains;
  const frequency: number[] = [],
    power: number[] = [],
    sd: number[] = [],
    stdError: number[] = [];
  for (let f = 0; f < bins; f++) {
    let mean = 0,
      m2 = 0;
    for (let c = 0, seen = 0; c < part.chains; c++, seen += n) {
      const d = part.mean[c * bins + f] - mean;
      mean += (d * n) / (seen + n);
      m2 += part.m2[c * bins + f] + (d * d * seen * n) / (seen + n);
    }
    const sdev = count > 1 ? Math.sqrt(m2 / (count - 1)) : NaN;
    frequency.push(f / W);
    power.push(mean);
    sd.push(sdev);
    stdError.push(sdev / Math.sqrt(count));
  }
  const quarter = Math.max(1, Math.floor((bins - 1) / 4));
  let low = 0,
    high = 0;
  for (let f = 1; f <= quarter; f++) low += power[f];
  for (let f = bins - quarter; f < bins; f++) high += power[f];
  return { frequency, power, sd, stdError, lowHighRatio: low / high, window: W, every: part.every, series: count };
}
