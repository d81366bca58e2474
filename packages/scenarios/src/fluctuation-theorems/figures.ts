import { curves, type CurveSeries, type TopLevelSpec } from '@nesslab/report';

/** What the fluctuation-theorems plots read for one network (regression or MNIST). */
export interface Measured {
  eta: number;
  batchSize: number;
  chains: number;
  steps: number;
  burnIn: number;
  /** chains × steps over the wall time of the whole simulate call (worker start, data loading and set-up included). */
  stepsPerSecond: number;
  theoryRate: number;
  theta0: number[];
  /** ε of the regularised D₀ + ε·max D₀_αα·I the observer inverted (MNIST). */
  diffusionRegularization?: number;
  lengths: {
    length: number;
    count: number;
    mean: number;
    meanStdError: number;
    rate: number;
    rateStdError: number;
    expMean: number;
    expStdError: number;
    iftDeviation: number;
    rateRatio: number;
    histogram: { edges: number[]; counts: number[]; binWidth: number };
    dft: {
      sigma: number[];
      logRatio: number[];
      logRatioStdError: number[];
      slope: number;
      slopeStdError: number;
      slopeEqualWeights: number;
      slopeEqualWeightsStdError: number;
    };
  }[];
}

/** Fig. 4 of 004: the σ histograms, the DFT line, ⟨σ⟩ vs ℓ on Eq. 29, and the IFT per ℓ. */
export function fluctuationPlots(r: { regression: Measured; mnist?: Measured }): Record<string, TopLevelSpec> {
  const reg = r.regression;
  const nets = [['regression', reg], ...(r.mnist ? [['MNIST', r.mnist] as const] : [])] as const;
  const histogram = curves({
    title: 'Entropy production per trajectory of ℓ steps, regression (004 Fig. 4): density of σ',
    xTitle: 'σ',
    yTitle: 'P(σ)',
    logY: true,
    series: reg.lengths.map((l) => {
      const total = l.count,
        w = l.histogram.binWidth;
      return {
        name: `ℓ = ${l.length}`,
        x: l.histogram.counts.map((_, b) => l.histogram.edges[b] + w / 2),
        mean: l.histogram.counts.map((n) => n / (total * w)),
      };
    }),
  });
  const top = Math.max(...reg.lengths.flatMap((l) => l.dft.sigma));
  const dft = curves({
    title: `DFT (004 Eq. 9, Fig. 4B), regression, ± Poisson s.e.; slopes weighted | equal weights: ${reg.lengths.map((l) => `${l.dft.slope.toFixed(3)} | ${l.dft.slopeEqualWeights.toFixed(3)}`).join(', ')} (ℓ = 1, 2, 3)`,
    xTitle: 'σ',
    yTitle: 'ln P(σ)/P(−σ)',
    series: [
      ...reg.lengths.map((l): CurveSeries => ({
        name: `ℓ = ${l.length}`,
        x: l.dft.sigma,
        mean: l.dft.logRatio,
        sd: l.dft.logRatioStdError,
      })),
      { name: 'DFT: slope 1', x: [0, top], mean: [0, top] },
    ],
  });
  const rate = curves({
    title: '⟨σ⟩ vs trajectory length ℓ (004 Fig. 4C): simulation ± s.e. and Eq. 29, ⟨σ⟩ = −ℓ tr(CD₀⁻¹CΣ⁻¹)',
    xTitle: 'ℓ (steps)',
    yTitle: '⟨σ⟩',
    logY: true,
    series: nets.flatMap(([name, net]): CurveSeries[] => [
      {
        name,
        x: net.lengths.map((l) => l.length),
        mean: net.lengths.map((l) => l.mean),
        sd: net.lengths.map((l) => l.meanStdError),
      },
      {
        name: `${name} Eq. 29`,
        x: net.lengths.map((l) => l.length),
        mean: net.lengths.map((l) => l.length * net.theoryRate),
      },
    ]),
  });
  const ift = curves({
    title: 'Integral fluctuation theorem (004 Eq. 8, Fig. 4A): ⟨e^{−σ}⟩ − 1 per ℓ, ± s.e. (chain spread)',
    xTitle: 'ℓ (steps)',
    yTitle: '⟨e^{−σ}⟩ − 1',
    series: nets.map(([name, net]): CurveSeries => ({
      name,
      x: net.lengths.map((l) => l.length),
      mean: net.lengths.map((l) => l.iftDeviation),
      sd: net.lengths.map((l) => l.expStdError),
    })),
  });
  return { 'sigma-histogram': histogram, 'dft-line': dft, 'entropy-rate': rate, ift };
}
