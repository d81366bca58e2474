import { cholesky, choleskySolve, definePlugin, ScenarioError, type Landscape, type ParamsOf } from '@nesslab/kernel';
import { PAPER_X, PAPER_Y } from '../tanh-regression/data.ts';
import { generateData, TANH_REGRESSION_DEFAULTS } from '../tanh-regression/tanh-regression.ts';

const N = 3;

/** ψ(x) = (tanh(½ − x), tanh(½ + x), 1) (004 Eq. 39). */
export function psi(x: number, out: Float64Array, at = 0): void {
  out[at] = Math.tanh(0.5 - x);
  out[at + 1] = Math.tanh(0.5 + x);
  out[at + 2] = 1;
}

/** The exact Gaussian posterior N(θ₀, Σ_po) of 004 Eq. 41–43 (row-major 3×3 matrices). */
export interface ExactPosterior {
  /** θ₀ = ε⁻²Σ_po Ψy (Eq. 43). */
  mean: Float64Array;
  /** Σ_po⁻¹ = ΨΨᵀ/ε² + 2λI = H₀ (Eq. 42). */
  precision: Float64Array;
  /** Σ_po. */
  covariance: Float64Array;
  /** Lower Cholesky factor of Σ_po (row-major), for exact draws θ₀ + Lz. */
  covarianceCholesky: Float64Array;
}

/**
 * The linearised regression of paper 004 §4.6 (Eq. 39–43), N = 3: f(x; θ) = θᵀψ(x), the same data and loss as
 * tanh-regression: ℓ_i = (M/(2ε²))(y_i − θᵀψ_i)², L = M⁻¹Σℓ_i, R = λ|θ|². Quadratic, so everything is exact:
 *   ∇ℓ_i = −(M/ε²) r_i ψ_i,  ∇²ℓ_i = (M/ε²) ψ_i ψ_iᵀ,  H = ΨΨᵀ/ε² + 2λI (constant),
 * and the posterior e^{−𝓛} is N(θ₀, H⁻¹). Ψ (M×3) is computed once in `configure`; no method allocates.
 */
export class LinearisedRegression implements Landscape {
  readonly dim = N;
  private x: Float64Array = Float64Array.from(PAPER_X);
  private y: Float64Array = Float64Array.from(PAPER_Y);
  /** Ψ_{iα} = ψ_α(x_i), row-major M×3. */
  private Psi: Float64Array = new Float64Array(0);
  private m = 0;
  private eps = TANH_REGRESSION_DEFAULTS.epsilon;
  private lam = TANH_REGRESSION_DEFAULTS.lambda;
  private H: Float64Array = new Float64Array(N * N);
  private post!: ExactPosterior;

  constructor() {
    this.build();
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

  configure(p: ParamsOf<typeof linearisedRegressionInfo>, _seed: number): void {
    if (p.data === 'paper') {
      if (p.dataSize !== PAPER_X.length)
        throw new ScenarioError(
          'scenario.landscape.params.dataSize',
          `the paper's data has ${PAPER_X.length} points, got ${p.dataSize} (use data: "generated")`,
        );
      this.x = Float64Array.from(PAPER_X);
      this.y = Float64Array.from(PAPER_Y);
    } else ({ x: this.x, y: this.y } = generateData(p.dataSize, p.dataSeed));
    this.eps = p.epsilon;
    this.lam = p.lambda;
    this.build();
  }

  /** Ψ, H₀ and the exact posterior (Eq. 42–43) for the current data, ε, λ. */
  private build(): void {
    const M = (this.m = this.x.length),
      Psi = (this.Psi = new Float64Array(M * N)),
      s = 1 / (this.eps * this.eps);
    for (let i = 0; i < M; i++) psi(this.x[i], Psi, i * N);
    const H = (this.H = new Float64Array(N * N)),
      b = new Float64Array(N);
    for (let i = 0; i < M; i++)
      for (let a = 0; a < N; a++) {
        b[a] += s * Psi[i * N + a] * this.y[i];
        for (let c = 0; c < N; c++) H[a * N + c] += s * Psi[i * N + a] * Psi[i * N + c];
      }
    for (let a = 0; a < N; a++) H[a * N + a] += 2 * this.lam;
    const L = cholesky(H, N);
    if (L === null)
      throw new ScenarioError(
        'scenario.landscape.params',
        'H₀ = ΨΨᵀ/ε² + 2λI is singular (λ = 0 and degenerate data?)',
      );
    const covariance = new Float64Array(N * N),
      e = new Float64Array(N);
    for (let c = 0; c < N; c++) {
      e.fill(0);
      e[c] = 1;
      const col = choleskySolve(L, N, e);
      for (let a = 0; a < N; a++) covariance[a * N + c] = col[a];
    }
    for (let a = 0; a < N; a++)
      for (let c = 0; c < a; c++)
        covariance[a * N + c] = covariance[c * N + a] = 0.5 * (covariance[a * N + c] + covariance[c * N + a]);
    this.post = {
      mean: choleskySolve(L, N, b),
      precision: H.slice(),
      covariance,
      covarianceCholesky: cholesky(covariance, N)!,
    };
  }

  /** The exact posterior (copies). */
  posterior(): ExactPosterior {
    const p = this.post;
    return {
      mean: p.mean.slice(),
      precision: p.precision.slice(),
      covariance: p.covariance.slice(),
      covarianceCholesky: p.covarianceCholesky.slice(),
    };
  }

  loss(theta: Float64Array): number {
    const P = this.Psi,
      y = this.y,
      t0 = theta[0],
      t1 = theta[1],
      t2 = theta[2];
    let sr2 = 0;
    for (let i = 0, r = 0; i < this.m; i++, r += N) {
      const res = y[i] - (t0 * P[r] + t1 * P[r + 1] + t2 * P[r + 2]);
      sr2 += res * res;
    }
    return (0.5 * sr2) / (this.eps * this.eps) + this.lam * (t0 * t0 + t1 * t1 + t2 * t2);
  }

  gradient(theta: Float64Array, out: Float64Array): void {
    this.batchSum(theta, null, this.m, out);
  }

  /** ∇L_B + ∇R = −(M/(mε²)) Σ_{i∈B} r_i ψ_i + 2λθ (the hot loop). */
  minibatchGradient(theta: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    this.batchSum(theta, batch, m, out);
  }

  private batchSum(theta: Float64Array, batch: Int32Array | null, m: number, out: Float64Array): void {
    const P = this.Psi,
      y = this.y,
      t0 = theta[0],
      t1 = theta[1],
      t2 = theta[2];
    let g0 = 0,
      g1 = 0,
      g2 = 0;
    for (let k = 0; k < m; k++) {
      const i = batch === null ? k : batch[k],
        r = i * N;
      const res = y[i] - (t0 * P[r] + t1 * P[r + 1] + t2 * P[r + 2]);
      g0 += res * P[r];
      g1 += res * P[r + 1];
      g2 += res * P[r + 2];
    }
    const s = -this.m / (m * this.eps * this.eps),
      l2 = 2 * this.lam;
    out[0] = s * g0 + l2 * t0;
    out[1] = s * g1 + l2 * t1;
    out[2] = s * g2 + l2 * t2;
  }

  /** Row i = ∇ℓ_i = −(M/ε²) r_i ψ_i (no regulariser: it carries no noise). */
  sampleGradients(theta: Float64Array, out: Float64Array): void {
    const P = this.Psi,
      y = this.y,
      s = -this.m / (this.eps * this.eps);
    for (let i = 0, r = 0; i < this.m; i++, r += N) {
      const g = s * (y[i] - (theta[0] * P[r] + theta[1] * P[r + 1] + theta[2] * P[r + 2]));
      out[r] = g * P[r];
      out[r + 1] = g * P[r + 1];
      out[r + 2] = g * P[r + 2];
    }
  }

  regulariserGradient(theta: Float64Array, out: Float64Array): void {
    for (let a = 0; a < N; a++) out[a] = 2 * this.lam * theta[a];
  }

  /** H₀ = ΨΨᵀ/ε² + 2λI, the same at every θ (Eq. 42). */
  hessian(_theta: Float64Array, out: Float64Array): void {
    out.set(this.H);
  }

  /** ∇²ℓ_i = (M/ε²) ψ_i ψ_iᵀ (constant). */
  sampleHessian(_theta: Float64Array, i: number, out: Float64Array): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.m))
      throw new RangeError(`sampleHessian: sample index ${i} outside [0, ${this.m})`);
    const P = this.Psi,
      r = i * N,
      s = this.m / (this.eps * this.eps);
    for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) out[a * N + b] = s * P[r + a] * P[r + b];
  }

  /** A draw from the exact posterior, θ₀ + L z with LLᵀ = Σ_po: chains that start here are stationary for an exact sampler. */
  randomInit(out: Float64Array, normal: () => number): void {
    const L = this.post.covarianceCholesky,
      z0 = normal(),
      z1 = normal(),
      z2 = normal();
    for (let a = 0; a < N; a++) out[a] = this.post.mean[a] + L[a * N] * z0 + L[a * N + 1] * z1 + L[a * N + 2] * z2;
  }

  /** θ₀ of Eq. 43 itself: Newton converges in one step. */
  minimumStart(out: Float64Array): void {
    out.set(this.post.mean);
  }
}

export const linearisedRegressionInfo = definePlugin({
  kind: 'landscape',
  name: 'linearised-regression',
  description:
    'Linearised regression (N = 3): f = θᵀψ(x), ψ = (tanh(½−x), tanh(½+x), 1), the data and loss of tanh-regression ' +
    '(ℓ_i = (M/(2ε²))(y_i − f(x_i))², R = λ|θ|²). Quadratic: exact posterior N(θ₀, H₀⁻¹), H₀ = ΨΨᵀ/ε² + 2λI; ' +
    'random start = an exact posterior draw; per-sample Hessians for the WOR theory.',
  source: '004 §4.6, Eq. 39–43',
  params: {
    epsilon: { type: 'number', default: 0.1, exclusiveMinimum: 0, description: 'ε in ℓ_i = (M/(2ε²))(y_i − f(x_i))²' },
    lambda: { type: 'number', default: 10, minimum: 0, description: 'λ of the regulariser R = λ|θ|²' },
    data: {
      type: 'string',
      default: 'paper',
      enum: ['paper', 'generated'],
      description:
        '"paper": the authors\' 200 points (shared with tanh-regression); "generated": a fresh draw from dataSeed',
    },
    dataSeed: {
      type: 'integer',
      default: 1,
      minimum: 0,
      description: 'seed of generated data (as tanh-regression); ignored for "paper"',
    },
    dataSize: {
      type: 'integer',
      default: 200,
      minimum: 2,
      maximum: 2097152,
      description: 'M; must be 200 for "paper"',
    },
  },
  precision: 'float64',
});
