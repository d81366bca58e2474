import {
  ScenarioError,
  preview,
  type ScenarioContext,
  type SimulationOutcome,
  type SimulationRequest,
} from '@nesslab/kernel';
import { SIEGMUND_BETA, STYBLINSKI_TANG as ST, sgdBoxEscape } from '@nesslab/landscapes';
import type { EscapeResult } from '@nesslab/observers';
import { panel, pointsAndLines, type Claim } from '@nesslab/report';
import { defineScenario, type AnalyseTools, type ScenarioParams } from '../define-scenario.ts';
import { pearson, weightedLine } from '../stats/line-fit.ts';

type Axis = 'inverseK' | 'batchSize' | 'inverseEta';

const params = {
  dim: {
    type: 'integer',
    description: 'N, coordinates of the Styblinski–Tang function (001: 10)',
    default: 10,
    minimum: 1,
  },
  dataSize: {
    type: 'integer',
    description: "M, data points x_j (Gaussian quantiles of variance f''(a), docs/science.md §7)",
    default: 1000,
    minimum: 2,
  },
  dataSeed: {
    type: 'integer',
    description: 'seed of the per-coordinate shuffles of the data points',
    default: 0,
    minimum: 0,
  },
  halfWidth: {
    type: 'number',
    description:
      'w: the box |√kθ_d − a| < w in units of x = √kθ (docs/science.md §7: 0.15; barrier f₁(a + w) − f₁(a) ≈ 0.37)',
    default: 0.15,
    exclusiveMinimum: 0,
  },
  chains: {
    type: 'integer',
    description: 'K, escapes attempted per point (001 App. C: 100)',
    default: 100,
    minimum: 2,
  },
  sharpnesses: {
    type: 'array',
    description: 'k of panel (a), at η = etaForK, B = batchForK (ΔL/D from ≈ 10 to 5)',
    default: [0.8, 0.9, 1, 1.15, 1.35, 1.6],
  },
  etaForK: { type: 'number', description: 'η of panel (a)', default: 0.0025, exclusiveMinimum: 0 },
  batchForK: { type: 'integer', description: 'B of panel (a)', default: 1, minimum: 1 },
  batchSizes: {
    type: 'array',
    description: 'B of panel (b), at k = sharpnessForB, η = etaForB (ΔL/D from ≈ 5.4 to 10.7)',
    default: [4, 5, 6, 7, 8],
  },
  sharpnessForB: { type: 'number', description: 'k of panel (b)', default: 1, exclusiveMinimum: 0 },
  etaForB: {
    type: 'number',
    description: "η of panel (b): ηk f''(a) = 0.43, so that B = 4..8 spans the same ΔL/D as the other panels",
    default: 0.0125,
    exclusiveMinimum: 0,
  },
  etas: {
    type: 'array',
    description: 'η of panel (c), at k = sharpnessForEta, B = batchForEta (ΔL/D from ≈ 10 to 5)',
    default: [0.002, 0.00225, 0.0025, 0.0029, 0.0034, 0.004],
  },
  sharpnessForEta: { type: 'number', description: 'k of panel (c)', default: 1, exclusiveMinimum: 0 },
  batchForEta: { type: 'integer', description: 'B of panel (c)', default: 1, minimum: 1 },
  meanTimes: {
    type: 'number',
    description:
      'steps per chain, in units of the predicted mean escape time (diffusion theory): about e^{−meanTimes} censored',
    default: 5,
    exclusiveMinimum: 0,
  },
  pearsonMin: {
    type: 'number',
    description: 'least Pearson correlation of −log γ with each control variable (001: > 0.99)',
    default: 0.99,
    minimum: 0,
    maximum: 1,
  },
  rateStdErrors: {
    type: 'number',
    description:
      "tolerance of the pooled γ̂/γ_theory, in standard errors 1/√(all escapes), on top of the continuity correction's neglected second order",
    default: 3,
    exclusiveMinimum: 0,
  },
} as const;

const claims = {
  'linear-in-inverse-sharpness':
    'at fixed η and B, −log γ̂ is linear in 1/k (001 Fig. 4a): Pearson correlation above 0.99',
  'linear-in-batch-size': 'at fixed k and η, −log γ̂ is linear in B (001 Fig. 4b): Pearson correlation above 0.99',
  'linear-in-inverse-learning-rate':
    'at fixed k and B, −log γ̂ is linear in 1/η (001 Fig. 4c): Pearson correlation above 0.99',
  'rate-matches-diffusion-theory':
    "γ̂ pooled over all points equals the diffusion theory (001 Eq. 7: D = ηH(a)/(2B); exact 1-D exit time × N, discrete-chain variance, box widened by the discrete-monitoring correction βσ) within 3/√escapes + the correction's neglected second order max (βσ/w)²ΔL/D",
} as const;

/**
 * 001 §3–4, Theorem 3.2, Fig. 4: WR SGD escaping from the global minimum a of the N-D Styblinski–Tang function with M data
 * points ℓ_j = f(√kθ) − √k x_j·θ (docs/science.md §7: minibatch noise covariance H(a)/B). K chains per (k, η, B) point start at
 * a/√k and count until one coordinate leaves the box |√kθ_d − a| < w (w = 0.15, docs/science.md §7); γ̂ in continuous time
 * t = η·steps. Three panels: −log γ̂ against 1/k, B and 1/η (Theorem 3.2: exponent 2BΔL/(ηH_ae), linear in each).
 */
export const escapeSgd = defineScenario({
  name: 'escape-sgd',
  title:
    'Escape of SGD from a Styblinski–Tang minimum: −log γ linear in 1/k, in B and in 1/η (001 Theorem 3.2, Fig. 4)',
  reproduces:
    'seed 001 (A diffusion theory for deep learning dynamics) §3, Theorem 3.2, Fig. 4 (a)–(c) and Fig. 17–19: WR SGD on the 10-D Styblinski–Tang function with data points whose gradient noise has covariance H/B (docs/science.md §7), K escapes per point from a small box around the global minimum; −log γ is linear in the inverse sharpness 1/k, in the batch size B and in the inverse learning rate 1/η (Pearson > 0.99 each).',
  params,
  presets: {
    // full: the paper's K = 100 per point, 16 points, 5 predicted mean times per run (< 1 % censored).
    full: {},
    // quick: K = 60, the slowest point of panels (a) and (c) (ΔL/D ≈ 10) and the largest B left out, 3 mean times per run.
    quick: {
      chains: 60,
      sharpnesses: [0.9, 1, 1.15, 1.35, 1.6],
      batchSizes: [4, 5, 6, 7],
      etas: [0.00225, 0.0025, 0.0029, 0.0034, 0.004],
      meanTimes: 3,
    },
  },
  claims,
  plan,
  analyse,
  figures: (_p, analysis) => analysis.plots,
});

type Params = ScenarioParams<typeof params>;

const numbers = (v: unknown, field: string, integer = false): number[] => {
  if (
    !Array.isArray(v) ||
    v.length < 3 ||
    !v.every(
      (x): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0 && (!integer || Number.isInteger(x)),
    )
  ) {
    throw new ScenarioError(
      `params.${field}`,
      `needs at least three positive ${integer ? 'integers' : 'numbers'}, got ${preview(v)}`,
    );
  }
  return v;
};

/** The three panels' (k, η, B) points (a shared point once), each with its theory and steps: one simulation per point. */
function plan(p: Params, ctx: ScenarioContext) {
  const N = p.dim,
    K = p.chains,
    w = p.halfWidth,
    M = p.dataSize;
  const ks = numbers(p.sharpnesses, 'sharpnesses'),
    Bs = numbers(p.batchSizes, 'batchSizes', true),
    etas = numbers(p.etas, 'etas');
  if (Math.max(...Bs) > M)
    throw new ScenarioError('params.batchSizes', `every B must be ≤ dataSize M = ${M}, got ${preview(Bs)}`);
  const panels: Record<Axis, { k: number; eta: number; B: number }[]> = {
    inverseK: ks.map((k) => ({ k, eta: p.etaForK, B: p.batchForK })),
    batchSize: Bs.map((B) => ({ k: p.sharpnessForB, eta: p.etaForB, B })),
    inverseEta: etas.map((eta) => ({ k: p.sharpnessForEta, eta, B: p.batchForEta })),
  };
  const simulations: SimulationRequest[] = [],
    points = new Map<string, { q: { k: number; eta: number; B: number }; theory: ReturnType<typeof sgdBoxEscape> }>();
  let index = 0;
  for (const q of Object.values(panels).flat()) {
    const key = `${q.k}|${q.eta}|${q.B}`;
    if (points.has(key)) continue;
    const theory = sgdBoxEscape(N, q.k, q.eta, q.B, w);
    if (!(theory.stepCurvature < 2))
      throw new ScenarioError(
        'params',
        `ηk f''(a) = ${theory.stepCurvature.toFixed(3)} ≥ 2 at k = ${q.k}, η = ${q.eta}: SGD diverges`,
      );
    const steps = Math.max(10, Math.ceil(p.meanTimes * theory.meanSteps)),
      halfWidth = w / Math.sqrt(q.k);
    const spec = {
      seed: ctx.seed + 7919 * ++index, // every point its own noise: no correlation between the points of a fit
      landscape: { name: 'styblinski-tang', params: { dim: N, sharpness: q.k, dataSize: M, dataSeed: p.dataSeed } },
      sampler: { name: 'with-replacement', params: { batchSize: q.B } },
      optimizer: { name: 'sgd', params: { eta: q.eta } },
      observers: [{ name: 'escape-time', params: { halfWidth } }],
      chains: K,
      steps,
      init: { kind: 'minimum' },
    };
    simulations.push({
      label: `k = ${q.k}, η = ${q.eta}, B = ${q.B}`,
      spec,
      reference: new Float64Array(N).fill(ST.a / Math.sqrt(q.k)),
    });
    points.set(key, { q, theory });
  }
  return { simulations, panels, points };
}

/** The measured rate per point against the diffusion theory, the fit of each panel, the claims and the figures. */
function analyse(
  p: Params,
  outcomes: readonly SimulationOutcome[],
  planned: ReturnType<typeof plan>,
  { claim }: AnalyseTools<keyof typeof claims>,
) {
  const N = p.dim,
    K = p.chains,
    w = p.halfWidth,
    M = p.dataSize;
  const { panels } = planned;
  const measured = new Map<string, Point>();
  for (const [i, [key, { q, theory }]] of [...planned.points].entries())
    measured.set(key, point(q, outcomes[i]!.observers['escape-time'] as EscapeResult, theory));
  const byPanel = (axis: Axis) => panels[axis].map((q) => measured.get(`${q.k}|${q.eta}|${q.B}`)!);
  const control: Record<Axis, (q: Point) => number> = {
    inverseK: (q) => 1 / q.k,
    batchSize: (q) => q.B,
    inverseEta: (q) => 1 / q.eta,
  };
  // Theorem 3.2 with the box edge for the saddle: exponent 2BΔL/(η H_ae), H_ae = k f''(a), D = ηH/(2B) constant (s = 1).
  const exponent = (q: { k: number; eta: number; B: number }) =>
    (2 * q.B * sgdBoxEscape(N, q.k, q.eta, q.B, w).barrier) / (q.eta * q.k * ST.curvatureA);
  const fits = Object.fromEntries(
    (Object.keys(panels) as Axis[]).map((axis) => {
      const pts = byPanel(axis),
        x = pts.map(control[axis]),
        y = pts.map((q) => -Math.log(q.rate));
      const fit = weightedLine(
          x,
          y,
          pts.map((q) => q.escaped),
        ),
        theorySlope = exponent(pts[0]) / control[axis](pts[0]);
      const diffusionTheorySlope = weightedLine(
        x,
        pts.map((q) => -Math.log(q.theoryRate)),
        x.map(() => 1),
      ).slope;
      // barrierRatio: the fitted slope over Theorem 3.2's exponent per unit of the control variable (s = 1, ΔL = ΔL_box).
      return [
        axis,
        {
          x,
          minusLogRate: y,
          pearson: pearson(x, y),
          ...fit,
          diffusionTheorySlope,
          theorem32Slope: theorySlope,
          barrierRatio: fit.slope / theorySlope,
        },
      ];
    }),
  ) as Record<
    Axis,
    {
      x: number[];
      minusLogRate: number[];
      pearson: number;
      slope: number;
      intercept: number;
      slopeStdError: number;
      diffusionTheorySlope: number;
      theorem32Slope: number;
      barrierRatio: number;
    }
  >;
  const min = p.pearsonMin;
  const linear = (
    id: 'linear-in-inverse-sharpness' | 'linear-in-batch-size' | 'linear-in-inverse-learning-rate',
    axis: Axis,
  ): Claim => claim(id, fits[axis].pearson, { expected: `> ${min}`, tolerance: 0, holds: fits[axis].pearson > min });
  const all = [...measured.values()],
    exits = new Array<number>(N).fill(0),
    escapes = all.reduce((s, q) => s + q.escaped, 0);
  // Pooled log(γ̂/γ_theory) weighted by escapes (var = 1/escapes); the first-order continuity correction leaves O((βσ/w)²ΔL/D).
  const pooled = Math.exp(all.reduce((s, q) => s + q.escaped * Math.log(q.ratioToTheory), 0) / escapes);
  const secondOrder = Math.max(...all.map((q) => q.monitoringSecondOrder)),
    tolerance = p.rateStdErrors / Math.sqrt(escapes) + secondOrder;
  const claims = [
    linear('linear-in-inverse-sharpness', 'inverseK'),
    linear('linear-in-batch-size', 'batchSize'),
    linear('linear-in-inverse-learning-rate', 'inverseEta'),
    claim('rate-matches-diffusion-theory', pooled, {
      expected: 1,
      tolerance,
      holds: Math.abs(pooled - 1) <= tolerance,
    }),
  ];
  for (const q of all)
    q.exitsUpper.forEach((n, d) => {
      exits[d] += n;
    });
  const results = {
    landscape: {
      dim: N,
      dataSize: M,
      a: ST.a,
      halfWidth: w,
      boxBarrier: sgdBoxEscape(N, 1, 1e-3, 1, w).barrier,
      curvatureA: ST.curvatureA,
    },
    chains: K,
    points: all,
    fits,
    theory: {
      pooledRatio: pooled,
      relativeStdError: 1 / Math.sqrt(escapes),
      monitoringSecondOrder: secondOrder,
      siegmundBeta: SIEGMUND_BETA,
    },
    escapes,
    censored: all.reduce((s, q) => s + q.censored, 0),
    exitsUpperPerCoordinate: exits,
    exitsLower: all.reduce((s, q) => s + q.exitsLower.reduce((a, b) => a + b, 0), 0),
  };
  return { results, claims, plots: plots(byPanel, fits, control) };
}

/** One (k, η, B) point: the measured rate (continuous time t = η·steps) with its 95 % interval, and the diffusion theory's. */
function point(q: { k: number; eta: number; B: number }, e: EscapeResult, theory: ReturnType<typeof sgdBoxEscape>) {
  const rate = e.rate / q.eta,
    rel = e.rateRelativeError,
    theoryRate = 1 / (q.eta * theory.meanSteps),
    w = theory.monitoredHalfWidth;
  return {
    ...q,
    steps: e.steps,
    chains: e.chains,
    escaped: e.escaped,
    censored: e.censored,
    ratePerStep: e.rate,
    rate,
    rateLow: rate * (1 - 1.96 * rel),
    rateHigh: rate * (1 + 1.96 * rel),
    rateRelativeError: rel,
    barrierOverDiffusion: theory.barrier / theory.diffusion,
    stepCurvature: theory.stepCurvature,
    monitoredHalfWidth: w,
    monitoringSecondOrder: ((w - theory.boxHalfWidth) / theory.boxHalfWidth) ** 2 * (theory.barrier / theory.diffusion),
    theoryRate,
    ratioToTheory: rate / theoryRate,
    exitsUpper: e.exitsUpper,
    exitsLower: e.exitsLower,
  };
}
type Point = ReturnType<typeof point>;

/** 001 Fig. 4 (a)–(c): −log γ̂ with 95 % bars against 1/k, B and 1/η; the diffusion theory and the weighted fit as lines. */
function plots(
  byPanel: (axis: Axis) => Point[],
  fits: Record<
    Axis,
    { slope: number; intercept: number; slopeStdError: number; pearson: number; theorem32Slope: number }
  >,
  control: Record<Axis, (q: Point) => number>,
) {
  const one = (axis: Axis, title: string, xTitle: string, fixed: (q: Point) => string) => {
    const pts = byPanel(axis),
      x = pts.map(control[axis]),
      f = fits[axis],
      y = pts.map((q) => -Math.log(q.rate));
    const ends = [Math.min(...x), Math.max(...x)],
      order = x.map((_, i) => i).sort((i, j) => x[i] - x[j]);
    return pointsAndLines({
      title,
      subtitle: [
        `${fixed(pts[0])}, N = ${pts[0].exitsUpper.length}, K = ${pts[0].chains} chains per point; bars: 95 % intervals`,
        `Pearson r = ${f.pearson.toFixed(4)}; fitted slope ${f.slope.toPrecision(3)} ± ${f.slopeStdError.toPrecision(2)} (Theorem 3.2, s = 1: ${f.theorem32Slope.toPrecision(3)})`,
      ],
      xTitle,
      yTitle: '−log γ (γ per unit time t = η·steps)',
      points: [
        {
          name: 'simulation',
          x,
          y,
          lo: pts.map((q, i) => y[i] - 1.96 * q.rateRelativeError),
          hi: pts.map((q, i) => y[i] + 1.96 * q.rateRelativeError),
        },
      ],
      lines: [
        {
          name: 'diffusion theory (Eq. 7; exit time ÷ N)',
          x: order.map((i) => x[i]),
          y: order.map((i) => -Math.log(pts[i].theoryRate)),
        },
        { name: 'weighted linear fit', x: ends, y: ends.map((v) => f.intercept + f.slope * v), dashed: true },
      ],
    });
  };
  const a = one('inverseK', '(a) −log γ linear in 1/k (001 Fig. 4a)', '1/k', (q) => `η = ${q.eta}, B = ${q.B}`);
  const b = one('batchSize', '(b) −log γ linear in B (001 Fig. 4b)', 'batch size B', (q) => `k = ${q.k}, η = ${q.eta}`);
  const c = one('inverseEta', '(c) −log γ linear in 1/η (001 Fig. 4c)', '1/η', (q) => `k = ${q.k}, B = ${q.B}`);
  return {
    'log-rate-vs-inverse-sharpness': a,
    'log-rate-vs-batch-size': b,
    'log-rate-vs-inverse-eta': c,
    'escape-fig4': panel([a, b, c], 3),
  };
}
