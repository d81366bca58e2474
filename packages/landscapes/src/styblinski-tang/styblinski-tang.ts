import { definePlugin, type Landscape, type ParamsOf } from '@nesslab/kernel';
import { quantileData } from './data.ts';

/** g(x) = ½ d/dx (x⁴ − 16x² + 5x) = 2x³ − 16x + 2.5, the one-coordinate gradient of f in its own units x. */
const slope = (x: number) => 2 * x * x * x - 16 * x + 2.5;
/** f''(x) = 6x² − 16. */
const curvature = (x: number) => 6 * x * x - 16;

/** The root of g near x (Newton in float64, to the last bit). */
function root(x: number): number {
  for (let i = 0; i < 100; i++) {
    const next = x - slope(x) / curvature(x);
    if (next === x) break;
    x = next;
  }
  return x;
}

/** One coordinate of f in its own units x = √k θ_d: f₁(x) = ½(x⁴ − 16x² + 5x) (001 §4). */
export const styblinskiTang1d = (x: number): number => 0.5 * (x * x * x * x - 16 * x * x + 5 * x);

/**
 * Critical points of one coordinate, in x = √k θ_d: the global minimum a ≈ −2.9035, the saddle b ≈ 0.1567 (a maximum
 * of f₁), the upper minimum c ≈ 2.7468; barrier ΔL = f₁(b) − f₁(a) ≈ 39.36 and curvatures f₁''(a) ≈ 34.58, f₁''(b) ≈ −15.85.
 */
export const STYBLINSKI_TANG = (() => {
  const a = root(-2.9),
    b = root(0.16),
    c = root(2.75);
  return {
    a,
    b,
    c,
    barrier: styblinskiTang1d(b) - styblinskiTang1d(a),
    curvatureA: curvature(a),
    curvatureB: curvature(b),
  };
})();

export const styblinskiTangInfo = definePlugin({
  kind: 'landscape',
  name: 'styblinski-tang',
  description:
    'Styblinski–Tang test function 𝓛(θ) = ½ Σ_d (x_d⁴ − 16x_d² + 5x_d), x = √k θ (sharpness k multiplies the Hessian by k), any ' +
    'dimension. Separable: 2^N minima; chains start at the global minimum θ_d = a/√k, a ≈ −2.9035, saddles at x_d = b ≈ 0.1567, ' +
    'barrier ΔL ≈ 39.36 per coordinate. Data (docs/science.md §7): ℓ_j = 𝓛(θ) − √k x_j·θ, j = 1..M, the x_j Gaussian quantiles ' +
    "of variance f''(a) shuffled per coordinate, so the per-sample gradient noise has covariance H(a) and a WR minibatch of B " +
    'has H(a)/B (001 §2). M = 1 (x₁ = 0): every minibatch is the full batch (GD + white noise).',
  source: '001 §4, Fig. 4 and 6 (10-D, f(√k θ))',
  params: {
    dim: { type: 'integer', description: 'N, the number of coordinates (001 uses 10)', default: 10, minimum: 1 },
    sharpness: {
      type: 'number',
      description: 'k in 𝓛(θ) = f(√k θ): Hessian × k, minima and saddles at x/√k (001 §4)',
      default: 1,
      exclusiveMinimum: 0,
    },
    dataSize: {
      type: 'integer',
      description: 'M, data points x_j (docs/science.md §7); 1 = full batch only, as GD + white noise needs',
      default: 1,
      minimum: 1,
    },
    dataSeed: {
      type: 'integer',
      description: 'seed of the per-coordinate shuffles of the quantiles (Xoshiro128.fromSeed)',
      default: 0,
      minimum: 0,
    },
  },
  precision: 'float64',
});

/**
 * 𝓛(θ) = f(√k θ), f(x) = ½ Σ_d (x_d⁴ − 16x_d² + 5x_d) (001 §4): ∂_d𝓛 = √k g(x_d), ∂²_d𝓛 = k f₁''(x_d), diagonal Hessian.
 * Per-sample loss ℓ_j = f(√kθ) − √k x_j·θ (docs/science.md §7), R = 0: ∇ℓ_j = √k(g(x) − x_j), ∇²ℓ_j = ∇²𝓛, and with
 * (1/M)Σ x_j = 0, Cov_j x_j = f''(a) I the noise covariance is k f''(a) I = H(a) at every θ (001 §2: C = H/B at a).
 * M = 1 (x₁ = 0): every minibatch gradient is the full gradient, the landscape of GD + white noise (Theorem 3.1).
 */
export class StyblinskiTang implements Landscape {
  dataSize = 1;
  dim = 10;
  sharpness = 1;
  private rootK = 1;
  /** x_j, M×N row-major, and their (round-off) mean x̄, so that ∇𝓛 = (1/M)Σ∇ℓ_j to the last bits. */
  private x: Float64Array = new Float64Array(10);
  private xMean = new Float64Array(10);

  configure(params: ParamsOf<typeof styblinskiTangInfo>, _seed: number): void {
    const { dim, sharpness: k, dataSize: M, dataSeed } = params;
    this.dim = dim;
    this.sharpness = k;
    this.rootK = Math.sqrt(k);
    this.dataSize = M;
    this.x = quantileData(M, dim, STYBLINSKI_TANG.curvatureA, dataSeed);
    this.xMean = new Float64Array(dim);
    for (let j = 0; j < M; j++) for (let d = 0; d < dim; d++) this.xMean[d] += this.x[j * dim + d] / M;
  }

  /** 𝓛 = (1/M)Σ_j ℓ_j = f(√kθ) − √k x̄·θ (x̄ = 0 up to round-off). */
  loss(theta: Float64Array): number {
    let s = 0;
    for (let d = 0; d < theta.length; d++)
      s += styblinskiTang1d(this.rootK * theta[d]) - this.rootK * this.xMean[d] * theta[d];
    return s;
  }

  /** ∂_d𝓛 = √k (2x³ − 16x + 2.5 − x̄_d), x = √k θ_d. */
  gradient(theta: Float64Array, out: Float64Array): void {
    const r = this.rootK;
    for (let d = 0; d < theta.length; d++) out[d] = r * (slope(r * theta[d]) - this.xMean[d]);
  }

  /** ∇L_B = √k (g(x) − (1/m)Σ_{i∈B} x_i) (001 §2 minibatch; docs/science.md §7). */
  minibatchGradient(theta: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    const r = this.rootK,
      n = this.dim,
      x = this.x;
    for (let d = 0; d < n; d++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += x[batch[i] * n + d];
      out[d] = r * (slope(r * theta[d]) - s / m);
    }
  }

  /** Row j = ∇ℓ_j = √k (g(x) − x_j). */
  sampleGradients(theta: Float64Array, out: Float64Array): void {
    const r = this.rootK,
      n = this.dim,
      x = this.x;
    for (let d = 0; d < n; d++) {
      const g = slope(r * theta[d]);
      for (let j = 0; j < this.dataSize; j++) out[j * n + d] = r * (g - x[j * n + d]);
    }
  }

  regulariserGradient(_theta: Float64Array, out: Float64Array): void {
    out.fill(0, 0, this.dim);
  }

  /** Diagonal: H_dd = k (6x² − 16). */
  hessian(theta: Float64Array, out: Float64Array): void {
    const n = this.dim,
      r = this.rootK;
    out.fill(0, 0, n * n);
    for (let d = 0; d < n; d++) out[d * n + d] = this.sharpness * curvature(r * theta[d]);
  }

  /** ∇²ℓ_j = ∇²𝓛: the data term is linear in θ. */
  sampleHessian(theta: Float64Array, i: number, out: Float64Array): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.dataSize))
      throw new RangeError(`sampleHessian: sample index ${i} outside [0, ${this.dataSize})`);
    this.hessian(theta, out);
  }

  /** The global minimum, θ_d = a/√k for every d: where 001's escapes start ("a given minimum"). */
  minimumStart(out: Float64Array): void {
    out.fill(STYBLINSKI_TANG.a / this.rootK, 0, this.dim);
  }
}
