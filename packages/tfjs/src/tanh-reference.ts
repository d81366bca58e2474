import type { Landscape, MinimumStart, RandomStart } from '@nesslab/kernel';
import { PAPER_X, PAPER_Y } from './data.ts';
import {
  TANH_REGRESSION_MINIMUM_START,
  TFJS_REGRESSION_DEFAULTS,
  tanhRegressionRandomInit,
  type TfjsRegressionParams,
} from './regression.ts';

/**
 * For the tests only: 004 Eq. 30 on the paper's data, analytically in float64, the reference the tfjs adapter is
 * checked against here. It computes what the built-in `tanh-regression` of @nesslab/landscapes computes (that
 * package is a plugin too, which this one may not import); the packaged scenario `tfjs-regression` compares
 * tanh-regression-tfjs with the built-in landscape itself (θ₀, H₀).
 *   f(x;θ) = θ₅ tanh(θ₁x + θ₃) + θ₆ tanh(θ₂x + θ₄) + θ₇,  ℓ_i = (M/(2ε²)) r_i², r_i = y_i − f(x_i),  R = λ|θ|²,
 *   ∇ℓ_i = −(M/ε²) r_i ∇f_i,  ∇²ℓ_i = (M/ε²)(∇f_i ∇f_iᵀ − r_i ∇²f_i),  𝓛 = (1/M) Σ ℓ_i + R.
 */
export class TanhReference implements Landscape, RandomStart, MinimumStart {
  readonly dim = 7;
  readonly dataSize = PAPER_X.length;
  private eps = TFJS_REGRESSION_DEFAULTS.epsilon;
  private lam = TFJS_REGRESSION_DEFAULTS.lambda;

  configure(p: Partial<TfjsRegressionParams> = {}): void {
    this.eps = p.epsilon ?? TFJS_REGRESSION_DEFAULTS.epsilon;
    this.lam = p.lambda ?? TFJS_REGRESSION_DEFAULTS.lambda;
  }

  /** r_i, ∇f_i and ∇²f_i (7×7 row-major) of sample i. */
  private sample(th: Float64Array, i: number) {
    const x = PAPER_X[i];
    const t1 = Math.tanh(th[0] * x + th[2]),
      t2 = Math.tanh(th[1] * x + th[3]);
    const s1 = 1 - t1 * t1,
      s2 = 1 - t2 * t2;
    const r = PAPER_Y[i] - (th[4] * t1 + th[5] * t2 + th[6]);
    const g = [th[4] * s1 * x, th[5] * s2 * x, th[4] * s1, th[5] * s2, t1, t2, 1];
    const h = new Float64Array(49);
    const put = (a: number, b: number, v: number) => {
      h[a * 7 + b] = v;
      h[b * 7 + a] = v;
    };
    // Unit k ∈ {0, 1}: θ_k (slope), θ_{k+2} (offset), θ_{k+4} (weight); d(1 − t²)/du = −2t(1 − t²).
    for (const [k, t, s] of [
      [0, t1, s1],
      [1, t2, s2],
    ] as const) {
      const w = th[k + 4] * -2 * t * s;
      put(k, k, w * x * x);
      put(k, k + 2, w * x);
      put(k + 2, k + 2, w);
      put(k, k + 4, s * x);
      put(k + 2, k + 4, s);
    }
    return { r, g, h };
  }

  loss(th: Float64Array): number {
    let s = 0;
    for (let i = 0; i < this.dataSize; i++) s += this.sample(th, i).r ** 2;
    return s / (2 * this.eps ** 2) + this.lam * th.reduce((a, v) => a + v * v, 0);
  }

  /** Row i = ∇ℓ_i, no regulariser. */
  sampleGradients(th: Float64Array, out: Float64Array): void {
    const scale = -this.dataSize / this.eps ** 2;
    for (let i = 0; i < this.dataSize; i++) {
      const { r, g } = this.sample(th, i);
      for (let a = 0; a < 7; a++) out[i * 7 + a] = scale * r * g[a];
    }
  }

  regulariserGradient(th: Float64Array, out: Float64Array): void {
    for (let a = 0; a < 7; a++) out[a] = 2 * this.lam * th[a];
  }

  minibatchGradient(th: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    const scale = -this.dataSize / this.eps ** 2 / m;
    this.regulariserGradient(th, out);
    for (let k = 0; k < m; k++) {
      const { r, g } = this.sample(th, batch[k]);
      for (let a = 0; a < 7; a++) out[a] += scale * r * g[a];
    }
  }

  gradient(th: Float64Array, out: Float64Array): void {
    this.minibatchGradient(
      th,
      Int32Array.from({ length: this.dataSize }, (_, i) => i),
      this.dataSize,
      out,
    );
  }

  hessian(th: Float64Array, out: Float64Array): void {
    out.fill(0, 0, 49);
    for (let i = 0; i < this.dataSize; i++) {
      const { r, g, h } = this.sample(th, i);
      for (let a = 0; a < 7; a++)
        for (let b = 0; b < 7; b++) out[a * 7 + b] += (g[a] * g[b] - r * h[a * 7 + b]) / this.eps ** 2;
    }
    for (let a = 0; a < 7; a++) out[a * 8] += 2 * this.lam;
  }

  randomInit(out: Float64Array, normal: () => number): void {
    tanhRegressionRandomInit(out, normal);
  }
  minimumStart(out: Float64Array): void {
    out.set(TANH_REGRESSION_MINIMUM_START);
  }
}
