import { ScenarioError, preview, type ScenarioContext, type SimulationOutcome } from '@nesslab/kernel';
import { WELLS_DEFAULTS, wellsCriticalPoints, wellsOccupancy } from '@nesslab/landscapes';
import type { OccupancyResult } from '@nesslab/observers';
import { panel, pointsAndLines, type Claim } from '@nesslab/report';
import { defineScenario, type AnalyseTools, type ScenarioParams } from '../define-scenario.ts';

const params = {
  eta: {
    type: 'number',
    description: 'η₀, the smallest learning rate; the points use η = η₀·m for m in etaMultiples',
    default: 0.0015,
    exclusiveMinimum: 0,
  },
  etaMultiples: {
    type: 'array',
    description: 'm: learning rates η₀m, batch sizes S₀m, so η/S = η₀/S₀ is the same within a group',
    default: [1, 2, 4],
  },
  batchSizes: {
    type: 'array',
    description: 'S₀ of each group (at η₀): groups at η/S = η₀/S₀, temperature T = (η/S)σ²/2',
    default: [1, 2, 3, 4],
  },
  noise: {
    type: 'number',
    description: 'σ of the per-sample gradient noise (landscape wide-sharp-wells, C = σ²)',
    default: 20,
    exclusiveMinimum: 0,
  },
  dataSize: {
    type: 'integer',
    description: 'M, data points x_j (Gaussian quantiles of variance 1)',
    default: 1000,
    minimum: 2,
  },
  dataSeed: { type: 'integer', description: 'seed of the shuffle of the data points', default: 0, minimum: 0 },
  chains: {
    type: 'integer',
    description: 'K, independent chains per (η, S), all started at the barrier top',
    default: 32,
    minimum: 4,
  },
  time: {
    type: 'number',
    description: 'continuum time t = η·steps per chain (after the burn-in)',
    default: 6000,
    exclusiveMinimum: 0,
  },
  burnInTime: {
    type: 'number',
    description: 'continuum time discarded at the start (≈ 5 relaxation times 1/L″ of the wide well)',
    default: 4,
    minimum: 0,
  },
  margin: {
    type: 'number',
    description: 'a transition counts when θ passes the barrier top ± margin on the far side',
    default: 0.2,
    minimum: 0,
  },
  stdErrors: {
    type: 'number',
    description: 'tolerance of the Boltzmann comparison, in standard errors (on top of the discrete-step estimate)',
    default: 4,
    exclusiveMinimum: 0,
  },
} as const;

const claims = {
  'occupancy-depends-on-eta-over-s':
    'within each group of equal η/S, log(p_wide/p_sharp) of the different (η, S) agree: χ² = Σ (r − r̄_group)²/s² below its 99.9 % quantile for Σ(points − 1) degrees of freedom',
  'occupancy-changes-with-eta-over-s':
    'the group means of log(p_wide/p_sharp) increase with η/S (the wide minimum gains), every step between neighbouring groups beyond 3 standard errors',
  'occupancy-matches-boltzmann':
    "every group mean of log(p_wide/p_sharp) equals the occupancy of P ∝ exp(−2L/(nσ²)) (002, quadrature) within stdErrors (4) standard errors + the discrete-step estimate ½|log((1 − ηL″_s/2)/(1 − ηL″_w/2))| at the group's largest η",
} as const;

/**
 * 002 ("Three factors influencing minima in SGD", Eq. 3): in the continuum limit SGD samples P ∝ exp(−2L/(nσ²)),
 * n = η/S, so the relative occupancy p_wide/p_sharp of two minima depends on η and S only through η/S. WR SGD on the
 * 1-D wide-sharp-wells landscape (C = σ²): groups of (η, S) at equal η/S, K chains each, equal continuum time t = η·steps.
 */
export const threeFactors = defineScenario({
  name: 'three-factors',
  title: 'Minima selection by SGD: the occupancy of a wide and a sharp minimum depends on η/S alone (002 Eq. 3)',
  reproduces:
    'seed 002 (Three factors influencing minima in SGD) Eq. 3 and "flat vs. sharp minima": WR SGD on a 1-D loss with a wide minimum and a deeper sharp one, constant gradient noise C = σ² (data ℓ_j = L − σx_jθ); log(p_wide/p_sharp) measured for several (η, S) at each η/S coincides within errors, grows with η/S (larger η/S favours the wide minimum), and equals the Boltzmann occupancy of exp(−2L/(nσ²)).',
  params,
  presets: {
    // full: 4 groups (T = 0.3 … 0.075) × 3 (η, S), 32 chains × t = 6000.
    full: {},
    // quick: the same T = 0.3, 0.15, 0.1 at twice the η (S₀ = 2, 4, 6), 2 (η, S) per group, 20 chains × t = 1000
    // (smallest step between groups ≈ 6.6 s.e. expected, so the 3 s.e. claim fails by chance ~1e-5).
    quick: { eta: 0.003, etaMultiples: [1, 2], batchSizes: [2, 4, 6], chains: 20, time: 1000 },
  },
  claims,
  plan,
  analyse,
  figures: (_p, analysis) => analysis.plots,
});

const positives = (v: unknown, field: string, min: number): number[] => {
  if (
    !Array.isArray(v) ||
    v.length < min ||
    !v.every((x): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x > 0) ||
    new Set(v).size !== v.length
  ) {
    throw new ScenarioError(`params.${field}`, `needs at least ${min} distinct positive integers, got ${preview(v)}`);
  }
  return [...v].sort((a, b) => a - b);
};

/** χ² quantile by Wilson–Hilferty (z = 3.09: 99.9 %), good to ~1 % for dof ≥ 2. */
const chi2Quantile999 = (dof: number) => dof * (1 - 2 / (9 * dof) + 3.0902 * Math.sqrt(2 / (9 * dof))) ** 3;

type Params = ScenarioParams<typeof params>;

/** The (η, S) points of every group of equal η/S (increasing η/S), each its own simulation, and the Boltzmann occupancy of each group. */
function plan(p: Params, ctx: ScenarioContext) {
  const eta0 = p.eta,
    sigma = p.noise,
    K = p.chains,
    M = p.dataSize;
  const multiples = positives(p.etaMultiples, 'etaMultiples', 2),
    S0s = positives(p.batchSizes, 'batchSizes', 3);
  const shape = WELLS_DEFAULTS,
    crit = wellsCriticalPoints(shape),
    dividing = crit.barrier.theta;
  const hWide = crit.wide.curvature,
    hSharp = crit.sharp.curvature,
    etaMax = eta0 * multiples[multiples.length - 1];
  if (!(etaMax * hSharp < 1))
    throw new ScenarioError(
      'params.eta',
      `η·L″(sharp) = ${(etaMax * hSharp).toFixed(3)} at η = ${etaMax}: must be < 1 (2 is SGD's stability limit; the continuum limit needs ≪ 1)`,
    );
  if (S0s[S0s.length - 1] * multiples[multiples.length - 1] > M)
    throw new ScenarioError('params.batchSizes', `the largest batch S₀m must be ≤ dataSize M = ${M}`);
  const groups: PlannedGroup[] = [],
    simulations: { label: string; spec: Record<string, unknown> }[] = [];
  let index = 0;
  for (const S0 of [...S0s].reverse()) {
    // increasing η/S
    const n = eta0 / S0,
      T = (n * sigma * sigma) / 2,
      theory = wellsOccupancy(shape, T, dividing),
      points: PlannedPoint[] = [];
    for (const m of multiples) {
      const eta = eta0 * m,
        S = S0 * m,
        steps = Math.ceil((p.time + p.burnInTime) / eta);
      const spec = {
        seed: ctx.seed + 7919 * ++index, // every point its own noise: the points of a group are independent
        landscape: { name: 'wide-sharp-wells', params: { noise: sigma, dataSize: M, dataSeed: p.dataSeed } },
        sampler: { name: 'with-replacement', params: { batchSize: S } },
        optimizer: { name: 'sgd', params: { eta } },
        observers: [
          { name: 'occupancy', params: { dividing, margin: p.margin, burnIn: Math.ceil(p.burnInTime / eta) } },
        ],
        chains: K,
        steps,
        init: { kind: 'point', theta: [dividing] },
      };
      simulations.push({ label: `η/S = ${n.toPrecision(3)}: η = ${eta}, S = ${S}`, spec });
      points.push({ eta, S, steps });
    }
    groups.push({ S0, n, T, theory, points });
  }
  return { simulations, multiples, shape, crit, dividing, hWide, hSharp, groups };
}

/** log(p_wide/p_sharp) per point and per group, the χ² within groups, the steps between them, and the Boltzmann comparison. */
function analyse(
  p: Params,
  outcomes: readonly SimulationOutcome[],
  planned: ReturnType<typeof plan>,
  { claim }: AnalyseTools<keyof typeof claims>,
) {
  const { multiples, shape, crit, dividing, hWide, hSharp } = planned;
  const sigma = p.noise,
    K = p.chains,
    M = p.dataSize;
  const groups: GroupResult[] = [];
  let k = 0;
  for (const { S0, n, T, theory, points: planPoints } of planned.groups) {
    // increasing η/S
    const points = [];
    for (const { eta, S, steps } of planPoints) {
      const o = outcomes[k++]!.observers.occupancy as OccupancyResult;
      // basin "below" the barrier top is the wide minimum (θ_w < θ_s): r = log(p_wide/p_sharp)
      const discrete = 0.5 * Math.log((1 - (eta * hSharp) / 2) / (1 - (eta * hWide) / 2)); // harmonic wells: Var = T/(h(1 − ηh/2))
      points.push({
        eta,
        batchSize: S,
        etaOverS: n,
        steps,
        pWide: o.below,
        pSharp: o.above,
        pStdError: o.stdError,
        logRatio: o.logRatio,
        logRatioStdError: o.logRatioStdError,
        transitions: o.transitions,
        minTransitionsPerChain: o.minTransitionsPerChain,
        discreteStepEstimate: discrete,
      });
    }
    const w = points.map((q) => 1 / q.logRatioStdError ** 2),
      W = w.reduce((a, b) => a + b, 0);
    const mean = points.reduce((s, q, i) => s + w[i] * q.logRatio, 0) / W,
      chi2 = points.reduce((s, q, i) => s + w[i] * (q.logRatio - mean) ** 2, 0);
    groups.push({
      etaOverS: n,
      temperature: T,
      batchSizeAtEta0: S0,
      points,
      logRatio: mean,
      logRatioStdError: Math.sqrt(1 / W),
      chi2,
      boltzmannLogRatio: theory.logRatio,
      laplaceLogRatio: theory.laplaceLogRatio,
      discreteStepEstimate: Math.max(...points.map((q) => Math.abs(q.discreteStepEstimate))),
    });
  }
  const chi2 = groups.reduce((s, g) => s + g.chi2, 0),
    dof = groups.length * (multiples.length - 1),
    chi2Max = chi2Quantile999(dof);
  const steps = groups
    .slice(1)
    .map((g, i) => (g.logRatio - groups[i].logRatio) / Math.hypot(g.logRatioStdError, groups[i].logRatioStdError));
  const z = groups.map(
    (g) => (g.logRatio - g.boltzmannLogRatio) / (p.stdErrors * g.logRatioStdError + g.discreteStepEstimate),
  );
  const claims: Claim[] = [
    claim('occupancy-depends-on-eta-over-s', chi2, {
      expected: `< ${chi2Max.toFixed(2)} (χ², ${dof} dof, 99.9 %)`,
      tolerance: 0,
      holds: chi2 < chi2Max,
    }),
    claim('occupancy-changes-with-eta-over-s', Math.min(...steps), {
      expected: '> 3 (smallest step / its standard error)',
      tolerance: 0,
      holds: Math.min(...steps) > 3,
    }),
    claim('occupancy-matches-boltzmann', Math.max(...z.map(Math.abs)), {
      expected: '≤ 1 (largest |r̄ − r_Boltzmann| / tolerance)',
      tolerance: 0,
      holds: Math.max(...z.map(Math.abs)) <= 1,
    }),
  ];
  const all = groups.flatMap((g) => g.points);
  const results = {
    landscape: { ...shape, noise: sigma, dataSize: M, wide: crit.wide, sharp: crit.sharp, barrier: crit.barrier },
    chains: K,
    time: p.time,
    groups,
    chi2: { value: chi2, dof, quantile999: chi2Max },
    stepsInStandardErrors: steps,
    transitions: all.reduce((s, q) => s + q.transitions, 0),
    minTransitionsPerChain: Math.min(...all.map((q) => q.minTransitionsPerChain)),
  };
  return { results, claims, plots: plots(groups, multiples, shape, sigma, dividing, K, p.time) };
}

interface PlannedPoint {
  eta: number;
  S: number;
  steps: number;
}
interface PlannedGroup {
  S0: number;
  n: number;
  T: number;
  theory: ReturnType<typeof wellsOccupancy>;
  points: PlannedPoint[];
}
interface PointResult {
  eta: number;
  batchSize: number;
  etaOverS: number;
  steps: number;
  pWide: number;
  pSharp: number;
  pStdError: number;
  logRatio: number;
  logRatioStdError: number;
  transitions: number;
  minTransitionsPerChain: number;
  discreteStepEstimate: number;
}
interface GroupResult {
  etaOverS: number;
  temperature: number;
  batchSizeAtEta0: number;
  points: PointResult[];
  logRatio: number;
  logRatioStdError: number;
  chi2: number;
  boltzmannLogRatio: number;
  laplaceLogRatio: number;
  discreteStepEstimate: number;
}
type Group = GroupResult;

/** 002: log(p_wide/p_sharp) per (η, S) vs η/S (log axis) with the Boltzmann and Laplace curves, and the residuals from the group means. */
function plots(
  groups: Group[],
  multiples: number[],
  shape: typeof WELLS_DEFAULTS,
  sigma: number,
  dividing: number,
  K: number,
  time: number,
) {
  const lo = groups[0].etaOverS * 0.8,
    hi = groups[groups.length - 1].etaOverS * 1.2,
    grid = Array.from({ length: 60 }, (_, i) => lo * (hi / lo) ** (i / 59));
  const theory = grid.map((n) => wellsOccupancy(shape, (n * sigma * sigma) / 2, dividing));
  const sizes = `σ = ${sigma}, K = ${K} chains × t = η·steps = ${time} per (η, S); bars: 95 % intervals`;
  const dodge = (j: number) => 1 + 0.04 * (j - (multiples.length - 1) / 2); // points of one η/S side by side (log axis)
  const names = multiples.map((m) => (m === 1 ? 'η = η₀, S = S₀' : `η = ${m}η₀, S = ${m}S₀`));
  const occupancy = pointsAndLines({
    title: '(a) occupancy depends on η/S alone (002 Eq. 3)',
    subtitle: [
      sizes,
      `η₀ = ${groups[0].points[0].eta}; S₀ = ${groups.map((g) => g.batchSizeAtEta0).join(', ')}; points of one η/S offset sideways`,
    ],
    xTitle: 'n = η/S',
    yTitle: 'r = log(P(wide well) / P(sharp well))',
    logX: true,
    points: multiples.map((_, j) => ({
      name: names[j],
      x: groups.map((g) => g.etaOverS * dodge(j)),
      y: groups.map((g) => g.points[j].logRatio),
      lo: groups.map((g) => g.points[j].logRatio - 1.96 * g.points[j].logRatioStdError),
      hi: groups.map((g) => g.points[j].logRatio + 1.96 * g.points[j].logRatioStdError),
    })),
    lines: [
      { name: 'Boltzmann exp(−2L/(nσ²)), quadrature', x: grid, y: theory.map((t) => t.logRatio) },
      { name: '002 Eq. 3 (Laplace: √det H ratio)', x: grid, y: theory.map((t) => t.laplaceLogRatio), dashed: true },
    ],
  });
  const chi2 = groups.reduce((s, g) => s + g.chi2, 0),
    dof = groups.length * (multiples.length - 1);
  const residual = pointsAndLines({
    title: '(b) equal η/S: each (η, S) minus its group mean',
    subtitle: [sizes, `r = log(P(wide well) / P(sharp well)); χ² = ${chi2.toFixed(2)} for ${dof} degrees of freedom`],
    xTitle: 'n = η/S',
    yTitle: 'r − r̄ (r̄: mean of its η/S group)',
    logX: true,
    points: multiples.map((_, j) => ({
      name: names[j],
      x: groups.map((g) => g.etaOverS * dodge(j)),
      y: groups.map((g) => g.points[j].logRatio - g.logRatio),
      lo: groups.map((g) => g.points[j].logRatio - g.logRatio - 1.96 * g.points[j].logRatioStdError),
      hi: groups.map((g) => g.points[j].logRatio - g.logRatio + 1.96 * g.points[j].logRatioStdError),
    })),
    lines: [{ name: 'η/S alone sets the occupancy: 0', x: [lo, hi], y: [0, 0], dashed: true }],
  });
  return {
    'occupancy-vs-eta-over-s': occupancy,
    'occupancy-residuals': residual,
    'three-factors': panel([occupancy, residual], 2),
  };
}
