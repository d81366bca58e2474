import {
  findMinimum,
  langevinTheory,
  ScenarioError,
  logLogSlope,
  symmetricEigen,
  symmetrize,
  type LangevinAlgorithm,
  type Landscape,
  preview,
  type ScenarioContext,
  type SimulationOutcome,
  type SimulationRequest,
} from '@nesslab/kernel';
import type { KlResult } from '@nesslab/observers';
import { pointsAndLines, type Claim, type LineSeries, type PointSeries } from '@nesslab/report';
import { defineScenario, type AnalyseTools, type ScenarioParams } from '../define-scenario.ts';
import { fitSlope } from '../stats/line-fit.ts';

type Algorithm = 'sgld' | 'sgld-lm' | 'sgworld' | 'sgworld-uncorrected' | 'sgworld-lm';
const THEORY: LangevinAlgorithm[] = ['sgld', 'sgworld', 'sgworld-uncorrected'];
const SHORT: Record<Algorithm, string> = {
  sgld: 'SGLD',
  'sgld-lm': 'SGLD-LM',
  sgworld: 'SGWORLD',
  'sgworld-uncorrected': 'SGWORLD-unc',
  'sgworld-lm': 'SGWORLD-LM',
};
const LABEL: Record<Algorithm, string> = {
  sgld: 'SGLD',
  'sgld-lm': 'SGLD-LM',
  sgworld: 'SGWORLD',
  'sgworld-uncorrected': 'SGWORLD uncorrected',
  'sgworld-lm': 'SGWORLD-LM',
};

const params = {
  batchSize: { type: 'integer', description: 'm (M = 200, n = M/m = 20 steps per epoch)', default: 10, minimum: 1 },
  etas: {
    type: 'array',
    description:
      'η of the real-chain runs of SGLD, SGWORLD and uncorrected SGWORLD (log–log slopes are fitted over them; keep ηn·h_max ≪ 1, i.e. η ≲ 1e-6)',
    default: [2.5e-7, 5e-7, 1e-6],
  },
  lmEta: {
    type: 'number',
    description: 'η of the SGWORLD-LM and SGLD-LM runs (the comparison with SGWORLD at the same η)',
    default: 1e-6,
    exclusiveMinimum: 0,
  },
  chains: {
    type: 'integer',
    description: 'chains per run, started from exact posterior draws',
    default: 16,
    minimum: 3,
  },
  stepsAt1e6: {
    type: 'integer',
    description:
      'steps per chain at η = 1e-6; a run at η takes stepsAt1e6·(1e-6/η), the same number of relaxation times (SGLD-LM runs this long at lmEta)',
    default: 2_500_000,
    minimum: 20,
  },
  lmSteps: {
    type: 'integer',
    description: 'steps per chain of the SGWORLD-LM run at lmEta (its tiny KL needs a longer run)',
    default: 16_000_000,
    minimum: 20,
  },
  burnInRelaxations: {
    type: 'number',
    description:
      'steps discarded, in units of the slowest relaxation time 1/(η h_min) (the real stationary state is within δΣ of the start)',
    default: 5,
    minimum: 0,
  },
  theoryEtas: {
    type: 'array',
    description: 'η grid of the theory curves',
    default: [1e-8, 2e-8, 5e-8, 1e-7, 2e-7, 5e-7, 1e-6, 2e-6, 3e-6],
  },
  slopeStdErrors: {
    type: 'number',
    description: 'tolerance of the real-chain slopes, in standard errors of the fitted slope',
    default: 4,
    exclusiveMinimum: 0,
  },
  lmFactor: {
    type: 'number',
    description:
      'SGWORLD-LM must be at least this many times below SGWORLD at lmEta (lower bound from 2 s.e. each way)',
    default: 50,
    exclusiveMinimum: 0,
  },
} as const;

const claims = {
  'kl-theory-slopes':
    'the Fokker–Planck theory (Eq. 44, 47) at η = 1e-8…1e-7 has log–log slopes 2 (SGLD), 6 (SGWORLD), 2 (uncorrected) within 0.05 — Fig. 6',
  'kl-slope-sgld':
    'real SGLD chains: the fitted slope of KL vs η equals that of the exact discrete-time SGLD theory over the same η (→ 2 as η → 0) within the tolerance (standard errors of the fit)',
  'kl-slope-sgworld':
    'real SGWORLD chains (the algorithm as written, Fig. 5): the fitted slope is 2 (docs/science.md §7: the once-per-epoch Euler kick leaves a relative O(ηn·h/2) error in Σ), not the 6 of Eq. 47; tolerance: standard errors of the fit plus the drift of the local slope over the same η in the epoch-Euler theory',
  'sgworld-lm-beats-sgworld':
    "real chains at lmEta = 1e-6: KL of SGWORLD-LM at least lmFactor (full: 50) times below SGWORLD's (measured: KL_SGWORLD − 2 s.e. over KL_LM + 2 s.e.)",
} as const;

/**
 * 004 §4.6, Eq. 39–47, Fig. 6: KL divergence to the exact posterior of the linearised regression vs η, for SGLD, SGWORLD
 * and uncorrected SGWORLD — the paper's Fokker–Planck theory (Eq. 44–47, slopes 2, 6, 2) and real chains of each
 * algorithm side by side, plus the Leimkuhler–Matthews variants (docs/science.md §7). Chains start from exact posterior draws.
 */
export const sgworldVsSgld = defineScenario({
  name: 'sgworld-vs-sgld',
  title:
    'SGWORLD vs SGLD on the linearised regression: KL to the exact posterior vs η, theory (Fig. 6) and real chains',
  reproduces:
    "seed 004 (Machine learning in and out of equilibrium) §4.6, Eq. 39–47, Fig. 6: D_KL(P_s‖P_po) in bits vs η for SGLD (slope 2), SGWORLD (slope 6) and SGWORLD without the δ𝓛 correction (slope 2, ≈ SGLD) — the paper's Fokker–Planck theory; and what real chains of each algorithm do (docs/science.md §7: SGWORLD as written scales like η²; with a Leimkuhler–Matthews kick like η⁴).",
  params,
  presets: {
    // full: 16 chains per run, 2.5e6 steps at 1e-6 (1e7 at 2.5e-7) = ~1000 slowest relaxation times 1/(η h_min) per chain;
    // ~1.7e9 step-equivalents, 846 s on 2 (shared) cores. Measured KL standard errors 1–4 % (10 % for SGWORLD at 2.5e-7),
    // slope standard errors 0.02–0.03; SGWORLD-LM at 1e-6 to 4 % (16 chains × 1.6e7 steps).
    full: {},
    // quick: two η, short runs. Its LM run resolves KL_LM only to ~5e-4 (2 s.e.), so the LM bound it can show is ~20–30×, not 50×.
    quick: { etas: [5e-7, 1e-6], chains: 8, stepsAt1e6: 150_000, lmSteps: 500_000, lmFactor: 20 },
  },
  claims,
  plan,
  analyse,
  figures: (_p, analysis) => analysis.plots,
});

/** η above which the linearised mean map diverges along H₀'s stiffest direction h: |r(ηh)| ≥ 1 (per epoch for SGWORLD). */
function stabilityEdge(h: number, r: (x: number) => number): number {
  let lo = 0,
    hi = 3 / h; // |r| < 1 on (0, edge) and ≥ 1 at 3/h for all three maps
  for (let k = 0; k < 200; k++) {
    const mid = (lo + hi) / 2;
    if (Math.abs(r(mid * h)) < 1) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** A list of η: at least `min` distinct positive numbers, ascending. */
function etaList(p: Params, key: 'etas' | 'theoryEtas', min: number): number[] {
  const v = p[key];
  if (
    !Array.isArray(v) ||
    v.length < min ||
    !v.every((x): x is number => typeof x === 'number' && x > 0 && Number.isFinite(x)) ||
    v.some((x, i) => i > 0 && x <= v[i - 1])
  ) {
    throw new ScenarioError(
      `params.${key}`,
      `must be at least ${min} positive numbers in ascending order, got ${preview(v)}`,
    );
  }
  return v;
}

type Params = ScenarioParams<typeof params>;

/** θ₀ and H₀'s spectrum, the theory curves and small-η slopes, and the real-chain runs: each algorithm at each η, then the LM variants (and SGWORLD at lmEta when it is not among etas). */
async function plan(p: Params, ctx: ScenarioContext) {
  const m = p.batchSize,
    etas = etaList(p, 'etas', 2),
    lmEta = p.lmEta,
    chains = p.chains;
  const landscapeRef = { name: 'linearised-regression' };
  const landscape: Landscape = await ctx.plugin('landscape', landscapeRef);
  if (landscape.dataSize % m !== 0)
    throw new ScenarioError(
      'params.batchSize',
      `SGWORLD needs whole epochs: m = ${m} must divide M = ${landscape.dataSize}`,
    );
  const theta0 = findMinimum(landscape, ctx.seed),
    N = landscape.dim,
    n = landscape.dataSize / m;
  const H = new Float64Array(N * N);
  landscape.hessian(theta0, H);
  const h = symmetricEigen(symmetrize(H, N), N).values,
    hMin = h[0],
    hMax = h[N - 1];

  // Theory: continuous (Eq. 44/47, Fig. 6) and discrete-time (exact for real SGLD on this linear model; the epoch-scale
  // Euler approximation for SGWORLD).
  const theoryEtas = etaList(p, 'theoryEtas', 1);
  const theory = Object.fromEntries(
    THEORY.map((alg) => [
      alg,
      {
        continuous: theoryEtas.map((eta) => langevinTheory(landscape, theta0, eta, m, alg).klBits),
        discrete: theoryEtas.map((eta) => langevinTheory(landscape, theta0, eta, m, alg, { time: 'discrete' }).klBits),
      },
    ]),
  ) as Record<LangevinAlgorithm, { continuous: number[]; discrete: number[] }>;
  const small = [1e-8, 3e-8, 1e-7];
  const theorySlopes = Object.fromEntries(
    THEORY.map((alg) => [
      alg,
      logLogSlope(
        small,
        small.map((e) => langevinTheory(landscape, theta0, e, m, alg).klBits),
      ),
    ]),
  ) as Record<LangevinAlgorithm, number>;

  // Real chains.
  const simulations: SimulationRequest[] = [];
  const chainRuns: { alg: Algorithm; eta: number; steps: number; extra: boolean }[] = [];
  const planRun = (alg: Algorithm, eta: number, steps: number, extra = false) => {
    const wor = alg.startsWith('sgworld');
    const burnIn = Math.min(Math.ceil(p.burnInRelaxations / (eta * hMin)), Math.floor(steps / 2));
    const spec = {
      seed: ctx.seed,
      landscape: landscapeRef,
      optimizer: { name: alg, params: { eta } },
      sampler: { name: wor ? 'without-replacement' : 'with-replacement', params: { batchSize: m } },
      // every n steps: epoch boundaries for SGWORLD; for SGLD a thinning that loses nothing (ηh_max·n ≪ 1 per sample).
      observers: [{ name: 'kl-to-posterior', params: { burnIn, every: n } }],
      chains,
      steps,
      init: { kind: 'random' },
    };
    // The live view's theory line: real SGLD's KL is the exact discrete-time theory on this linear model.
    const exact = alg === 'sgld' ? langevinTheory(landscape, theta0, eta, m, alg, { time: 'discrete' }).klBits : NaN;
    simulations.push({
      label: `${LABEL[alg]} η = ${eta}`,
      spec,
      reference: theta0,
      ...(alg === 'sgld' ? { theory: { 'kl-to-posterior': { 'KL (bits)': exact } } } : {}),
    });
    chainRuns.push({ alg, eta, steps, extra });
  };
  const stepsAt = (eta: number) => Math.max(20 * n, Math.round((p.stepsAt1e6 * 1e-6) / eta / n) * n);
  for (const alg of ['sgld', 'sgworld', 'sgworld-uncorrected'] as const)
    for (const eta of etas) planRun(alg, eta, stepsAt(eta));
  planRun('sgworld-lm', lmEta, p.lmSteps);
  planRun('sgld-lm', lmEta, stepsAt(lmEta));
  // SGWORLD at lmEta, for the LM comparison: one more run when lmEta is not among etas (it stays out of the SGWORLD fit).
  if (!etas.some((eta) => eta === lmEta)) planRun('sgworld', lmEta, stepsAt(lmEta), true);
  return {
    simulations,
    chainRuns,
    landscape,
    theta0,
    m,
    n,
    etas,
    lmEta,
    chains,
    h,
    hMax,
    theoryEtas,
    theory,
    small,
    theorySlopes,
  };
}

/** The runs' KL by algorithm, the fitted slopes against the theory, the claims, and the figures. */
function analyse(
  p: Params,
  outcomes: readonly SimulationOutcome[],
  planned: Awaited<ReturnType<typeof plan>>,
  { claim }: AnalyseTools<keyof typeof claims>,
) {
  const { chainRuns, landscape, theta0, m, n, etas, lmEta, chains, h, hMax, theoryEtas, theory, small, theorySlopes } =
    planned;
  const kl = (i: number): KlResult & { eta: number; steps: number } => ({
    ...(outcomes[i]!.observers['kl-to-posterior'] as KlResult),
    eta: chainRuns[i]!.eta,
    steps: chainRuns[i]!.steps,
  });
  const runs: Record<Algorithm, (KlResult & { eta: number; steps: number })[]> = {
    sgld: [],
    'sgld-lm': [],
    sgworld: [],
    'sgworld-uncorrected': [],
    'sgworld-lm': [],
  };
  chainRuns.forEach((r, i) => {
    if (!r.extra) runs[r.alg].push(kl(i));
  });
  const sgworldAtLm = runs.sgworld.find((r) => r.eta === lmEta) ?? kl(chainRuns.length - 1);

  // Claims.
  const exactSgld = etas.map((eta) => langevinTheory(landscape, theta0, eta, m, 'sgld', { time: 'discrete' }).klBits);
  const fit = (alg: Algorithm) =>
    fitSlope(
      runs[alg].map((r) => r.eta),
      runs[alg].map((r) => r.klBits),
      runs[alg].map((r) => r.stdError),
    );
  const sgldFit = fit('sgld'),
    sgworldFit = fit('sgworld'),
    uncorrectedFit = fit('sgworld-uncorrected');
  const exactSgldSlope = etas.length > 1 ? logLogSlope(etas, exactSgld) : NaN;
  const k = p.slopeStdErrors;
  // SGWORLD: η² is the small-η law; over finite η its local slope drifts by O(ηn·h) — sized by the epoch-Euler theory.
  const eulerSgworld = etas.map(
    (eta) => langevinTheory(landscape, theta0, eta, m, 'sgworld', { time: 'discrete' }).klBits,
  );
  const eulerSgworldSlope = etas.length > 1 ? logLogSlope(etas, eulerSgworld) : NaN;
  const sgworldTol = k * sgworldFit.stdError + Math.abs(eulerSgworldSlope - 2);
  const lm = runs['sgworld-lm'][0];
  const lmRatio = (sgworldAtLm.klBits - 2 * sgworldAtLm.stdError) / (Math.max(lm.klBits, 0) + 2 * lm.stdError); // KL ≥ 0
  const theoryDev = Math.max(
    Math.abs(theorySlopes.sgld - 2),
    Math.abs(theorySlopes.sgworld - 6),
    Math.abs(theorySlopes['sgworld-uncorrected'] - 2),
  );
  const fmt = (x: number) => x.toFixed(3);
  const claims: Claim[] = [
    claim(
      'kl-theory-slopes',
      `${fmt(theorySlopes.sgld)} / ${fmt(theorySlopes.sgworld)} / ${fmt(theorySlopes['sgworld-uncorrected'])}`,
      { expected: '2 / 6 / 2', tolerance: 0.05, holds: theoryDev <= 0.05 },
    ),
    claim('kl-slope-sgld', sgldFit.slope, {
      expected: exactSgldSlope,
      tolerance: k * sgldFit.stdError,
      holds: Math.abs(sgldFit.slope - exactSgldSlope) <= k * sgldFit.stdError,
    }),
    claim('kl-slope-sgworld', sgworldFit.slope, {
      expected: 2,
      tolerance: sgworldTol,
      holds: Math.abs(sgworldFit.slope - 2) <= sgworldTol,
    }),
    claim('sgworld-lm-beats-sgworld', lmRatio, {
      expected: `≥ ${p.lmFactor}`,
      tolerance: '2 s.e. each',
      holds: lmRatio >= p.lmFactor,
    }),
  ];

  const edges = {
    sgld: stabilityEdge(hMax, (x) => 1 - x),
    sgworld: stabilityEdge(hMax, (x) => (1 - x) ** n - (n * (n - 1) * x * x) / 2),
    'sgworld-uncorrected': stabilityEdge(hMax, (x) => (1 - x) ** n),
  };
  const results = {
    headline:
      "The paper's proposal, what real chains of it do, and the variant that delivers what the paper promised: Eq. 47 predicts KL ∝ η⁶ for SGWORLD (Fig. 6), but real SGWORLD chains scale like η², like SGLD — the once-per-epoch kick √(2ηn)z is an Euler step at the epoch scale and leaves a relative O(ηn·h/2) error in Σ; with a Leimkuhler–Matthews kick √(2ηn)(z_τ + z_{τ+1})/2, SGWORLD-LM falls like η⁴ and sits far below SGWORLD (docs/science.md §7).",
    method:
      'Theory: Eq. 44/47 solved for δΣ = Σ − H₀⁻¹ as a 9×9 linear system (D of Eq. 14, D̂ of Eq. B18, 𝓗_D by central differences — exact for this linear model), KL in bits from Eq. 46 plus the mean term ½δμᵀH₀δμ; "discrete" = the stationary covariance of the Euler map, exact for real SGLD on a linear model. Real chains: `chains` chains per run, started from exact posterior draws, burn-in burnInRelaxations/(η h_min) steps, states every n = M/m steps (epoch boundaries), Gaussian fit per chain (float64 Welford) pooled in chain order; KL of the fit with its O(1/count) bias removed by the jackknife over chains; standard error = jackknife. Slopes: weighted least squares of log KL on log η, standard error from the KL standard errors.',
    theta0: [...theta0],
    hessianEigenvalues: [...h],
    batchSize: m,
    stepsPerEpoch: n,
    chains,
    theory: { etas: theoryEtas, ...theory, slopesSmallEta: { etas: small, ...theorySlopes } },
    realChains: runs,
    slopes: {
      sgld: sgldFit,
      sgworld: sgworldFit,
      'sgworld-uncorrected': uncorrectedFit,
      exactDiscreteSgld: exactSgldSlope,
      eulerSgworld: eulerSgworldSlope,
    },
    uncorrectedOverSgld: runs['sgworld-uncorrected'].map((r, i) => ({
      eta: r.eta,
      ratio: r.klBits / runs.sgld[i].klBits,
    })),
    sgldVsExactTheory: runs.sgld.map((r, i) => ({
      eta: r.eta,
      measured: r.klBits,
      stdError: r.stdError,
      exact: exactSgld[i],
      z: (r.klBits - exactSgld[i]) / r.stdError,
    })),
    lm: {
      eta: lmEta,
      sgworld: sgworldAtLm.klBits,
      sgworldStdError: sgworldAtLm.stdError,
      sgworldLm: lm.klBits,
      sgworldLmStdError: lm.stdError,
      sgldLm: runs['sgld-lm'][0].klBits,
      sgldLmStdError: runs['sgld-lm'][0].stdError,
      ratioLowerBound: lmRatio,
      ratio: lm.klBits > 0 ? sgworldAtLm.klBits / lm.klBits : null,
    },
    validity: {
      sgworldEtaAtNh1: 1 / (n * hMax),
      sgldEtaAtH1: 1 / hMax,
      note: 'Eq. 44/47 are leading order in ηh (per step) and ηn·h (per epoch): real SGWORLD chains follow Eq. 47 at no η of the grid: the epoch-scale Euler error (KL ∝ η²) exceeds its η⁶ everywhere below the edge (compare the "FP" and "Euler" curves); near η = 1/(n h_max) ≈ 2e-6 every WOR curve bends up, and SGWORLD diverges at the stability edge below. SGLD\'s Eq. 44 stays within ~10 % of its exact discrete value up to 1e-6.',
    },
    stabilityEdge: {
      ...edges,
      note: "largest η with |r(ηh_max)| < 1 for the linearised mean map along H₀'s stiffest direction: SGLD r = 1 − ηh per step; per epoch SGWORLD r = (1 − ηh)^n − η²n(n−1)h²/2 (the δ𝓛 correction), uncorrected r = (1 − ηh)^n. All theory curves are unreliable well before: ηn·h_max ~ 1 at η ≈ 2e-6.",
    },
  };
  return {
    results,
    claims,
    plots: {
      'kl-vs-eta': plot(theoryEtas, theory, runs),
      'kl-real-chains': chainsPlot(theoryEtas, theory, runs, etas),
    },
  };
}

/** One colour per algorithm: its real chains' points and its theory lines (Fokker–Planck solid, Euler dashed). */
const COLOR: Record<Algorithm, string> = {
  sgld: '#4c78a8',
  'sgld-lm': '#72b7b2',
  sgworld: '#e45756',
  'sgworld-uncorrected': '#f58518',
  'sgworld-lm': '#54a24b',
};
const KL_TITLE = 'KL(Pₛ ‖ Pₚₒ) [bits]';

/** The real chains: KL per η with ±1 standard-error bars (jackknife over chains), one series per algorithm. */
const simPoints = (runs: Record<Algorithm, (KlResult & { eta: number })[]>): PointSeries[] =>
  (Object.keys(runs) as Algorithm[]).map((alg) => ({
    name: `sim ${SHORT[alg]}`,
    x: runs[alg].map((r) => r.eta),
    y: runs[alg].map((r) => r.klBits),
    stdError: runs[alg].map((r) => r.stdError),
    color: COLOR[alg],
  }));

function plot(
  etas: number[],
  theory: Record<LangevinAlgorithm, { continuous: number[]; discrete: number[] }>,
  runs: Record<Algorithm, (KlResult & { eta: number })[]>,
) {
  return pointsAndLines({
    title: 'KL to the exact posterior vs η (004 Fig. 6)',
    subtitle:
      'FP: Fokker–Planck theory Eq. 44/47 (solid); Euler: discrete-time theory (dashed); sim: real chains ±1 s.e.',
    xTitle: 'η',
    yTitle: KL_TITLE,
    logX: true,
    logY: true,
    points: simPoints(runs),
    lines: [
      ...THEORY.map((alg): LineSeries => ({
        name: `FP ${SHORT[alg]}`,
        x: etas,
        y: theory[alg].continuous,
        color: COLOR[alg],
      })),
      ...THEORY.map((alg): LineSeries => ({
        name: `Euler ${SHORT[alg]}${alg === 'sgld' ? ' (exact)' : ''}`,
        x: etas,
        y: theory[alg].discrete,
        color: COLOR[alg],
        dashed: true,
      })),
    ],
  });
}

/** The real chains' η range only: simulation ±1 s.e. against the discrete-time theories and Eq. 44 (Eq. 47's η⁶ curve is far below). */
function chainsPlot(
  etas: number[],
  theory: Record<LangevinAlgorithm, { continuous: number[]; discrete: number[] }>,
  runs: Record<Algorithm, (KlResult & { eta: number })[]>,
  simEtas: number[],
) {
  const lo = simEtas[0] / 1.5,
    hi = simEtas[simEtas.length - 1] * 1.5,
    keep = etas.map((e) => e >= lo && e <= hi);
  const cut = (v: number[]) => v.filter((_, i) => keep[i]);
  return pointsAndLines({
    title: 'Real chains vs discrete-time theory (Euler; exact for SGLD) and Eq. 44 (FP)',
    subtitle: 'sim: real chains ±1 s.e.; Eq. 47 for SGWORLD is off the bottom',
    xTitle: 'η',
    yTitle: KL_TITLE,
    logX: true,
    logY: true,
    points: simPoints(runs),
    lines: [
      { name: 'FP SGLD', x: cut(etas), y: cut(theory.sgld.continuous), color: COLOR.sgld },
      ...THEORY.map((alg): LineSeries => ({
        name: `Euler ${SHORT[alg]}`,
        x: cut(etas),
        y: cut(theory[alg].discrete),
        color: COLOR[alg],
        dashed: true,
      })),
    ],
  });
}
