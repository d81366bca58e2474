import { curves, pointsAndLines, type LineSeries, type PointSeries, type TopLevelSpec } from '@nesslab/report';

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

/** One colour per network: its points and its theory line. */
const NET_COLORS = { regression: '#4c78a8', MNIST: '#f58518' } as const;

/** Fig. 4 of 004: the σ histograms, the DFT line, ⟨σ⟩ vs ℓ on Eq. 29, and the IFT per ℓ; measured points with ±1 s.e. bars. */
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
  const dft = pointsAndLines({
    title: 'Detailed fluctuation theorem (004 Eq. 9, Fig. 4B), regression',
    subtitle: [
      `slopes, weighted | equal weights: ${reg.lengths.map((l) => `${l.dft.slope.toFixed(3)} | ${l.dft.slopeEqualWeights.toFixed(3)}`).join(', ')} (ℓ = ${reg.lengths.map((l) => l.length).join(', ')})`,
      'bars: ±1 Poisson standard error',
    ],
    xTitle: 'σ',
    yTitle: 'ln P(σ)/P(−σ)',
    points: reg.lengths.map((l): PointSeries => ({
      name: `ℓ = ${l.length}`,
      x: l.dft.sigma,
      y: l.dft.logRatio,
      stdError: l.dft.logRatioStdError,
    })),
    lines: [{ name: 'DFT: slope 1', x: [0, top], y: [0, top] }],
  });
  const lengths = (net: Measured) => net.lengths.map((l) => l.length);
  type Length = Measured['lengths'][number];
  /** Each network's points against ℓ with ±1 s.e. bars, in its colour. */
  const perNet = (y: (l: Length) => number, stdError: (l: Length) => number) =>
    nets.map(([name, net]): PointSeries => ({
      name,
      x: lengths(net),
      y: net.lengths.map(y),
      stdError: net.lengths.map(stdError),
      color: NET_COLORS[name],
    }));
  const rate = pointsAndLines({
    title: '⟨σ⟩ vs trajectory length ℓ (004 Fig. 4C)',
    subtitle: 'simulation ±1 s.e.; Eq. 29: ⟨σ⟩ = −ℓ tr(CD₀⁻¹CΣ⁻¹)',
    xTitle: 'ℓ (steps)',
    yTitle: '⟨σ⟩',
    logY: true,
    points: perNet(
      (l) => l.mean,
      (l) => l.meanStdError,
    ),
    lines: nets.map(([name, net]): LineSeries => ({
      name: `${name}, Eq. 29`,
      x: lengths(net),
      y: net.lengths.map((l) => l.length * net.theoryRate),
      color: NET_COLORS[name],
    })),
  });
  const ift = pointsAndLines({
    title: 'Integral fluctuation theorem (004 Eq. 8, Fig. 4A): ⟨exp(−σ)⟩ − 1 per ℓ',
    subtitle: 'simulation ±1 s.e. (chain spread)',
    xTitle: 'ℓ (steps)',
    yTitle: '⟨exp(−σ)⟩ − 1',
    points: perNet(
      (l) => l.iftDeviation,
      (l) => l.expStdError,
    ),
    lines: [{ name: 'IFT: 0', x: [Math.min(...lengths(reg)), Math.max(...lengths(reg))], y: [0, 0], dashed: true }],
  });
  return { 'sigma-histogram': histogram, 'dft-line': dft, 'entropy-rate': rate, ift };
}
