// Figures of `limit-cycles`: 003 Fig. 3a (spectrum), 3b (autocorrelation), 1b (eigenvalues of D).
import { curves, panel, pointsAndLines, type TopLevelSpec } from '@nesslab/report';
import type { AutocorrelationOut, DiffusionRanks, SpectrumOut } from './analysis.ts';

export interface LimitCyclesFigures {
  spectrum: SpectrumOut;
  controlSpectrum?: SpectrumOut;
  increments: AutocorrelationOut;
  states: AutocorrelationOut;
  eigenvalues: number[][];
  /** Per chain: the effective and trace ranks, and numpy's ranks for ε of float32 and float64. */
  ranks: (DiffusionRanks & { float32: number; float64: number })[];
  /** |∇𝓛| at log-spaced epochs (003 Fig. 3c), and its change over the sampled window. */
  gradientNorm: {
    epochs: number[];
    mean: number[];
    sd: number[];
    window: { firstHalf: number; secondHalf: number; ratio: number };
  };
  dim: number;
  sizes: string;
}

/** ε of float32 and float64: numpy's matrix_rank threshold λ_max·N·ε, drawn as lines (the observer counts the ranks). */
const F32 = 2 ** -23,
  F64 = 2 ** -52;

export function limitCyclesPlots(f: LimitCyclesFigures): Record<string, TopLevelSpec> {
  return {
    'power-spectrum': spectrumPlot(f),
    autocorrelation: autocorrelationPlot(f),
    'diffusion-eigenvalues': eigenvaluePlot(f),
    'gradient-norm': gradientNormPlot(f),
  };
}

/** 003 Fig. 3c: the full-batch gradient norm stays large; its change over the sampled window says how stationary the window is. */
function gradientNormPlot(f: LimitCyclesFigures): TopLevelSpec {
  const g = f.gradientNorm,
    w = g.window;
  const spec = curves({
    title: 'Full-batch gradient norm |∇ℒ| during training (003 Fig. 3c)',
    xTitle: 'epoch',
    yTitle: '|∇ℒ|₂ (mean ± sd over chains)',
    logX: true,
    logY: true,
    series: [{ name: 'tiny-fc', x: g.epochs, mean: g.mean, sd: g.sd }],
  });
  return {
    ...spec,
    title: {
      text: 'Full-batch gradient norm |∇ℒ| during training (003 Fig. 3c)',
      subtitle: [
        f.sizes,
        `recorded at epoch ends; mean over the window's first half ${w.firstHalf.toPrecision(3)}, second half ${w.secondHalf.toPrecision(3)} (× ${w.ratio.toFixed(2)})`,
      ],
      subtitleFontSize: 11,
      subtitleColor: '#444',
    },
  } as TopLevelSpec;
}

/** 003 Fig. 3a on log axes: the periodogram averaged per octave, in units of its own minimum. */
function spectrumPlot(f: LimitCyclesFigures): TopLevelSpec {
  const rel = (s: SpectrumOut) => ({
    x: s.octaves.map((o) => o.frequency),
    y: s.octaves.map((o) => o.power / s.minimum),
    stdError: s.octaves.map((o) => o.stdError / s.minimum),
  });
  const net = rel(f.spectrum),
    all = [...net.x];
  const points = [{ name: 'tiny-fc (ReLU net)', ...net }];
  if (f.controlSpectrum) points.push({ name: 'control: mnist-linear (convex)', ...rel(f.controlSpectrum) });
  const x = [Math.min(...all), Math.max(...all)];
  const subtitle = [
    f.sizes,
    `P(1/W)/minimum = ${f.spectrum.excess.toPrecision(3)}${f.controlSpectrum ? ` (control ${f.controlSpectrum.excess.toPrecision(3)})` : ''}; a stationary linear relaxation gives ≤ 1`,
  ];
  return pointsAndLines({
    title: 'Power spectrum of the epoch increments θₖ₊₁ − θₖ, mean over weights (003 Fig. 3a)',
    subtitle,
    xTitle: 'frequency (1/epoch)',
    yTitle: 'power / its minimum',
    logX: true,
    logY: true,
    points,
    lines: [{ name: 'flat: white increments (Brownian motion)', x, y: [1, 1], dashed: true }],
  });
}

/** 003 Fig. 3b: autocorrelation of θ_k (the paper's panel) and of the increments, mean ± sd over weights, with the 99 % band. */
function autocorrelationPlot(f: LimitCyclesFigures): TopLevelSpec {
  const one = (a: AutocorrelationOut, title: string, y: string) =>
    curves({
      title,
      xTitle: 'lag (epochs)',
      yTitle: y,
      logX: true,
      series: [
        { name: 'mean ± sd', x: a.lag, mean: a.mean, sd: a.sd },
        { name: '+99 % band', x: a.lag, mean: a.lag.map(() => a.band) },
        { name: '−99 % band', x: a.lag, mean: a.lag.map(() => -a.band) },
      ],
    });
  const specs = [
    one(f.states, '(a) weights θₖ (003 Fig. 3b)', 'autocorrelation of θₖ'),
    one(f.increments, '(b) increments θₖ₊₁ − θₖ', 'autocorrelation of the increments'),
  ];
  const sub = [
    f.sizes,
    `mean ± sd over the weights; 99 % band of white noise ±2.576/√W = ±${f.increments.band.toFixed(3)}`,
  ];
  return {
    ...panel(specs, 2),
    title: {
      text: 'Autocorrelation of SGD trajectories at epoch resolution (003 Fig. 3b)',
      subtitle: sub,
      subtitleFontSize: 11,
      subtitleColor: '#444',
    },
  } as TopLevelSpec;
}

/** 003 Fig. 1b: histogram of the eigenvalues of D (all chains' final states), in units of λ_max, with numpy's rank thresholds. */
function eigenvaluePlot(f: LimitCyclesFigures): TopLevelSpec {
  const perDecade = 2,
    lo = -20,
    counts = new Array((0 - lo) * perDecade).fill(0);
  let below = 0;
  for (const row of f.eigenvalues) {
    const max = Math.max(...row);
    for (const v of row) {
      const k = Math.floor((Math.log10(v / max) - lo) * perDecade);
      if (!(v > 0) || k < 0) below++;
      else counts[Math.min(k, counts.length - 1)]++;
    }
  }
  const edges = counts.map((_, k) => 10 ** (lo + k / perDecade));
  const step: { x: number[]; y: number[] } = { x: [], y: [] }; // a histogram outline: up and across each bin
  counts.forEach((c, k) => {
    step.x.push(edges[k], edges[k] * 10 ** (1 / perDecade));
    step.y.push(c, c);
  });
  const top = Math.max(...counts);
  const rule = (name: string, eps: number, dashed: boolean) => ({
    name,
    x: [f.dim * eps, f.dim * eps],
    y: [0.5, top],
    dashed,
  });
  const pct = (pick: (r: LimitCyclesFigures['ranks'][number]) => number) =>
    f.ranks.map((r) => ((100 * pick(r)) / f.dim).toFixed(1)).join(', ');
  return pointsAndLines({
    title: 'Eigenvalues of the diffusion matrix D at the final states (003 Fig. 1b)',
    subtitle: [
      f.sizes,
      `per chain, % of N: effective rank (Σλ)²/Σλ² ${pct((r) => r.participation)}; 99 % of tr D in ${pct((r) => r.trace99)}`,
      `numpy rank (λ > λₘₐₓ·N·ε): float32 ${pct((r) => r.float32)}; float64 ${pct((r) => r.float64)}`,
      `${below} of ${f.eigenvalues.length * f.dim} eigenvalues ≤ 10⁻²⁰ λₘₐₓ (or ≤ 0) not drawn`,
    ],
    xTitle: 'λ/λₘₐₓ',
    yTitle: 'eigenvalues per half decade (all chains)',
    logX: true,
    points: [{ name: 'bin counts', x: counts.map((_, k) => edges[k] * 10 ** (0.5 / perDecade)), y: counts }],
    lines: [
      { name: 'histogram', ...step },
      rule('rank threshold N·ε, float32 (003)', F32, true),
      rule('rank threshold N·ε, float64', F64, true),
    ],
  });
}
