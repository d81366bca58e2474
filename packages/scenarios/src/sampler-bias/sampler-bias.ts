import {
  ScenarioError,
  exactBias,
  exactStationaryWOR,
  logLogSlope,
  pluginInfo,
  planSimulation,
  resolveParams,
  resolvePlugin,
  scoredAgainstPosterior,
  scoredAgainst,
  quadraticPosterior,
  effectiveMinimum,
  effectiveHessian,
  preview,
  symmetricEigenvalues,
  symmetrize,
  quadraticSamples,
  type AffineStep,
  type CarriedState,
  type Landscape,
  type ScenarioContext,
  type SimulationOutcome,
  type SimulationRequest,
} from '@nesslab/kernel';
import type { KlResult } from '@nesslab/observers';
import { carriedNoise } from '@nesslab/optimizers';
import { pointsAndLines, type Claim } from '@nesslab/report';
import { defineScenario, type AnalyseTools, type ScenarioParams } from '../define-scenario.ts';
import { fitSlope } from '../stats/line-fit.ts';

/** The friction params of the momentum samplers. */
interface Friction {
  sghmcAlpha: number;
  baoabGammaH: number;
}

/** The samplers compared, and how the η of the grid sets each one's step (the same gradient step per step). */
const SAMPLERS = {
  sgld: { label: 'SGLD', params: (eta: number) => ({ eta }) },
  'sgld-lm': { label: 'SGLD-LM', params: (eta: number) => ({ eta }) },
  'sgld-cv': { label: 'SGLD-CV', params: (eta: number) => ({ eta, at: 'reference' }) },
  sghmc: { label: 'SGHMC', params: (eta: number, p: Friction) => ({ eta, alpha: p.sghmcAlpha }) },
  // h = √(2η): θ moves by h·p per step, p ~ N(0, 1), the diffusion 2η per step of SGLD; friction γ = (γh)/h.
  'sg-baoab': {
    label: 'SG-BAOAB',
    params: (eta: number, p: Friction) => ({ h: Math.sqrt(2 * eta), gamma: p.baoabGammaH / Math.sqrt(2 * eta) }),
  },
  psgld: { label: 'pSGLD', params: (eta: number) => ({ eta }) },
  // SGHMC with a Nosé–Hoover thermostat: v = hp, h = √η and ξh = α make its step SGHMC's (β̂ = 0) with ξ free to move.
  sgnht: {
    label: 'SGNHT',
    params: (eta: number, p: Friction) => ({ h: Math.sqrt(eta), A: p.sghmcAlpha / Math.sqrt(eta) }),
  },
  // WOR, measured at epoch boundaries; exact by the epoch map of each permutation (SGWORLD-LM carries its kick's noise
  // z across epochs, so its epoch map acts on x = (θ, z)).
  sgworld: { label: 'SGWORLD', params: (eta: number) => ({ eta }), wor: true },
  'sgworld-uncorrected': { label: 'SGWORLD-unc', params: (eta: number) => ({ eta }), wor: true },
  'sgworld-lm': { label: 'SGWORLD-LM', params: (eta: number) => ({ eta }), wor: true, carried: carriedNoise },
} as const satisfies Record<string, { label: string; params: unknown; wor?: boolean; carried?: CarriedState }>;
const isWor = (s: Sampler) => 'wor' in SAMPLERS[s];
type Sampler = keyof typeof SAMPLERS;
const NAMES = Object.keys(SAMPLERS) as Sampler[];

const params = {
  samplers: {
    type: 'array',
    description: `the samplers compared, from ${NAMES.join(', ')} (pSGLD and SGNHT are not affine: real chains only)`,
    default: NAMES,
  },
  batchSize: {
    type: 'integer',
    description: 'm, WR minibatches (M = 200; the paper’s m = 10, n = 20)',
    default: 10,
    minimum: 1,
  },
  etas: {
    type: 'array',
    description: 'η of the real-chain runs (each sampler’s step set from η as SAMPLERS says)',
    default: [2.5e-7, 5e-7, 1e-6],
  },
  exactEtas: {
    type: 'array',
    description: 'η grid of the exact lines (the slopes are fitted over its η ≤ 1e-7)',
    default: [1e-9, 3e-9, 1e-8, 3e-8, 1e-7, 3e-7, 1e-6, 2e-6],
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
      'steps per chain at η = 1e-6; a run at η takes stepsAt1e6·(1e-6/η): the same number of relaxation times',
    default: 2_000_000,
    minimum: 20,
  },
  burnInRelaxations: {
    type: 'number',
    description: 'steps discarded, in units of the slowest relaxation time 1/(η h_min)',
    default: 5,
    minimum: 0,
  },
  every: {
    type: 'integer',
    description: 'thinning of the KL observer (states every `every` steps)',
    default: 20,
    minimum: 1,
  },
  sghmcAlpha: {
    type: 'number',
    description: 'SGHMC friction α per step (SGNHT starts its thermostat there: ξ₀h = α)',
    default: 0.1,
    exclusiveMinimum: 0,
    maximum: 1,
  },
  baoabGammaH: { type: 'number', description: 'SG-BAOAB friction per step γh', default: 1, exclusiveMinimum: 0 },
  permutations: {
    type: 'integer',
    description:
      'WOR samplers: uniform permutations averaged for the exact epoch map (Monte Carlo; its standard error is reported)',
    default: 10_000,
    minimum: 10,
  },
  zTolerance: {
    type: 'number',
    description: 'real chains against the exact KL: |KL_chains − KL_exact| ≤ this many standard errors',
    default: 3,
    exclusiveMinimum: 0,
  },
} as const;
type Params = ScenarioParams<typeof params>;

const claims = {
  'chains-match-exact':
    'at every η and for every sampler with an affine step, the real chains’ KL to the posterior equals the exact stationary value within zTolerance standard errors',
  'chain-slopes':
    'for every sampler with an exact line whose chains resolve KL (above 2 s.e.) at every η, the log–log slope of the chains’ KL over the run grid equals the exact curve’s slope over the same η within zTolerance standard errors of the fit',
  'exact-slopes':
    'the exact KL falls like η² at small η for every first-order sampler (log–log slope 2 within 0.05 over η ≤ 1e-7): minibatch diffusion O(η²) or an Euler kick leaves δΣ = O(η), so KL = O(δΣ²); SGWORLD-LM is not first order and is left out',
  'lm-beats-euler':
    'SGWORLD-LM’s exact KL is at least 10× below corrected SGWORLD’s at every η of the run grid: the Leimkuhler–Matthews kick removes the Euler kick’s O(ηnh) error in Σ (docs/science.md §7: KL ∝ η⁴ as η → 0, against η²)',
} as const;

export const samplerBias = defineScenario({
  name: 'sampler-bias',
  title: 'The exact finite-η stationary bias of SG-MCMC samplers on the linearised regression, with real chains on it',
  reproduces:
    'beyond the papers (issue 15): 004 §4.6’s linearised regression (N = 3, M = 200, m = 10), where every linear sampler step is affine in θ: its exact stationary mean and covariance at finite η (kernel exactBias, WR minibatches), KL (bits) and W₂ to the exact posterior for SGLD, SGLD-LM, SGLD-CV (Baker et al. 2019), SGHMC (Chen et al. 2014) and SG-BAOAB (Leimkuhler–Matthews); for SGWORLD, uncorrected SGWORLD and SGWORLD-LM (WOR, at epoch ends) the exact epoch map of each permutation read off the optimizer’s own step (SGWORLD-LM’s on (θ, z), z its carried kick noise), averaged over permutations by Monte Carlo with its standard error; real chains of each (and pSGLD, Li et al. 2016, and SGNHT, Ding et al. 2014, which are not affine and have no exact line) on top, the chains’ slopes against the exact ones, and the best sampler at each η. Quick: about 10 s on two cores; full: 1087 CPU-seconds measured (1314 s wall at the lowest priority beside other jobs), so about 10 min on two free cores (the exact lines, about a minute, run in the main thread; the chains on both cores).',
  params,
  presets: {
    full: {},
    quick: {
      samplers: ['sgld', 'sgld-cv', 'sghmc', 'sg-baoab', 'sgworld-uncorrected'],
      etas: [5e-7, 1e-6],
      chains: 8,
      stepsAt1e6: 150_000,
      permutations: 300,
    },
  },
  claims,
  plan,
  analyse,
  figures: (_p, analysis) => analysis.plots,
});

/** The exact curves of every sampler with an affine step, and one real-chain run per sampler and η. */
async function plan(p: Params, ctx: ScenarioContext) {
  const samplers = list(p.samplers, 'samplers').map((s) => {
    if (!(NAMES as unknown[]).includes(s))
      throw new ScenarioError('params.samplers', `unknown sampler ${preview(s)}; known: ${NAMES.join(', ')}`);
    return s as Sampler;
  });
  const etas = list(p.etas, 'etas') as number[],
    exactEtas = list(p.exactEtas, 'exactEtas') as number[];
  const landscapeRef = { name: 'linearised-regression' };
  const landscape: Landscape = await ctx.plugin('landscape', landscapeRef);
  const samples = quadraticSamples(landscape);
  const n = Math.floor(landscape.dataSize / p.batchSize);
  const every = (s: Sampler) => (isWor(s) ? n * Math.max(1, Math.round(p.every / n)) : p.every); // WOR: epoch ends
  const specFor = (s: Sampler, eta: number, steps: number, burnIn: number) => ({
    seed: ctx.seed,
    landscape: landscapeRef,
    optimizer: { name: s, params: SAMPLERS[s].params(eta, p) },
    sampler: { name: isWor(s) ? 'without-replacement' : 'with-replacement', params: { batchSize: p.batchSize } },
    observers: [{ name: 'kl-to-posterior', params: { burnIn, every: every(s) } }],
    chains: p.chains,
    steps,
    init: { kind: 'random' },
  });
  // The exact stationary state of each sampler's own configured step (its affineStep), over the exact grid.
  const hMin = Math.min(...eigenvaluesOf(samples));
  const exact: Partial<
    Record<
      Sampler,
      { kl: number[]; w2: number[]; at: number[]; atW2: number[]; klStdError?: number[]; atStdError?: number[] }
    >
  > = {};
  const theta0 = quadraticPosterior(samples).mean;
  const ownTarget = (eta: number) => {
    const mean = effectiveMinimum(landscape, theta0, eta, p.batchSize).theta;
    return { mean, precision: effectiveHessian(landscape, mean, eta, p.batchSize).map((h) => h / n) };
  };
  const ownTargets: Record<
    string,
    { target: string; kl: number[]; w2: number[]; atEtas: { kl: number[]; w2: number[] } }
  > = {};
  for (const s of samplers) {
    if (isWor(s)) {
      // The epoch map of each permutation, read off the optimizer's own step; Monte Carlo over permutations.
      const wor = (eta: number) => {
        const field = `sampler-bias: ${s}`;
        const info = pluginInfo(ctx.container, 'optimizer', s, field);
        const x = exactStationaryWOR(
          (sampler) => {
            const o = resolvePlugin(ctx.container, 'optimizer', s, field);
            o.configure(resolveParams(info, SAMPLERS[s].params(eta, p), field), landscape, sampler);
            return o;
          },
          samples,
          p.batchSize,
          {
            permutations: p.permutations,
            seed: ctx.seed,
            ...(s === 'sgworld-lm' ? { carried: SAMPLERS[s].carried } : {}),
          },
        );
        const moments = x.moments(),
          all = scoredAgainstPosterior(moments, samples);
        const tenth = Math.floor(x.maps / 10);
        const parts = Array.from({ length: 10 }, (_, k) =>
          scoredAgainstPosterior(x.moments([k * tenth, (k + 1) * tenth]), samples),
        );
        const se = (v: number[]) => {
          const m = v.reduce((a, b) => a + b, 0) / v.length;
          return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / (v.length - 1) / v.length);
        };
        // Uncorrected SGWORLD's own target, e^{−𝓛̂/n} (004 Eq. 16): N(θ̂₀, (Ĥ/n)⁻¹), 𝓛̂ quadratic here.
        const own = s === 'sgworld-uncorrected' ? ownTarget(eta) : undefined;
        return {
          ...all,
          klStdError: se(parts.map((q) => q.klBits)),
          ...(own ? { own: scoredAgainst(moments, samples.N, own.mean, own.precision) } : {}),
        };
      };
      const line = exactEtas.map(wor),
        atRuns = etas.map(wor);
      exact[s] = {
        kl: line.map((e) => e.klBits),
        w2: line.map((e) => e.w2),
        klStdError: line.map((e) => e.klStdError),
        at: atRuns.map((e) => e.klBits),
        atW2: atRuns.map((e) => e.w2),
        atStdError: atRuns.map((e) => e.klStdError),
      };
      if (s === 'sgworld-uncorrected')
        ownTargets[s] = {
          target: 'e^{−𝓛̂/n}: N(θ̂₀, (Ĥ/n)⁻¹), 004 Eq. 16',
          kl: line.map((e) => e.own!.klBits),
          w2: line.map((e) => e.own!.w2),
          atEtas: { kl: atRuns.map((e) => e.own!.klBits), w2: atRuns.map((e) => e.own!.w2) },
        };
      continue;
    }
    const stepAt = async (eta: number): Promise<AffineStep | undefined> => {
      const planned = await planSimulation(ctx.container, specFor(s, eta, 20, 0));
      const o = planned.parts.optimizer;
      return o.affineStep ? (Hbar, gbar) => o.affineStep!(Hbar, gbar) : undefined;
    };
    if (!(await stepAt(exactEtas[0]!))) continue;
    const curve = async (grid: number[]) => {
      const out = [];
      for (const eta of grid) out.push(exactBias((await stepAt(eta))!, samples, p.batchSize));
      return out;
    };
    const line = await curve(exactEtas),
      atRuns = await curve(etas);
    exact[s] = {
      kl: line.map((e) => e.klBits),
      w2: line.map((e) => e.w2),
      at: atRuns.map((e) => e.klBits),
      atW2: atRuns.map((e) => e.w2),
    };
  }
  const runs: { sampler: Sampler; eta: number }[] = [];
  const simulations: SimulationRequest[] = [];
  for (const s of samplers)
    for (const [i, eta] of etas.entries()) {
      const e = every(s),
        steps = Math.max(20 * e, Math.round((p.stepsAt1e6 * 1e-6) / eta / e) * e);
      const burnIn = Math.min(Math.ceil(p.burnInRelaxations / (eta * hMin)), Math.floor(steps / 2));
      runs.push({ sampler: s, eta });
      const kl = exact[s]?.at[i];
      simulations.push({
        label: `${SAMPLERS[s].label} η = ${eta}`,
        spec: specFor(s, eta, steps, burnIn),
        ...(kl !== undefined ? { theory: { 'kl-to-posterior': { 'KL (bits)': kl } } } : {}),
      });
    }
  return { simulations, samplers, etas, exactEtas, exact, ownTargets, runs };
}

/** The runs against the exact values, the slopes, the best sampler at each η, the claims and the figures. */
function analyse(
  p: Params,
  outcomes: readonly SimulationOutcome[],
  planned: Awaited<ReturnType<typeof plan>>,
  { claim }: AnalyseTools<keyof typeof claims>,
) {
  const { samplers, etas, exactEtas, exact, ownTargets, runs } = planned;
  const simulation: Record<string, { kl: number[]; klStdError: number[]; z: (number | null)[] }> = {};
  runs.forEach((r, i) => {
    const kl = outcomes[i]!.observers['kl-to-posterior'] as KlResult;
    const row = (simulation[r.sampler] ??= { kl: [], klStdError: [], z: [] });
    const j = etas.indexOf(r.eta),
      e = exact[r.sampler]?.at[j];
    row.kl.push(kl.klBits);
    row.klStdError.push(kl.stdError);
    // The exact WOR value is a Monte Carlo over permutations: its standard error adds to the chains'.
    const mc = exact[r.sampler]?.atStdError?.[j] ?? 0;
    row.z.push(e === undefined ? null : (kl.klBits - e) / Math.hypot(kl.stdError, mc));
  });
  const small = exactEtas.map((eta, i) => [eta, i] as const).filter(([eta]) => eta <= 1e-7);
  // A WOR line is a Monte Carlo over permutations: a point counts where its KL exceeds 5 of its standard errors (the
  // MC error of the averaged epoch map adds a positive KL of about one standard error, ∝ η²/permutations: ≤ 20 % there).
  const resolved = (s: string, i: number) => {
    const e = exact[s as Sampler]!;
    return e.klStdError === undefined || e.kl[i]! > 5 * e.klStdError[i]!;
  };
  // Least squares of log KL on log η over the small-η part of the exact grid.
  const slope = (y: number[]) =>
    logLogSlope(
      small.map(([eta]) => eta),
      small.map(([, i]) => y[i]!),
    );
  const exactSlopes = Object.fromEntries(
    Object.entries(exact)
      .filter(([s]) => s !== 'sgworld-lm')
      .map(([s, e]) => [s, slope(e!.kl)]),
  );
  // SGWORLD-LM: the local slopes between consecutive resolved points of its line (η⁴ expected as η → 0).
  const lm = exact['sgworld-lm'];
  const lmResolved = lm
    ? exactEtas.map((eta, i) => [eta, i] as const).filter(([, i]) => resolved('sgworld-lm', i))
    : [];
  const lmLocalSlopes = lmResolved.slice(1).map(([eta, i], k) => {
    const [eta0, i0] = lmResolved[k]!;
    return { from: eta0, to: eta, slope: Math.log(lm!.kl[i]! / lm!.kl[i0]!) / Math.log(eta / eta0) };
  });
  const lmRatio = lm && exact.sgworld ? etas.map((_, j) => exact.sgworld!.at[j]! / lm.at[j]!) : undefined;
  const chainSlopes = Object.fromEntries(
    Object.entries(simulation).map(([s, r]) => [
      s,
      etas.length > 1 && r.kl.every((k) => k > 0) ? fitSlope(etas, r.kl, r.klStdError) : null,
    ]),
  );
  // The chains' slope against the exact curve's own over the run grid (the curves bend there: not 2). The fit's
  // weights take the exact WOR value's Monte Carlo error in with the chains'.
  const slopeChecks = Object.entries(simulation).flatMap(([s, r]) => {
    const e = exact[s as Sampler];
    if (e === undefined || etas.length < 2) return [];
    if (!r.kl.every((k, j) => k > 2 * r.klStdError[j]!)) return [];
    const se = r.klStdError.map((v, j) => Math.hypot(v, e.atStdError?.[j] ?? 0));
    const chains = fitSlope(etas, r.kl, se),
      expected = logLogSlope(etas, e.at);
    return [{ sampler: s, chains: chains.slope, stdError: chains.stdError, exact: expected }];
  });
  const slopeZ = slopeChecks.map((c) => Math.abs(c.chains - c.exact) / c.stdError);
  // Best sampler at each η: the smallest exact KL (and the smallest measured one).
  const best = etas.map((eta, j) => {
    const byExact = Object.entries(exact).sort(([, a], [, b]) => a!.at[j]! - b!.at[j]!)[0];
    // Among the real chains, only KL resolved from zero (above 2 standard errors) can rank.
    const byChains = Object.entries(simulation)
      .filter(([, r]) => r.kl[j]! > 2 * r.klStdError[j]!)
      .sort(([, a], [, b]) => a.kl[j]! - b.kl[j]!)[0];
    return { eta, exact: byExact?.[0] ?? null, exactKl: byExact?.[1]!.at[j] ?? null, chains: byChains?.[0] ?? null };
  });
  const zs = Object.values(simulation).flatMap((r) => r.z.filter((z): z is number => z !== null));
  const worstZ = Math.max(...zs.map(Math.abs));
  const slopeDev = Math.max(...Object.values(exactSlopes).map((s) => Math.abs(s - 2)));
  const unresolvedSmall = Object.keys(exactSlopes).filter((s) => small.some(([, i]) => !resolved(s, i)));
  const claimList: Claim[] = [
    claim('chains-match-exact', worstZ, { atMost: p.zTolerance }),
    claim(
      'chain-slopes',
      slopeChecks.length === 0
        ? 'no sampler resolved at every η'
        : slopeChecks
            .map(
              (c) =>
                `${SAMPLERS[c.sampler as Sampler].label} ${c.chains.toFixed(2)} ± ${c.stdError.toFixed(2)} (exact ${c.exact.toFixed(2)})`,
            )
            .join(', '),
      {
        expected: 'the exact curve’s slope over the run grid',
        tolerance: `${p.zTolerance} s.e.`,
        holds: slopeChecks.length > 0 && Math.max(...slopeZ) <= p.zTolerance,
      },
    ),
    claim(
      'exact-slopes',
      Object.entries(exactSlopes)
        .map(([s, v]) => `${SAMPLERS[s as Sampler].label} ${v.toFixed(3)}`)
        .join(', '),
      {
        expected: 2,
        tolerance: 0.05,
        holds: slopeDev <= 0.05 && unresolvedSmall.length === 0,
      },
    ),
    ...(lmRatio ? [claim('lm-beats-euler', Math.min(...lmRatio), { atLeast: 10 })] : []),
  ];
  const results = {
    method:
      'Exact: the stationary mean and covariance of each sampler’s own affine step (Optimizer.affineStep) under WR minibatches, solved exactly from the first two moments of the batch means (kernel exactBias); KL (bits) and W₂ of the Gaussian with those moments to the posterior N(θ₀, H₀⁻¹), and for uncorrected SGWORLD also to its own target e^{−𝓛̂/n} = N(θ̂₀, (Ĥ/n)⁻¹) (ownTarget). WOR samplers: each permutation’s epoch map read off the real step (kernel exactStationaryWOR), averaged over `permutations` uniform permutations, with the standard error of that Monte Carlo. Real chains: `chains` chains from exact posterior draws, burn-in burnInRelaxations/(η h_min) steps, the kl-to-posterior observer (pooled Gaussian fit, jackknifed KL and standard error).',
    etas,
    exactEtas,
    exact: Object.fromEntries(
      Object.entries(exact).map(([s, e]) => [
        s,
        {
          kl: e!.kl,
          w2: e!.w2,
          ...(e!.klStdError ? { klStdError: e!.klStdError } : {}),
          atEtas: { kl: e!.at, w2: e!.atW2, ...(e!.atStdError ? { klStdError: e!.atStdError } : {}) },
        },
      ]),
    ),
    ownTarget: ownTargets,
    simulation,
    slopes: {
      exact: exactSlopes,
      chains: chainSlopes,
      exactOver: small.map(([eta]) => eta),
      againstExact: slopeChecks,
      ...(lm ? { sgworldLmLocal: lmLocalSlopes } : {}),
    },
    ...(lmRatio ? { sgworldOverLm: lmRatio } : {}),
    best,
    worstZ,
    samplers,
  };
  // Tableau 10: one colour per sampler, line and points alike.
  const colors = [
    '#4c78a8',
    '#f58518',
    '#54a24b',
    '#e45756',
    '#72b7b2',
    '#b279a2',
    '#eeca3b',
    '#ff9da6',
    '#9d755d',
    '#bab0ac',
  ];
  const color = (s: string) => colors[NAMES.indexOf(s as Sampler)]!;
  const plots = {
    'kl-vs-eta': pointsAndLines({
      title:
        'KL to the posterior against η: exact lines (WOR: where the permutation average resolves it), real chains ±1 s.e.',
      xTitle: 'η',
      yTitle: 'KL(Pₛ ‖ Pₚₒ) (bits)',
      logX: true,
      logY: true,
      lines: Object.entries(exact).map(([s, e]) => ({
        name: `${SAMPLERS[s as Sampler].label} exact`,
        x: exactEtas.filter((_, i) => resolved(s, i)),
        y: e!.kl.filter((_, i) => resolved(s, i)),
        color: color(s),
      })),
      points: Object.entries(simulation).map(([s, r]) => ({
        name: `${SAMPLERS[s as Sampler].label} chains`,
        x: etas.filter((_, j) => r.kl[j]! > 0),
        y: r.kl.filter((k) => k > 0),
        stdError: r.klStdError.filter((_, j) => r.kl[j]! > 0),
        color: color(s),
      })),
    }),
    'w2-vs-eta': pointsAndLines({
      title: 'W₂ to the posterior against η (exact)',
      xTitle: 'η',
      yTitle: 'W₂(Pₛ, Pₚₒ)',
      logX: true,
      logY: true,
      points: [],
      lines: Object.entries(exact).map(([s, e]) => ({
        name: SAMPLERS[s as Sampler].label,
        x: exactEtas,
        y: e!.w2,
        color: color(s),
      })),
    }),
  };
  return { results, claims: claimList, plots };
}

/** A non-empty list param. */
function list(v: unknown, key: string): unknown[] {
  if (!Array.isArray(v) || v.length === 0)
    throw new ScenarioError(`params.${key}`, `must be a non-empty list, got ${preview(v)}`);
  return v;
}

/** Eigenvalues of H₀ = the mean of the per-sample Hessians. */
function eigenvaluesOf(samples: ReturnType<typeof quadraticSamples>): number[] {
  const { N, H } = samples,
    H0 = new Float64Array(N * N);
  for (const h of H) for (let k = 0; k < N * N; k++) H0[k] += h[k]! / H.length;
  return [...symmetricEigenvalues(symmetrize(H0, N), N)];
}
