import {
  findMinimum,
  hasRandomStart,
  Xoshiro128,
  type Landscape,
  type ScenarioContext,
  type SimulationOutcome,
} from '@nesslab/kernel';
import { sgnVsHessian, type SgnVsHessian } from '@nesslab/observers';
import { panel, pointsAndLines, scatterVsTheory, subscript, type Claim, type TopLevelSpec } from '@nesslab/report';
import { defineScenario, type AnalyseTools, type ScenarioParams } from '../define-scenario.ts';

const params = {
  batchSize: {
    type: 'integer',
    description: 'B, indices per minibatch (without repetition within a batch, as the with-replacement sampler)',
    default: 10,
    minimum: 1,
  },
  minibatches: {
    type: 'integer',
    description: 'sampled minibatches per point: each covariance element has a relative error ≈ √(2/minibatches)',
    default: 200_000,
    minimum: 100,
  },
  pearsonMin: {
    type: 'number',
    description: 'least Pearson correlation of C_ij with κ_B M H_ij at θ₀ (001 Fig. 2: up to 0.999)',
    default: 0.99,
    minimum: 0,
    maximum: 1,
  },
} as const;

const claims = {
  'sgn-matches-hessian-over-b':
    'at the minimum θ₀ the sampled minibatch-gradient covariance C_ij correlates with H_ij/B (here κ_B M H_ij, data-loss Hessian) element by element with Pearson ≥ 0.99 (001 Fig. 2)',
  'sampled-covariance-matches-exact':
    'the sampled C equals the exact minibatch covariance 2D/η² (004 Eq. 14) within 5 standard errors of a covariance element, √(2/minibatches) of √(C_ii C_jj)',
} as const;

/**
 * 001 §2, Eq. 7, Fig. 2: near a minimum the covariance of minibatch gradients C = Cov_B(∇L_B) ≈ H/B (B the batch size),
 * because the Fisher information ≈ the Hessian there. On 004's tanh regression (ℓ_i = M·NLL_i with Gaussian noise of
 * sd ε) this reads C ≈ κ_B M H_L, κ_B = (M − B)/(B(M − 1)) for batches without repetition (004 Eq. 14), H_L = (1/M)Σ∇²ℓ_i.
 * C is measured from `minibatches` sampled minibatch gradients at θ₀ (and at a random start, as 001 Fig. 2 does) and
 * compared element by element (i ≤ j) with κ_B M H_L; the exact covariance (kernel diffusionWR, C = 2D/η²) is the check.
 * The measurement is the `sgn-vs-hessian` observer's function, called directly: both points are fixed states (θ₀ and a
 * random start), not the end of a chain, so a simulation would step chains for nothing.
 */
export const sgnHessian = defineScenario({
  name: 'sgn-hessian',
  title: 'Stochastic gradient noise covariance ≈ H/B near a minimum (001 §2, Eq. 7, Fig. 2)',
  reproduces:
    'seed 001 (A diffusion theory for deep learning dynamics) §2, Eq. 7 and Fig. 2 / Fig. 9: the covariance of minibatch gradients is proportional to the Hessian and inversely to the batch size near a minimum (Pearson up to 0.999; Ĉ ≈ 1.004 H/B on Avila), here on the 7-parameter tanh regression of seed 004 at its minimum θ₀ and at a random start.',
  params,
  presets: {
    full: {},
    quick: { minibatches: 20_000 },
  },
  claims,
  plan,
  analyse,
  figures: (_p, analysis) => analysis.plots,
});

type Params = ScenarioParams<typeof params>;

/** The tanh regression, its minimum θ₀ and a random start: no simulation (both points are fixed states). */
async function plan(_p: Params, ctx: ScenarioContext) {
  const landscape: Landscape = await ctx.plugin('landscape', {
    name: 'tanh-regression',
    params: { epsilon: 0.1, lambda: 10, data: 'paper', dataSeed: 0, dataSize: 200 },
  });
  const N = landscape.dim,
    M = landscape.dataSize,
    theta0 = findMinimum(landscape, ctx.seed);
  const start = new Float64Array(N),
    rng = Xoshiro128.fromSeed(ctx.seed);
  if (!hasRandomStart(landscape)) throw new Error('sgn-hessian: tanh-regression has no random start');
  landscape.randomInit(start, () => rng.nextNormal());
  return { simulations: [], landscape, N, M, theta0, start, rng };
}

/** C sampled at θ₀ and at the random start against κ_B M H, the claims and the figures. */
function analyse(
  p: Params,
  _outcomes: readonly SimulationOutcome[],
  planned: Awaited<ReturnType<typeof plan>>,
  { claim }: AnalyseTools<keyof typeof claims>,
) {
  const B = p.batchSize,
    S = p.minibatches;
  const { landscape, N, M, theta0, start, rng } = planned;
  const minimum = sgnVsHessian(landscape, theta0, B, S, rng),
    random = sgnVsHessian(landscape, start, B, S, rng); // one stream: θ₀'s draws, then the start's
  const five = 5 * Math.sqrt(2 / S);
  const claims: Claim[] = [
    claim('sgn-matches-hessian-over-b', minimum.pearson, {
      expected: `≥ ${p.pearsonMin}`,
      tolerance: 0,
      holds: minimum.pearson >= p.pearsonMin,
    }),
    claim('sampled-covariance-matches-exact', minimum.sampledVsExact, {
      expected: 0,
      tolerance: five,
      holds: minimum.sampledVsExact <= five,
    }),
  ];
  const strip = ({ h: _h, c: _c, eigenvalues, eigenCovariance, ...rest }: SgnVsHessian) => ({
    ...rest,
    hessianEigenvalues: [...eigenvalues],
    eigenCovariance: [...eigenCovariance],
  }); // λ_e of κ_B M H_L and u_eᵀ C u_e (plots a, b)
  const results = {
    landscape: 'tanh-regression',
    dim: N,
    dataSize: M,
    batchSize: B,
    minibatches: S,
    kappa: (M - B) / (B * (M - 1)),
    theta0: [...theta0],
    minimum: strip(minimum),
    randomStart: { theta: [...start], ...strip(random) },
  };
  return { results, claims, plots: plots(minimum, random, B, S, M, p.pearsonMin) };
}

/**
 * 001 Fig. 2: C against H/B on log–log axes in the eigenbasis of H (a: θ₀, b: random start; |λ| for negative λ, 001's
 * [H]₊), and (c) the element-wise comparison in the parameter basis that the claim tests.
 */
function plots(minimum: SgnVsHessian, random: SgnVsHessian, B: number, S: number, M: number, pearsonMin: number) {
  const sizes = `B = ${B} of M = ${M}, ${S} sampled minibatches; tanh regression (004); κ(B) = (M − B)/(B(M − 1))`;
  const eigen = (m: SgnVsHessian, title: string) => {
    const values = [...m.eigenvalues],
      C = m.eigenCovariance,
      top = Math.max(...values.map(Math.abs));
    const keep = values.map((_, e) => e).filter((e) => Math.abs(values[e]) > 1e-12 * top),
      pos = keep.filter((e) => values[e] > 0),
      neg = keep.filter((e) => values[e] < 0);
    const ends = [Math.min(...keep.map((e) => Math.abs(values[e]))), top];
    return pointsAndLines({
      title,
      subtitle: [
        sizes,
        `element-wise (parameter basis): Pearson ${m.pearson.toFixed(4)}, C ≈ ${m.factor.toFixed(3)}·κ(B)·M·∇²L`,
      ],
      xTitle: '|κ(B)·M·λₑ|  (H/B along Hessian eigenvector uₑ)',
      yTitle: 'Cₑₑ = uₑᵀ C uₑ',
      logX: true,
      logY: true,
      square: true,
      points: [
        { name: 'eigen-direction, λₑ > 0', x: pos.map((e) => values[e]), y: pos.map((e) => C[e]) },
        ...(neg.length
          ? [{ name: "λₑ < 0 (plotted |λₑ|: 001's [H]₊)", x: neg.map((e) => -values[e]), y: neg.map((e) => C[e]) }]
          : []),
      ],
      lines: [{ name: 'C = H/B (001 Eq. 7; here κ(B)·M·∇²L, L the data loss)', x: ends, y: ends }],
    });
  };
  const a = eigen(minimum, '(a) C vs H/B at the minimum θ₀ (001 Fig. 2)'),
    b = eigen(random, '(b) C vs H/B at a random start (001 Fig. 2)');
  const c = {
    ...scatterVsTheory({
      title: '',
      xTitle: 'κ(B)·M·(∇²L)ᵢⱼ (∝ H/B)',
      yTitle: 'sampled covariance Cᵢⱼ',
      points: elementPairs(minimum),
    }),
    title: {
      text: `(c) element-wise at θ₀ (the claim)`,
      subtitle: [sizes, `i ≤ j in the parameter basis: Pearson ${minimum.pearson.toFixed(4)} (claim: ≥ ${pearsonMin})`],
      subtitleFontSize: 11,
      subtitleColor: '#444',
      subtitlePadding: 4,
    },
  } as TopLevelSpec;
  return { 'sgn-vs-hessian-minimum': a, 'sgn-vs-hessian-random': b, 'sgn-fig2': panel([a, b, c], 3) };
}

/** The i ≤ j elements (κ_B M H_ij, C_ij) in the parameter basis, labelled, for the element-wise scatter. */
function elementPairs(m: SgnVsHessian) {
  const N = Math.round((Math.sqrt(1 + 8 * m.h.length) - 1) / 2),
    out: { theory: number; simulation: number; label: string; group: string }[] = [];
  for (let a = 0, k = 0; a < N; a++)
    for (let b = a; b < N; b++, k++)
      out.push({
        theory: m.h[k],
        simulation: m.c[k],
        label: `C${subscript(a + 1)}${N > 9 ? ',' : ''}${subscript(b + 1)}`,
        group: a === b ? 'diagonal' : 'off-diagonal',
      });
  return out;
}
