import {
  ScenarioError,
  Xoshiro128,
  definePlugin,
  type FusedBlockRunner,
  type FusedBlocks,
  type Landscape,
  type Optimizer,
  type ParamsOf,
  type Sampler,
} from '@nesslab/kernel';
import { TanhRegressionFusedBlock, fusedStepInstance } from './fused-block.ts';
import { PAPER_X, PAPER_Y } from './data.ts';

/**
 * tanh(u) as expm1(2u)/(expm1(2u) + 2), with u clamped at 20 from above (tanh(u) rounds to 1 for u > 19.06;
 * the clamp keeps expm1 finite, and Math.min passes NaN through, so a diverging chain still shows NaN).
 *
 * Measured in Node 20.20 (V8, x86-64 AMD EPYC) with throwaway scripts:
 *   speed — stand-alone copy of the minibatch-gradient loop, m = 10, best of 5: Math.tanh 2.30–2.46 M calls/s,
 *           this form 2.58–2.69 M calls/s; this class (esbuild bundle, m = 10, with an SGD update): Math.tanh
 *           best 2.04 M calls/s, this form best 2.28 M calls/s (≈ 10 % faster either way); bare loop per tanh:
 *           Math.tanh 13.7 ns, this form 12.3–12.5 ns, 1 − 2/(e^{2u} + 1) 11.4 ns.
 *   accuracy — against mpmath (200-bit) on 10⁵ arguments, uniform on (−20, 20), on (−4, 4) and log-uniform
 *           in |u| from 10⁻¹⁵ to 25: max error 2.41 ulp (Math.tanh itself: 1.90 ulp); max relative difference
 *           from Math.tanh over 3·10⁵ arguments 4.1·10⁻¹⁶ (1.87 ε). Exact at ±0, ±∞, NaN, |u| ≥ 19.1.
 *   rejected — 1 − 2/(e^{2u} + 1) is the fastest but cancels near u = 0: 101 ulp at |u| > 0.01 and
 *           relative error ~10⁻⁴ at |u| ~ 10⁻¹² (unbounded as u → 0).
 */
export function tanh(u: number): number {
  const e = Math.expm1(2 * Math.min(u, 20));
  return e / (e + 2);
}

/** The parameters `configure` reads, with the paper's values as defaults. */
export interface TanhRegressionParams {
  /** ε in ℓ_i = (M/(2ε²))(y_i − f(x_i))². */
  epsilon: number;
  /** λ in R = λ|θ|². */
  lambda: number;
  /** 'paper': the authors' draw (shared/data); 'generated': a fresh draw from `dataSeed`. */
  data: 'paper' | 'generated';
  dataSeed: number;
  /** M. Must be 200 with the paper's data. */
  dataSize: number;
}

export const TANH_REGRESSION_DEFAULTS: Readonly<TanhRegressionParams> = Object.freeze({
  epsilon: 0.1,
  lambda: 10,
  data: 'paper',
  dataSeed: 1,
  dataSize: 200,
});

/** The standard deviation of the noise in generated data (the paper's ε = 0.1; `epsilon` only scales the loss). */
const NOISE_SD = 0.1;
/** |θ| of the random start, as in the authors' notebooks (InitNorm = 0.5). */
const INIT_NORM = 0.5;
const N = 7;
/** The largest M a sampler can index (Rng.nextInt: n ≤ 2^21). */
const MAX_DATA_SIZE = 2097152;

export const tanhRegressionInfo = definePlugin({
  kind: 'landscape',
  name: 'tanh-regression',
  description:
    'Nonlinear regression net with two tanh hidden units (N = 7): f(x;θ) = θ₅tanh(θ₁x+θ₃) + θ₆tanh(θ₂x+θ₄) + θ₇, ' +
    'ℓ_i = (M/(2ε²))(y_i − f(x_i))², R = λ|θ|², on y = exp(−x²) + N(0, 0.1²) sampled at x_i = −3 + 0.03(i−1). ' +
    "Analytic gradients and Hessian; random start as in the authors' code (uniform [0,1)⁷ rescaled to |θ| = 0.5).",
  source: '004 §4.1, Eq. 30',
  params: {
    epsilon: {
      type: 'number',
      default: TANH_REGRESSION_DEFAULTS.epsilon,
      exclusiveMinimum: 0,
      description:
        'ε in ℓ_i = (M/(2ε²))(y_i − f(x_i))² (scales the loss only; generated data always has noise sd 0.1, as in the paper)',
    },
    lambda: {
      type: 'number',
      default: TANH_REGRESSION_DEFAULTS.lambda,
      minimum: 0,
      description: 'λ of the L2 regulariser R = λ|θ|²',
    },
    data: {
      type: 'string',
      default: TANH_REGRESSION_DEFAULTS.data,
      enum: ['paper', 'generated'],
      description:
        '"paper": the authors\' own draw of the 200 points (reproduces the paper\'s θ₀, Σ and C); "generated": a fresh draw from dataSeed',
    },
    dataSeed: {
      type: 'integer',
      default: TANH_REGRESSION_DEFAULTS.dataSeed,
      minimum: 0,
      description:
        'seed of the noise N(0, 0.1²) of generated data (Xoshiro128.fromSeed(dataSeed).nextNormal(), i = 1..M); ignored for "paper"',
    },
    dataSize: {
      type: 'integer',
      default: TANH_REGRESSION_DEFAULTS.dataSize,
      minimum: 1,
      maximum: MAX_DATA_SIZE,
      description: 'M; generated data has x_i = −3 + 6(i−1)/M (evenly spaced on [−3, 3)); must be 200 for "paper"',
    },
  },
  precision: 'float64',
});

/**
 * The nonlinear regression network of paper 004 §4.1, Eq. 30 (docs/science.md §3), N = 7:
 *   f(x; θ) = θ₅ tanh(θ₁x + θ₃) + θ₆ tanh(θ₂x + θ₄) + θ₇          (θ₁..θ₇ = theta[0..6])
 *   ℓ_i = (M/(2ε²)) (y_i − f(x_i))²,  L = (1/M) Σ ℓ_i,  R = λ|θ|²,  𝓛 = L + R.
 * Everything is analytic and float64; no method allocates. With r_i = y_i − f(x_i) and 2K = M/ε²:
 *   ∇ℓ_i = −(M/ε²) r_i ∇f_i,  ∇L = −(1/ε²) Σ r_i ∇f_i,  ∇R = 2λθ,
 *   ∇²𝓛 = (1/ε²) Σ (∇f_i ∇f_iᵀ − r_i ∇²f_i) + 2λI.
 */
export class TanhRegression implements Landscape, FusedBlocks {
  readonly dim = N;
  private x: Float64Array;
  private y: Float64Array;
  private m: number;
  /** 0 … M−1: the full batch. */
  private everyIndex: Int32Array;
  private eps: number;
  private lam: number;
  /** 1/ε²: L = (1/(2ε²)) Σ r², ∇L = −(1/ε²) Σ r ∇f. */
  private invEps2: number;
  /** M/ε²: ∇ℓ_i = −(M/ε²) r_i ∇f_i. */
  private sampleScale: number;
  /** ∇f of one sample, for `hessian` (allocated once). */
  private readonly fGrad = new Float64Array(N);

  constructor() {
    this.x = Float64Array.from(PAPER_X);
    this.y = Float64Array.from(PAPER_Y);
    this.m = this.x.length;
    this.everyIndex = Int32Array.from({ length: this.m }, (_, i) => i);
    this.eps = TANH_REGRESSION_DEFAULTS.epsilon;
    this.lam = TANH_REGRESSION_DEFAULTS.lambda;
    this.invEps2 = 1 / (this.eps * this.eps);
    this.sampleScale = this.m * this.invEps2;
  }

  get dataSize(): number {
    return this.m;
  }
  get epsilon(): number {
    return this.eps;
  }
  get lambda(): number {
    return this.lam;
  }
  /** Copies of the data (x_i, y_i), i = 1..M. */
  data(): { x: Float64Array; y: Float64Array } {
    return { x: this.x.slice(), y: this.y.slice() };
  }

  /**
   * Reads `epsilon`, `lambda`, `data`, `dataSeed`, `dataSize` (resolved by the kernel: defaults are the paper's values).
   * The run seed is not used: the data set is part of the landscape and stays the same across runs;
   * generated data comes from `dataSeed` alone.
   */
  configure(p: ParamsOf<typeof tanhRegressionInfo>, _seed: number): void {
    let x: Float64Array, y: Float64Array;
    if (p.data === 'paper') {
      if (p.dataSize !== PAPER_X.length) {
        throw new ScenarioError(
          'scenario.landscape.params.dataSize',
          `the paper's data has ${PAPER_X.length} points, got ${p.dataSize} (use data: "generated" for another size)`,
        );
      }
      x = Float64Array.from(PAPER_X);
      y = Float64Array.from(PAPER_Y);
    } else {
      ({ x, y } = generateData(p.dataSize, p.dataSeed));
    }
    this.x = x;
    this.y = y;
    this.m = x.length;
    this.everyIndex = Int32Array.from({ length: x.length }, (_, i) => i);
    this.eps = p.epsilon;
    this.lam = p.lambda;
    this.invEps2 = 1 / (p.epsilon * p.epsilon);
    this.sampleScale = this.m * this.invEps2;
  }

  loss(theta: Float64Array): number {
    const a1 = theta[0],
      a2 = theta[1],
      b1 = theta[2],
      b2 = theta[3],
      c1 = theta[4],
      c2 = theta[5],
      d = theta[6];
    const xs = this.x,
      ys = this.y,
      m = this.m;
    let sr2 = 0;
    for (let i = 0; i < m; i++) {
      const x = xs[i];
      const r = ys[i] - (c1 * tanh(a1 * x + b1) + c2 * tanh(a2 * x + b2) + d);
      sr2 += r * r;
    }
    const norm2 = a1 * a1 + a2 * a2 + b1 * b1 + b2 * b2 + c1 * c1 + c2 * c2 + d * d;
    return 0.5 * this.invEps2 * sr2 + this.lam * norm2;
  }

  /** ∇𝓛: the minibatch gradient over every index (one code path for both). */
  gradient(theta: Float64Array, out: Float64Array): void {
    this.minibatchGradient(theta, this.everyIndex, this.m, out);
  }

  /** The hot loop: ∇L_B + ∇R, L_B = (1/m) Σ_{i∈B} ℓ_i, so ∇L_B = −(M/(m ε²)) Σ_{i∈B} r_i ∇f_i. */
  minibatchGradient(theta: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    const a1 = theta[0],
      a2 = theta[1],
      b1 = theta[2],
      b2 = theta[3],
      c1 = theta[4],
      c2 = theta[5],
      d = theta[6];
    const xs = this.x,
      ys = this.y;
    let sr = 0,
      srt1 = 0,
      srt2 = 0,
      sq1 = 0,
      sq2 = 0,
      sq1x = 0,
      sq2x = 0;
    for (let k = 0; k < m; k++) {
      const i = batch[k];
      const x = xs[i];
      const t1 = tanh(a1 * x + b1),
        t2 = tanh(a2 * x + b2);
      const r = ys[i] - (c1 * t1 + c2 * t2 + d);
      const q1 = r * (1 - t1 * t1),
        q2 = r * (1 - t2 * t2);
      sr += r;
      srt1 += r * t1;
      srt2 += r * t2;
      sq1 += q1;
      sq2 += q2;
      sq1x += q1 * x;
      sq2x += q2 * x;
    }
    const s = -this.sampleScale / m,
      l2 = 2 * this.lam;
    out[0] = s * c1 * sq1x + l2 * a1;
    out[1] = s * c2 * sq2x + l2 * a2;
    out[2] = s * c1 * sq1 + l2 * b1;
    out[3] = s * c2 * sq2 + l2 * b2;
    out[4] = s * srt1 + l2 * c1;
    out[5] = s * srt2 + l2 * c2;
    out[6] = s * sr + l2 * d;
  }

  /**
   * WR or WOR SGD (a sampler with `draw: 'partial-fisher-yates'` or `'epoch-permutation'`, an optimizer with
   * `plainSgd`) a block at a time in WebAssembly, bit-identical to `minibatchGradient` stepped by the optimizer
   * (fused-block.ts); undefined for any other pair, or where WebAssembly SIMD is not on offer.
   */
  fusedBlockRunner(sampler: Sampler, optimizer: Optimizer): FusedBlockRunner | undefined {
    const sgd = optimizer.plainSgd,
      m = sampler.batchSize,
      draw = sampler.draw;
    if ((draw !== 'partial-fisher-yates' && draw !== 'epoch-permutation') || sgd === undefined) return undefined;
    if (optimizer.scalarNames.length > 0 || !(Number.isInteger(m) && m >= 1 && m <= this.m)) return undefined;
    // WOR: n = ⌊M/m⌋ batches per epoch, as the draw is declared
    if (draw === 'epoch-permutation' && sampler.stepsPerEpoch !== Math.floor(this.m / m)) return undefined;
    const wasm = fusedStepInstance();
    if (wasm === null) return undefined;
    // s and 2λ exactly as minibatchGradient computes them; θ −= (η·1)·g as gradientStep does.
    const s = -this.sampleScale / m;
    return new TanhRegressionFusedBlock(
      wasm,
      this.x,
      this.y,
      m,
      s,
      2 * this.lam,
      sgd.eta * 1,
      draw,
      Math.floor(this.m / m),
    );
  }

  /** Row i = ∇ℓ_i = −(M/ε²) r_i ∇f_i, without the regulariser (it is the same for every sample and carries no noise). */
  sampleGradients(theta: Float64Array, out: Float64Array): void {
    const a1 = theta[0],
      a2 = theta[1],
      b1 = theta[2],
      b2 = theta[3],
      c1 = theta[4],
      c2 = theta[5],
      d = theta[6];
    const xs = this.x,
      ys = this.y,
      m = this.m,
      scale = -this.sampleScale;
    for (let i = 0, row = 0; i < m; i++, row += N) {
      const x = xs[i];
      const t1 = tanh(a1 * x + b1),
        t2 = tanh(a2 * x + b2);
      const g = scale * (ys[i] - (c1 * t1 + c2 * t2 + d));
      const g1 = g * c1 * (1 - t1 * t1),
        g2 = g * c2 * (1 - t2 * t2);
      out[row] = g1 * x;
      out[row + 1] = g2 * x;
      out[row + 2] = g1;
      out[row + 3] = g2;
      out[row + 4] = g * t1;
      out[row + 5] = g * t2;
      out[row + 6] = g;
    }
  }

  regulariserGradient(theta: Float64Array, out: Float64Array): void {
    const l2 = 2 * this.lam;
    for (let a = 0; a < N; a++) out[a] = l2 * theta[a];
  }

  /**
   * Exact Hessian of 𝓛, N×N row-major: (1/ε²) Σ_i (∇f_i ∇f_iᵀ − r_i ∇²f_i) + 2λI.
   * ∇²f_i is block-diagonal per hidden unit k (with w_k = d(1 − t_k²)/du = −2 t_k (1 − t_k²)):
   *   ∂²f/∂a_k² = c_k w_k x², ∂²f/∂a_k∂b_k = c_k w_k x, ∂²f/∂b_k² = c_k w_k,
   *   ∂²f/∂a_k∂c_k = (1 − t_k²) x, ∂²f/∂b_k∂c_k = 1 − t_k²   (a_k = θ_k, b_k = θ_{k+2}, c_k = θ_{k+4}).
   */
  hessian(theta: Float64Array, out: Float64Array): void {
    for (let k = 0; k < N * N; k++) out[k] = 0;
    for (let i = 0; i < this.m; i++) this.addSampleTerm(theta, i, out);
    symmetrizeScaled(out, this.invEps2, 2 * this.lam);
  }

  /**
   * ∇²ℓ_i = (M/ε²)(∇f_i ∇f_iᵀ − r_i ∇²f_i), the per-sample term of `hessian` (no regulariser), i = 0..M−1,
   * so that (1/M) Σ_i ∇²ℓ_i + 2λI = `hessian`. ∇²f_i as documented at `hessian`.
   */
  sampleHessian(theta: Float64Array, i: number, out: Float64Array): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.m))
      throw new RangeError(`sampleHessian: sample index ${i} outside [0, ${this.m})`);
    for (let k = 0; k < N * N; k++) out[k] = 0;
    this.addSampleTerm(theta, i, out);
    symmetrizeScaled(out, this.sampleScale, 0);
  }

  /** Adds ∇f_i ∇f_iᵀ − r_i ∇²f_i of sample i to the upper triangle of out (unscaled). */
  private addSampleTerm(theta: Float64Array, i: number, out: Float64Array): void {
    const a1 = theta[0],
      a2 = theta[1],
      b1 = theta[2],
      b2 = theta[3],
      c1 = theta[4],
      c2 = theta[5],
      d = theta[6];
    const g = this.fGrad,
      x = this.x[i];
    const t1 = tanh(a1 * x + b1),
      t2 = tanh(a2 * x + b2);
    const s1 = 1 - t1 * t1,
      s2 = 1 - t2 * t2;
    const r = this.y[i] - (c1 * t1 + c2 * t2 + d);
    g[0] = c1 * s1 * x;
    g[1] = c2 * s2 * x;
    g[2] = c1 * s1;
    g[3] = c2 * s2;
    g[4] = t1;
    g[5] = t2;
    g[6] = 1;
    // Upper triangle of ∇f ∇fᵀ.
    for (let a = 0; a < N; a++) {
      const ga = g[a],
        row = a * N;
      for (let b = a; b < N; b++) out[row + b] += ga * g[b];
    }
    // − r ∇²f (upper triangle).
    const rw1 = r * c1 * (-2 * t1 * s1),
      rw2 = r * c2 * (-2 * t2 * s2);
    out[0 * N + 0] -= rw1 * x * x;
    out[0 * N + 2] -= rw1 * x;
    out[2 * N + 2] -= rw1;
    out[0 * N + 4] -= r * s1 * x;
    out[2 * N + 4] -= r * s1;
    out[1 * N + 1] -= rw2 * x * x;
    out[1 * N + 3] -= rw2 * x;
    out[3 * N + 3] -= rw2;
    out[1 * N + 5] -= r * s2 * x;
    out[3 * N + 5] -= r * s2;
  }

  /**
   * The start of a training run (004 Fig. 1C). The paper says only that Fig. 1C averages "1000 independent
   * training runs"; it does not say where they start. The authors' notebooks ("Nonlinear regression WR/WOR",
   * cell "Initial training run") start from `w = rand(7); w /= norm(w)/InitNorm` with InitNorm = 0.5: seven
   * independent U[0, 1) numbers, rescaled to |θ| = 0.5. We do the same. Only normals are on offer, so each
   * uniform is u = exp(−(z₁² + z₂²)/2) with z₁, z₂ ~ N(0, 1) (z₁² + z₂² is χ²₂, i.e. exponential with mean 2,
   * which makes u exactly U(0, 1]); 14 normals per start.
   */
  randomInit(out: Float64Array, normal: () => number): void {
    let norm2 = 0;
    for (let a = 0; a < N; a++) {
      const z1 = normal(),
        z2 = normal();
      const u = Math.exp(-0.5 * (z1 * z1 + z2 * z2));
      out[a] = u;
      norm2 += u * u;
    }
    if (!(norm2 > 0)) {
      // All seven uniforms underflowed (probability ~e^{−5000}); fall back to the direction (1, …, 1).
      for (let a = 0; a < N; a++) out[a] = 1;
      norm2 = N;
    }
    const scale = INIT_NORM / Math.sqrt(norm2);
    for (let a = 0; a < N; a++) out[a] *= scale;
  }

  /**
   * Newton's start for θ₀: the authors' printed minimum (their notebook's wmin) to three digits, so that θ₀ is
   * the same one of the network's equivalent minima (unit swaps, sign flips) as in the paper's figures; Newton
   * then derives θ₀ to full float64 precision. With generated data the same start finds that data's minimum.
   */
  minimumStart(out: Float64Array): void {
    out.set([1.283, 1.231, 0.705, -0.532, 0.928, -0.909, -0.009]);
  }
}

/**
 * A fresh draw of the paper's data set: x_i = −3 + 6(i−1)/M (for M = 200: −3 + 0.03(i−1), bit-identical to the
 * paper's x), y_i = exp(−x_i²) + N(0, 0.1²), the noise from Xoshiro128.fromSeed(seed).nextNormal() in order i = 1..M.
 */
export function generateData(size: number, seed: number): { x: Float64Array; y: Float64Array } {
  const rng = Xoshiro128.fromSeed(seed);
  const x = new Float64Array(size),
    y = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const xi = (6 * i - 3 * size) / size; // an exact integer over M: one rounding
    x[i] = xi;
    y[i] = Math.exp(-xi * xi) + NOISE_SD * rng.nextNormal();
  }
  return { x, y };
}

/** out ← scale·out + diagonal·I from its upper triangle, mirrored into the lower one (N×N row-major). */
function symmetrizeScaled(out: Float64Array, scale: number, diagonal: number): void {
  for (let a = 0; a < N; a++) {
    out[a * N + a] = scale * out[a * N + a] + diagonal;
    for (let b = a + 1; b < N; b++) {
      const v = scale * out[a * N + b];
      out[a * N + b] = v;
      out[b * N + a] = v;
    }
  }
}
