// Summaries of the fft / autocorrelation / diffusion-spectrum observers for `limit-cycles` (003 Fig. 1b, 3a, 3b).
import type { AutocorrelationResult, FftResult } from '@nesslab/observers';

/** The part of the fft observer's result that the summaries here read (a test can build it without the rest). */
export type FftOut = Pick<FftResult, 'frequency' | 'power' | 'sd' | 'stdError' | 'window' | 'series'>;
/** The part of the autocorrelation observer's result that the summaries and figures here read. */
export type AutocorrelationOut = Pick<
  AutocorrelationResult,
  'lag' | 'mean' | 'sd' | 'band' | 'fractionOutside' | 'series'
>;

export interface OctaveBin {
  from: number;
  to: number;
  frequency: number;
  power: number;
  stdError: number;
}
export interface SpectrumOut {
  /** The periodogram averaged over octaves f ∈ [2^j, 2^{j+1}) / W (log frequency axis, as 003 Fig. 3a). */
  octaves: OctaveBin[];
  /** The lowest octave's power (f = 1/W) over the smallest power of the higher octaves, and where that minimum lies. */
  excess: number;
  minimum: number;
  minimumAt: number;
  /** P(0)/minimum: the squared mean increment (a drift over the window) in the same units. */
  drift: number;
  frequency: number[];
  power: number[];
}

/** Mean of `values` over the indices from … to (inclusive). */
export function bandMean(values: number[], from: number, to: number): number {
  let s = 0;
  for (let k = from; k <= to; k++) s += values[k];
  return s / (to - from + 1);
}

/**
 * The lowest frequency's excess over the spectrum's minimum. A stationary linear relaxation (each mode an AR(1), x_k = a x_{k−1} + ε,
 * 0 ≤ a < 1) has increments with S_Δ(f) = |1 − e^{−2πif}|² S_θ(f), non-decreasing in f and 0 at f = 0: excess ≤ 1. White
 * increments (a random walk): 1. 003 Fig. 3a: low-frequency modes above a flat (or rising) background, excess > 1.
 */
export function spectrumSummary(fft: FftOut): SpectrumOut {
  const W = fft.window;
  if (W < 8 || (W & (W - 1)) !== 0) throw new Error(`spectrumSummary: the window W = ${W} must be a power of two ≥ 8`);
  const octaves: OctaveBin[] = [];
  for (let a = 1; a <= W / 2; a *= 2) {
    const b = Math.min(2 * a - 1, W / 2),
      count = b - a + 1;
    let se2 = 0;
    for (let k = a; k <= b; k++) se2 += fft.stdError[k] ** 2;
    octaves.push({
      from: a / W,
      to: b / W,
      frequency: Math.sqrt(a * b) / W,
      power: bandMean(fft.power, a, b),
      stdError: Math.sqrt(se2) / count,
    });
  }
  const higher = octaves.slice(1),
    low = higher.reduce((m, o) => (o.power < m.power ? o : m));
  return {
    octaves,
    excess: octaves[0].power / low.power,
    minimum: low.power,
    minimumAt: low.frequency,
    drift: fft.power[0] / low.power,
    frequency: fft.frequency,
    power: fft.power,
  };
}

/** The fraction of (weight, lag) pairs outside the 99 % band at the large lags ⌈L/2⌉ … L. */
export function largeLagOutside(ac: AutocorrelationOut): { from: number; to: number; fraction: number } {
  const L = ac.lag.length,
    from = Math.ceil(L / 2);
  return { from, to: L, fraction: bandMean(ac.fractionOutside, from - 1, L - 1) };
}

/** How concentrated D is, beyond numpy's threshold ranks (which the diffusion-spectrum observer reports). */
export interface DiffusionRanks {
  /** (Σλ)²/Σλ², the effective rank: N for an isotropic D, 1 for a single direction. */
  participation: number;
  /** The fewest eigenvalues that carry 90 % and 99 % of tr D. */
  trace90: number;
  trace99: number;
}

/** The ranks of one spectrum of D (eigenvalues in any order). */
export function diffusionRanks(values: number[]): DiffusionRanks {
  const sorted = [...values].sort((a, b) => b - a);
  let sum = 0,
    sum2 = 0;
  for (const v of sorted)
    if (v > 0) {
      sum += v;
      sum2 += v * v;
    }
  const traceRank = (q: number) => {
    let c = 0,
      k = 0;
    while (k < sorted.length && c < q * sum) c += sorted[k++];
    return k;
  };
  return { participation: sum2 > 0 ? (sum * sum) / sum2 : 0, trace90: traceRank(0.9), trace99: traceRank(0.99) };
}
