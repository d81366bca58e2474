import {
  ScenarioError,
  preview,
  type ScenarioContext,
  type SimulationOutcome,
  type SimulationRequest,
} from '@nesslab/kernel';
import { STYBLINSKI_TANG as ST, styblinskiTangEscape } from '@nesslab/landscapes';
import type { EscapeResult } from '@nesslab/observers';
import { panel, pointsAndLines, type Claim } from '@nesslab/report';
import { defineScenario, type AnalyseTools, type ScenarioParams } from '../define-scenario.ts';
import { pearson, weightedLine } from '../stats/line-fit.ts';

const params = {
  dim: {
    type: 'integer',
    description: 'N, coordinates of the Styblinski–Tang function (001: 10); N equivalent saddles',
    default: 10,
    minimum: 1,
  },
  eta: {
    type: 'number',
    description:
      "η, the time step (t = η·steps); keep ηk f''(a) ≪ 1: the Euler bias of γ is ≈ +3 % at ηk = 1e-2 (measured)",
    default: 5e-4,
    exclusiveMinimum: 0,
  },
  chains: {
    type: 'integer',
    description: 'K, escapes attempted per point (001 App. C: 100)',
    default: 100,
    minimum: 2,
  },
  sharpnesses: { type: 'array', description: 'k of panel (a), at D = diffusionForK', default: [1, 2, 4, 8] },
  diffusionForK: { type: 'number', description: 'D of panel (a)', default: 6, exclusiveMinimum: 0 },
  diffusions: {
    type: 'array',
    description: 'D of panel (b), at k = sharpnessForD (ΔL/D from 9.8 to 4.9: low temperature, yet affordable)',
    default: [4, 4.5, 5, 5.5, 6, 7, 8],
  },
  sharpnessForD: { type: 'number', description: 'k of panel (b)', default: 2, exclusiveMinimum: 0 },
  meanTimes: {
    type: 'number',
    description:
      'steps per chain, in units of the predicted mean escape time (exact 1-D passage ÷ N): a fraction e^{−meanTimes} is censored',
    default: 5,
    exclusiveMinimum: 0,
  },
  beyondSaddle: {
    type: 'number',
    description: 'the box edge sits this far past the saddle b, in units of x = √kθ (docs/science.md §7: 1)',
    default: 1,
    exclusiveMinimum: 0,
  },
  pearsonMin: {
    type: 'number',
    description: 'least Pearson correlation of −log γ with 1/D (001: > 0.99)',
    default: 0.99,
    minimum: 0,
    maximum: 1,
  },
  slopeStdErrors: {
    type: 'number',
    description: 'tolerance of the log–log slope of γ vs k, in standard errors (from the escapes per point)',
    default: 3,
    exclusiveMinimum: 0,
  },
  rateStdErrors: {
    type: 'number',
    description: 'tolerance of the pooled ratio γ/γ_Kramers, in standard errors (1/√(all escapes))',
    default: 3,
    exclusiveMinimum: 0,
  },
  discretizationAllowance: {
    type: 'number',
    description:
      'relative Euler bias of γ allowed on top (measured +2.8 ± 2.3 % at ηk = 1e-2, +1.5 ± 2.3 % at 5e-3, D = 6)',
    default: 0.02,
    minimum: 0,
  },
} as const;

const claims = {
  'rate-proportional-to-sharpness':
    'at fixed D the escape rate is proportional to the sharpness k (001 Fig. 6a): the weighted log–log slope of γ̂ vs k is 1 within the tolerance',
  'linear-in-inverse-diffusion': 'at fixed k, −log γ̂ is linear in 1/D (001 Fig. 6b): Pearson correlation above 0.99',
  'rate-matches-kramers':
    "γ̂ (continuous time, γ̂_steps/η) pooled over all points equals Theorem 3.1 × N (Rule 1 over the N equivalent saddles, docs/science.md §7) within the statistical tolerance plus the Kramers formula's own error at these D (vs the exact 1-D passage time) plus the Euler bias",
} as const;

/**
 * 001 §4, Theorem 3.1, Fig. 6 (a), (b): GD + white noise escaping from the global minimum a of the N-D Styblinski–Tang
 * function 𝓛 = f(√kθ). Per (k, D) point, K chains start at a/√k and stop counting when one coordinate leaves the box
 * |√kθ_d − a| ≤ (b − a) + 1 (past the saddle b by 1, docs/science.md §7); γ̂ = escapes / steps at risk, in continuous time
 * γ̂/η. Theory: Theorem 3.1 with Rule 1 over the N equivalent saddles, τ = 2π/(N k √(f''(a)|f''(b)|)) e^{ΔL/D}, and the
 * exact 1-D mean first-passage time to the box edge (quadrature), ÷ N: the coordinates are independent.
 */
export const escapeWhiteNoise = defineScenario({
  name: 'escape-white-noise',
  title:
    'Escape of GD + white noise from a Styblinski–Tang minimum: γ ∝ k, −log γ linear in 1/D, Theorem 3.1 (001 Fig. 6)',
  reproduces:
    'seed 001 (A diffusion theory for deep learning dynamics) §4, Theorem 3.1, Fig. 6 (a), (b) and Fig. 13–14: GD with injected white noise on the 10-D Styblinski–Tang function, K escapes per point; the escape rate is proportional to the sharpness k at fixed D, and −log γ is linear in 1/D with slope ΔL at fixed k. The rate matches Theorem 3.1 multiplied by the 10 equivalent saddles (Rule 1, docs/science.md §7).',
  params,
  presets: {
    // full: the paper's K = 100 per point; 10 points (k = 2, D = 6 shared), η = 5e-4 (ηk ≤ 4e-3: Euler bias ≲ 1 %),
    // 5 mean times per run (< 1 % censored, so 001's 1/mean(t) is usable too): ≈ 3.6e8 chain-steps of N = 10, measured
    // 161–168 s on 2 cores (seeds 1, 2; all claims hold: slopes 0.94, 0.87 ± 0.065, Pearson 0.9996, 0.9991, γ/γ_K 0.96, 0.99).
    full: {},
    // quick: K = 80, η = 1e-3, panel (b) at k = 8 without D = 4 (~30× fewer steps; ηk = 8e-3, Euler bias ≲ 2.5 %), 3 mean
    // times per run (5 % censored, accounted for by the MLE): ≈ 1.6e7 chain-steps of N = 10, 5–6 s on 2 cores.
    quick: { eta: 1e-3, chains: 80, diffusions: [4.5, 5, 5.5, 6, 7, 8], sharpnessForD: 8, meanTimes: 3 },
  },
  claims,
  plan,
  analyse,
  figures: (_p, analysis) => analysis.plots,
});

type Params = ScenarioParams<typeof params>;

const numbers = (v: unknown, field: string): number[] => {
  if (
    !Array.isArray(v) ||
    v.length < 2 ||
    !v.every((x): x is number => typeof x === 'number' && Number.isFinite(x) && x > 0)
  )
    throw new ScenarioError(`params.${field}`, `needs at least two positive numbers, got ${preview(v)}`);
  return v;
};

/** The (k, D) points of both panels (a shared point once), each with its box, theory and steps: one simulation per point. */
function plan(p: Params, ctx: ScenarioContext) {
  const N = p.dim,
    eta = p.eta,
    K = p.chains,
    beyond = p.beyondSaddle;
  const ks = numbers(p.sharpnesses, 'sharpnesses'),
    Ds = numbers(p.diffusions, 'diffusions');
  const Da = p.diffusionForK,
    kb = p.sharpnessForD;
  const points = new Map<string, { k: number; D: number }>();
  for (const k of ks) points.set(`${k}|${Da}`, { k, D: Da });
  for (const D of Ds) points.set(`${kb}|${D}`, { k: kb, D });

  const simulations: SimulationRequest[] = [],
    pointPlans: {
      key: string;
      k: number;
      D: number;
      halfWidth: number;
      theory: ReturnType<typeof styblinskiTangEscape>;
    }[] = [];
  let index = 0;
  for (const [key, { k, D }] of points) {
    const halfWidth = (ST.b - ST.a + beyond) / Math.sqrt(k);
    const theory = styblinskiTangEscape(N, k, D, halfWidth);
    const steps = Math.max(10, Math.ceil((p.meanTimes * theory.exact) / eta));
    const spec = {
      seed: ctx.seed + 7919 * ++index, // every point its own noise: no correlation between the points of a fit
      landscape: { name: 'styblinski-tang', params: { dim: N, sharpness: k } },
      sampler: { name: 'full-batch' },
      optimizer: { name: 'gd-white-noise', params: { eta, diffusion: D } },
      observers: [{ name: 'escape-time', params: { halfWidth } }],
      chains: K,
      steps,
      init: { kind: 'minimum' },
    };
    simulations.push({ label: `k = ${k}, D = ${D}`, spec, reference: new Float64Array(N).fill(ST.a / Math.sqrt(k)) });
    pointPlans.push({ key, k, D, halfWidth, theory });
  }
  return { simulations, points: pointPlans, ks, Ds, Da, kb };
}

/** The measured rate per point against Theorem 3.1, the fits of both panels, the claims and the figures. */
function analyse(
  p: Params,
  outcomes: readonly SimulationOutcome[],
  planned: ReturnType<typeof plan>,
  { claim }: AnalyseTools<keyof typeof claims>,
) {
  const N = p.dim,
    eta = p.eta,
    K = p.chains,
    beyond = p.beyondSaddle;
  const { ks, Ds, Da, kb } = planned;
  const measured = new Map<string, ReturnType<typeof point>>();
  for (const [i, { key, k, D, halfWidth, theory }] of planned.points.entries())
    measured.set(key, point(k, D, eta, halfWidth, outcomes[i]!.observers['escape-time'] as EscapeResult, theory));
  const panelA = ks.map((k) => measured.get(`${k}|${Da}`)!),
    panelB = Ds.map((D) => measured.get(`${kb}|${D}`)!);
  const all = [...measured.values()];

  // (a) log γ = c + s log k, weighted by the escapes (var log γ̂ = 1/escapes).
  const fitA = weightedLine(
    panelA.map((q) => Math.log(q.k)),
    panelA.map((q) => Math.log(q.rate)),
    panelA.map((q) => q.escaped),
  );
  const slopeTolerance = p.slopeStdErrors * fitA.slopeStdError;
  // (b) −log γ vs 1/D: Pearson (the paper's test) and the weighted slope, which Theorem 3.1 says is ΔL.
  const invD = panelB.map((q) => 1 / q.D),
    minusLog = panelB.map((q) => -Math.log(q.rate));
  const r = pearson(invD, minusLog);
  const fitB = weightedLine(
    invD,
    minusLog,
    panelB.map((q) => q.escaped),
  );
  // Kramers: pooled log(γ̂/γ_K) weighted by escapes; its own error at these D is |γ_exact/γ_K − 1| (quadrature).
  const escapes = all.reduce((s, q) => s + q.escaped, 0);
  const pooled = Math.exp(all.reduce((s, q) => s + q.escaped * Math.log(q.ratioToKramers), 0) / escapes);
  const kramersOwnError = Math.max(...all.map((q) => Math.abs(q.exactRate / q.kramersRate - 1)));
  const rateTolerance = p.rateStdErrors / Math.sqrt(escapes) + kramersOwnError + p.discretizationAllowance;
  const pooledExact = Math.exp(all.reduce((s, q) => s + q.escaped * Math.log(q.ratioToExact), 0) / escapes);

  const claims: Claim[] = [
    claim('rate-proportional-to-sharpness', fitA.slope, {
      expected: 1,
      tolerance: slopeTolerance,
      holds: Math.abs(fitA.slope - 1) <= slopeTolerance,
    }),
    claim('linear-in-inverse-diffusion', r, { expected: `> ${p.pearsonMin}`, tolerance: 0, holds: r > p.pearsonMin }),
    claim('rate-matches-kramers', pooled, {
      expected: 1,
      tolerance: rateTolerance,
      holds: Math.abs(pooled - 1) <= rateTolerance,
    }),
  ];
  const exits = new Array<number>(N).fill(0);
  for (const q of all)
    q.exitsUpper.forEach((n, d) => {
      exits[d] += n;
    });
  const results = {
    landscape: {
      dim: N,
      a: ST.a,
      b: ST.b,
      barrier: ST.barrier,
      curvatureA: ST.curvatureA,
      curvatureB: ST.curvatureB,
      boxBeyondSaddle: beyond,
    },
    eta,
    chains: K,
    points: all,
    panelA: {
      diffusion: Da,
      sharpness: ks,
      slope: fitA.slope,
      slopeStdError: fitA.slopeStdError,
      rateOverK: panelA.map((q) => q.rate / q.k),
      kramersRateOverK: panelA[0].kramersRate / panelA[0].k,
    },
    panelB: {
      sharpness: kb,
      diffusion: Ds,
      pearson: r,
      slope: fitB.slope,
      slopeStdError: fitB.slopeStdError,
      barrier: ST.barrier,
    },
    kramers: {
      pooledRatio: pooled,
      pooledRatioToExact: pooledExact,
      relativeStdError: 1 / Math.sqrt(escapes),
      escapes,
      censored: all.reduce((s, q) => s + q.censored, 0),
      kramersOwnError,
    },
    exitsPerCoordinate: exits,
    exitsLowerSide: all.reduce((s, q) => s + q.exitsLower.reduce((a, b) => a + b, 0), 0),
  };
  return { results, claims, plots: plots(panelA, panelB, Da, kb, eta, K, N) };
}

/** One (k, D) point: measured rate in continuous time with its 95 % interval, and both theories. */
function point(
  k: number,
  D: number,
  eta: number,
  halfWidth: number,
  e: EscapeResult,
  theory: ReturnType<typeof styblinskiTangEscape>,
) {
  const rate = e.rate / eta,
    rel = e.rateRelativeError,
    kramersRate = 1 / theory.kramers,
    exactRate = 1 / theory.exact;
  return {
    k,
    D,
    halfWidth,
    steps: e.steps,
    chains: e.chains,
    escaped: e.escaped,
    censored: e.censored,
    ratePerStep: e.rate,
    rate,
    rateLow: rate * (1 - 1.96 * rel),
    rateHigh: rate * (1 + 1.96 * rel),
    rateRelativeError: rel,
    // 001 App. C's estimator 1/mean(t), only meaningful when nothing is censored.
    ratePaper: e.censored === 0 ? 1 / (eta * e.meanEscapeStep) : null,
    kramersRate,
    exactRate,
    ratioToKramers: rate / kramersRate,
    ratioToExact: rate / exactRate,
    zToExact: Math.log(rate / exactRate) / rel,
    exitsUpper: e.exitsUpper,
    exitsLower: e.exitsLower,
  };
}

type Point = ReturnType<typeof point>;

/** 001 Fig. 6 (a) γ̂ vs k from the origin, (b) −log γ̂ vs 1/D: 95 % bars, Theorem 3.1 × N and the exact passage time as lines. */
function plots(a: Point[], b: Point[], Da: number, kb: number, eta: number, K: number, N: number) {
  const sizes = `N = ${N}, η = ${eta}, K = ${K} chains per point; bars: 95 % intervals`;
  const fitA = weightedLine(
    a.map((q) => Math.log(q.k)),
    a.map((q) => Math.log(q.rate)),
    a.map((q) => q.escaped),
  );
  const through0 = (f: (q: Point) => number) => ({ x: [0, ...a.map((q) => q.k)], y: [0, ...a.map(f)] }); // γ ∝ k: lines from the origin
  const rateVsK = pointsAndLines({
    title: `(a) γ ∝ k at D = ${Da} (001 Fig. 6a)`,
    subtitle: [sizes, `log–log slope ${fitA.slope.toFixed(3)} ± ${fitA.slopeStdError.toFixed(3)} (Theorem 3.1: 1)`],
    xTitle: 'sharpness k',
    yTitle: 'γ (per unit time t = η·steps)',
    zeroX: true,
    zeroY: true,
    points: [
      {
        name: 'simulation',
        x: a.map((q) => q.k),
        y: a.map((q) => q.rate),
        lo: a.map((q) => q.rateLow),
        hi: a.map((q) => q.rateHigh),
      },
    ],
    lines: [
      { name: 'Theorem 3.1 × N saddles (Rule 1)', ...through0((q) => q.kramersRate) },
      { name: 'exact: N ∕ 1-D mean first-passage time', ...through0((q) => q.exactRate), dashed: true },
    ],
  });
  const invD = b.map((q) => 1 / q.D),
    y = b.map((q) => -Math.log(q.rate)),
    fitB = weightedLine(
      invD,
      y,
      b.map((q) => q.escaped),
    );
  const ends = [Math.min(...invD), Math.max(...invD)];
  const logRateVsInvD = pointsAndLines({
    title: `(b) −log γ linear in 1/D at k = ${kb} (001 Fig. 6b)`,
    subtitle: [
      sizes,
      `Pearson r = ${pearson(invD, y).toFixed(4)}; slope ${fitB.slope.toFixed(1)} ± ${fitB.slopeStdError.toFixed(1)} (Theorem 3.1: ΔL = ${ST.barrier.toFixed(2)})`,
    ],
    xTitle: '1/D',
    yTitle: '−log γ',
    points: [
      {
        name: 'simulation',
        x: invD,
        y,
        lo: b.map((q, i) => y[i] - 1.96 * q.rateRelativeError),
        hi: b.map((q, i) => y[i] + 1.96 * q.rateRelativeError),
      },
    ],
    lines: [
      { name: 'Theorem 3.1 × N saddles (Rule 1)', x: invD, y: b.map((q) => -Math.log(q.kramersRate)) },
      {
        name: 'exact: N ∕ 1-D mean first-passage time',
        x: invD,
        y: b.map((q) => -Math.log(q.exactRate)),
        dashed: true,
      },
      { name: 'weighted linear fit', x: ends, y: ends.map((v) => fitB.intercept + fitB.slope * v), dashed: true },
    ],
  });
  return {
    'rate-vs-sharpness': rateVsK,
    'log-rate-vs-inverse-diffusion': logRateVsInvD,
    'escape-fig6': panel([rateVsK, logRateVsInvD], 2),
  };
}
