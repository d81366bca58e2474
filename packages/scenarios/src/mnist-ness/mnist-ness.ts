import {
  findMinimum,
  nessTheory,
  ScenarioError,
  toRows,
  type Landscape,
  type ScenarioContext,
  type SimulationOutcome,
  type SimulationRequest,
} from '@nesslab/kernel';
import { MnistLinear, mnistWorTheory } from '@nesslab/landscapes';
import type { CirculationResult, MomentsResult } from '@nesslab/observers';
import { crossSection, pointsAndLines, type Claim, type TopLevelSpec } from '@nesslab/report';
import { defineScenario, type AnalyseTools, type ScenarioParams } from '../define-scenario.ts';
import {
  areaLongRunVariance,
  blockEigen,
  flat,
  kroneckerBasis,
  project,
  twoSidedQuantile,
  varianceStdError,
} from './projections.ts';

/** 004 §4.2: 10 classes × 49 pooled pixels, the 60 000 training images. */
const K = 10,
  P = 49,
  M = 60_000;

const params = {
  eta: { type: 'number', description: 'η, learning rate (004 §4.2: 1e-4)', default: 1e-4, exclusiveMinimum: 0 },
  batchSize: {
    type: 'integer',
    description: 'm, minibatch size (004 §4.2: 100); must divide M = 60000 (WOR epochs of n = M/m steps)',
    default: 100,
    minimum: 1,
    maximum: M,
  },
  lambda: { type: 'number', description: 'λ of R = λ|θ|² (004 §4.2: 1e-2)', default: 1e-2, exclusiveMinimum: 0 },
  chains: { type: 'integer', description: 'WR chains (started at θ₀)', default: 48, minimum: 2 },
  steps: { type: 'integer', description: 'steps per WR chain', default: 2_000_000, minimum: 1 },
  burnIn: {
    type: 'integer',
    description: 'WR steps discarded before Σ and C are measured (direction k relaxes in 1/(ηh_k) steps)',
    default: 1_000_000,
    minimum: 0,
  },
  sampleEvery: {
    type: 'integer',
    description:
      'WR Σ from every k-th state: the stiffest direction relaxes in 1/(ηh_max) ≈ 2250 steps, so states 10 apart lose < 1 % of the information and cost 10× less',
    default: 10,
    minimum: 1,
  },
  worChains: { type: 'integer', description: 'WOR chains (started at θ̂₀ = argmin 𝓛̂)', default: 48, minimum: 2 },
  worSteps: { type: 'integer', description: 'steps per WOR chain', default: 2_400_000, minimum: 1 },
  worBurnIn: {
    type: 'integer',
    description: 'WOR steps discarded (direction k relaxes in 1/(ηĥ_k) epochs)',
    default: 900_000,
    minimum: 0,
  },
  minRelaxations: {
    type: 'number',
    description:
      'a direction is resolved when each chain counts at least this many of its relaxation times 1/(ηh_k) (WR steps; WOR epochs with ĥ_k)',
    default: 5,
    exclusiveMinimum: 0,
  },
  maxStartDeficit: {
    type: 'number',
    description:
      'and when the burn-in leaves at most this fraction of its variance missing: chains start at a point, v_kᵀΣv_k grows as 1 − e^{−2ηh_k t}',
    default: 1e-3,
    exclusiveMinimum: 0,
    maximum: 1,
  },
  familyLevel: {
    type: 'number',
    description:
      'family-wise level of the z-tests over all tested directions (pairs): each |z| ≤ Φ⁻¹(1 − level/(2·tests)) (Bonferroni)',
    default: 1e-3,
    exclusiveMinimum: 0,
    maximum: 1,
  },
  paperRatioFactor: {
    type: 'number',
    description:
      "how far the theory's tr Σ_WOR / tr Σ_WR may sit from the paper's 'about four orders of magnitude' (10⁻⁴), as a factor: 10, the paper reads it off the decades of Fig. 3B's axes",
    default: 10,
    minimum: 1,
  },
} as const;

const claims = {
  'wr-sigma-resolved':
    'v_kᵀΣv_k of WR SGD matches the Lyapunov theory (Eq. 14, 21–23) on every resolved eigenvector v_k = e_c ⊗ o_α of H₀: |sim − theory| − (ηh_k/2)·theory (the discrete-time term the continuous theory leaves out) ≤ z·s.e., z the Bonferroni quantile of the family-wise level over the tested directions; measured: the largest such z',
  'wr-circulation-resolved':
    'v_kᵀCv_l of WR SGD, C = ⟨A⟩/ℓ (Eq. 26, 28), matches ½η(h_k − h_l)v_kᵀΣv_l (Eq. 25) on every pair of resolved directions (zero within a degenerate eigenvalue of H₀): |sim − theory| ≤ z·s.e. of the mean projected area (Gaussian chain, Isserlis), Bonferroni over the pairs; measured: the largest |z|',
  'wor-sigma-resolved':
    'v̂_kᵀΣv̂_k of WOR SGD at epoch ends matches the Lyapunov theory with Ĥ = I_K ⊗ Â of 𝓛̂ (Eq. 16) and D̂ (Eq. B18), time in epochs, on every resolved eigenvector of Ĥ: |sim − theory| − (ηĥ_k/2)·theory (the O(ηnh/2) terms the leading-order theory leaves out) ≤ z·s.e., Bonferroni; measured: the largest such z',
  'wor-wr-ratio-resolved':
    'Σ_k v_kᵀΣ_WOR v_k / Σ_k v_kᵀΣ_WR v_k over the directions both runs resolve matches the theories’ ratio over the same directions within 3.29 s.e. (0.1 % two-sided; s.e. of each sum bounded by the sum of the s.e.) plus the WOR allowance ηĥ/2',
  'theory-ratio-about-1e-4':
    "the theory's tr Σ_WOR / tr Σ_WR (full traces) against the paper's 'about four orders of magnitude' (10⁻⁴) within the factor paperRatioFactor; the value itself is results.theoryTraceRatio",
} as const;

/**
 * 004 §4.2–4.3, Fig. 3B: WR and WOR SGD on the linear MNIST network at η = 1e-4, m = 100, λ = 1e-2. Σ and C of the
 * stationary states against the Lyapunov theory for all 120 295 distinct elements (density maps), and on the eigenvectors
 * of H₀ where the claims are decided: only the directions each run resolves are tested.
 */
export const mnistNess = defineScenario({
  name: 'mnist-ness',
  title: 'MNIST linear: WR vs WOR SGD stationary states, Σ and C vs theory (Fig. 3B)',
  reproduces:
    "seed 004 (Machine learning in and out of equilibrium) Fig. 3B: the linear MNIST classifier (N = 490, M = 60000, η = 1e-4, m = 100, λ = 1e-2), all 120 295 elements of Σ (WR and WOR at epoch ends) and of C (WR) against the theory (Eq. 14, 21–25; WOR with 𝓛̂, D̂ of Eq. 16, B18), as density maps, and the projections v_kᵀΣv_k on H₀'s eigenvectors against h_k, where the claims are decided on the directions each run resolves. H₀ = I₁₀ ⊗ A has one stiff eigenvalue (≈ 4.4, the mean image) and 48 between 0.41 and 2λ = 0.02: relaxation times 2.3e3 to 5e5 steps. quick (4 × 20 000 WR steps, 4 × 40 WOR epochs; 37 s on 2 quiet cores, 32–57 s on shared ones, ~15 s of it the theory) resolves the 10 stiffest directions only. full: 48 × 2e6 WR steps (≈ 1e8, the paper's 10⁷–10⁸) and 48 × 4000 WOR epochs, resolving h_k ≥ 0.05 (18 of A's 49 eigenvalues, 180 directions); measured (seed 1, 2026-12-07, 2 cores, --workers 2, with the WebAssembly gradient and observers): WR in 8 units of 6 chains, 7.5–10 min each, WOR in 10 units of 4–5 chains, 5–6.5 min each, ≈ 70 min on 2 quiet cores (113 min beside other work), 5 of 5 claims holding; one chain takes ≈ 85 s on a core (WR or WOR) and with --queue a chain is one unit, so 48 single-core workers take about 3.5 min, 24 about 6–7 min, 12 about 12 min: 12 or more bring it under 15 min (16 where cores are as slow as this machine's slower one).",
  params,
  presets: {
    full: {},
    quick: {
      chains: 4,
      steps: 20_000,
      burnIn: 8_000,
      worChains: 4,
      worSteps: 24_000,
      worBurnIn: 9_000,
    },
  },
  claims,
  plan,
  analyse,
  figures: (_p, analysis) => analysis.plots,
});

type Params = ScenarioParams<typeof params>;

/** θ₀, the WR theory (fast block path, Eq. 14, 21–25), θ̂₀ and the WOR theory (App. B–C), and the two runs. */
async function plan(p: Params, ctx: ScenarioContext) {
  const eta = p.eta,
    m = p.batchSize;
  if (M % m !== 0)
    throw new ScenarioError('params.batchSize', `must divide M = ${M} (WOR epochs of n = M/m steps), got ${m}`);
  if (p.burnIn >= p.steps)
    throw new ScenarioError('params.burnIn', `must be below steps = ${p.steps}, got ${p.burnIn}`);
  if (p.worBurnIn >= p.worSteps)
    throw new ScenarioError('params.worBurnIn', `must be below worSteps = ${p.worSteps}, got ${p.worBurnIn}`);
  const n = M / m;
  if (p.worSteps - p.worBurnIn < 2 * n)
    throw new ScenarioError('params.worSteps', `must leave at least two epochs (${2 * n} steps) after worBurnIn`);
  const landscapeRef = { name: 'mnist-linear', params: { lambda: p.lambda, dataSize: M } };
  const landscape: Landscape = await ctx.plugin('landscape', landscapeRef);
  if (!(landscape instanceof MnistLinear)) throw new ScenarioError('scenario.landscape', 'mnist-linear is not loaded');
  const N = landscape.dim;
  const theta0 = findMinimum(landscape, ctx.seed);
  const wr = nessTheory(landscape, theta0, eta, m);
  if (eta * n * wr.eigenvalues[N - 1]! >= 1)
    throw new ScenarioError(
      'params.eta',
      `the WOR theory (004 App. B–C) expands in ηn·h_max, here ${(eta * n * wr.eigenvalues[N - 1]!).toPrecision(3)}: keep it ≪ 1`,
    );
  const wor = mnistWorTheory(landscape, theta0, eta, m);
  const thetaHat = wor.effectiveMinimum.theta;
  const base = { landscape: landscapeRef, optimizer: { name: 'sgd', params: { eta } } };
  const simulations: SimulationRequest[] = [
    {
      label: 'WR stationary state',
      spec: {
        ...base,
        seed: ctx.seed,
        sampler: { name: 'with-replacement', params: { batchSize: m } },
        observers: [
          { name: 'moments', params: { burnIn: p.burnIn, every: p.sampleEvery } },
          { name: 'circulation', params: { burnIn: p.burnIn } },
        ],
        chains: p.chains,
        steps: p.steps,
        init: { kind: 'point', theta: [...theta0] },
      },
      reference: theta0,
    },
    {
      // Measured at epoch ends, as 004 does: the epoch-to-epoch map is the Markov chain of App. B.
      label: 'WOR stationary state',
      spec: {
        ...base,
        seed: ctx.seed + 1,
        sampler: { name: 'without-replacement', params: { batchSize: m } },
        observers: [{ name: 'moments', params: { burnIn: p.worBurnIn, every: n } }],
        chains: p.worChains,
        steps: p.worSteps,
        init: { kind: 'point', theta: [...thetaHat] },
      },
      reference: thetaHat,
    },
  ];
  return { simulations, N, n, theta0, thetaHat, wr, wor };
}

/** A direction's test: resolved or not, simulation ± s.e. against theory, and its allowance. */
interface Direction {
  k: number;
  class: number;
  alpha: number;
  /** h_k (WR) or ĥ_k/n (WOR, the same units: per step). */
  h: number;
  relaxation: number;
  resolved: boolean;
  theory: number;
  simulation: number;
  stdError: number;
  allowance: number;
  z: number;
}

function analyse(
  p: Params,
  outcomes: readonly SimulationOutcome[],
  planned: Awaited<ReturnType<typeof plan>>,
  { claim }: AnalyseTools<keyof typeof claims>,
) {
  const { N, n, theta0, thetaHat, wr, wor } = planned;
  const eta = p.eta;
  const [wrRun, worRun] = outcomes as [SimulationOutcome, SimulationOutcome];
  const wrMoments = wrRun.observers.moments as MomentsResult,
    wrCirc = wrRun.observers.circulation as CirculationResult,
    worMoments = worRun.observers.moments as MomentsResult;

  // WR: v_k = e_c ⊗ o_α of H₀ = I_K ⊗ A; x_k(t+1) = (1 − ηh_k)x_k(t) + ξ_k (Eq. 12 linearised about θ₀).
  const A = blockEigen(wr.hessian, K, P);
  const V = kroneckerBasis(A.vectors, K, P);
  const sigmaSimV = project(flat(wrMoments.covariance), V, N),
    sigmaThV = project(wr.sigma, V, N);
  const wrWindow = p.steps - p.burnIn;
  const wrDirections: Direction[] = [];
  for (let k = 0; k < N; k++) {
    const h = wr.eigenvalues[k]!,
      rho = 1 - eta * h;
    const resolved = Math.exp(-2 * eta * h * p.burnIn) <= p.maxStartDeficit && wrWindow * eta * h >= p.minRelaxations;
    const theory = sigmaThV[k * N + k]!,
      simulation = sigmaSimV[k * N + k]!;
    const stdError = varianceStdError(theory, rho ** p.sampleEvery, wrMoments.count); // under the null hypothesis: the theory's variance
    const allowance = ((eta * h) / 2) * theory; // 004 Eq. 21 is continuous-time; the chain's Σ_kk is larger by 1/(1 − ηh_k/2)
    wrDirections.push({
      k,
      class: k % K,
      alpha: Math.floor(k / K),
      h,
      relaxation: 1 / (eta * h),
      resolved,
      theory,
      simulation,
      stdError,
      allowance,
      z: (Math.abs(simulation - theory) - allowance) / stdError,
    });
  }

  // WOR at epoch ends: v̂_k of Ĥ = I_K ⊗ Â, x_k(τ+1) = (1 − ηĥ_k)x_k(τ) + ξ̂_k (App. B, Eq. B11).
  const Vh = kroneckerBasis(wor.block.vectors, K, P);
  const worSimV = project(flat(worMoments.covariance), Vh, N),
    worThV = project(wor.sigma, Vh, N);
  const worWindow = (p.worSteps - p.worBurnIn) / n,
    worBurnEpochs = p.worBurnIn / n;
  const worDirections: Direction[] = [];
  for (let k = 0; k < N; k++) {
    const hHat = wor.eigenvalues[k]!,
      rate = eta * hHat; // per epoch
    const resolved = Math.exp(-2 * rate * worBurnEpochs) <= p.maxStartDeficit && worWindow * rate >= p.minRelaxations;
    const theory = worThV[k * N + k]!,
      simulation = worSimV[k * N + k]!;
    const stdError = varianceStdError(theory, 1 - rate, worMoments.count);
    const allowance = (rate / 2) * theory;
    worDirections.push({
      k,
      class: k % K,
      alpha: Math.floor(k / K),
      h: hHat / n,
      relaxation: 1 / rate,
      resolved,
      theory,
      simulation,
      stdError,
      allowance,
      z: (Math.abs(simulation - theory) - allowance) / stdError,
    });
  }

  // C in H₀'s eigenbasis: pairs (k, l) with k resolved (each unordered pair once), s.e. of the projected area's mean.
  const circSimV = project(flat(wrCirc.circulation), V, N),
    circThV = project(wr.circulation, V, N);
  const Q = project(wr.diffusion, V, N);
  for (let x = 0; x < N * N; x++) Q[x] = 2 * Q[x]!; // per-step noise covariance E[ξξᵀ] = 2D₀ (Eq. 14)
  const rho = Float64Array.from(wr.eigenvalues, (h) => 1 - eta * h);
  const resolvedWr = wrDirections.filter((d) => d.resolved).map((d) => d.k);
  const isResolved = new Uint8Array(N);
  for (const k of resolvedWr) isResolved[k] = 1;
  const pairs: { k: number; l: number; theory: number; simulation: number; stdError: number; z: number }[] = [];
  // Both directions resolved: with a chain window T shorter than 1/(ηh_l), the boundary term x_l(x_k(T) − x_k(0)) of the
  // area sum outweighs its O(T) part by ~1/(Tηh_l) and the stationary s.e. below no longer holds.
  for (const k of resolvedWr)
    for (let l = k + 1; l < N; l++) {
      if (!isResolved[l]) continue;
      const theory = circThV[k * N + l]!,
        simulation = circSimV[k * N + l]!;
      const stdError = Math.sqrt(areaLongRunVariance(k, l, rho, Q, N) / wrCirc.count);
      pairs.push({ k, l, theory, simulation, stdError, z: (simulation - theory) / stdError });
    }

  const zOf = (tests: number) => twoSidedQuantile(p.familyLevel / Math.max(tests, 1));
  const maxOf = (xs: number[]) => (xs.length ? xs.reduce((t, x) => Math.max(t, x), -Infinity) : Number.NaN);
  const rms = (xs: number[]) => Math.sqrt(xs.reduce((t, x) => t + x * x, 0) / Math.max(xs.length, 1));
  const wrTested = wrDirections.filter((d) => d.resolved),
    worTested = worDirections.filter((d) => d.resolved);
  const wrZ = maxOf(wrTested.map((d) => d.z)),
    worZ = maxOf(worTested.map((d) => d.z)),
    circZ = maxOf(pairs.map((q) => Math.abs(q.z)));
  const zWr = zOf(wrTested.length),
    zWor = zOf(worTested.length),
    zCirc = zOf(pairs.length);
  // The same directions in both bases: Ĥ's eigenvectors equal H₀'s to O(ηn) (Â = nA − O(η)), so a direction is
  // compared by its index k (the same (c, α)) when both runs resolve it.
  const both = wrDirections.filter((d) => d.resolved && worDirections[d.k]!.resolved).map((d) => d.k);
  const sum = (ds: Direction[], f: (d: Direction) => number) => ds.reduce((t, d) => t + f(d), 0);
  const wrBoth = both.map((k) => wrDirections[k]!),
    worBoth = both.map((k) => worDirections[k]!);
  const ratioSim = sum(worBoth, (d) => d.simulation) / sum(wrBoth, (d) => d.simulation);
  const ratioTh = sum(worBoth, (d) => d.theory) / sum(wrBoth, (d) => d.theory);
  const ratioRelSe = Math.hypot(
    sum(worBoth, (d) => d.stdError) / sum(worBoth, (d) => d.simulation),
    sum(wrBoth, (d) => d.stdError) / sum(wrBoth, (d) => d.simulation),
  );
  const ratioAllowance = maxOf(worBoth.map((d) => d.allowance / d.theory));
  const ratioTolerance = 3.29 * ratioRelSe * ratioSim + ratioAllowance * ratioTh;
  const trace = (s: Float64Array | number[][]) => {
    let t = 0;
    for (let a = 0; a < N; a++) t += Array.isArray(s) ? s[a]![a]! : s[a * N + a]!;
    return t;
  };
  const theoryTraceRatio = trace(wor.sigma) / trace(wr.sigma);
  const maxAbs = (x: ArrayLike<number>) => Array.from(x).reduce((t, v) => Math.max(t, Math.abs(v)), 0);

  const claimsOut: Claim[] = [
    claim('wr-sigma-resolved', wrZ, { expected: 0, tolerance: zWr, holds: wrTested.length > 0 && wrZ <= zWr }),
    claim('wr-circulation-resolved', circZ, {
      expected: 0,
      tolerance: zCirc,
      holds: pairs.length > 0 && circZ <= zCirc,
    }),
    claim('wor-sigma-resolved', worZ, { expected: 0, tolerance: zWor, holds: worTested.length > 0 && worZ <= zWor }),
    claim('wor-wr-ratio-resolved', ratioSim, {
      expected: ratioTh,
      tolerance: ratioTolerance,
      holds: both.length > 0 && Math.abs(ratioSim - ratioTh) <= ratioTolerance,
    }),
    claim('theory-ratio-about-1e-4', theoryTraceRatio, { expected: 1e-4, factor: p.paperRatioFactor }),
  ];

  const pick = (d: Direction) => ({
    k: d.k,
    class: d.class,
    alpha: d.alpha,
    h: d.h,
    relaxation: d.relaxation,
    theory: d.theory,
    simulation: d.simulation,
    stdError: d.stdError,
    z: d.z,
  });
  const distance = Math.hypot(...Array.from(thetaHat, (x, a) => x - theta0[a]!));
  const results = {
    eta,
    batchSize: p.batchSize,
    lambda: p.lambda,
    dataSize: M,
    epochSteps: n,
    theta0: [...theta0],
    hessianEigenvalues: [...A.values],
    wr: {
      chains: p.chains,
      steps: p.steps,
      burnIn: p.burnIn,
      sampleEvery: p.sampleEvery,
      statesCounted: wrMoments.count,
      incrementsCounted: wrCirc.count,
      resolvedDirections: wrTested.length,
      resolvedEigenvalueMin: wrTested.reduce((t, d) => Math.min(t, d.h), Infinity),
      zThreshold: zWr,
      zMax: wrZ,
      zRms: rms(wrTested.map((d) => (d.simulation - d.theory) / d.stdError)),
      projections: wrDirections.map((d) => ({ ...pick(d), resolved: d.resolved })),
      sigmaTrace: { simulation: trace(wrMoments.covariance), theory: trace(wr.sigma) },
      sigmaMaxAbs: { simulation: maxAbs(wrMoments.covariance.flat()), theory: maxAbs(wr.sigma) },
      circulation: {
        pairsTested: pairs.length,
        zThreshold: zCirc,
        zMax: circZ,
        zRms: rms(pairs.map((q) => q.z)),
        largestZ: [...pairs]
          .sort((a, b) => Math.abs(b.z) - Math.abs(a.z))
          .slice(0, 10)
          .map((q) => ({ ...q, hK: wr.eigenvalues[q.k]!, hL: wr.eigenvalues[q.l]! })),
        // ‖sim − theory‖, ‖theory‖ and √Σ s.e.² over the tested pairs (Frobenius): the first should be near the third.
        frobenius: {
          difference: Math.sqrt(pairs.reduce((t, q) => t + (q.simulation - q.theory) ** 2, 0)),
          theory: Math.sqrt(pairs.reduce((t, q) => t + q.theory ** 2, 0)),
          stdError: Math.sqrt(pairs.reduce((t, q) => t + q.stdError ** 2, 0)),
        },
        maxAbs: { simulation: maxAbs(wrCirc.circulation.flat()), theory: maxAbs(wr.circulation) },
      },
    },
    wor: {
      chains: p.worChains,
      steps: p.worSteps,
      burnIn: p.worBurnIn,
      statesCounted: worMoments.count,
      effectiveMinimum: [...thetaHat],
      effectiveMinimumShift: distance,
      resolvedDirections: worTested.length,
      resolvedEigenvalueMin: worTested.reduce((t, d) => Math.min(t, d.h), Infinity),
      zThreshold: zWor,
      zMax: worZ,
      zRms: rms(worTested.map((d) => (d.simulation - d.theory) / d.stdError)),
      projections: worDirections.map((d) => ({ ...pick(d), resolved: d.resolved })),
      sigmaTrace: { simulation: trace(worMoments.covariance), theory: trace(wor.sigma) },
    },
    ratio: {
      directions: both.length,
      simulation: ratioSim,
      theory: ratioTh,
      tolerance: ratioTolerance,
    },
    theoryTraceRatio,
    theoryMaxElementRatio: maxAbs(wor.sigma) / maxAbs(wr.sigma),
  };
  const plots = {
    'sigma-wr': density(
      'WR covariance Σ: 120 295 elements, simulation vs Lyapunov theory (004 Fig. 3B)',
      'Σ',
      upperTriangle(wr.sigma, N, true),
      upperTriangle(flat(wrMoments.covariance), N, true),
    ),
    'sigma-wor': density(
      'WOR covariance Σ at epoch ends vs theory with ℒ̂, D̂ (004 Fig. 3B)',
      'Σ',
      upperTriangle(wor.sigma, N, true),
      upperTriangle(flat(worMoments.covariance), N, true),
    ),
    'circulation-wr': density(
      'WR circulation C: 119 805 elements, simulation vs theory (004 Fig. 3B)',
      'C',
      upperTriangle(wr.circulation, N, false),
      upperTriangle(flat(wrCirc.circulation), N, false),
    ),
    'projections-wr': projectionPlot(
      'WR: vₖᵀΣvₖ on the eigenvectors of H₀ = I₁₀ ⊗ A',
      'hₖ (eigenvalue of H₀)',
      wrDirections,
    ),
    'projections-wor': projectionPlot(
      'WOR (epoch ends): v̂ₖᵀΣv̂ₖ on the eigenvectors of Ĥ = I₁₀ ⊗ Â',
      'ĥₖ/n (eigenvalue of Ĥ per step)',
      worDirections,
    ),
  };
  return { results, claims: claimsOut, plots };
}

/** Elements (a ≤ b with the diagonal, else a < b) of an N×N row-major matrix. */
function upperTriangle(x: Float64Array, N: number, diagonal: boolean): number[] {
  const out: number[] = [];
  for (let a = 0; a < N; a++) for (let b = diagonal ? a : a + 1; b < N; b++) out.push(x[a * N + b]!);
  return out;
}

/** 004 Fig. 3B as a density map: a 2-D histogram of (theory, simulation) over one square window, the line sim = theory. */
function density(title: string, symbol: string, theory: number[], simulation: number[]): TopLevelSpec {
  const scale = theory.reduce((t, v) => Math.max(t, Math.abs(v)), 0);
  const xs = theory.map((v) => v / scale),
    ys = simulation.map((v) => v / scale);
  let lo = Infinity,
    hi = -Infinity;
  for (const v of [...xs, ...ys]) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const pad = 0.02 * (hi - lo || 1);
  lo -= pad;
  hi += pad;
  const bins = 60,
    width = (hi - lo) / bins;
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + i * width);
  const counts = Array.from({ length: bins }, () => new Array<number>(bins).fill(0));
  const bin = (v: number) => Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width)));
  for (let i = 0; i < xs.length; i++) counts[bin(xs[i]!)]![bin(ys[i]!)]! += 1;
  return crossSection({
    title,
    xTitle: `theory ${symbol}ᵢⱼ / max|${symbol}ᵢⱼ| (theory)`,
    yTitle: `simulation ${symbol}ᵢⱼ / max|${symbol}ᵢⱼ| (theory)`,
    histogram: { xEdges: edges, yEdges: edges, density: counts },
    densityTitle: 'elements per cell',
    contours: [
      {
        name: 'simulation = theory',
        color: '#ffffff',
        points: [
          { x: lo, y: lo },
          { x: hi, y: hi },
        ],
      },
    ],
  });
}

/** v_kᵀΣv_k against h_k (log–log): simulation ± 1 s.e., resolved and not, and the theory. */
function projectionPlot(title: string, xTitle: string, ds: Direction[]): TopLevelSpec {
  // The stationary s.e. holds only where the run has relaxed: the other points are drawn without bars.
  const series = (name: string, sel: Direction[], color: string, bars: boolean) => ({
    name,
    x: sel.map((d) => d.h),
    y: sel.map((d) => d.simulation),
    ...(bars ? { stdError: sel.map((d) => d.stdError) } : {}),
    color,
  });
  const resolved = ds.filter((d) => d.resolved),
    other = ds.filter((d) => !d.resolved && d.simulation > 0);
  const theory = [...ds].sort((a, b) => a.h - b.h || a.theory - b.theory);
  return pointsAndLines({
    title,
    subtitle: `${resolved.length} of ${ds.length} directions resolved (tested); the rest have not relaxed`,
    xTitle,
    yTitle: 'vₖᵀΣvₖ',
    logX: true,
    logY: true,
    points: [
      ...(resolved.length ? [series('simulation, resolved', resolved, '#1f77b4', true)] : []),
      ...(other.length ? [series('simulation, not resolved', other, '#aaaaaa', false)] : []),
      { name: 'theory (Eq. 21–23)', x: theory.map((d) => d.h), y: theory.map((d) => d.theory), color: '#d62728' },
    ],
  });
}
