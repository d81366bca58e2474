import {
  findMinimum,
  nessTheory,
  norm,
  resolvePlugin,
  solve,
  symmetricEigen,
  type FokkerPlanck,
  type Landscape,
  type Optimizer,
  type Sampler,
  type ScenarioContext,
  type SimulationOutcome,
} from '@nesslab/kernel';
import type { CirculationResult, Marginal2dResult, MomentsResult } from '@nesslab/observers';
import { pointsAndLines, scatterVsTheory, type Claim } from '@nesslab/report';
import { defineScenario, type AnalyseTools, type ScenarioParams } from '../define-scenario.ts';
import { scaledSigmaError, sigmaPoints, spearman } from '../stats/compare.ts';
import {
  boltzmannShape,
  crossSectionPanel,
  ellipseMass,
  histogramCentroid,
  planeGaussian,
  sameArea,
  windowAround,
  type Pair,
} from '../shared/cross-section.ts';

const params = {
  eta: {
    type: 'number',
    description: 'η, learning rate (004 §4.1 uses 1e-7 for the regression; Fig. 2C does not restate it)',
    default: 1e-7,
    exclusiveMinimum: 0,
  },
  zeta: {
    type: 'number',
    description: 'ζ, standard deviation of the random shift of the argument (Fig. 2C: 1e-4)',
    default: 1e-4,
    exclusiveMinimum: 0,
  },
  chains: { type: 'integer', description: 'chains, started at θ₀', default: 16, minimum: 2 },
  steps: { type: 'integer', description: 'steps per chain', default: 6_000_000, minimum: 1 },
  burnIn: {
    type: 'integer',
    description:
      'steps discarded: the centre moves from θ₀ to the minimum of the smoothed loss, ~4σ along the flattest direction at η = 1e-7, relaxing in 1/(η h_min) ≈ 1.8e5 steps',
    default: 1_000_000,
    minimum: 0,
  },
  wrBatchSize: {
    type: 'integer',
    description: 'm of the WR SGD whose theoretical circulation (Eq. 25, same η) sets the scale for "no circulation"',
    default: 10,
    minimum: 1,
  },
  sigmaTolerance: {
    type: 'number',
    description: 'largest |Σ_sim − Σ_theory| allowed, in units of √(Σ_ii Σ_jj)',
    default: 0.04,
    exclusiveMinimum: 0,
  },
  varianceTolerance: {
    type: 'number',
    description: 'largest |v_α/v_α,theory − 1| allowed for the variance along each eigenvector of H₀',
    default: 0.3,
    exclusiveMinimum: 0,
  },
  circulationStdErrors: {
    type: 'number',
    description: 'max|C_ij| must be within this many times the largest standard error of C (chain spread)',
    default: 5,
    exclusiveMinimum: 0,
  },
} as const;

const claims = {
  'no-circulation':
    'C = ⟨A⟩/ℓ (Eq. 26, 28) of the earthquake chains is zero within the standard errors (max|C_ij| ≤ k·max stdError), reported as a ratio to max|C| of WR SGD (Eq. 25) at the same η, m = 10: an equilibrium',
  'inverse-variance-flatness':
    'the variance of θ along each eigenvector of H₀ equals (ηζ²/2)h_α/(1 − ηh_α/2) within the tolerance: it grows with the curvature h_α (~500× from the flattest to the steepest direction), the opposite of a Boltzmann distribution on 𝓛',
  'sigma-matches-equilibrium-theory':
    'every one of the 28 elements of Σ (about the sample mean) within the tolerance of (ηζ²/2)H₀(I − ηH₀/2)⁻¹ (Eq. 34, discrete time), on the scale √(Σ_ii Σ_jj)',
} as const;

/**
 * 004 §4.5, Eq. 31–34 and Fig. 2C: the earthquake model θ ← θ − η∇𝓛(θ + ζz) on the tanh regression near θ₀.
 * An equilibrium (no circulation) at temperature ηζ²/2 on 𝓛^quake, whose Hessian is H₀⁻¹, so that
 * Σ = (ηζ²/2)H₀ grows with the curvature: the inverse variance–flatness relation without any current.
 * Theory in discrete time, exact for the quadratic part: Σ = (ηζ²/2)H₀(I − ηH₀/2)⁻¹ (docs/science.md §7).
 */
export const earthquakeNess = defineScenario({
  name: 'earthquake-ness',
  title: 'Earthquake model on the tanh regression: equilibrium (C = 0) with Σ ∝ H₀, inverse variance–flatness',
  reproduces:
    'seed 004 (Machine learning in and out of equilibrium) §4.5, Eq. 31–34, Fig. 2C: full-batch gradient at a randomly shifted argument, ζ = 1e-4; the stationary state is an equilibrium on 𝓛^quake (Hessian H₀⁻¹) at temperature ηζ²/2 (the printed "β = ηζ²/2" is the temperature, docs/science.md §7): no circulation, and the variance largest along the steepest directions of 𝓛; the panel-C cross-section in the (δθ₆, δθ₇) plane in units Θ of WR SGD.',
  params,
  presets: {
    // full: the paper's η = 1e-7 (004 §4.1; Fig. 2C does not restate η, and docs/science.md §7's "a few standard deviations"
    // for the centre's shift holds at 1e-7: 4.4σ along the flattest direction). Fig. 3 used ~1e7–1e8 steps; here
    // 16 chains × 6e6 steps = 9.6e7 steps, 6.5 min on 2 cores (measured: 1.2e5 steps/s per core; the full-batch
    // gradient is 200 samples). Burn-in 1e6 = 5.5 relaxation times 1/(η h_min) = 1.8e5 of the flattest direction:
    // 0.02σ of the shift left. Effectively independent samples: along eigen-direction α the chain is AR(1) with ρ = 1 − ηh_α, and a
    // sample variance has relative standard error √(2(1 + ρ²)/((1 − ρ²)·count)), count = 16 × 5e6 = 8e7: 0.067 along
    // the flattest direction (h = 55), 0.009–0.012 along the middle ones (h = 1.8e3–3.1e3), 0.003 along the steepest
    // (h = 2.8e4). Σ in the θ basis carries the middle directions too: measured largest chain-spread standard error
    // 0.0085 of √(Σ_ii Σ_jj), tolerance 0.04 ≈ 5 of them. Per effectively independent sample full is the weaker run
    // (η h·count = 8 along the flattest direction, 22 in quick). Projected variances: 0.3 ≈ 4.5 standard errors of
    // the flattest direction. A run that resolves the 6 % gap between the two flattest eigenvalues (55.0, 58.5;
    // Spearman = 1) at 4σ needs ~30× more steps: hours, not minutes.
    full: {},
    // quick: η = 1.5e-5 relaxes 150× faster in steps, η h_max = 0.42 (the discrete factor (1 − ηh/2)⁻¹ = 1.27 is in
    // the theory, exact for the quadratic part: the cubic terms of 𝓛 change the noise along the flattest direction by
    // ζ² tr(T_α²)/(2h_α²) ≈ 2e-4, measured from H₀'s finite differences). 16 chains × 1e5 steps = 1.6e6 steps, ~7 s on
    // 2 cores. Burn-in 6e3 = 5 relaxation times of the flattest direction (1/(η h_min) = 1.2e3). Standard errors
    // (formula above, count = 16 × 9.4e4 = 1.5e6): 0.040 along the flattest direction → 0.2 (5 of them); Σ elements
    // ≤ 0.0052 of √(Σ_ii Σ_jj) (chain spread, measured over seeds 1–5) → 0.025.
    quick: { eta: 1.5e-5, chains: 16, steps: 100_000, burnIn: 6_000, sigmaTolerance: 0.025, varianceTolerance: 0.2 },
  },
  claims,
  plan,
  analyse,
  figures: (_p, analysis) => analysis.plots,
});

type Params = ScenarioParams<typeof params>;

/** θ₀, the equilibrium theory (Σ, the predicted centre) and WR SGD's circulation scale, the Fig. 2C plane, and the one simulation. */
async function plan(p: Params, ctx: ScenarioContext) {
  const eta = p.eta,
    zeta = p.zeta,
    m = p.wrBatchSize;
  const landscapeRef = { name: 'tanh-regression' };
  const landscape: Landscape = await ctx.plugin('landscape', {
    ...landscapeRef,
    params: { epsilon: 0.1, lambda: 10, data: 'paper', dataSeed: 0, dataSize: 200 },
  });
  const theta0 = findMinimum(landscape, ctx.seed);
  const N = landscape.dim;
  const grad = new Float64Array(N);
  landscape.gradient(theta0, grad);
  // The optimizer's own Fokker–Planck prediction: its temperature ηζ²/2 sets Σ.
  const sampler: Sampler = resolvePlugin(ctx.container, 'sampler', 'full-batch', 'sampler');
  sampler.configure({}, landscape.dataSize);
  const optimizer: Optimizer = resolvePlugin(ctx.container, 'optimizer', 'earthquake', 'optimizer');
  optimizer.configure({ eta, zeta }, landscape, sampler);
  const fp: FokkerPlanck = optimizer.fokkerPlanck!();
  const temperature = fp.temperature!;
  // WR SGD at the same η: H₀ (symmetrised), its eigen-decomposition, and the circulation scale of a NESS.
  const wr = nessTheory(landscape, theta0, eta, m);
  const { values: h, vectors: O } = symmetricEigen(wr.hessian, N);
  const wrCircScale = Math.max(...Array.from(wr.circulation, Math.abs));

  // Σ = O diag(T h/(1 − ηh/2)) Oᵀ (discrete, exact for the quadratic part) and T·H₀ (continuous, Eq. 34).
  const vTheory = Array.from(h, (x) => (temperature * x) / (1 - (eta * x) / 2));
  const vContinuous = Array.from(h, (x) => temperature * x);
  const inBasis = (d: number[]) =>
    Array.from({ length: N }, (_, i) =>
      Array.from({ length: N }, (_, j) => d.reduce((s, v, a) => s + O[i * N + a] * v * O[j * N + a], 0)),
    );
  const sigmaTheory = inBasis(vTheory),
    sigmaContinuous = inBasis(vContinuous);

  // The centre: the minimum of the loss smoothed by θ + ζz, whose covariance about θ₀ is W = Σ + ζ²I = ζ²(I − ηH₀/2)⁻¹:
  // E∇𝓛 = 0 gives δ = −H₀⁻¹ ½∇tr(H W) to second order (docs/science.md §7's −(ζ²/2)H₀⁻¹∇tr H is W = ζ²I).
  const W = inBasis(Array.from(h, (x) => (zeta * zeta) / (1 - (eta * x) / 2)));
  const shiftPredicted = predictedShift(landscape, theta0, wr.hessian, W);
  // 004 Fig. 2C: the (δθ₆, δθ₇) plane in units Θ of the WR theory (same η, m), centred on θ₀; the cloud sits at the
  // predicted centre, with the discrete-time equilibrium Σ.
  const plane: Pair = [5, 6],
    scales: Pair = [Math.sqrt(wr.sigma[5 * N + 5]), Math.sqrt(wr.sigma[6 * N + 6])];
  const gQuake = planeGaussian(
    Array.from(theta0, (t, a) => t + shiftPredicted[a]),
    sigmaTheory.flat(),
    N,
    plane,
    theta0,
    scales,
  );
  const histogram = {
    name: 'marginal-2d',
    params: { components: [6, 7], scales, ...windowAround(gQuake, [[0, 0]]), bins: 40, burnIn: p.burnIn },
  };
  const spec = {
    seed: ctx.seed,
    landscape: landscapeRef,
    sampler: { name: 'full-batch' },
    optimizer: { name: 'earthquake', params: { eta, zeta } },
    observers: [
      { name: 'moments', params: { burnIn: p.burnIn } },
      { name: 'circulation', params: { burnIn: p.burnIn } },
      histogram,
    ],
    chains: p.chains,
    steps: p.steps,
    init: { kind: 'minimum' },
  };
  const simulations = [{ label: 'earthquake stationary state', spec, reference: theta0 }];
  return {
    simulations,
    landscape,
    theta0,
    N,
    grad,
    fp,
    temperature,
    wr,
    h,
    O,
    wrCircScale,
    vTheory,
    vContinuous,
    inBasis,
    sigmaTheory,
    sigmaContinuous,
    shiftPredicted,
    plane,
    scales,
    gQuake,
  };
}

/** Σ, the projected variances, the circulation and the centre against the theory, the claims, and the figures. */
function analyse(
  p: Params,
  outcomes: readonly SimulationOutcome[],
  planned: Awaited<ReturnType<typeof plan>>,
  { claim }: AnalyseTools<keyof typeof claims>,
) {
  const {
    landscape,
    theta0,
    N,
    grad,
    fp,
    temperature,
    wr,
    h,
    O,
    wrCircScale,
    vTheory,
    vContinuous,
    inBasis,
    sigmaTheory,
    sigmaContinuous,
    shiftPredicted,
    plane,
    scales,
    gQuake,
  } = planned;
  const eta = p.eta,
    zeta = p.zeta,
    m = p.wrBatchSize;
  const [sim] = outcomes as [SimulationOutcome];
  const moments = sim.observers.moments as MomentsResult,
    circ = sim.observers.circulation as CirculationResult;

  // Σ element-wise on the √(Σ_ii Σ_jj) scale (docs/science.md §6), measured about the sample mean (the centre is not θ₀).
  const sigmaErr = scaledSigmaError(moments.covariance, sigmaTheory);
  const sigmaStdErrorScaled = Math.max(
    ...sigmaTheory.flatMap((row, a) =>
      row.map((_, b) => moments.covarianceStdError[a][b] / Math.sqrt(sigmaTheory[a][a] * sigmaTheory[b][b])),
    ),
  );

  // Variance along each eigenvector o_α of H₀: v_α = o_αᵀ Σ o_α. Standard error from the effectively independent
  // samples of an AR(1) mode with ρ = 1 − ηh_α: relative √(2(1 + ρ²)/((1 − ρ²)·count)).
  const project = (S: number[][], a: number) =>
    S.reduce((s, row, i) => s + row.reduce((t, x, j) => t + O[i * N + a] * x * O[j * N + a], 0), 0);
  const vSim = Array.from({ length: N }, (_, a) => project(moments.covariance, a));
  const vStdError = vTheory.map((v, a) => {
    const r = 1 - eta * h[a];
    return v * Math.sqrt((2 * (1 + r * r)) / ((1 - r * r) * moments.count));
  });
  const vRelErr = vSim.map((v, a) => v / vTheory[a] - 1);
  const vMaxRelErr = Math.max(...vRelErr.map(Math.abs));
  const rho = spearman(Array.from(h), vSim);

  // Circulation: zero within k standard errors; the ratio to WR SGD's max|C| states how far from a NESS.
  const cMax = Math.max(...circ.circulation.flat().map(Math.abs));
  const cMaxStdError = Math.max(...circ.stdError.flat());
  const cMaxZ = Math.max(
    ...circ.circulation.flatMap((row, a) => row.map((c, b) => (a === b ? 0 : Math.abs(c) / circ.stdError[a][b]))),
  );
  const circTolerance = (p.circulationStdErrors * cMaxStdError) / wrCircScale;
  const circRatio = cMax / wrCircScale;
  // The earthquake's own scale: D = ½η²ζ²H₀² (C = ηH₀Σ − D would be of its size for a NESS of this Σ).
  const ownScale = Math.max(
    ...inBasis(Array.from(h, (x) => 0.5 * eta * eta * zeta * zeta * x * x))
      .flat()
      .map(Math.abs),
  );

  const shiftLeading = predictedShift(landscape, theta0, wr.hessian, inBasis(Array.from(h, () => zeta * zeta)));
  const shift = moments.mean.map((x, a) => x - theta0[a]);
  const along = (v: ArrayLike<number>) =>
    Array.from({ length: N }, (_, a) => {
      let s = 0;
      for (let i = 0; i < N; i++) s += O[i * N + a] * v[i];
      return s;
    });
  const sd = vTheory.map(Math.sqrt);
  const gradNorm = norm(grad);
  // Fig. 2C: the histogram's mass inside the 1-σ ellipse of the equilibrium theory's marginal; Boltzmann shape H₀⁻¹.
  const hist = sim.observers['marginal-2d'] as Marginal2dResult;
  const shape = sameArea(boltzmannShape(wr.hessian, N, plane, scales), gQuake.sigma);
  const crossSection = {
    components: [6, 7],
    scales,
    histogram: hist,
    theoryCentre: gQuake.centre,
    theorySigma: gQuake.sigma,
    centroid: histogramCentroid(hist),
    ellipseMass: ellipseMass(hist, gQuake),
    boltzmannSigma: shape,
  };
  const panel = crossSectionPanel({
    title: 'C · earthquake model, units Θ of WR SGD (004 Fig. 2C)',
    components: [6, 7],
    histogram: hist,
    theory: gQuake,
    boltzmann: { centre: [0, 0], sigma: shape },
    current: null,
    centre: { name: 'centre: smoothed-loss minimum', at: gQuake.centre },
  });

  const claims: Claim[] = [
    claim('no-circulation', circRatio, { expected: 0, tolerance: circTolerance, holds: circRatio <= circTolerance }),
    claim('inverse-variance-flatness', vMaxRelErr, {
      expected: 0,
      tolerance: p.varianceTolerance,
      holds: vMaxRelErr <= p.varianceTolerance,
    }),
    claim('sigma-matches-equilibrium-theory', sigmaErr.max, {
      expected: 0,
      tolerance: p.sigmaTolerance,
      holds: sigmaErr.max <= p.sigmaTolerance,
    }),
  ];
  const results = {
    theta0: [...theta0],
    gradientNormAtTheta0: gradNorm,
    hessianEigenvalues: [...h],
    eta,
    zeta,
    temperature,
    chains: p.chains,
    steps: p.steps,
    burnIn: p.burnIn,
    count: moments.count,
    fokkerPlanck: fp,
    sigma: {
      simulation: moments.covariance,
      theory: sigmaTheory,
      theoryContinuous: sigmaContinuous,
      stdError: moments.covarianceStdError,
      scaledError: sigmaErr.rows,
      maxScaledStdError: sigmaStdErrorScaled,
    },
    mean: {
      simulation: moments.mean,
      stdError: moments.meanStdError,
      displacement: shift,
      displacementNorm: Math.hypot(...shift),
      predicted: [...shiftPredicted],
      predictedLeading: [...shiftLeading],
      // Along H₀'s eigenvectors, in units of the theoretical standard deviation √v_α of the cloud.
      eigenBasis: {
        measured: along(shift).map((x, a) => x / sd[a]),
        predicted: along(shiftPredicted).map((x, a) => x / sd[a]),
        stdError: vTheory.map((v, a) => meanStdErrorAlong(v, eta * h[a], moments.count) / sd[a]),
      },
    },
    projectedVariance: {
      eigenvalues: [...h],
      simulation: vSim,
      theory: vTheory,
      theoryContinuous: vContinuous,
      stdError: vStdError,
      relativeError: vRelErr,
      spearman: rho,
      steepToFlatRatio: { simulation: vSim[N - 1] / vSim[0], theory: vTheory[N - 1] / vTheory[0] },
    },
    crossSection,
    circulation: {
      simulation: circ.circulation,
      stdError: circ.stdError,
      maxAbs: cMax,
      maxStdError: cMaxStdError,
      maxZ: cMaxZ,
      wrTheoryScale: wrCircScale,
      wrBatchSize: m,
      ratioToWr: circRatio,
      ownDiffusionScale: ownScale,
      ratioToOwnDiffusion: cMax / ownScale,
    },
  };
  return { results, claims, plots: { ...plots(results), 'cross-section': panel } };
}

/** Standard error of a mode's mean: √(v (1 + ρ)/((1 − ρ)·count)), ρ = 1 − ηh. */
function meanStdErrorAlong(v: number, etaH: number, count: number) {
  return Math.sqrt((v * (2 - etaH)) / (etaH * count));
}

/**
 * δ = −H₀⁻¹ g, g_γ = ½ Σ_ab ∂_γH_ab W_ab, ∂_γH by central differences of the exact Hessian (step 1e-5: truncation
 * ~1e-10 relative, rounding ~1e-9 of ∂H).
 */
function predictedShift(landscape: Landscape, theta0: Float64Array, H0: Float64Array, W: number[][]) {
  const N = landscape.dim,
    step = 1e-5,
    hp = new Float64Array(N * N),
    hm = new Float64Array(N * N),
    g = new Float64Array(N);
  for (let c = 0; c < N; c++) {
    const tp = Float64Array.from(theta0),
      tm = Float64Array.from(theta0);
    tp[c] += step;
    tm[c] -= step;
    landscape.hessian(tp, hp);
    landscape.hessian(tm, hm);
    let s = 0;
    for (let a = 0; a < N; a++)
      for (let b = 0; b < N; b++) s += ((hp[a * N + b] - hm[a * N + b]) / (2 * step)) * W[a][b];
    g[c] = 0.5 * s;
  }
  return solve(H0, N, g).map((x) => -x);
}

type PlotInput = {
  temperature: number;
  sigma: { simulation: number[][]; theory: number[][]; stdError: number[][] };
  projectedVariance: { eigenvalues: number[]; simulation: number[]; theory: number[]; stdError: number[] };
};

function plots(r: PlotInput) {
  const pv = r.projectedVariance,
    T = r.temperature,
    order = pv.eigenvalues.map((_, a) => a).sort((a, b) => pv.eigenvalues[a] - pv.eigenvalues[b]),
    h = order.map((a) => pv.eigenvalues[a]);
  return {
    sigma: scatterVsTheory({
      title: 'Earthquake covariance Σ: simulation vs (ηζ²/2)H₀(I − ηH₀/2)⁻¹ (004 Eq. 34)',
      points: sigmaPoints(r.sigma.simulation, r.sigma.theory, r.sigma.stdError),
      xTitle: 'theory Σᵢⱼ/√(ΣᵢᵢΣⱼⱼ)',
      yTitle: 'simulation Σᵢⱼ/√(ΣᵢᵢΣⱼⱼ)',
    }),
    'variance-vs-eigenvalue': pointsAndLines({
      title: "Variance along H₀'s eigenvectors grows with the curvature (004 Fig. 2C)",
      subtitle: 'theory Th/(1 − ηh/2); Boltzmann on ℒ: T/h; T = ηζ²/2',
      xTitle: 'eigenvalue hₐ of H₀',
      yTitle: 'variance oₐᵀΣoₐ of θ along oₐ',
      logX: true,
      logY: true,
      points: [{ name: 'simulation', x: pv.eigenvalues, y: pv.simulation, stdError: pv.stdError }],
      lines: [
        { name: 'theory Th/(1 − ηh/2)', x: h, y: order.map((a) => pv.theory[a]) },
        { name: 'Boltzmann on ℒ: T/h', x: h, y: h.map((x) => T / x), dashed: true },
      ],
    }),
  };
}
