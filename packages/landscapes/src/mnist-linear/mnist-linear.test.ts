import { describe, expect, it } from 'vitest';
import {
  assemble,
  diffusionWRFromSamples,
  matMul,
  newtonMinimum,
  resolvePlugin,
  ScenarioError,
  Xoshiro128,
} from '@nesslab/kernel';
import { landscapesModule } from '../index.ts';
import { paramsFor } from '@nesslab/kernel/testing';
import { MnistLinear, mnistLinearInfo } from './mnist-linear.ts';

const K = 10,
  P = 49,
  N = 490;
const landscape = (params: Record<string, unknown> = {}): MnistLinear => {
  const l = new MnistLinear();
  l.configure(paramsFor(mnistLinearInfo, params, 'scenario.landscape.params'), 0);
  return l;
};
const maxAbs = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]));
  return s;
};
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i] - b[i]));
  return s;
};
const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));
/** W with entries N(0, 0.1²) (fixed seed): a generic point of size comparable to θ₀'s (|θ₀|∞ ≈ 0.36). */
const randomTheta = (seed: number) => {
  const rng = Xoshiro128.fromSeed(seed);
  return Float64Array.from({ length: N }, () => 0.1 * rng.nextNormal());
};
const full = landscape();

describe('mnist-linear: the loss of 004 §4.2', () => {
  it('𝓛 = (1/M)Σ|y_i − W x_i|² + λ|θ|², summed sample by sample (moments S, B against the direct sum)', () => {
    const theta = randomTheta(1);
    const { images, labels } = full.data();
    let sum = 0;
    for (let i = 0; i < 60000; i++) {
      for (let c = 0; c < K; c++) {
        let f = 0;
        for (let p = 0; p < P; p++) f += theta[c * P + p] * images[i * P + p];
        const r = (labels[i] === c ? 1 : 0) - f;
        sum += r * r;
      }
    }
    const direct = sum / 60000 + 0.01 * norm(theta) ** 2;
    // Two orders of summation of 6·10⁵ terms of size ~1: agreement to ~10⁻¹³ relative.
    expect(Math.abs(full.loss(theta) - direct) / direct).toBeLessThan(1e-12);
    expect(full.loss(new Float64Array(N))).toBe(1); // W = 0: |y|² = 1 for every one-hot label
  });

  it('∇𝓛 matches central differences of 𝓛 in every coordinate', () => {
    const theta = randomTheta(2),
      g = new Float64Array(N),
      h = 1e-4;
    full.gradient(theta, g);
    const fd = new Float64Array(N);
    for (let a = 0; a < N; a++) {
      const plus = Float64Array.from(theta),
        minus = Float64Array.from(theta);
      plus[a] += h;
      minus[a] -= h;
      fd[a] = (full.loss(plus) - full.loss(minus)) / (2 * h);
    }
    // 𝓛 is quadratic: central differences are exact but for round-off, ~ε·𝓛/h ≈ 10⁻¹², against |∇𝓛|∞ ~ 1.
    expect(maxAbsDiff(g, fd)).toBeLessThan(1e-9 * maxAbs(g));
  });

  it('the Hessian matches central differences of ∇𝓛, is I₁₀ ⊗ (2S + 2λI) and does not depend on θ', () => {
    const theta = randomTheta(3),
      H = new Float64Array(N * N),
      h = 1e-3;
    full.hessian(theta, H);
    const gp = new Float64Array(N),
      gm = new Float64Array(N);
    let err = 0;
    for (let b = 0; b < N; b++) {
      const plus = Float64Array.from(theta),
        minus = Float64Array.from(theta);
      plus[b] += h;
      minus[b] -= h;
      full.gradient(plus, gp);
      full.gradient(minus, gm);
      for (let a = 0; a < N; a++) err = Math.max(err, Math.abs((gp[a] - gm[a]) / (2 * h) - H[a * N + b]));
    }
    // ∇𝓛 is linear: the differences are exact but for round-off ε|∇𝓛|/h ~ 10⁻¹³, against entries up to ~0.9.
    expect(err).toBeLessThan(1e-9);
    expect(H[0 * N + P]).toBe(0); // no coupling between rows of W
    expect(H[(2 * P + 5) * N + 2 * P + 7]).toBe(H[5 * N + 7]); // the same block for every class
    const H2 = new Float64Array(N * N);
    full.hessian(randomTheta(4), H2);
    expect(maxAbsDiff(H2, H)).toBe(0);
  });

  it('per-sample Hessians average to the Hessian less 2λI', () => {
    const l = landscape({ dataSize: 300, lambda: 0.05 }),
      theta = randomTheta(5);
    const H = new Float64Array(N * N),
      hi = new Float64Array(N * N),
      mean = new Float64Array(N * N);
    l.hessian(theta, H);
    for (let i = 0; i < 300; i++) {
      l.sampleHessian(theta, i, hi);
      for (let k = 0; k < N * N; k++) mean[k] += hi[k] / 300;
    }
    for (let a = 0; a < N; a++) mean[a * N + a] += 2 * 0.05;
    expect(maxAbsDiff(mean, H)).toBeLessThan(1e-13); // sums of 300 terms ≤ 2: round-off only
    expect(() => l.sampleHessian(theta, 300, hi)).toThrow('sample index 300 outside [0, 300)');
  });

  it('the rows of sampleGradients average, with ∇R, to ∇𝓛; a one-sample minibatch gives its row', () => {
    const l = landscape({ dataSize: 5000 }),
      theta = randomTheta(6);
    const G = new Float64Array(5000 * N),
      g = new Float64Array(N),
      reg = new Float64Array(N),
      mean = new Float64Array(N);
    l.sampleGradients(theta, G);
    l.gradient(theta, g);
    l.regulariserGradient(theta, reg);
    for (let i = 0; i < 5000; i++) for (let a = 0; a < N; a++) mean[a] += G[i * N + a] / 5000;
    for (let a = 0; a < N; a++) mean[a] += reg[a];
    // Direct sums of 5000 terms of size ~1 against the moments S, B: round-off ~5000·ε ≈ 10⁻¹² at most.
    expect(maxAbsDiff(mean, g)).toBeLessThan(1e-11 * Math.max(1, maxAbs(g)));
    const one = new Float64Array(N);
    l.minibatchGradient(theta, Int32Array.of(1234), 1, one);
    for (let a = 0; a < N; a++) expect(one[a]).toBeCloseTo(G[1234 * N + a] + reg[a], 14);
  });

  it('the minibatch gradient over every index is ∇𝓛; over a batch it is the batch mean of the sample rows', () => {
    const l = landscape({ dataSize: 2000 }),
      theta = randomTheta(7);
    const all = Int32Array.from({ length: 2000 }, (_, i) => i),
      gAll = new Float64Array(N),
      g = new Float64Array(N);
    l.minibatchGradient(theta, all, 2000, gAll);
    l.gradient(theta, g);
    expect(maxAbsDiff(gAll, g)).toBeLessThan(1e-12);
    const batch = Int32Array.of(5, 17, 1999, 0, 400),
      G = new Float64Array(2000 * N),
      reg = new Float64Array(N),
      gB = new Float64Array(N);
    l.sampleGradients(theta, G);
    l.regulariserGradient(theta, reg);
    l.minibatchGradient(theta, batch, 5, gB);
    for (let a = 0; a < N; a++) {
      let s = 0;
      for (const i of batch) s += G[i * N + a];
      expect(gB[a]).toBeCloseTo(s / 5 + reg[a], 13);
    }
  });
});

describe('mnist-linear: θ₀ and the NESS theory', () => {
  it('minimumStart is θ₀: |∇𝓛| at round-off, Newton from it does not move', () => {
    const theta0 = new Float64Array(N),
      g = new Float64Array(N),
      g0 = new Float64Array(N);
    full.minimumStart(theta0);
    full.gradient(theta0, g);
    full.gradient(new Float64Array(N), g0); // |∇𝓛(0)| = 2|B|, the scale of the gradient
    // A 49×49 Cholesky solve with cond(S + λI) ≈ 220: a residual ~10⁻¹⁵ of the scale.
    expect(norm(g)).toBeLessThan(1e-13 * norm(g0));
    const newton = newtonMinimum(full, theta0);
    expect(maxAbsDiff(newton.theta, theta0)).toBeLessThan(1e-13);
    expect(full.loss(theta0)).toBeLessThan(full.loss(randomTheta(8)));
  });

  it("diffusionWR equals the kernel's diffusionWR (Eq. 14), M = 300; full batch: no noise", () => {
    const l = landscape({ dataSize: 300 }),
      theta = randomTheta(11);
    const fast = l.diffusionWR(theta, 1e-4, 100);
    // Sums of 300 terms in another order: round-off ~10⁻¹⁵ relative to the largest entry.
    expect(maxAbsDiff(fast, diffusionWRFromSamples(l, theta, 1e-4, 100))).toBeLessThan(1e-13 * maxAbs(fast));
    expect(maxAbs(l.diffusionWR(theta, 1e-4, 300))).toBe(0);
  });

  it('nessTheory: Σ solves H₀Σ + ΣH₀ = 2η⁻¹D₀ (Eq. 21), C = ½η(H₀Σ − ΣH₀) = ηH₀Σ − D₀ (Eq. 24–25)', () => {
    const l = landscape({ dataSize: 2000 }),
      theta0 = new Float64Array(N);
    l.minimumStart(theta0);
    const eta = 1e-4,
      t = l.nessTheory(theta0, eta, 100);
    const hs = matMul(t.hessian, t.sigma, N),
      sh = matMul(t.sigma, t.hessian, N);
    let lyap = 0,
      curr = 0;
    for (let k = 0; k < N * N; k++) {
      lyap = Math.max(lyap, Math.abs(hs[k] + sh[k] - (2 / eta) * t.diffusion[k]));
      curr = Math.max(curr, Math.abs(eta * hs[k] - t.diffusion[k] - t.circulation[k]));
    }
    // Round-off of the eigenbasis solve, amplified at most by cond(H₀) = h_max/h_min ≈ 4.4/0.02 ≈ 220.
    expect(lyap).toBeLessThan(1e-12 * (2 / eta) * maxAbs(t.diffusion));
    expect(curr).toBeLessThan(1e-12 * maxAbs(t.diffusion));
    expect(maxAbs(t.circulation)).toBeGreaterThan(1e-3 * maxAbs(t.diffusion)); // a real current: WR SGD is out of equilibrium
    // H₀ = I₁₀ ⊗ A: every eigenvalue ten times, ascending, summing to tr H₀; h_min ≥ 2λ.
    let trace = 0;
    for (let a = 0; a < N; a++) trace += t.hessian[a * N + a];
    expect(Math.abs(t.eigenvalues.reduce((a, b) => a + b, 0) - trace)).toBeLessThan(1e-12 * trace);
    for (let k = 0; k < N; k++) expect(t.eigenvalues[k]).toBe(t.eigenvalues[K * Math.floor(k / K)]);
    expect(t.eigenvalues[0]).toBeGreaterThanOrEqual(2 * 0.01 * (1 - 1e-12));
  });

  it('D₀ is (η²/2) × the covariance of minibatch gradients drawn with replacement (Eq. 13–14), on its trace', () => {
    const M = 10000,
      l = landscape({ dataSize: M }),
      theta0 = new Float64Array(N);
    l.minimumStart(theta0);
    const eta = 1e-4,
      m = 100,
      draws = 3000;
    const D = l.diffusionWR(theta0, eta, m);
    let trD = 0;
    for (let a = 0; a < N; a++) trD += D[a * N + a];
    // Monte Carlo: m distinct indices per batch, as the with-replacement sampler draws them.
    const rng = Xoshiro128.fromSeed(9),
      batch = new Int32Array(m),
      g = new Float64Array(N),
      gbar = new Float64Array(N);
    l.gradient(theta0, gbar);
    const sq: number[] = [];
    for (let t = 0; t < draws; t++) {
      const seen = new Set<number>();
      for (let k = 0; k < m; k++) {
        let i;
        do i = rng.nextInt(M);
        while (seen.has(i));
        seen.add(i);
        batch[k] = i;
      }
      l.minibatchGradient(theta0, batch, m, g);
      let s = 0;
      for (let a = 0; a < N; a++) s += (g[a] - gbar[a]) ** 2;
      sq.push(s);
    }
    const mean = sq.reduce((a, b) => a + b, 0) / draws;
    const se = Math.sqrt(sq.reduce((a, b) => a + (b - mean) ** 2, 0) / (draws - 1) / draws);
    // tr D₀ = (η²/2) E|g_B − ∇𝓛|²: within 4 standard errors of the mean over the draws (~2 % each).
    expect(Math.abs(((eta * eta) / 2) * mean - trD)).toBeLessThan(4 * ((eta * eta) / 2) * se);
  });
});

describe('mnist-linear: plugin', () => {
  it('is bound as "mnist-linear" with N = 490, M = 60000 and the paper\'s λ = 10⁻²', () => {
    const l = resolvePlugin(assemble(landscapesModule), 'landscape', 'mnist-linear', 'landscape');
    expect(l).toBeInstanceOf(MnistLinear);
    l.configure(paramsFor(mnistLinearInfo), 0);
    expect([l.dim, l.dataSize, (l as MnistLinear).lambda]).toEqual([490, 60000, 0.01]);
    expect(mnistLinearInfo).toMatchObject({ source: '004 §4.2, Eq. 10', precision: 'float64' });
    expect(landscape({ dataSize: 123 }).dataSize).toBe(123);
  });

  it('bad parameters: one error naming the field', () => {
    const bad = (params: Record<string, unknown>) => () => landscape(params);
    expect(bad({ lambda: 0 })).toThrow(ScenarioError);
    expect(bad({ lambda: 0 })).toThrow('scenario.landscape.params.lambda: must be > 0, got 0');
    expect(bad({ lambda: 'x' })).toThrow('scenario.landscape.params.lambda');
    expect(bad({ dataSize: 60001 })).toThrow('scenario.landscape.params.dataSize: must be ≤ 60000, got 60001');
    expect(bad({ dataSize: 2.5 })).toThrow('scenario.landscape.params.dataSize');
  });

  it('randomInit draws W_cp ~ N(0, 1/49)', () => {
    const l = full,
      out = new Float64Array(N),
      rng = Xoshiro128.fromSeed(10);
    let s2 = 0;
    for (let t = 0; t < 20; t++) {
      l.randomInit(out, () => rng.nextNormal());
      for (const v of out) s2 += v * v;
    }
    // 9800 draws: the sample variance has relative standard error √(2/9800) ≈ 1.4 %; 5 of them.
    expect(Math.abs((s2 / 9800) * 49 - 1)).toBeLessThan(0.07);
  });
});
