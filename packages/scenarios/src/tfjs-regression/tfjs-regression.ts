import { findMinimum, norm, type Landscape, type ScenarioContext, type SimulationOutcome } from '@nesslab/kernel';
import { scatterVsTheory, subscript, type Claim } from '@nesslab/report';
import { defineScenario, type AnalyseTools, type ScenarioParams } from '../define-scenario.ts';

const params = {
  eta: { type: 'number', description: 'η of the timed WR SGD runs', default: 1e-7, exclusiveMinimum: 0 },
  batchSize: { type: 'integer', description: 'm, minibatch size', default: 10, minimum: 1 },
  chains: { type: 'integer', description: 'chains of the timed runs', default: 2, minimum: 1 },
  steps: {
    type: 'integer',
    description: 'steps per chain through the tfjs landscape (~3e3 steps/s per core)',
    default: 20_000,
    minimum: 1,
  },
  builtinSteps: {
    type: 'integer',
    description: 'steps per chain through the built-in landscape, for its steps/s',
    default: 2_000_000,
    minimum: 1,
  },
} as const;

const claims = {
  'theta0-matches-builtin':
    'θ₀ found by Newton on the tfjs landscape equals the float64 θ₀ within 1e-5 relative (float32 gradients, cond(H₀) ≈ 500)',
  'hessian-matches-builtin': 'H₀ from tfjs gradients equals the analytic H₀ within 1e-5 of max|H₀|',
  'backend-reported': 'the tfjs backend in use is one of tensorflow → wasm → cpu, chosen at run time',
} as const;

/**
 * The 004 tanh regression written as a tfjs per-sample loss (autodiff, float32 inside) against the built-in
 * float64 landscape: the same θ₀ and H₀ to float32 precision, the backend tfjs chose, and the price in steps/s.
 */
export const tfjsRegression = defineScenario({
  name: 'tfjs-regression',
  title: 'The 004 regression through the tfjs adapter: θ₀ and H₀ vs the built-in landscape, backend, steps/s',
  reproduces:
    'seed 004 §4.1 (the tanh regression, Eq. 30) defined by a tfjs per-sample loss with gradients by autodiff; θ₀ must match the analytic float64 landscape to float32 precision.',
  params,
  presets: { full: {}, quick: { steps: 1_000, builtinSteps: 200_000 } },
  claims,
  plan,
  analyse,
  figures: (_p, analysis) => analysis.plots,
});

type Params = ScenarioParams<typeof params>;

/** θ₀, H₀ and ∇𝓛(θ₀) through tfjs and the built-in landscape, and the two timed runs: WR SGD on each. */
async function plan(p: Params, ctx: ScenarioContext) {
  const make = (name: string): Promise<Landscape> =>
    ctx.plugin('landscape', { name, params: { epsilon: 0.1, lambda: 10 } });
  const tf = await make('tanh-regression-tfjs'),
    builtin = await make('tanh-regression');
  const theta0 = findMinimum(tf, ctx.seed),
    theta0Builtin = findMinimum(builtin, ctx.seed);
  const N = tf.dim,
    maxAbs = (v: ArrayLike<number>) => Math.max(...Array.from(v, Math.abs));
  const theta0Diff = maxAbs(theta0.map((t, a) => t - theta0Builtin[a])) / maxAbs(theta0Builtin);
  const H = new Float64Array(N * N),
    Hb = new Float64Array(N * N);
  tf.hessian(theta0Builtin, H);
  builtin.hessian(theta0Builtin, Hb);
  const hessianDiff = maxAbs(H.map((h, i) => h - Hb[i])) / maxAbs(Hb);
  const g = new Float64Array(N),
    gb = new Float64Array(N);
  tf.gradient(theta0, g);
  builtin.gradient(theta0Builtin, gb);

  const timed = (landscape: string, steps: number) => ({
    label: `WR SGD on ${landscape}`,
    spec: {
      seed: ctx.seed,
      landscape: { name: landscape },
      sampler: { name: 'with-replacement', params: { batchSize: p.batchSize } },
      optimizer: { name: 'sgd', params: { eta: p.eta } },
      observers: [{ name: 'moments' }],
      chains: p.chains,
      steps,
      init: { kind: 'minimum' },
    },
    reference: theta0Builtin,
  });
  const simulations = [timed('tanh-regression-tfjs', p.steps), timed('tanh-regression', p.builtinSteps)];
  return { simulations, tf, theta0, theta0Builtin, theta0Diff, hessianDiff, g, gb };
}

/** The steps/s of each run, the backend tfjs chose, the claims, and the θ₀ figure. */
function analyse(
  p: Params,
  outcomes: readonly SimulationOutcome[],
  planned: Awaited<ReturnType<typeof plan>>,
  { claim }: AnalyseTools<keyof typeof claims>,
) {
  const { tf, theta0, theta0Builtin, theta0Diff, hessianDiff, g, gb } = planned;
  const [tfRun, builtinRun] = outcomes as [SimulationOutcome, SimulationOutcome];
  // Chain-steps over the wall time each run stepped (worker start-up included), as the runner measured it.
  const perSecond = (o: SimulationOutcome, steps: number) => (p.chains * steps) / (o.seconds ?? Number.NaN);
  const stepsPerSecond = { tfjs: perSecond(tfRun, p.steps), builtin: perSecond(builtinRun, p.builtinSteps) };
  const runtime = tf.runtime?.() ?? {};
  const backend = String(runtime.backend);

  const claims: Claim[] = [
    claim('theta0-matches-builtin', theta0Diff, { expected: 0, tolerance: 1e-5, holds: theta0Diff < 1e-5 }),
    claim('hessian-matches-builtin', hessianDiff, { expected: 0, tolerance: 1e-5, holds: hessianDiff < 1e-5 }),
    claim('backend-reported', backend, {
      expected: 'tensorflow | wasm | cpu',
      tolerance: '-',
      holds: ['tensorflow', 'wasm', 'cpu'].includes(backend),
    }),
  ];
  const results = {
    ...runtime,
    theta0: [...theta0],
    theta0Builtin: [...theta0Builtin],
    theta0RelativeDifference: theta0Diff,
    hessianRelativeDifference: hessianDiff,
    gradientNormAtTheta0: { tfjs: norm(g), builtin: norm(gb) },
    stepsPerSecond: {
      ...stepsPerSecond,
      ratio: stepsPerSecond.tfjs / stepsPerSecond.builtin,
      note: `chain-steps per second of wall time over ${p.chains} chain(s), worker start-up included`,
    },
    eta: p.eta,
    batchSize: p.batchSize,
    chains: p.chains,
    steps: p.steps,
  };
  const points = [...theta0].map((t, a) => ({
    theory: theta0Builtin[a],
    simulation: t,
    label: `θ${subscript(a + 1)}`,
  }));
  return {
    results,
    claims,
    plots: {
      theta0: scatterVsTheory({
        title: `θ₀ through tfjs (${backend}, float32) vs the float64 landscape`,
        points,
        xTitle: 'θ₀, built-in float64',
        yTitle: 'θ₀, tfjs autodiff',
      }),
    },
  };
}
