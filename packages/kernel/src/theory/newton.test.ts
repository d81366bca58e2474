import { describe, expect, test } from 'vitest';
import type { Landscape } from '../contracts/landscape.ts';
import { cholesky, norm } from '../linalg/dense.ts';
import { newtonMinimum } from './newton.ts';

/** Seeded uniform(0, 1) (Park–Miller) and standard normal (Box–Muller). */
function rng(seed: number): { uniform: () => number; normal: () => number } {
  let s = seed;
  const uniform = () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647;
  };
  return { uniform, normal: () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform()) };
}

/** Test-only: 𝓛 = f given with its gradient and Hessian, one "data point" (ℓ₁ = f, R = 0). */
class FnLandscape implements Landscape {
  readonly dataSize = 1;
  constructor(
    readonly dim: number,
    readonly f: (t: Float64Array) => number,
    readonly grad: (t: Float64Array) => number[],
    readonly hess: (t: Float64Array) => number[],
  ) {}
  configure(): void {}
  loss(t: Float64Array): number {
    return this.f(t);
  }
  gradient(t: Float64Array, out: Float64Array): void {
    out.set(this.grad(t));
  }
  minibatchGradient(t: Float64Array, _b: Int32Array, _m: number, out: Float64Array): void {
    out.set(this.grad(t));
  }
  sampleGradients(t: Float64Array, out: Float64Array): void {
    out.set(this.grad(t));
  }
  regulariserGradient(_t: Float64Array, out: Float64Array): void {
    out.fill(0);
  }
  hessian(t: Float64Array, out: Float64Array): void {
    out.set(this.hess(t));
  }
}
const gradNorm = (L: Landscape, t: Float64Array) => {
  const g = new Float64Array(L.dim);
  L.gradient(t, g);
  return norm(g);
};

/** Test-only tanh regression of 004 §4.1 (Eq. 30), N = 7: f = θ₅tanh(θ₁x+θ₃) + θ₆tanh(θ₂x+θ₄) + θ₇, ℓ_i = (M/2ε²)(y_i − f)², R = λ|θ|². */
class TanhRegression implements Landscape {
  readonly dim = 7;
  readonly dataSize: number;
  constructor(
    readonly x: Float64Array,
    readonly y: Float64Array,
    readonly eps = 0.1,
    readonly lam = 10,
  ) {
    this.dataSize = x.length;
  }
  configure(): void {}
  /** f and ∂f/∂θ at x. */
  private df(t: Float64Array, x: number, d: Float64Array): number {
    const t1 = Math.tanh(t[0] * x + t[2]),
      t2 = Math.tanh(t[1] * x + t[3]);
    const s1 = 1 - t1 * t1,
      s2 = 1 - t2 * t2;
    d[0] = t[4] * s1 * x;
    d[1] = t[5] * s2 * x;
    d[2] = t[4] * s1;
    d[3] = t[5] * s2;
    d[4] = t1;
    d[5] = t2;
    d[6] = 1;
    return t[4] * t1 + t[5] * t2 + t[6];
  }
  loss(t: Float64Array): number {
    const d = new Float64Array(7);
    let s = 0;
    for (let i = 0; i < this.dataSize; i++) {
      const r = this.y[i] - this.df(t, this.x[i], d);
      s += r * r;
    }
    let r2 = 0;
    for (let a = 0; a < 7; a++) r2 += t[a] * t[a];
    return s / (2 * this.eps ** 2) + this.lam * r2;
  }
  sampleGradients(t: Float64Array, out: Float64Array): void {
    const d = new Float64Array(7),
      M = this.dataSize;
    for (let i = 0; i < M; i++) {
      const r = this.y[i] - this.df(t, this.x[i], d);
      for (let a = 0; a < 7; a++) out[i * 7 + a] = (-M / this.eps ** 2) * r * d[a];
    }
  }
  regulariserGradient(t: Float64Array, out: Float64Array): void {
    for (let a = 0; a < 7; a++) out[a] = 2 * this.lam * t[a];
  }
  minibatchGradient(t: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    const g = new Float64Array(this.dataSize * 7);
    this.sampleGradients(t, g);
    this.regulariserGradient(t, out);
    for (let k = 0; k < m; k++) for (let a = 0; a < 7; a++) out[a] += g[batch[k] * 7 + a] / m;
  }
  gradient(t: Float64Array, out: Float64Array): void {
    const all = Int32Array.from({ length: this.dataSize }, (_, i) => i);
    this.minibatchGradient(t, all, this.dataSize, out);
  }
  hessian(t: Float64Array, out: Float64Array): void {
    const d = new Float64Array(7);
    out.fill(0);
    for (let i = 0; i < this.dataSize; i++) {
      const x = this.x[i];
      const r = this.y[i] - this.df(t, x, d);
      for (let a = 0; a < 7; a++) for (let b = 0; b < 7; b++) out[a * 7 + b] += d[a] * d[b];
      // −r ∂²f: unit k has u = θ_k x + θ_{k+2}, weight w = θ_{k+4}; ∂²tanh = −2 tanh·sech².
      for (let k = 0; k < 2; k++) {
        const th = Math.tanh(t[k] * x + t[k + 2]),
          s = 1 - th * th,
          w = t[k + 4],
          q = -2 * th * s;
        const [i1, i3, i5] = [k, k + 2, k + 4];
        const add = (a: number, b: number, v: number) => {
          out[a * 7 + b] -= r * v;
          if (a !== b) out[b * 7 + a] -= r * v;
        };
        add(i1, i1, w * q * x * x);
        add(i1, i3, w * q * x);
        add(i3, i3, w * q);
        add(i1, i5, s * x);
        add(i3, i5, s);
      }
    }
    for (let a = 0; a < 49; a++) out[a] /= this.eps ** 2;
    for (let a = 0; a < 7; a++) out[a * 8] += 2 * this.lam;
  }
}

/** Synthetic draw of 004 §4.1's data: x_i = −3 + 0.03(i − 1), y_i = exp(−x_i²) + N(0, 0.1²), i = 1..200. */
function tanhRegression(seed: number): TanhRegression {
  const { normal } = rng(seed);
  const x = Float64Array.from({ length: 200 }, (_, i) => -3 + 0.03 * i);
  return new TanhRegression(
    x,
    x.map((v) => Math.exp(-v * v) + 0.1 * normal()),
  );
}

describe('newtonMinimum', () => {
  test('quadratic: one Newton step lands on the minimum', () => {
    // 𝓛 = ½θᵀAθ − bᵀθ, minimum A⁻¹b = (1, −2, 0.5) by construction (b = A·(1, −2, 0.5)).
    const A = [4, 1, 0, 1, 3, -1, 0, -1, 2];
    const star = [1, -2, 0.5];
    const b = [0, 1, 2].map((i) => A[3 * i] * star[0] + A[3 * i + 1] * star[1] + A[3 * i + 2] * star[2]);
    const Ax = (t: Float64Array) => [0, 1, 2].map((i) => A[3 * i] * t[0] + A[3 * i + 1] * t[1] + A[3 * i + 2] * t[2]);
    const L = new FnLandscape(
      3,
      (t) => 0.5 * Ax(t).reduce((s, v, i) => s + v * t[i], 0) - b.reduce((s, v, i) => s + v * t[i], 0),
      (t) => Ax(t).map((v, i) => v - b[i]),
      () => A,
    );
    const r = newtonMinimum(L, Float64Array.from([10, 20, -30]), { maxIterations: 1 });
    expect(r.iterations).toBe(1);
    // One exact solve of a cond ≈ 5 system from a start of size 40: error a few ε·40.
    for (let k = 0; k < 3; k++) expect(Math.abs(r.theta[k] - star[k])).toBeLessThan(1e-13);
    expect(r.gradientNorm).toBeLessThan(1e-13);
  });

  // Rosenbrock (1 − x)² + 100(y − x²)²: minimum (1, 1), H there [[802, −400], [−400, 200]]. From (0, 1) H is indefinite.
  const rosen = new FnLandscape(
    2,
    (t) => (1 - t[0]) ** 2 + 100 * (t[1] - t[0] ** 2) ** 2,
    (t) => [-2 * (1 - t[0]) - 400 * t[0] * (t[1] - t[0] ** 2), 200 * (t[1] - t[0] ** 2)],
    (t) => [2 - 400 * (t[1] - t[0] ** 2) + 800 * t[0] ** 2, -400 * t[0], -400 * t[0], 200],
  );
  test.each([
    [-1.2, 1],
    [0, 1],
    [2, -3],
  ])('Rosenbrock from (%s, %s): |∇| < 1e-10 at (1, 1)', (x, y) => {
    const r = newtonMinimum(rosen, Float64Array.from([x, y]));
    // Newton runs to the round-off floor (~ε·‖H‖ ≈ 1e-13); 1e-10 is the brief's bar.
    expect(r.gradientNorm).toBeLessThan(1e-10);
    expect(gradNorm(rosen, r.theta)).toBe(r.gradientNorm);
    // |δθ| ≤ |∇|/h_min with h_min ≈ 0.4: below 1e-9.
    expect(Math.hypot(r.theta[0] - 1, r.theta[1] - 1)).toBeLessThan(1e-9);
  });

  test('Styblinski–Tang 2-D from 0 (H negative definite there): a minimum, the cubic 2θ³ − 16θ + 2.5 = 0 solved', () => {
    const L = new FnLandscape(
      2,
      (t) => 0.5 * (t[0] ** 4 - 16 * t[0] ** 2 + 5 * t[0] + t[1] ** 4 - 16 * t[1] ** 2 + 5 * t[1]),
      (t) => [0, 1].map((k) => 2 * t[k] ** 3 - 16 * t[k] + 2.5),
      (t) => [6 * t[0] ** 2 - 16, 0, 0, 6 * t[1] ** 2 - 16],
    );
    const r = newtonMinimum(L, new Float64Array(2));
    // Round-off floor ≈ ε·|16θ| ≈ 1e-14.
    expect(r.gradientNorm).toBeLessThan(1e-10);
    for (const t of r.theta) expect(6 * t * t - 16).toBeGreaterThan(0);
  });

  test('a saddle or an unbounded loss throws', () => {
    const saddle = new FnLandscape(
      2,
      (t) => t[0] ** 2 - t[1] ** 2,
      (t) => [2 * t[0], -2 * t[1]],
      () => [2, 0, 0, -2],
    );
    expect(() => newtonMinimum(saddle, Float64Array.from([1, 0]))).toThrow(/not a minimum/);
    const linear = new FnLandscape(
      2,
      (t) => t[0] + t[1],
      () => [1, 1],
      () => [0, 0, 0, 0],
    );
    expect(() => newtonMinimum(linear, Float64Array.from([0, 0]))).toThrow(/no convergence/);
  });

  test("tanh regression (N = 7, gradients ~1e4): the test landscape's Hessian matches finite differences", () => {
    const L = tanhRegression(1);
    const t = Float64Array.from([0.8, -1.1, -0.3, -0.6, -0.7, -1.2, 0.1]);
    const H = new Float64Array(49);
    L.hessian(t, H);
    const h = 1e-6,
      gp = new Float64Array(7),
      gm = new Float64Array(7);
    for (let b = 0; b < 7; b++) {
      const tp = Float64Array.from(t),
        tm = Float64Array.from(t);
      tp[b] += h;
      tm[b] -= h;
      L.gradient(tp, gp);
      L.gradient(tm, gm);
      // Central differences: truncation ~h²·|∂³𝓛| and round-off ~ε|∇𝓛|/h ≈ 1e-6 of ‖H‖ ~ 1e4.
      for (let a = 0; a < 7; a++)
        expect(Math.abs((gp[a] - gm[a]) / (2 * h) - H[a * 7 + b])).toBeLessThan(1e-6 * norm(H));
    }
  });

  test.each([1, 2, 3])(
    'tanh regression from a random start (seed %i): |∇𝓛(θ₀)| < 1e-8 and H₀ positive definite',
    (seed) => {
      const L = tanhRegression(42);
      const { normal } = rng(1000 + seed);
      const start = Float64Array.from({ length: 7 }, normal);
      expect(gradNorm(L, start)).toBeGreaterThan(1e2); // starts far away
      const r = newtonMinimum(L, start);
      // The brief's bar. The floor here is ε·(Σ of 200 terms ~1e3) ≈ 1e-12, so 1e-8 leaves 1e3-fold room.
      expect(r.gradientNorm).toBeLessThan(1e-8);
      const H = new Float64Array(49);
      L.hessian(r.theta, H);
      expect(cholesky(H, 7)).not.toBeNull();
    },
  );
});
