import {
  findMinimum,
  nessTheory,
  norm,
  ScenarioError,
  toRows,
  worTheory,
  type Landscape,
  type ScenarioContext,
  type SimulationOutcome,
  type SimulationRequest,
} from '@nesslab/kernel';
import type { CirculationResult, Marginal2dResult, MomentsResult, RelativeLossResult } from '@nesslab/observers';
import { curves, scatterVsTheory, subscript, type Claim } from '@nesslab/report';
import { defineScenario, type AnalyseTools, type ScenarioParams } from '../define-scenario.ts';
import { scaledSigmaError, sigmaPoints } from '../stats/compare.ts';
import {
  boltzmannShape,
  crossSectionPanel,
  ellipseMass,
  histogramCentroid,
  planeGaussian,
  planeMatrix,
  sameArea,
  windowAround,
  type Pair,
} from '../shared/cross-section.ts';

const params = {
  eta: {
    type: 'number',
    description: 'η, learning rate of the stationary-state runs',
    default: 1e-7,
    exclusiveMinimum: 0,
  },
  batchSize: { type: 'integer', description: 'm, minibatch size', default: 10, minimum: 1 },
  chains: {
    type: 'integer',
    description: 'chains per sampler in the stationary-state runs (started at θ₀)',
    default: 200,
    minimum: 2,
  },
  steps: {
    type: 'integer',
    description: 'steps per chain in the stationary-state runs',
    default: 1_500_000,
    minimum: 1,
  },
  burnIn: {
    type: 'integer',
    description: 'steps discarded before measuring Σ and C (the slowest mode relaxes in ~1/(η h_min) steps)',
    default: 300_000,
    minimum: 0,
  },
  worSteps: {
    type: 'integer',
    description: 'steps per chain in the WOR stationary-state run (started at θ₀)',
    default: 2_000_000,
    minimum: 1,
  },
  worBurnIn: {
    type: 'integer',
    description:
      'WOR steps discarded: the centre must travel from θ₀ to θ̂₀ (slowest rate ≈ 5.5e-6 η/1e-7 per step); 5.5 e-folds leave < 0.5 % of the ~30σ offset',
    default: 1_000_000,
    minimum: 0,
  },
  trainingEta: {
    type: 'number',
    description: 'η of the training curves (Fig. 1C)',
    default: 1e-7,
    exclusiveMinimum: 0,
  },
  trainingChains: {
    type: 'integer',
    description: 'runs per sampler for the training curves',
    default: 1000,
    minimum: 2,
  },
  trainingSteps: { type: 'integer', description: 'steps per training run', default: 200_000, minimum: 1 },
  sigmaTolerance: {
    type: 'number',
    description: 'largest |Σ_sim − Σ_theory| allowed, in units of √(Σ_ii Σ_jj)',
    default: 0.05,
    exclusiveMinimum: 0,
  },
  circulationTolerance: {
    type: 'number',
    description: 'largest |C_sim − C_theory| allowed, in units of max |C_theory|',
    default: 0.15,
    exclusiveMinimum: 0,
  },
  worSigmaAllowance: {
    type: 'number',
    description:
      'room for the O(ηn·h_max/2) terms the leading-order WOR theory leaves out (0.028 at η = 1e-7, measured ~2 % as docs/science.md §6 says; 0.28 at η = 1e-6, measured 25 %); 4 standard errors of the worst element are added',
    default: 0.05,
    exclusiveMinimum: 0,
  },
  worMeanTolerance: {
    type: 'number',
    description: 'largest |mean_WOR − θ̂₀| allowed, in units of |θ̂₀ − θ₀| (the shift Eq. 16 predicts)',
    default: 0.1,
    exclusiveMinimum: 0,
  },
} as const;

const claims = {
  'theta0-is-minimum': '|∇𝓛(θ₀)| < 1e-8 at the minimum found by Newton in float64',
  'wr-sigma-matches-theory':
    'every one of the 28 elements of Σ_WR within the tolerance of the Lyapunov solution (Eq. 21–23), on the scale √(Σ_ii Σ_jj)',
  'wr-circulation-matches-theory':
    'C_WR = ⟨A⟩/ℓ (Eq. 26, 28) matches ½η(H₀Σ − ΣH₀) (Eq. 25) on the scale of its largest element',
  'wor-mean-at-effective-minimum':
    'the WOR stationary mean (chains started at θ₀) lands on θ̂₀ = argmin 𝓛̂ (Eq. 16), not on θ₀: |mean − θ̂₀| within the tolerance, in units of |θ̂₀ − θ₀|',
  'wor-sigma-matches-theory':
    'Σ_WOR at epoch boundaries matches the Lyapunov solution with Ĥ = ∇²𝓛̂(θ̂₀) and the full D̂ (App. B–C, Eq. B18), time in epochs, on the √(Σ_ii Σ_jj) scale',
  'wor-sigma-far-below-wr':
    "tr Σ_WOR / tr Σ_WR (WOR at epoch boundaries) within a factor 10 of 1e-4·(η/1e-7)²: ~10⁻⁴ at the paper's η, and Σ_WOR ∝ η³ (Eq. 18) against Σ_WR ∝ η (Eq. 14)",
} as const;

/**
 * 004 §4.1–4.3: the tanh regression near its minimum θ₀ under WR and WOR SGD. Σ and C of the WR
 * stationary state against the Lyapunov theory (Eq. 14, 21–25), the WOR state's tiny covariance and
 * displaced centre, and the training curves of Fig. 1C.
 */
export const regressionNess = defineScenario({
  name: 'regression-ness',
  title: 'Tanh regression: WR vs WOR SGD stationary states, Σ and C vs theory, Fig. 1C curves',
  reproduces:
    "seed 004 (Machine learning in and out of equilibrium): Fig. 1C training curves (relative loss, WR vs WOR, η = 1e-7, m = 10, 1000 runs × 2e5 steps from a random start) and Fig. 3 (Σ and C of the WR NESS, simulation vs the Lyapunov theory of Eq. 14, 21–25, all 28 independent elements); the WOR covariance ~10⁴ below WR; Fig. 2A–B: the marginal in the (δθ₆, δθ₇) plane in units Θ = Σ_αα^{1/2} of WR, with the theory's equiprobability lines, the Boltzmann lines of 𝓛, the marginal current and θ̂₀.",
  params,
  presets: {
    full: {},
    // Tolerances are ~4 standard errors of the worst element for the run length (measured: largest standard error
    // 0.026 of √(Σ_ii Σ_jj) and 0.06 of max|C| in quick; full has ~6× the independent samples of the slowest mode,
    // τ = 1/(η h_min) ≈ 1.8e5 steps, so ≈ 0.011 and 0.035), plus the O(η h_max/2) discrete-time bias of the
    // continuous Lyapunov theory (1.4 % at η = 1e-6, 0.14 % at 1e-7).
    // quick: η ×10 relaxes 10× faster in steps; Σ ∝ η is compared with theory at the same η.
    quick: {
      eta: 1e-6,
      chains: 40,
      steps: 250_000,
      burnIn: 50_000,
      worSteps: 300_000,
      worBurnIn: 100_000,
      trainingEta: 1e-6,
      trainingChains: 40,
      trainingSteps: 20_000,
      sigmaTolerance: 0.12,
      circulationTolerance: 0.25,
      worSigmaAllowance: 0.3,
      worMeanTolerance: 0.3,
    },
  },
  claims,
  plan,
  analyse,
  figures: (_p, analysis) => analysis.plots,
});

type Params = ScenarioParams<typeof params>;

/** The theory at θ₀ (NESS and WOR), the Fig. 2 plane, and the four simulations: WR and WOR stationary states, WR and WOR training curves. */
async function plan(p: Params, ctx: ScenarioContext) {
  const eta = p.eta,
    m = p.batchSize;
  const landscapeRef = { name: 'tanh-regression' };
  const landscape: Landscape = await ctx.plugin('landscape', {
    ...landscapeRef,
    params: { epsilon: 0.1, lambda: 10, data: 'paper', dataSeed: 0, dataSize: 200 },
  });
  const theta0 = findMinimum(landscape, ctx.seed);
  const grad = new Float64Array(landscape.dim);
  landscape.gradient(theta0, grad);
  const theory = nessTheory(landscape, theta0, eta, m);
  const N = landscape.dim;
  const worTh = guardWor(
    () => worTheory(landscape, theta0, eta, m),
    eta * (landscape.dataSize / m) * theory.eigenvalues[N - 1],
  );
  const thetaHat = worTh.effectiveMinimum.theta;
  // 004 Fig. 2: the (δθ₆, δθ₇) plane in units Θ_α = Σ_αα^{1/2} of the WR theory, in both panels.
  const plane: Pair = [5, 6],
    scales: Pair = [Math.sqrt(theory.sigma[5 * N + 5]), Math.sqrt(theory.sigma[6 * N + 6])];
  const gWr = planeGaussian(theta0, theory.sigma, N, plane, theta0, scales),
    gWor = planeGaussian(thetaHat, worTh.sigma, N, plane, theta0, scales);
  const shape = boltzmannShape(theory.hessian, N, plane, scales);
  // Windows: ±4 sd of the theory's marginal and the origin θ₀; WOR's is ~Σ_WOR/Σ_WR smaller (the paper's panel B scale).
  const histogram = (g: typeof gWr, extra: object) => ({
    name: 'marginal-2d',
    params: { components: [6, 7], scales, ...windowAround(g, [[0, 0]]), bins: 40, ...extra },
  });

  const base = { seed: ctx.seed, landscape: landscapeRef, optimizer: { name: 'sgd', params: { eta } } };
  const ness = (sampler: string, observers: object[]) => ({
    ...base,
    sampler: { name: sampler, params: { batchSize: m } },
    observers,
    chains: p.chains,
    steps: p.steps,
    init: { kind: 'minimum' },
  });
  const burn = { burnIn: p.burnIn };
  const wrSpec = ness('with-replacement', [
    { name: 'moments', params: burn },
    { name: 'circulation', params: burn },
    histogram(gWr, burn),
  ]);
  // WOR is measured at epoch boundaries, as 004 does: within an epoch θ sweeps a deterministic-looking loop far wider than the epoch-to-epoch spread.
  const epoch = Math.floor(landscape.dataSize / m);
  const worSpec = {
    ...ness('without-replacement', [
      { name: 'moments', params: { burnIn: p.worBurnIn, every: epoch } },
      histogram(gWor, { burnIn: p.worBurnIn, every: epoch }),
    ]),
    steps: p.worSteps,
  };
  const training = (sampler: string) => ({
    ...base,
    seed: ctx.seed + 1,
    optimizer: { name: 'sgd', params: { eta: p.trainingEta } },
    sampler: { name: sampler, params: { batchSize: m } },
    observers: [{ name: 'relative-loss' }],
    chains: p.trainingChains,
    steps: p.trainingSteps,
    init: { kind: 'random' },
  });
  // The live view's theory lines (--live): tr Σ, Σ₁₁ and ‖C‖ of the Lyapunov theory (Eq. 14, 21–25) and of WOR's (App. B–C).
  const trace = (S: ArrayLike<number>) => Array.from({ length: N }, (_, a) => S[a * N + a]!).reduce((t, x) => t + x, 0);
  const norm = (C: ArrayLike<number>) => Math.sqrt(Array.from(C).reduce((t, c) => t + c * c, 0));
  const simulations: SimulationRequest[] = [
    {
      label: 'WR stationary state',
      spec: wrSpec,
      reference: theta0,
      theory: {
        moments: { 'tr Σ': trace(theory.sigma), 'Σ₁₁': theory.sigma[0]! },
        circulation: { '‖C‖': norm(theory.circulation) },
      },
    },
    {
      label: 'WOR stationary state',
      spec: worSpec,
      reference: theta0,
      theory: { moments: { 'tr Σ': trace(worTh.sigma), 'Σ₁₁': worTh.sigma[0]! } },
    },
    { label: 'WR training curves', spec: training('with-replacement'), reference: theta0 },
    { label: 'WOR training curves', spec: training('without-replacement'), reference: theta0 },
  ];
  return { simulations, N, theta0, grad, theory, worTh, thetaHat, plane, scales, gWr, gWor, shape, epoch };
}

/** Σ, C and the WOR centre against the theory, the claims, and the figures (kept with the analysis: they share its numbers). */
function analyse(
  p: Params,
  outcomes: readonly SimulationOutcome[],
  planned: Awaited<ReturnType<typeof plan>>,
  { ctx, claim }: AnalyseTools<keyof typeof claims>,
) {
  const { N, theta0, grad, theory, worTh, thetaHat, plane, scales, gWr, gWor, shape, epoch } = planned;
  const eta = p.eta,
    m = p.batchSize;
  const [wr, wor, wrTrain, worTrain] = outcomes as [
    SimulationOutcome,
    SimulationOutcome,
    SimulationOutcome,
    SimulationOutcome,
  ];

  const wrMoments = wr.observers.moments as MomentsResult,
    worMoments = wor.observers.moments as MomentsResult;
  const wrCirc = wr.observers.circulation as CirculationResult;
  const sigmaTheory = toRows(theory.sigma, N),
    circTheory = toRows(theory.circulation, N);
  const sigmaErr = scaledSigmaError(wrMoments.covariance, sigmaTheory);
  const circScale = Math.max(...circTheory.flat().map(Math.abs));
  const circErr =
    Math.max(...wrCirc.circulation.flatMap((row, a) => row.map((c, b) => Math.abs(c - circTheory[a][b])))) / circScale;
  const trace = (s: number[][]) => s.reduce((acc, row, a) => acc + row[a], 0);
  const worRatio = trace(worMoments.covariance) / trace(wrMoments.covariance);
  const worExpected = 1e-4 * (eta / 1e-7) ** 2;
  const dist = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.hypot(...Array.from(a, (x, i) => x - b[i]));
  const worMeanError = dist(worMoments.mean, thetaHat) / dist(thetaHat, theta0);
  const worSigmaTheory = toRows(worTh.sigma, N);
  const worSigmaErr = scaledSigmaError(worMoments.covariance, worSigmaTheory);
  const worMaxStdError = Math.max(
    ...worSigmaTheory.flatMap((row, a) =>
      row.map((_, b) => worMoments.covarianceStdError[a][b] / Math.sqrt(worSigmaTheory[a][a] * worSigmaTheory[b][b])),
    ),
  );
  const worSigmaTolerance = p.worSigmaAllowance + 4 * worMaxStdError;
  const worShift = worMoments.mean.map((x, a) => x - theta0[a]);
  const gradNorm = norm(grad);
  // Fig. 2 per panel: WR mass inside the theory's 1-σ ellipse; WOR cloud centred on θ̂₀, not on θ₀ (the origin).
  const wrHist = wr.observers['marginal-2d'] as Marginal2dResult,
    worHist = wor.observers['marginal-2d'] as Marginal2dResult;
  const worCentroid = histogramCentroid(worHist);
  const crossSection = {
    components: [6, 7],
    scales,
    wr: { histogram: wrHist, theoryCentre: gWr.centre, theorySigma: gWr.sigma, ellipseMass: ellipseMass(wrHist, gWr) },
    wor: {
      histogram: worHist,
      theoryCentre: gWor.centre,
      theorySigma: gWor.sigma,
      ellipseMass: ellipseMass(worHist, gWor),
      centroid: worCentroid,
      centroidToEffectiveMinimum: Math.hypot(worCentroid[0] - gWor.centre[0], worCentroid[1] - gWor.centre[1]),
      effectiveMinimumToTheta0: Math.hypot(...gWor.centre),
    },
    boltzmannShape: shape,
  };
  const panels = {
    'cross-section-wr': crossSectionPanel({
      title: 'A · WR SGD, units Θ = √Σₐₐ of WR (004 Fig. 2A)',
      components: [6, 7],
      histogram: wrHist,
      theory: gWr,
      boltzmann: { centre: [0, 0], sigma: sameArea(shape, gWr.sigma) },
      current: planeMatrix(theory.circulation, N, plane, scales),
    }),
    'cross-section-wor': crossSectionPanel({
      title: 'B · WOR SGD (epoch ends), units Θ of WR (004 Fig. 2B)',
      components: [6, 7],
      histogram: worHist,
      theory: gWor,
      boltzmann: { centre: [0, 0], sigma: sameArea(shape, gWor.sigma) },
      current: planeMatrix(worTh.circulation, N, plane, scales),
      centre: { name: 'θ̂₀ = argmin ℒ̂ (Eq. 16)', at: gWor.centre },
    }),
  };

  const claims: Claim[] = [
    claim('theta0-is-minimum', gradNorm, { expected: 0, tolerance: 1e-8, holds: gradNorm < 1e-8 }),
    claim('wr-sigma-matches-theory', sigmaErr.max, {
      expected: 0,
      tolerance: p.sigmaTolerance,
      holds: sigmaErr.max <= p.sigmaTolerance,
    }),
    claim('wr-circulation-matches-theory', circErr, {
      expected: 0,
      tolerance: p.circulationTolerance,
      holds: circErr <= p.circulationTolerance,
    }),
    claim('wor-mean-at-effective-minimum', worMeanError, {
      expected: 0,
      tolerance: p.worMeanTolerance,
      holds: worMeanError <= p.worMeanTolerance,
    }),
    claim('wor-sigma-matches-theory', worSigmaErr.max, {
      expected: 0,
      tolerance: worSigmaTolerance,
      holds: worSigmaErr.max <= worSigmaTolerance,
    }),
    claim('wor-sigma-far-below-wr', worRatio, {
      expected: worExpected,
      tolerance: 'factor 10',
      holds: worRatio > worExpected / 10 && worRatio < worExpected * 10,
    }),
  ];
  const results = {
    theta0: [...theta0],
    gradientNormAtTheta0: gradNorm,
    hessianEigenvalues: [...theory.eigenvalues],
    eta,
    batchSize: m,
    steps: p.steps,
    chains: p.chains,
    burnIn: p.burnIn,
    wr: {
      mean: wrMoments.mean,
      sigma: {
        simulation: wrMoments.covariance,
        theory: sigmaTheory,
        stdError: wrMoments.covarianceStdError,
        scaledError: sigmaErr.rows,
      },
      circulation: { simulation: wrCirc.circulation, theory: circTheory, stdError: wrCirc.stdError },
      diffusion: toRows(theory.diffusion, N),
      relativeLoss: wrTrain.observers['relative-loss'] as RelativeLossResult,
    },
    wor: {
      mean: worMoments.mean,
      meanStdError: worMoments.meanStdError,
      effectiveMinimum: [...thetaHat],
      effectiveMinimumShift: dist(thetaHat, theta0),
      distanceToEffectiveMinimum: dist(worMoments.mean, thetaHat),
      distanceToTheta0: dist(worMoments.mean, theta0),
      displacementFromTheta0: worShift,
      displacementNorm: Math.hypot(...worShift),
      sigma: {
        simulation: worMoments.covariance,
        theory: worSigmaTheory,
        stdError: worMoments.covarianceStdError,
        scaledError: worSigmaErr.rows,
      },
      steps: p.worSteps,
      burnIn: p.worBurnIn,
      sigmaTraceRatioToWr: worRatio,
      sampledEvery: epoch,
      relativeLoss: worTrain.observers['relative-loss'] as RelativeLossResult,
    },
    crossSection,
    training: { eta: p.trainingEta, chains: p.trainingChains, steps: p.trainingSteps, seed: ctx.seed + 1 },
  };
  return { results, claims, plots: { ...plots(results, circScale), ...panels } };
}

type Compared = { simulation: number[][]; theory: number[][]; stdError: number[][] };
type PlotInput = {
  wr: { sigma: Compared; circulation: Compared; relativeLoss: RelativeLossResult };
  wor: { sigma: Compared; relativeLoss: RelativeLossResult };
};

/** The WOR theory, or one clear error naming η when its expansion in ηn·h (App. B–C) has broken down. */
function guardWor<T>(theory: () => T, etaNH: number): T {
  try {
    return theory();
  } catch (e) {
    throw new ScenarioError(
      'params.eta',
      `the WOR theory (004 App. B–C) expands in ηn·h_max, here ${etaNH.toPrecision(3)} (keep it ≪ 1): ${(e as Error).message}`,
    );
  }
}

function plots(r: PlotInput, circScale: number) {
  const N = r.wr.sigma.theory.length,
    circPoints = [];
  for (let a = 0; a < N; a++) {
    for (let b = a + 1; b < N; b++)
      circPoints.push({
        theory: r.wr.circulation.theory[a][b] / circScale,
        simulation: r.wr.circulation.simulation[a][b] / circScale,
        stdError: r.wr.circulation.stdError[a][b] / circScale,
        label: `C${subscript(a + 1)}${subscript(b + 1)}`,
      });
  }
  const axes = { xTitle: 'theory Σᵢⱼ/√(ΣᵢᵢΣⱼⱼ)', yTitle: 'simulation Σᵢⱼ/√(ΣᵢᵢΣⱼⱼ)' };
  return {
    'sigma-wr': scatterVsTheory({
      title: 'WR covariance Σ: simulation vs Lyapunov theory (004 Fig. 3)',
      points: sigmaPoints(r.wr.sigma.simulation, r.wr.sigma.theory, r.wr.sigma.stdError),
      ...axes,
    }),
    'sigma-wor': scatterVsTheory({
      title: 'WOR covariance at epoch boundaries vs theory with ℒ̂, D̂ (004 App. C)',
      points: sigmaPoints(r.wor.sigma.simulation, r.wor.sigma.theory, r.wor.sigma.stdError),
      ...axes,
    }),
    'circulation-wr': scatterVsTheory({
      title: 'WR circulation C: simulation vs theory (004 Fig. 3)',
      points: circPoints,
      xTitle: 'theory Cᵢⱼ / max|C|',
      yTitle: 'simulation Cᵢⱼ / max|C|',
    }),
    'training-curves': curves({
      title: 'Training curves, WR vs WOR SGD (004 Fig. 1C)',
      xTitle: 'step',
      yTitle: 'ℒ(θ)/ℒ(θ₀) − 1',
      logX: true,
      logY: true,
      series: [
        { name: 'WR', x: r.wr.relativeLoss.steps, mean: r.wr.relativeLoss.mean, sd: r.wr.relativeLoss.sd },
        { name: 'WOR', x: r.wor.relativeLoss.steps, mean: r.wor.relativeLoss.mean, sd: r.wor.relativeLoss.sd },
      ],
    }),
  };
}
