import { ScenarioError, preview, type ScenarioContext, type SimulationOutcome } from '@nesslab/kernel';
import type { AtStepsResult } from '@nesslab/observers';
import { curves, panel, type Claim, type TopLevelSpec } from '@nesslab/report';
import { defineScenario, type AnalyseTools, type ScenarioParams } from '../define-scenario.ts';

const params = {
  inputs: { type: 'integer', description: 'd, input dimension (000 A.6: 10; §6: 100)', default: 10, minimum: 1 },
  hidden: { type: 'integer', description: 'N_h, hidden units (000 A.6: 10; §6: 100)', default: 10, minimum: 1 },
  dataSize: {
    type: 'integer',
    description:
      'M, training points (not given in 000; with M = 1000 the net memorises the random labels and |V| grows, measured: a large M approaches i.i.d. data, whose mean gradient carries no label information)',
    default: 20000,
    minimum: 2,
  },
  distribution: {
    type: 'string',
    description: 'inputs N(0, I) (Eq. 63) or U(0, 1) (Eq. 64, then use bias = false)',
    default: 'normal',
    enum: ['normal', 'uniform'],
  },
  bias: { type: 'boolean', description: 'hidden bias b (Eq. 63: true; Eq. 64: false)', default: true },
  etas: {
    type: 'array',
    description: 'learning rates of the η sweep at |B| = 1 (000: 0.025 to 0.1)',
    default: [0.025, 0.05, 0.1],
  },
  batchSizes: { type: 'array', description: 'batch sizes of the |B| sweep (000: 1 to 3)', default: [1, 2, 3] },
  etaForBatch: { type: 'number', description: 'η of the |B| sweep (000: 0.05)', default: 0.05, exclusiveMinimum: 0 },
  rescaledSteps: {
    type: 'number',
    description: 'τ_end, the run length in rescaled steps τ = steps·η²/|B| (steps = τ_end|B|/η²)',
    default: 100,
    exclusiveMinimum: 0,
  },
  chains: {
    type: 'integer',
    description: 'K, independently started nets per run (same starts in every run)',
    default: 64,
    minimum: 2,
  },
  points: {
    type: 'integer',
    description: 'recorded points per run, linear in steps (so equal in τ across runs)',
    default: 20,
    minimum: 2,
  },
  collapseRatio: {
    type: 'number',
    description: 'the rescaled spread must be below this fraction of the unrescaled spread',
    default: 0.5,
    exclusiveMinimum: 0,
  },
  dropStdErrors: {
    type: 'number',
    description: 'a fall must exceed this many standard errors (sd over chains/√K)',
    default: 3,
    exclusiveMinimum: 0,
  },
} as const;

const claims = {
  'activation-rate-falls':
    'the activation rate (Eq. 14) falls during every run: its lowest recorded mean is below the start by more than dropStdErrors standard errors',
  'weight-norm-falls':
    '|V|₂ falls during every run (early phase): its lowest recorded mean is below the start by more than dropStdErrors standard errors',
  'eta-squared-collapse':
    'η sweep: the spread of the activation-rate drops across η at equal steps·η² is below collapseRatio × the spread at equal raw steps',
  'batch-size-collapse':
    '|B| sweep: the spread of the activation-rate drops across |B| at equal steps/|B| is below collapseRatio × the spread at equal raw steps',
} as const;

/**
 * 000 §6 and A.6 (Fig. 2 top, 3–6): SGD on a two-layer ReLU net with random labels. The thermophoretic force
 * F ∝ η²/|B| (Eq. 28) lowers the activation rate (Eq. 14) and |V|₂; the curves for several η (several |B|) fall on one
 * another when the step axis is rescaled by η² (by 1/|B|). Every run records on the same grid of rescaled time
 * τ = steps·η²/|B| (linear spacing, steps = τ_end·|B|/η²), with the same seed: the same starts and data for every run.
 * Collapse = relative RMS spread of the drops a(0) − a(τ) across runs at equal τ, against the spread at equal raw steps.
 */
export const thermophoresis = defineScenario({
  name: 'thermophoresis',
  title:
    'Thermophoresis of SGD: activation rate and |V| fall; curves collapse when steps are rescaled by η²/|B| (000 Fig. 2–6)',
  reproduces:
    'seed 000 (thermophoresis in deep learning) §6 and A.6, Fig. 2 (top row), 3, 4, 5, 6: a 10×10 (or 100×100) two-layer ReLU net, ' +
    'x ~ N(0, I), random labels, BCE, SGD with |B| = 1 and η from 0.025 to 0.1, then η = 0.05 and |B| = 1, 2, 3. The activation rate and ' +
    '|V|₂ fall during training; plotted against steps·η² (steps/|B|) the curves for different η (|B|) overlap (Eq. 28: F ∝ η²/|B|).',
  params,
  presets: {
    // full: K = 64 nets, τ_end = 100 (64 000 … 160 000 steps per run), 20 points; M = 20 000.
    full: {},
    // quick: K = 16, τ_end = 40, 8 points: the activation-rate observer (M·N_h·d per chain and point) dominates.
    quick: { chains: 16, rescaledSteps: 40, points: 8 },
  },
  claims,
  plan,
  analyse,
  figures: (_p, analysis) => analysis.plots,
});

const positives = (v: unknown, field: string, integer = false): number[] => {
  if (
    !Array.isArray(v) ||
    v.length < 2 ||
    !v.every(
      (x): x is number => typeof x === 'number' && x > 0 && Number.isFinite(x) && (!integer || Number.isInteger(x)),
    )
  ) {
    throw new ScenarioError(
      `params.${field}`,
      `needs at least two positive ${integer ? 'integers' : 'numbers'}, got ${preview(v)}`,
    );
  }
  return v;
};

export interface Curve {
  label: string;
  eta: number;
  batch: number;
  steps: number[];
  tau: number[];
  rate: AtStepsResult;
  norm: AtStepsResult;
}

type Params = ScenarioParams<typeof params>;

/** One run per η of the η sweep (|B| = 1), then one per |B| of the |B| sweep, reusing the η sweep's run at |B| = 1 when it has η = etaForBatch. */
function plan(p: Params, ctx: ScenarioContext) {
  const etas = positives(p.etas, 'etas'),
    batches = positives(p.batchSizes, 'batchSizes', true);
  const K = p.chains,
    tauEnd = p.rescaledSteps,
    points = p.points;
  const landscape = {
    name: 'relu-classifier',
    params: { inputs: p.inputs, hidden: p.hidden, dataSize: p.dataSize, distribution: p.distribution, bias: p.bias },
  };
  const dim = p.hidden * (p.inputs + (p.bias ? 2 : 1));
  const simulations: { label: string; spec: Record<string, unknown>; reference: Float64Array }[] = [];
  /** The index in `simulations` of the run at (η, |B|). */
  const one = (eta: number, batch: number): number => {
    const steps = Math.max(points, Math.round((tauEnd * batch) / (eta * eta)));
    const schedule = { points, spacing: 'linear' };
    const spec = {
      seed: ctx.seed,
      landscape,
      sampler: { name: 'with-replacement', params: { batchSize: batch } },
      optimizer: { name: 'sgd', params: { eta } },
      observers: [
        { name: 'activation-rate', params: schedule },
        { name: 'weight-norm', params: { block: 'V', ...schedule } },
      ],
      chains: K,
      steps,
      init: { kind: 'random' },
    };
    // No minimum exists to expand about (random labels, training from a random start): a zero reference skips Newton.
    return simulations.push({ label: `η = ${eta}, |B| = ${batch}`, spec, reference: new Float64Array(dim) }) - 1;
  };
  const etaRuns: RunRef[] = [];
  for (const eta of etas) etaRuns.push({ eta, batch: 1, index: one(eta, 1) });
  const batchRuns: RunRef[] = [];
  for (const b of batches)
    batchRuns.push(
      b === 1 && etas.includes(p.etaForBatch)
        ? etaRuns[etas.indexOf(p.etaForBatch)]
        : { eta: p.etaForBatch, batch: b, index: one(p.etaForBatch, b) },
    );
  return { simulations, dim, etaRuns, batchRuns };
}

/** A run of the plan: its η, |B| and the index of its simulation (shared when the |B| sweep reuses an η-sweep run). */
interface RunRef {
  eta: number;
  batch: number;
  index: number;
}

/** The falls of the activation rate and |V| in every run, the collapse of each sweep, and the claims. */
function analyse(
  p: Params,
  outcomes: readonly SimulationOutcome[],
  planned: ReturnType<typeof plan>,
  { claim }: AnalyseTools<keyof typeof claims>,
) {
  const { dim } = planned,
    K = p.chains,
    tauEnd = p.rescaledSteps;
  const curve = ({ eta, batch, index }: RunRef): Curve => {
    const sim = outcomes[index]!;
    const rate = sim.observers['activation-rate'] as AtStepsResult,
      norm = sim.observers['weight-norm'] as AtStepsResult;
    return {
      label: `η = ${eta}, |B| = ${batch}`,
      eta,
      batch,
      steps: rate.steps,
      tau: rate.steps.map((s) => (s * eta * eta) / batch),
      rate,
      norm,
    };
  };
  const etaRuns = planned.etaRuns.map(curve);
  const batchRuns = planned.batchRuns.map(curve);

  const all = [...etaRuns, ...batchRuns];
  const k = p.dropStdErrors;
  // The fall from the start to the lowest recorded mean (the end for the activation rate; |V| turns up again later, as
  // the net starts to memorise the labels): s.e. from the sd over chains at both points (conservative: the drop is paired).
  const falls = (pick: (c: Curve) => AtStepsResult) =>
    all.map((c) => {
      const s = pick(c),
        low = s.mean.indexOf(Math.min(...s.mean.slice(1))),
        drop = s.mean[0] - s.mean[low];
      return {
        run: c.label,
        start: s.mean[0],
        lowest: s.mean[low],
        atStep: c.steps[low],
        end: s.mean[s.mean.length - 1],
        drop,
        stdError: Math.hypot(s.sd[0], s.sd[low]) / Math.sqrt(K),
      };
    });
  const rateFalls = falls((c) => c.rate),
    normFalls = falls((c) => c.norm);
  const etaCollapse = collapse(etaRuns),
    batchCollapse = collapse(batchRuns);
  const ratio = p.collapseRatio;
  const claims: Claim[] = [
    fallClaim(claim, 'activation-rate-falls', rateFalls, k),
    fallClaim(claim, 'weight-norm-falls', normFalls, k),
    claim('eta-squared-collapse', etaCollapse.rescaled / etaCollapse.raw, {
      expected: `< ${ratio}`,
      tolerance: 0,
      holds: etaCollapse.rescaled < ratio * etaCollapse.raw,
    }),
    claim('batch-size-collapse', batchCollapse.rescaled / batchCollapse.raw, {
      expected: `< ${ratio}`,
      tolerance: 0,
      holds: batchCollapse.rescaled < ratio * batchCollapse.raw,
    }),
  ];
  const results = {
    network: {
      inputs: p.inputs,
      hidden: p.hidden,
      dim,
      dataSize: p.dataSize,
      distribution: p.distribution,
      bias: p.bias,
    },
    chains: K,
    rescaledSteps: tauEnd,
    activationRateFalls: rateFalls,
    weightNormFalls: normFalls,
    etaCollapse,
    batchCollapse,
    runs: all.map((c) => ({
      label: c.label,
      eta: c.eta,
      batchSize: c.batch,
      steps: c.steps,
      rescaledSteps: c.tau,
      activationRate: c.rate,
      weightNorm: c.norm,
    })),
  };
  return {
    results,
    claims,
    plots: plots(etaRuns, batchRuns, `d = ${p.inputs}, N_h = ${p.hidden}, M = ${p.dataSize}, K = ${K} nets`),
  };
}

function fallClaim(
  claim: AnalyseTools<keyof typeof claims>['claim'],
  id: 'activation-rate-falls' | 'weight-norm-falls',
  f: { drop: number; stdError: number }[],
  k: number,
): Claim {
  const worst = Math.min(...f.map((x) => x.drop / x.stdError));
  return claim(id, worst, { expected: `> ${k} (smallest drop / s.e. over runs)`, tolerance: 0, holds: worst > k });
}

/**
 * Relative RMS spread across runs of the drop d(x) = a(0) − a(x): at equal rescaled τ (the recorded grid, shared by every
 * run) and at equal raw steps (the shortest run's steps, each other run interpolated linearly on its own recorded steps).
 */
export function collapse(runs: Curve[]): { rescaled: number; raw: number } {
  const drop = (c: Curve, j: number) => c.rate.mean[0] - c.rate.mean[j];
  const J = Math.min(...runs.map((c) => c.steps.length));
  const rescaledRows: number[][] = [];
  for (let j = 1; j < J; j++) rescaledRows.push(runs.map((c) => drop(c, j)));
  const shortest = runs.reduce((a, c) => (c.steps[c.steps.length - 1] < a.steps[a.steps.length - 1] ? c : a));
  const rawRows = shortest.steps
    .slice(1)
    .map((s) => runs.map((c) => interpolate(c.steps, c.rate.mean, s, c.rate.mean[0])));
  return { rescaled: relativeSpread(rescaledRows), raw: relativeSpread(rawRows) };
}

/** sqrt(mean over rows of the variance across runs) / mean over rows of |mean across runs|. */
function relativeSpread(rows: number[][]): number {
  let v = 0,
    m = 0;
  for (const r of rows) {
    const mean = r.reduce((s, x) => s + x, 0) / r.length;
    v += r.reduce((s, x) => s + (x - mean) ** 2, 0) / (r.length - 1);
    m += Math.abs(mean);
  }
  return Math.sqrt(v / rows.length) / (m / rows.length);
}

/** a(0) − (linear interpolation of y at x in the increasing xs). */
function interpolate(xs: number[], ys: number[], x: number, y0: number): number {
  let j = 1;
  while (j < xs.length - 1 && xs[j] < x) j++;
  const t = (x - xs[j - 1]) / (xs[j] - xs[j - 1]);
  return y0 - (ys[j - 1] + t * (ys[j] - ys[j - 1]));
}

/** 000 Fig. 3–6: each quantity vs steps, steps·η and steps·η² (η sweep) or steps and steps/|B| (|B| sweep), 95 % bands. */
function plots(etaRuns: Curve[], batchRuns: Curve[], sizes: string) {
  const z = Math.sqrt(etaRuns[0].rate.chains) / 1.96; // band: mean ± 1.96 sd/√K, the 95 % interval of the mean
  const what = {
    rate: { y: 'activation rate (Eq. 14)', short: 'activation rate' },
    norm: { y: '‖V‖₂', short: '‖V‖₂' },
  };
  const one = (runs: Curve[], w: 'rate' | 'norm', title: string, xTitle: string, x: (c: Curve) => number[]) =>
    curves({
      title,
      xTitle,
      yTitle: what[w].y,
      series: runs.map((c) => ({ name: c.label, x: x(c), mean: c[w].mean, sd: c[w].sd.map((v) => v / z) })),
    });
  const figure = (runs: Curve[], w: 'rate' | 'norm', sweep: 'eta' | 'batch') => {
    const c = collapse(runs),
      spread = `spread of the drops ${(c.rescaled / c.raw).toPrecision(2)} × that at equal steps`;
    const specs =
      sweep === 'eta'
        ? [
            one(runs, w, '(a) vs steps', 'steps', (r) => r.steps),
            one(runs, w, '(b) vs steps · η', 'steps · η', (r) => r.steps.map((s) => s * r.eta)),
            one(runs, w, '(c) vs steps · η² (Eq. 28: one curve)', 'steps · η²', (r) => r.tau),
          ]
        : [
            one(runs, w, '(a) vs steps', 'steps', (r) => r.steps),
            one(runs, w, '(b) vs steps / |B| (Eq. 28: one curve)', 'steps / |B|', (r) =>
              r.steps.map((s) => s / r.batch),
            ),
          ];
    const head =
      sweep === 'eta'
        ? `${what[w].short} vs (rescaled) steps, η from ${runs[0].eta} to ${runs[runs.length - 1].eta} at |B| = 1 (000 Fig. ${w === 'rate' ? 3 : 4})`
        : `${what[w].short} vs (rescaled) steps, |B| from ${runs[0].batch} to ${runs[runs.length - 1].batch} at η = ${runs[0].eta} (000 Fig. ${w === 'rate' ? 5 : 6})`;
    const sub = [
      sizes + '; bands: 95 % intervals of the mean',
      ...(w === 'rate' ? [`rescaled: ${spread} (Eq. 28: rate ∝ η²/|B|)`] : []),
    ];
    const shared = { scale: { color: 'shared' }, legend: { color: 'shared' } }; // one key: the runs are the same in every panel
    return {
      ...panel(specs, specs.length),
      resolve: shared,
      title: { text: head, subtitle: sub, subtitleFontSize: 11, subtitleColor: '#444' },
    } as unknown as TopLevelSpec;
  };
  return {
    'activation-rate-eta': figure(etaRuns, 'rate', 'eta'),
    'weight-norm-eta': figure(etaRuns, 'norm', 'eta'),
    'activation-rate-batch': figure(batchRuns, 'rate', 'batch'),
    'weight-norm-batch': figure(batchRuns, 'norm', 'batch'),
  };
}
