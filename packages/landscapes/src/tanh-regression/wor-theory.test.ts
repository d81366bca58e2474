import { describe, expect, test } from 'vitest';
import {
  diffusionWOR,
  diffusionWORApprox,
  diffusionWOREq18,
  effectiveGradient,
  effectiveHessian,
  effectiveLoss,
  effectiveMinimum,
  matMul,
  nessTheory,
  newtonMinimum,
  norm,
  worTheory,
} from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { TanhRegression, tanhRegressionInfo } from './tanh-regression.ts';

// The kernel's WOR theory (004 App. B–C) on the paper's regression; the theory's own tests are in the kernel.
const maxAbs = (a: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i]));
  return s;
};
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i] - b[i]));
  return s;
};
const dist = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s);
};

describe('WOR theory on the tanh regression (004 §4.1, paper data)', () => {
  const N = 7;
  const L = new TanhRegression();
  L.configure(paramsFor(tanhRegressionInfo), 0);
  const M = L.dataSize,
    m = 10,
    n = M / m;
  const start = new Float64Array(N);
  L.minimumStart(start);
  const theta0 = newtonMinimum(L, start).theta;

  test('effectiveGradient is the gradient of effectiveLoss (central differences), and effectiveLoss is Eq. 16 as printed', () => {
    // A generic point (θ₀ plus an O(0.1) offset, so ∇𝓛 ≠ 0 and every term of Eq. 16 matters) and a large η = 1e-5 (the
    // formula is linear in η; a larger δ𝓛 is resolved better by differences).
    const th = theta0.map((v, a) => v + 0.1 * Math.sin(1 + 2 * a));
    const eta = 1e-5;
    // Eq. 16 literally, with tr(VVᵀ) = M⁻²Σ|∂ℓ_i|² (uncentred) — effectiveLoss uses the centred form.
    const g = new Float64Array(M * N),
      grad = new Float64Array(N);
    L.sampleGradients(th, g);
    L.gradient(th, grad);
    const gL = new Float64Array(N);
    for (let i = 0; i < M; i++) for (let a = 0; a < N; a++) gL[a] += g[i * N + a] / M;
    let trVV = 0;
    for (let k = 0; k < M * N; k++) trVV += (g[k] / M) ** 2;
    const dLit = -((eta * n * (n - 1)) / 4) * (norm(grad) ** 2 + norm(gL) ** 2 / (M - 1) - (M / (M - 1)) * trVV);
    const dL = effectiveLoss(L, th, eta, m) - n * L.loss(th);
    // The uncentred form cancels ~|g_i|²-sized terms (~1e6) down to δ𝓛-sized ones: agreement to ~1e-12 relative.
    expect(Math.abs(dL - dLit) / Math.abs(dLit)).toBeLessThan(1e-9);
    // ∇δ𝓛 = ∇𝓛̂ − n∇𝓛 vs central differences of δ𝓛 = 𝓛̂ − n𝓛 (n𝓛 subtracted so its rounding does not swamp δ𝓛):
    // h = 1e-5, truncation h²|∂³δ𝓛|/6 and rounding ε·|δ𝓛|/h are both ≲ 1e-8 of |∇δ𝓛|; 1e-6 leaves margin and
    // fails for any wrong factor or missing term (each is ≳ 1e-3 of ∇δ𝓛 here).
    const ge = new Float64Array(N);
    effectiveGradient(L, th, eta, m, ge);
    const dGrad = ge.map((v, a) => v - n * grad[a]);
    const fd = new Float64Array(N),
      h = 1e-5;
    const delta = (t: Float64Array) => effectiveLoss(L, t, eta, m) - n * L.loss(t);
    for (let a = 0; a < N; a++) {
      const p = th.slice(),
        q = th.slice();
      p[a] += h;
      q[a] -= h;
      fd[a] = (delta(p) - delta(q)) / (p[a] - q[a]);
    }
    expect(maxAbsDiff(dGrad, fd) / maxAbs(dGrad)).toBeLessThan(1e-6);
  });

  // η = 1e-7, m = 10 (004 Fig. 2B–3). Numbers this code gives (pinned below) and how they compare with a long simulation
  // (regression-ness 'full': 200 chains × 1.5e6 steps started at θ₀, burn-in 3e5 steps, Σ_WOR and mean sampled at epoch
  // boundaries; standard errors ~2.5e-8 on the mean, ≤ 0.5 % of √(Σ_iiΣ_jj) on Σ). The test does not read it:
  //   |θ̂₀ − θ₀| = 9.68e-5; |mean_sim − θ₀| = 9.41e-5; |mean_sim − θ̂₀| = 2.76e-6 (30× closer than θ₀).
  //   Σ_WOR (this default: full D̂, Ĥ = ∇²𝓛̂, continuous Lyapunov) vs Σ_sim: largest discrepancy −17 % of √(Σ_iiΣ_jj)
  //   (Σ₁₃; Σ₁₁ −12 %, Σ₃₃ −17 %, stiff entries +1…+2 %). The deficit is the simulation's, not the theory's: the chains start
  //   at θ₀, 9.7e-5 from θ̂₀ (~30 σ of the softest WOR mode), and that mode relaxes as exp(−ηĥ_min τ) with ηĥ_min = 1.1e-4 per
  //   epoch, so the 15 000-epoch burn-in leaves e^{−1.65} ≈ 19 % of the offset, which then decays inside the 60 000-epoch
  //   window and adds its time-variance to Σ_sim. Adding that deterministic transient ((I − ηĤ)^τ(θ₀ − θ̂₀), averaged over
  //   the sampled epochs) to the theory gives Σ_theory within +1.0 … +2.4 % of Σ_sim for all 28 elements (max +2.4 %, Σ₅₅) —
  //   docs/science.md §6's "~2 % above" — and predicts the measured mean to 4.3e-7 (the rest of the 2.76e-6). The +2 % is the
  //   O(ηn·h) of the leading order: a Monte Carlo of one epoch from θ̂₀ (2e5 permutations) gives ½Cov 4.5 % below B18 in the
  //   stiff directions (test below). WOR runs should start at θ̂₀ or burn in ≳ 10/(ηh_min) ≈ 2e6 steps.
  const eta = 1e-7;

  test('η = 1e-7, m = 10: θ̂₀ and its shift from θ₀', () => {
    const res = effectiveMinimum(L, theta0, eta, m);
    const shift = dist(res.theta, theta0);
    // One step of the iteration from θ₀ is the first-order shift −(nH₀)⁻¹∇δ𝓛(θ₀); the converged θ̂₀ differs from it by
    // O(ηn·h_max) ≈ 0.06 relative at most (h_max ≈ 2.8e4, the stiffest direction).
    const one = effectiveMinimum(L, theta0, eta, m, { maxIterations: 1, tolerance: Infinity }).theta;
    expect(dist(one, res.theta) / shift).toBeLessThan(0.06);
    // 9.679e-5, O(η) (~4e-5 of |θ₀| ≈ 2.4); 1 % pins the number against regressions (rounding is ~1e-10 of it) without
    // claiming more than θ̂₀'s own O(ηn·h) accuracy.
    expect(Math.abs(shift / 9.679e-5 - 1)).toBeLessThan(0.01);
    // |∇𝓛̂| at the rounding floor: n·ε·Σ|terms| ≈ 20·1e-16·(200·2e3) ≈ 1e-9; 1e-7 is far below any unconverged step (≳ 1e-2).
    expect(res.gradientNorm).toBeLessThan(1e-7);
    expect(res.iterations).toBeLessThan(20);
  });

  test('η = 1e-7, m = 10: Ĥ, D̂ (full vs B21 vs Eq. 18) and Σ_WOR', () => {
    const hat = effectiveMinimum(L, theta0, eta, m).theta;
    // Ĥ = ∇²𝓛̂ ≈ nH − (ηn(n−1)/2)(H² + …): relative to nH a correction of at most (n−1)ηh_max/2 ≈ 0.027, and visible.
    const H = new Float64Array(N * N);
    L.hessian(hat, H);
    const Hhat = effectiveHessian(L, hat, eta, m);
    const rel =
      maxAbsDiff(
        Hhat,
        H.map((v) => n * v),
      ) /
      (n * maxAbs(H));
    expect(rel).toBeLessThan(0.03);
    expect(rel).toBeGreaterThan(0.005);

    // D̂: B21 is the dominant term of the full form (measured: within 4.5 % of √(D̂_iiD̂_jj)); Eq. 18's HDH form is 5.9 %
    // off, mostly its (n−1)M/(n(M−1)) = 0.955 factor. 8 % bounds both with room and would catch a lost factor.
    const Dfull = diffusionWOR(L, hat, eta, m),
      D21 = diffusionWORApprox(L, hat, eta, m),
      D18 = diffusionWOREq18(L, hat, eta, m);
    const scaled = (D: Float64Array) =>
      maxAbs(
        D.map((v, k) => (v - Dfull[k]) / Math.sqrt(Dfull[Math.floor(k / N) * (N + 1)] * Dfull[(k % N) * (N + 1)])),
      );
    expect(scaled(D21)).toBeLessThan(0.08);
    expect(scaled(D18)).toBeLessThan(0.08);
    expect(scaled(D21)).toBeGreaterThan(0.01); // the other terms of B18 are not zero here

    // Σ_WOR ~1e-4 of Σ_WR (004 Fig. 2: "~10⁴ smaller"): this code gives tr Σ_WOR / tr Σ_WR = 9.62e-5 (simulation: 9.73e-5,
    // consistent with the +2 % / transient accounting above). 2 % pins the theory number.
    const wor = worTheory(L, theta0, eta, m),
      wr = nessTheory(L, theta0, eta, m);
    let tr = 0,
      trWR = 0;
    for (let a = 0; a < N; a++) {
      tr += wor.sigma[a * (N + 1)];
      trWR += wr.sigma[a * (N + 1)];
    }
    expect(Math.abs(tr / trWR / 9.62e-5 - 1)).toBeLessThan(0.02);
    // App. C's equation holds for what worTheory returns: ĤΣ + ΣĤ = 2η⁻¹D̂ to rounding (relative 1e-9 of 2η⁻¹|D̂|).
    const hs = matMul(wor.hessian, wor.sigma, N),
      sh = matMul(wor.sigma, wor.hessian, N);
    const resid = hs.map((v, k) => v + sh[k] - (2 / eta) * wor.diffusion[k]);
    expect(maxAbs(resid) / ((2 / eta) * maxAbs(wor.diffusion))).toBeLessThan(1e-9);
    expect(Array.from(wor.effectiveMinimum.theta)).toEqual(Array.from(hat));
  });

  test('η = 1e-7, m = 10: D̂ against a Monte Carlo of the real epoch map from θ̂₀ (20 000 random permutations)', () => {
    // ½Cov(θ' − θ̂₀) over epochs of 20 real WOR steps. Its diagonal estimate has relative noise √(2/K) = 1 %; B18 is the
    // leading order, the true one is smaller by O(ηn·h_max) (2e5 permutations: 4.5 ± 0.3 %). So the ratio lies in
    // [0.91, 0.99]: 4 standard errors on each side of 0.955, and a wrong factor (×n, ×2, a missing term) fails it.
    const hat = effectiveMinimum(L, theta0, eta, m).theta;
    const K = 20000,
      perm = Int32Array.from({ length: M }, (_, i) => i),
      gb = new Float64Array(N),
      t = new Float64Array(N);
    const mean = new Float64Array(N),
      second = new Float64Array(N);
    let seed = 12345;
    const rnd = () => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) / 4294967296;
    };
    for (let k = 0; k < K; k++) {
      for (let i = M - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        const x = perm[i];
        perm[i] = perm[j];
        perm[j] = x;
      }
      t.set(hat);
      for (let s = 0; s < n; s++) {
        L.minibatchGradient(t, perm.subarray(s * m, (s + 1) * m), m, gb);
        for (let a = 0; a < N; a++) t[a] -= eta * gb[a];
      }
      for (let a = 0; a < N; a++) {
        const d = t[a] - hat[a];
        mean[a] += d / K;
        second[a] += (d * d) / K;
      }
    }
    const D = diffusionWOR(L, hat, eta, m);
    for (let a = 0; a < N; a++) {
      const ratio = (0.5 * (second[a] - mean[a] * mean[a])) / D[a * (N + 1)];
      expect(ratio).toBeGreaterThan(0.91);
      expect(ratio).toBeLessThan(0.99);
    }
  });
});
