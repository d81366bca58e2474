import { meanAndStdError } from '../chain-group.ts';
import type { EntropyPartial } from './entropy-production.ts';

/** The DFT (004 Eq. 9) read off a histogram symmetric about 0: ln P(σ)/P(−σ) at the bin centres σ_j > 0. */
export interface DftFit {
  /** Bin centres σ_j > 0 used (both σ_j and −σ_j bins hold ≥ minBinCount segments). */
  sigma: number[];
  logRatio: number[];
  /** √(1/n₊ + 1/n₋): the counts' multinomial (Poisson) error of each log ratio. */
  logRatioStdError: number[];
  /** Weighted least-squares slope of ln P(σ)/P(−σ) = slope·σ through the origin (the DFT says 1), and its standard error. */
  slope: number;
  slopeStdError: number;
  /** χ² of the fit per degree of freedom (≈ 1 when the line and the Poisson errors describe the points). */
  chi2PerDof: number;
  /**
   * The same line fitted with equal weight per bin pair, and its Poisson standard error: it leans on the tails, where
   * the weighted fit leans on |σ| ≲ sd; the two differ when the points bend (ℓ = 1, non-Gaussian minibatch noise).
   */
  slopeEqualWeights: number;
  slopeEqualWeightsStdError: number;
}

export interface EntropyLengthResult {
  length: number;
  /** Segments counted, over all chains. */
  count: number;
  /** ⟨σ⟩ and its standard error: sd over chains of each chain's own mean, / √chains (robust to the correlations along a chain). */
  mean: number;
  meanStdError: number;
  /** ⟨σ⟩/ℓ, to compare with Eq. 29. */
  rate: number;
  rateStdError: number;
  /** Pooled variance of σ (≈ 2⟨σ⟩ for a Gaussian σ that obeys the IFT). */
  variance: number;
  /** ⟨e^{−σ}⟩ (IFT, Eq. 8: 1) and its standard error from the spread over chains. */
  expMean: number;
  expStdError: number;
  histogram: { edges: number[]; counts: number[]; underflow: number; overflow: number; binWidth: number };
  dft: DftFit;
}

export interface EntropyResult {
  /** Eq. 29, −tr(C D₀⁻¹ C Σ⁻¹), for the matrices the observer used. */
  theoryRate: number;
  dim: number;
  chains: number;
  lengths: EntropyLengthResult[];
}

/** Per ℓ: pooled sums in chain order, chain-spread standard errors, histogram and DFT fit. */
export function entropyResult(part: EntropyPartial): EntropyResult {
  const L = part.lengths.length,
    B = part.bins,
    H = 2 * B + 2,
    chains = part.chains;
  const lengths = part.lengths.map((length, j): EntropyLengthResult => {
    const slot = (c: number) => c * L + j;
    let count = 0,
      sum = 0,
      sumSquares = 0,
      sumExp = 0;
    for (let c = 0; c < chains; c++) {
      count += part.count[slot(c)];
      sum += part.sum[slot(c)];
      sumSquares += part.sumSquares[slot(c)];
      sumExp += part.sumExp[slot(c)];
    }
    const mean = sum / count;
    const meanStdError = meanAndStdError(chains, (c) => part.sum[slot(c)] / part.count[slot(c)]).stdError;
    const expStdError = meanAndStdError(chains, (c) => part.sumExp[slot(c)] / part.count[slot(c)]).stdError;
    const counts = new Array<number>(2 * B).fill(0);
    let underflow = 0,
      overflow = 0;
    for (let c = 0; c < chains; c++) {
      const at = slot(c) * H;
      for (let b = 0; b < 2 * B; b++) counts[b] += part.histogram[at + b];
      underflow += part.histogram[at + 2 * B];
      overflow += part.histogram[at + 2 * B + 1];
    }
    const R = part.halfWidth[j],
      w = R / B;
    return {
      length,
      count,
      mean,
      meanStdError,
      rate: mean / length,
      rateStdError: meanStdError / length,
      variance: (sumSquares - count * mean * mean) / (count - 1),
      expMean: sumExp / count,
      expStdError,
      histogram: {
        edges: Array.from({ length: 2 * B + 1 }, (_, b) => -R + b * w),
        counts,
        underflow,
        overflow,
        binWidth: w,
      },
      dft: dftFit(counts, w, part.minBinCount),
    };
  });
  return { theoryRate: part.theoryRate, dim: part.dim, chains, lengths };
}

/** Pairs bin B + j ([jw, (j+1)w)) with its mirror B − 1 − j; fits ln(n₊/n₋) = slope·σ_j, weights 1/(1/n₊ + 1/n₋). */
export function dftFit(counts: readonly number[], w: number, minCount: number): DftFit {
  const B = counts.length / 2,
    sigma: number[] = [],
    logRatio: number[] = [],
    logRatioStdError: number[] = [];
  let sxx = 0,
    sxy = 0;
  for (let j = 0; j < B; j++) {
    const plus = counts[B + j],
      minus = counts[B - 1 - j];
    if (plus < minCount || minus < minCount) continue;
    const x = (j + 0.5) * w,
      y = Math.log(plus / minus),
      v = 1 / plus + 1 / minus;
    sigma.push(x);
    logRatio.push(y);
    logRatioStdError.push(Math.sqrt(v));
    sxx += (x * x) / v;
    sxy += (x * y) / v;
  }
  const slope = sxy / sxx;
  let chi2 = 0,
    uxx = 0,
    uxy = 0,
    uvar = 0;
  for (let i = 0; i < sigma.length; i++) {
    const x = sigma[i],
      e = logRatioStdError[i];
    chi2 += ((logRatio[i] - slope * x) / e) ** 2;
    uxx += x * x;
    uxy += x * logRatio[i];
    uvar += x * x * e * e;
  }
  return {
    sigma,
    logRatio,
    logRatioStdError,
    slope,
    slopeStdError: 1 / Math.sqrt(sxx),
    chi2PerDof: sigma.length > 1 ? chi2 / (sigma.length - 1) : NaN,
    slopeEqualWeights: uxy / uxx,
    slopeEqualWeightsStdError: Math.sqrt(uvar) / uxx,
  };
}
