import { ScenarioError, type ScenarioContext, type SimulationOutcome } from '@nesslab/kernel';
import type { AtStepsResult, AutocorrelationResult, DiffusionSpectrumResult, FftResult } from '@nesslab/observers';
import type { Claim } from '@nesslab/report';
import {
  diffusionRanks,
  largeLagOutside,
  spectrumSummary,
  type AutocorrelationOut,
  type SpectrumOut,
} from './analysis.ts';
import { limitCyclesPlots } from './figures.ts';
import { defineScenario, type AnalyseTools, type ScenarioParams } from '../define-scenario.ts';

const params = {
  hidden: {
    type: 'integer',
    description: 'H, hidden ReLU units of the net (tiny-fc: 16)',
    default: 16,
    minimum: 1,
    maximum: 1024,
  },
  classes: { type: 'integer', description: 'K, the digits 0 … K−1 (tiny-fc: 5)', default: 5, minimum: 2, maximum: 10 },
  dataSize: {
    type: 'integer',
    description: 'M, the first M training images of those digits (tiny-fc: 30000)',
    default: 30000,
    minimum: 2,
  },
  lambda: {
    type: 'number',
    description:
      'λ of the weight decay R = λ|θ|² (003 states none; a small one gives the net a stationary state to settle in — without it cross-entropy keeps growing the weights once the data are fitted, a drift)',
    default: 1e-4,
    minimum: 0,
  },
  eta: {
    type: 'number',
    description:
      'η of plain SGD (003: a fixed rate with Nesterov momentum 0.9, whose effective step is rate/(1 − 0.9); not stated exactly)',
    default: 0.1,
    exclusiveMinimum: 0,
  },
  batchSize: {
    type: 'integer',
    description: 'm, WOR minibatch size (must divide M: n = M/m steps make an epoch; 003 does not state it)',
    default: 100,
    minimum: 1,
  },
  chains: { type: 'integer', description: 'independently started nets (and control chains)', default: 4, minimum: 2 },
  burnInEpochs: {
    type: 'integer',
    description: 'epochs of training discarded before the window (003: the first 10³ of 10⁵)',
    default: 512,
    minimum: 0,
  },
  windowEpochs: {
    type: 'integer',
    description: 'W, epochs sampled after burn-in, a power of two (radix-2 FFT)',
    default: 1024,
    minimum: 16,
  },
  lags: {
    type: 'integer',
    description: 'L, the largest autocorrelation lag in epochs (< W); "large lags" are L/2 … L',
    default: 256,
    minimum: 2,
  },
  control: {
    type: 'boolean',
    description:
      'also run the convex control: mnist-linear (λ = 10⁻², 004) on the first M MNIST images (all ten digits) with the same M, η, m and epochs',
    default: true,
  },
  excessMin: {
    type: 'number',
    description:
      'low-frequency-excess holds when the power at the lowest frequency 1/W exceeds this multiple of the smallest octave-averaged power above it (a stationary linear relaxation gives ≤ 1, white increments 1)',
    default: 2,
    exclusiveMinimum: 0,
  },
  outsideMin: {
    type: 'number',
    description:
      'autocorrelation-outside-band holds when the fraction of (weight, lag) pairs outside the 99 % band at lags L/2 … L exceeds this (white noise: 0.01)',
    default: 0.1,
    exclusiveMinimum: 0,
  },
  rankMax: {
    type: 'number',
    description:
      'low-rank-diffusion holds when the effective rank (Σλ)²/Σλ² of D is below this fraction of N at every final state ("a few %"; 003 Fig. 1, 2 measure 0.3–2 %)',
    default: 0.02,
    exclusiveMinimum: 0,
  },
} as const;

const claims = {
  'low-frequency-excess':
    "the power of the epoch increments at the lowest frequency 1/W exceeds excessMin × the spectrum's minimum (octave averages): not flat, low-frequency modes (003 Fig. 3a); a stationary linear relaxation, measured on the convex control, gives ≤ 1",
  'autocorrelation-outside-band':
    'at large lags (L/2 … L epochs) the autocorrelation of the increments leaves the 99 % band for more than outsideMin of the (weight, lag) pairs (white noise: 1 %; 003 Fig. 3b)',
  'low-rank-diffusion':
    "the effective rank (Σλ)²/Σλ² of D is below rankMax·N at every chain's final state: a few directions carry the noise (003 Fig. 1b, Remark 16). numpy's threshold rank λ > λ_max·N·ε is reported, not claimed: D's spectrum is a continuum over 15 decades with no gap, so that rank is the threshold's choice",
} as const;

/**
 * 003 §IV-B (Fig. 3a, b) and §IV-A (Fig. 1b): WOR SGD on the tiny-fc net (pooled MNIST, one ReLU layer) in its long-time
 * regime, sampled once per epoch. The spectrum of the epoch increments of a stationary linear relaxation (an OU process,
 * e.g. SGD on the convex mnist-linear model, run alongside as a control) is |1 − e^{−2πif}|² S_θ(f): it vanishes as f → 0.
 * A low-frequency excess, increments correlated at large lags and a D with few non-negligible eigenvalues are what 003
 * reports for the nets.
 */
export const limitCycles = defineScenario({
  name: 'limit-cycles',
  title:
    'Limit cycles of SGD on MNIST tiny-fc: low-frequency excess, long correlations, low-rank D (003 Fig. 1b, 3a, 3b)',
  reproduces:
    'seed 003 (SGD performs variational inference, converges to limit cycles) §IV: Fig. 3a (FFT of the epoch increments θ_{k+1} − θ_k ' +
    'of every weight, mean ± sd over weights: not flat, a low-frequency excess), Fig. 3b (autocorrelation with 99 % bands: ' +
    'outside the band at large lags), Fig. 1b and Remark 16 (rank of D a small fraction of N), on tiny-fc (7×7 MNIST, 16 ReLU units, ' +
    '5 classes, 30000 images); with a convex control (mnist-linear) whose increments are those of a stationary linear relaxation.',
  params,
  presets: {
    // full: M = 30000 (tiny-fc), 4 chains × (512 + 1024) epochs of 300 steps, lags to 256.
    full: {},
    // quick: M = 1500 (15 steps per epoch), 2 chains × (512 + 256) epochs, lags to 64: ~12 s on 2 cores.
    quick: { dataSize: 1500, chains: 2, windowEpochs: 256, lags: 64 },
  },
  claims,
  plan,
  analyse,
  figures: (_p, analysis) => analysis.plots,
});

type Params = ScenarioParams<typeof params>;

/** The net's run (tiny-fc from a random start) and, when `control`, the convex control's (mnist-linear from 0), with the same M, η, m and epochs. */
function plan(p: Params, ctx: ScenarioContext) {
  const M = p.dataSize,
    m = p.batchSize,
    W = p.windowEpochs,
    L = p.lags;
  const H = p.hidden,
    K = p.classes;
  if (M % m !== 0)
    throw new ScenarioError(
      'params.batchSize',
      `must divide dataSize M = ${M} (an epoch is n = M/m WOR steps), got ${m}`,
    );
  if ((W & (W - 1)) !== 0)
    throw new ScenarioError('params.windowEpochs', `must be a power of two (radix-2 FFT), got ${W}`);
  if (L >= W) throw new ScenarioError('params.lags', `must be below windowEpochs W = ${W}, got ${L}`);
  const n = M / m,
    burnIn = p.burnInEpochs * n,
    steps = burnIn + W * n;
  const window = { every: n, burnIn, window: W };
  const series = [
    { name: 'fft', params: window },
    { name: 'autocorrelation', params: { ...window, lags: L } },
  ];
  const base = {
    seed: ctx.seed,
    sampler: { name: 'without-replacement', params: { batchSize: m } },
    optimizer: { name: 'sgd', params: { eta: p.eta } },
    chains: p.chains,
    steps,
  };
  const dim = H * 49 + H + K * H + K;
  // Trained from a random start: no θ₀ to expand about, and no observer here asks for one (diffusion-spectrum at 'final').
  const simulations: { label: string; spec: Record<string, unknown> }[] = [
    {
      label: `tiny-fc, ${p.burnInEpochs + W} epochs`,
      spec: {
        ...base,
        init: { kind: 'random' },
        landscape: { name: 'mnist-tiny-fc', params: { hidden: H, classes: K, dataSize: M, lambda: p.lambda } },
        observers: [
          ...series,
          { name: 'autocorrelation', params: { ...window, lags: L, series: 'theta' } },
          { name: 'diffusion-spectrum', params: { at: 'final', eta: p.eta, batchSize: m } },
          { name: 'gradient-norm', params: { points: 32, spacing: 'log', every: n } }, // at epoch ends: 003 Fig. 3c
          { name: 'gradient-norm', params: { points: 64, spacing: 'linear', every: n } }, // the window's trend
        ],
      },
    },
  ];
  if (p.control) {
    simulations.push({
      label: `control (mnist-linear), ${p.burnInEpochs + W} epochs`,
      spec: {
        ...base,
        init: { kind: 'point', theta: new Array(490).fill(0) },
        landscape: { name: 'mnist-linear', params: { dataSize: M } },
        observers: [...series, { name: 'diffusion-spectrum', params: { at: 'final', eta: p.eta, batchSize: m } }],
      },
    });
  }
  return { simulations, n, burnIn, steps, dim };
}

/** The spectrum, autocorrelation and diffusion ranks of the net (and the control), the claims, and the figures. */
function analyse(
  p: Params,
  outcomes: readonly SimulationOutcome[],
  planned: ReturnType<typeof plan>,
  { ctx, claim }: AnalyseTools<keyof typeof claims>,
) {
  const { n, burnIn, steps, dim } = planned;
  const M = p.dataSize,
    m = p.batchSize,
    W = p.windowEpochs,
    L = p.lags;
  const H = p.hidden,
    K = p.classes;
  const net = outcomes[0]!,
    control = p.control ? outcomes[1] : undefined;

  const spectrum: SpectrumOut = spectrumSummary(net.observers.fft as FftResult);
  const controlSpectrum = control ? spectrumSummary(control.observers.fft as FftResult) : undefined;
  const increments = net.observers.autocorrelation as AutocorrelationResult,
    states = net.observers['autocorrelation#2'] as AutocorrelationResult;
  const outside = largeLagOutside(increments),
    controlOutside = control ? largeLagOutside(control.observers.autocorrelation as AutocorrelationResult) : undefined;
  const d = net.observers['diffusion-spectrum'] as DiffusionSpectrumResult;
  const g = net.observers['gradient-norm'] as AtStepsResult,
    trend = net.observers['gradient-norm#5'] as AtStepsResult;
  const gradientNorm = {
    epochs: g.steps.map((s) => s / n),
    mean: g.mean,
    sd: g.sd,
    window: windowHalves(trend, burnIn, steps),
  };
  const withNumpy = (o: DiffusionSpectrumResult) =>
    o.eigenvalues.map((v, k) => ({ ...diffusionRanks(v), float32: o.rankFloat32[k], float64: o.rankFloat64[k] }));
  const ranks = withNumpy(d),
    worstRank = Math.max(...ranks.map((r) => r.participation)) / dim;
  const controlRanks = control
    ? withNumpy(control.observers['diffusion-spectrum'] as DiffusionSpectrumResult)
    : undefined;
  ctx.log(
    `lowest-frequency power / minimum ${spectrum.excess.toPrecision(3)}${controlSpectrum ? ` (control ${controlSpectrum.excess.toPrecision(3)})` : ''}; outside the 99 % band at lags ${outside.from}–${L}: ${(100 * outside.fraction).toFixed(1)} %; effective rank of D ≤ ${(100 * worstRank).toFixed(2)} % of N (numpy rank, float32 ε: ≤ ${((100 * Math.max(...ranks.map((r) => r.float32))) / dim).toFixed(1)} %)`,
  );

  const claims: Claim[] = [
    claim('low-frequency-excess', spectrum.excess, {
      expected: `> ${p.excessMin}`,
      tolerance: 0,
      holds: spectrum.excess > p.excessMin,
    }),
    claim('autocorrelation-outside-band', outside.fraction, {
      expected: `> ${p.outsideMin}`,
      tolerance: 0,
      holds: outside.fraction > p.outsideMin,
    }),
    claim('low-rank-diffusion', worstRank, { expected: `< ${p.rankMax}`, tolerance: 0, holds: worstRank < p.rankMax }),
  ];
  const results = {
    net: {
      name: 'mnist-tiny-fc',
      hidden: H,
      classes: K,
      dataSize: M,
      dim,
      stepsPerEpoch: n,
      epochs: p.burnInEpochs + W,
    },
    spectrum,
    controlSpectrum,
    gradientNorm,
    autocorrelation: {
      band: increments.band,
      largeLagOutside: outside,
      controlLargeLagOutside: controlOutside,
      increments: pick(increments),
      states: pick(states),
    },
    diffusion: {
      batchSize: m,
      ranks,
      rankFractionFloat32: ranks.map((r) => r.float32 / dim),
      rankFractionFloat64: ranks.map((r) => r.float64 / dim),
      effectiveRankFraction: ranks.map((r) => r.participation / dim),
      controlRanks,
      eigenMean: d.eigenMean,
      eigenSd: d.eigenVariance.map(Math.sqrt),
      eigenvalues: d.eigenvalues,
    },
  };
  return {
    results,
    claims,
    plots: limitCyclesPlots({
      spectrum,
      controlSpectrum,
      increments,
      states,
      eigenvalues: d.eigenvalues,
      ranks,
      gradientNorm,
      dim,
      sizes: `tiny-fc (N = ${dim}, M = ${M}), η = ${p.eta}, m = ${m}, ${p.chains} chains, W = ${W} epochs after ${p.burnInEpochs}`,
    }),
  };
}

/** Mean |∇𝓛| (chain means at the recorded epoch ends) over the first and the second half of the window: is the net still descending? */
function windowHalves(g: { steps: number[]; mean: number[] }, burnIn: number, end: number) {
  const middle = (burnIn + end) / 2,
    average = (keep: (s: number) => boolean) => {
      const v = g.mean.filter((_, j) => keep(g.steps[j]));
      return { points: v.length, mean: v.reduce((t, x) => t + x, 0) / v.length };
    };
  const first = average((s) => s >= burnIn && s < middle),
    second = average((s) => s >= middle);
  return {
    firstHalf: first.mean,
    secondHalf: second.mean,
    ratio: second.mean / first.mean,
    points: [first.points, second.points],
  };
}

const pick = (a: AutocorrelationOut) => ({ lag: a.lag, mean: a.mean, sd: a.sd, fractionOutside: a.fractionOutside });
