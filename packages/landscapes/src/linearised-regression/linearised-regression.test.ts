import { describe, expect, it } from 'vitest';
import { newtonMinimum, ScenarioError, Xoshiro128 } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { LinearisedRegression, linearisedRegressionInfo } from './linearised-regression.ts';
import { PAPER_X, PAPER_Y } from '../tanh-regression/data.ts';

const N = 3,
  M = 200;
const landscape = (params: Record<string, unknown> = {}) => {
  const l = new LinearisedRegression();
  l.configure(paramsFor(linearisedRegressionInfo, params, 'scenario.landscape.params'), 0);
  return l;
};
const maxAbs = (v: ArrayLike<number>) => Math.max(...Array.from(v, Math.abs));
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Math.max(...Array.from(a, (x, i) => Math.abs(x - b[i])));
const points = () => {
  const r = Xoshiro128.fromSeed(3);
  return [
    Float64Array.of(1, 1, 1),
    Float64Array.of(-0.3, 2, 0.5),
    Float64Array.from({ length: N }, () => r.nextNormal()),
  ];
};
/** ψ(x_i) and 𝓛 transcribed directly from Eq. 39–40 with Math.tanh. */
const psiOf = (x: number) => [Math.tanh(0.5 - x), Math.tanh(0.5 + x), 1];
const directLoss = (t: Float64Array) =>
  PAPER_X.reduce((s, x, i) => s + (PAPER_Y[i] - psiOf(x).reduce((f, p, a) => f + p * t[a], 0)) ** 2, 0) / (2 * 0.01) +
  10 * (t[0] ** 2 + t[1] ** 2 + t[2] ** 2);

describe('linearised-regression (004 Eq. 39–43)', () => {
  it("N = 3, M = 200, the paper's data; loss equals a direct transcription of Eq. 40 (relative 1e-13: same sums, other order)", () => {
    const l = landscape();
    expect([l.dim, l.dataSize, l.epsilon, l.lambda]).toEqual([3, 200, 0.1, 10]);
    for (const t of points()) expect(Math.abs(l.loss(t) / directLoss(t) - 1)).toBeLessThan(1e-13);
  });

  it('gradient = central differences of the loss; exact for a quadratic up to rounding (relative 1e-7)', () => {
    // 𝓛 is quadratic: central differences have no truncation error; rounding ε·𝓛/h ≈ 1e-16·1e5/1e-3 = 1e-8 of |∇𝓛| ~ 1e4.
    const l = landscape(),
      g = new Float64Array(N),
      h = 1e-3;
    for (const t of points()) {
      l.gradient(t, g);
      const fd = Array.from({ length: N }, (_, a) => {
        const p = t.slice(),
          q = t.slice();
        p[a] += h;
        q[a] -= h;
        return (l.loss(p) - l.loss(q)) / (2 * h);
      });
      expect(maxAbsDiff(g, fd) / maxAbs(g)).toBeLessThan(1e-7);
    }
  });

  it('minibatch over every index = gradient; sample gradients average (+∇R) to it and carry no regulariser (1e-12)', () => {
    const l = landscape(),
      all = Int32Array.from({ length: M }, (_, i) => i);
    const g = new Float64Array(N),
      gb = new Float64Array(N),
      rows = new Float64Array(M * N),
      gr = new Float64Array(N);
    for (const t of points()) {
      l.gradient(t, g);
      l.minibatchGradient(t, all, M, gb);
      l.sampleGradients(t, rows);
      l.regulariserGradient(t, gr);
      expect(maxAbsDiff(g, gb) / maxAbs(g)).toBeLessThan(1e-12);
      const mean = Array.from(
        { length: N },
        (_, a) => rows.filter((_, k) => k % N === a).reduce((s, v) => s + v, 0) / M + gr[a],
      );
      expect(maxAbsDiff(g, mean) / maxAbs(g)).toBeLessThan(1e-12);
    }
    const batch = Int32Array.of(4, 199, 0, 17, 88, 42, 7, 150, 3, 64, -1);
    l.minibatchGradient(points()[1], batch, 10, gb);
    l.sampleGradients(points()[1], rows);
    l.regulariserGradient(points()[1], gr);
    const expected = Array.from(
      { length: N },
      (_, a) => Array.from(batch.subarray(0, 10)).reduce((s, i) => s + rows[i * N + a] / 10, 0) + gr[a],
    );
    expect(maxAbsDiff(gb, expected) / maxAbs(expected)).toBeLessThan(1e-12);
  });

  it('Hessian = Σ_po⁻¹ = ΨΨᵀ/ε² + 2λI (Eq. 42) everywhere, = mean of sampleHessian + 2λI, = differences of the gradient', () => {
    const l = landscape(),
      H = new Float64Array(N * N),
      Hi = new Float64Array(N * N),
      sum = new Float64Array(N * N),
      gp = new Float64Array(N),
      gm = new Float64Array(N);
    const direct = new Float64Array(N * N);
    for (const x of PAPER_X) {
      const p = psiOf(x);
      for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) direct[a * N + b] += (p[a] * p[b]) / 0.01;
    }
    for (let a = 0; a < N; a++) direct[a * N + a] += 20;
    for (let i = 0; i < M; i++) {
      l.sampleHessian(points()[0], i, Hi);
      for (let k = 0; k < N * N; k++) sum[k] += Hi[k] / M;
    }
    for (let a = 0; a < N; a++) sum[a * N + a] += 20;
    for (const t of points()) {
      l.hessian(t, H);
      // 1e-12: the same 200 products summed in another order (Math.tanh vs the stored Ψ agree bit for bit).
      expect(maxAbsDiff(H, direct) / maxAbs(H)).toBeLessThan(1e-12);
      expect(maxAbsDiff(H, sum) / maxAbs(H)).toBeLessThan(1e-12);
      for (let b = 0; b < N; b++) {
        const p = t.slice(),
          q = t.slice();
        p[b] += 0.5;
        q[b] -= 0.5;
        l.gradient(p, gp);
        l.gradient(q, gm);
        // The gradient is linear: differences are exact up to rounding of |∇𝓛| ~ 1e4 (1e-16·1e4 ≪ 1e-8·|H|).
        for (let a = 0; a < N; a++) expect(Math.abs(gp[a] - gm[a] - H[a * N + b]) / maxAbs(H)).toBeLessThan(1e-10);
      }
    }
    expect(maxAbsDiff(l.posterior().precision, direct) / maxAbs(direct)).toBeLessThan(1e-12);
  });

  it('θ₀ of Eq. 43 solves the normal equations: ∇𝓛(θ₀) ≈ 0, and Newton from elsewhere lands on it (1e-12)', () => {
    const l = landscape(),
      post = l.posterior(),
      g = new Float64Array(N);
    l.gradient(post.mean, g);
    // |∇𝓛| at θ₀ is pure rounding: terms ~ M/ε²·|y| ~ 1e4 cancel, so 1e-9 is ~1e5 ulps of them.
    expect(maxAbs(g)).toBeLessThan(1e-9);
    const newton = newtonMinimum(l, Float64Array.of(3, -2, 1)).theta;
    expect(maxAbsDiff(newton, post.mean)).toBeLessThan(1e-12);
    const start = new Float64Array(N);
    l.minimumStart(start);
    expect(Array.from(start)).toEqual(Array.from(post.mean));
    // Σ_po Σ_po⁻¹ = I.
    for (let a = 0; a < N; a++)
      for (let b = 0; b < N; b++) {
        let s = 0;
        for (let k = 0; k < N; k++) s += post.covariance[a * N + k] * post.precision[k * N + b];
        expect(Math.abs(s - (a === b ? 1 : 0))).toBeLessThan(1e-12);
      }
  });

  it('randomInit draws from the exact posterior: mean θ₀ and covariance Σ_po within 5 standard errors (2e5 draws)', () => {
    const l = landscape(),
      post = l.posterior(),
      rng = Xoshiro128.fromSeed(9),
      K = 200_000,
      x = new Float64Array(N);
    const mean = new Float64Array(N),
      S = new Float64Array(N * N);
    for (let k = 0; k < K; k++) {
      l.randomInit(x, () => rng.nextNormal());
      for (let a = 0; a < N; a++) {
        const da = x[a] - post.mean[a];
        mean[a] += da / K;
        for (let b = 0; b < N; b++) S[a * N + b] += (da * (x[b] - post.mean[b])) / K;
      }
    }
    for (let a = 0; a < N; a++) {
      const sd = Math.sqrt(post.covariance[a * N + a]);
      expect(Math.abs(mean[a]) / (sd / Math.sqrt(K))).toBeLessThan(5); // SE of a mean: sd/√K
      for (let b = 0; b < N; b++) {
        const scale = Math.sqrt(post.covariance[a * N + a] * post.covariance[b * N + b]);
        // SE of a Gaussian sample covariance ≤ √(2/K)·scale.
        expect(Math.abs(S[a * N + b] - post.covariance[a * N + b]) / scale).toBeLessThan(5 * Math.sqrt(2 / K));
      }
    }
  });

  it('bad parameters: one error naming the field', () => {
    expect(() => landscape({ epsilon: 0 })).toThrow(ScenarioError);
    expect(() => landscape({ epsilon: 0 })).toThrow(/epsilon/);
    expect(() => landscape({ dataSize: 100 })).toThrow(/dataSize/);
    expect(() => landscape({ data: 'mnist' })).toThrow(/data/);
    expect(landscape({ data: 'generated', dataSize: 50, dataSeed: 2 }).dataSize).toBe(50);
    expect(() => landscape().sampleHessian(Float64Array.of(0, 0, 0), 200, new Float64Array(9))).toThrow(RangeError);
  });
});
