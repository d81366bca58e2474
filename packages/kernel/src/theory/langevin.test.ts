import { describe, expect, it } from 'vitest';
import { gaussianKlBits, langevinTheory, logLogSlope } from './langevin.ts';
import { solve, symmetricEigen } from '../linalg/dense.ts';
import type { Landscape } from '../contracts/landscape.ts';
import type { PerSampleHessian } from '../contracts/capabilities.ts';

/**
 * A linear least-squares landscape like 004 §4.6 (N = 3, ψ = (tanh(½−x), tanh(½+x), 1), ε = 0.1, λ = 10) on
 * deterministic data y = exp(−x²) + 0.1 sin(7x) (the kernel may not import the landscapes package).
 */
function linearModel(M = 200): Landscape & PerSampleHessian & { theta0: Float64Array; Hs: Float64Array[] } {
  const N = 3,
    s = 1 / 0.01,
    lam = 10;
  const x = Array.from({ length: M }, (_, i) => -3 + (6 * i) / M),
    y = x.map((v) => Math.exp(-v * v) + 0.1 * Math.sin(7 * v));
  const P = x.map((v) => [Math.tanh(0.5 - v), Math.tanh(0.5 + v), 1]);
  const H = new Float64Array(9),
    b = new Float64Array(3);
  P.forEach((p, i) => {
    for (let a = 0; a < N; a++) {
      b[a] += s * p[a] * y[i];
      for (let c = 0; c < N; c++) H[a * N + c] += s * p[a] * p[c];
    }
  });
  for (let a = 0; a < N; a++) H[a * N + a] += 2 * lam;
  const theta0 = solve(H, N, b);
  const res = (t: Float64Array, i: number) => y[i] - (t[0] * P[i][0] + t[1] * P[i][1] + t[2] * P[i][2]);
  const Hs = P.map((p) => Float64Array.from({ length: 9 }, (_, k) => M * s * p[Math.floor(k / 3)] * p[k % 3]));
  const l: Landscape & PerSampleHessian & { theta0: Float64Array; Hs: Float64Array[] } = {
    dim: N,
    dataSize: M,
    theta0,
    Hs,
    configure() {},
    loss: (t) => P.reduce((acc, _, i) => acc + 0.5 * s * res(t, i) ** 2, 0) + lam * (t[0] ** 2 + t[1] ** 2 + t[2] ** 2),
    gradient(t, out) {
      l.minibatchGradient(
        t,
        Int32Array.from({ length: M }, (_, i) => i),
        M,
        out,
      );
    },
    minibatchGradient(t, batch, m, out) {
      out.fill(0);
      for (let k = 0; k < m; k++) {
        const i = batch[k],
          r = res(t, i);
        for (let a = 0; a < N; a++) out[a] -= (M * s * r * P[i][a]) / m;
      }
      for (let a = 0; a < N; a++) out[a] += 2 * lam * t[a];
    },
    sampleGradients(t, out) {
      for (let i = 0; i < M; i++) {
        const r = res(t, i);
        for (let a = 0; a < N; a++) out[i * N + a] = -M * s * r * P[i][a];
      }
    },
    regulariserGradient(t, out) {
      for (let a = 0; a < N; a++) out[a] = 2 * lam * t[a];
    },
    hessian(_t, out) {
      out.set(H);
    },
    sampleHessian(_t, i, out) {
      out.set(Hs[i]);
    },
  };
  return l;
}

/**
 * The exact stationary covariance of real SGLD on a linear model, by an independent route: δθ' = A_B δθ − ηe_B + √(2η)z
 * with A_B = I − η(2λI + m⁻¹Σ_{i∈B}∇²ℓ_i), e_B = m⁻¹Σ_{i∈B}∇ℓ_i(θ₀) + ∇R(θ₀) (mean 0), B = m distinct indices:
 * Σ = E[A_B Σ A_Bᵀ] + η²E[e_Be_Bᵀ] + 2ηI, with P(i ∈ B) = m/M, P(i, j ∈ B) = m(m−1)/(M(M−1)) for i ≠ j.
 */
function exactSgldSigma(l: ReturnType<typeof linearModel>, eta: number, m: number): Float64Array {
  const N = 3,
    M = l.dataSize,
    NN = 9,
    p1 = m / M,
    p2 = (m * (m - 1)) / (M * (M - 1));
  const g = new Float64Array(M * N);
  l.sampleGradients(l.theta0, g);
  const kbar = new Float64Array(NN);
  for (const k of l.Hs) for (let q = 0; q < NN; q++) kbar[q] += k[q] / M;
  // E[Q⊗Q], Q = m⁻¹Σ_B k_i: Σ_ij P(i,j) k_i⊗k_j / m² = (p2 S⊗S + (p1 − p2) Σ_i k_i⊗k_i)/m², S = Σ_i k_i.
  const S = kbar.map((v) => v * M),
    QQ = new Float64Array(NN * NN),
    ee = new Float64Array(NN),
    gs = new Float64Array(N);
  for (let i = 0; i < M; i++) for (let a = 0; a < N; a++) gs[a] += g[i * N + a];
  for (let r = 0; r < NN; r++)
    for (let c = 0; c < NN; c++) {
      const [a, b] = [Math.floor(r / 3), r % 3],
        [d, e] = [Math.floor(c / 3), c % 3];
      let v = p2 * S[a * N + d] * S[b * N + e];
      for (const k of l.Hs) v += (p1 - p2) * k[a * N + d] * k[b * N + e];
      QQ[r * NN + c] = v / (m * m);
    }
  // E[e eᵀ] with Σ_i g_i = −M∇R(θ₀): m⁻²Σ_ij P(i,j) g_i g_jᵀ − ∇R∇Rᵀ.
  for (let a = 0; a < N; a++)
    for (let b = 0; b < N; b++) {
      let v = p2 * gs[a] * gs[b];
      for (let i = 0; i < M; i++) v += (p1 - p2) * g[i * N + a] * g[i * N + b];
      ee[a * N + b] = v / (m * m) - (gs[a] / M) * (gs[b] / M);
    }
  // vec(AΣAᵀ) = (A⊗A)vec Σ, E[A⊗A] = I⊗I − η(Ā'⊗I + I⊗Ā') + η²(E[Q⊗Q] + 2λ(I⊗Q̄ + Q̄⊗I) + 4λ²I⊗I), Ā' = 2λI + Q̄.
  const lam2 = 20,
    A = new Float64Array(NN * NN),
    rhs = new Float64Array(NN);
  const kb = (a: number, b: number) => kbar[a * N + b] + (a === b ? lam2 : 0);
  for (let r = 0; r < NN; r++)
    for (let c = 0; c < NN; c++) {
      const [a, b] = [Math.floor(r / 3), r % 3],
        [d, e] = [Math.floor(c / 3), c % 3];
      const id = (x: number, y: number) => (x === y ? 1 : 0);
      const EAA =
        id(a, d) * id(b, e) -
        eta * (kb(a, d) * id(b, e) + id(a, d) * kb(b, e)) +
        eta *
          eta *
          (QQ[r * NN + c] +
            lam2 * (id(a, d) * kbar[b * N + e] + kbar[a * N + d] * id(b, e)) +
            lam2 * lam2 * id(a, d) * id(b, e));
      A[r * NN + c] = id(r, c) - EAA;
    }
  for (let r = 0; r < NN; r++) rhs[r] = eta * eta * ee[r] + (r % 4 === 0 ? 2 * eta : 0);
  return solve(A, NN, rhs);
}

describe('langevin theory (004 Eq. 44–47, App. D)', () => {
  const l = linearModel(),
    H = new Float64Array(9);
  l.hessian(l.theta0, H);
  const etas = [1e-8, 1e-7, 1e-6];
  const kl = (alg: 'sgld' | 'sgworld' | 'sgworld-uncorrected', eta: number, time?: 'continuous' | 'discrete') =>
    langevinTheory(l, l.theta0, eta, 10, alg, { time }).klBits;

  it('Fig. 6 slopes of the continuous theory: 2 (SGLD), 6 (SGWORLD), 2 (uncorrected)', () => {
    // The leading terms are δΣ ∝ η (SGLD: D ∝ η²; uncorrected: 𝓛̂ − n𝓛 ∝ η) and ∝ η³ (SGWORLD: D̂ ∝ η⁴), KL ∝ δΣ².
    // The next order is relative O(ηh) per step, O(ηn·h) per epoch for the WOR pair (h ≤ h_max ≈ 3e4, n = 20), which
    // shifts a fitted exponent by ~ that ratio: tolerance 0.1 over 1e-8…1e-6 (where the WOR pair's ηn·h_max reaches 0.6,
    // but its δ𝓛 part is the leading term itself, exactly ∝ η); between 1e-8 and 1e-7 ηn·h_max = 0.06: 0.03.
    const expected = { sgld: 2, sgworld: 6, 'sgworld-uncorrected': 2 } as const;
    for (const alg of ['sgld', 'sgworld', 'sgworld-uncorrected'] as const) {
      const k = etas.map((e) => kl(alg, e));
      expect(Math.abs(logLogSlope(etas, k) - expected[alg]), alg).toBeLessThan(0.1);
      expect(Math.abs(logLogSlope(etas.slice(0, 2), k.slice(0, 2)) - expected[alg]), alg).toBeLessThan(0.03);
    }
  });

  it("SGWORLD beats SGLD by orders of magnitude at small η; uncorrected has SGLD's η² law with a coefficient of its order", () => {
    // η⁶ against η²: at η = 1e-7 the ratio is ~(ηn·h)⁴-small; 1e-4 is far above it and far below "comparable".
    expect(kl('sgworld', 1e-7) / kl('sgld', 1e-7)).toBeLessThan(1e-4);
    // "only marginally better than SGLD" (§4.6) on the paper's data (checked in the scenario); on this synthetic data we
    // ask only for the same order (both δΣ are O(η·n-independent) minibatch terms): within a factor 10.
    const ratio = kl('sgworld-uncorrected', 1e-8) / kl('sgld', 1e-8);
    expect(ratio).toBeGreaterThan(0.1);
    expect(ratio).toBeLessThan(10);
  });

  it('discrete-time SGLD theory equals the exact stationary covariance of real SGLD on a linear model (relative 1e-6)', () => {
    // Independent route (exactSgldSigma): both exact, so they differ by rounding only: Σ to ~1e-13 relative, δΣ/Σ ~ 1e-2,
    // hence KL to ~1e-10 relative; 1e-6 leaves room for the conditioning (1/(ηh_min) ~ 1e3) of the 9×9 solve.
    for (const eta of [1e-6, 3e-6]) {
      const t = langevinTheory(l, l.theta0, eta, 10, 'sgld', { time: 'discrete' });
      const exact = exactSgldSigma(l, eta, 10);
      const Spo = solve(H, 3, Float64Array.of(1, 0, 0)),
        inv = new Float64Array(9);
      for (let c = 0; c < 3; c++) {
        const e = new Float64Array(3);
        e[c] = 1;
        const col = solve(H, 3, e);
        for (let a = 0; a < 3; a++) inv[a * 3 + c] = col[a];
      }
      expect(Spo.length).toBe(3);
      const klExact = gaussianKlBits(
        exact.map((v, k) => v - inv[k]),
        new Float64Array(3),
        H,
        3,
      );
      expect(Math.abs(t.klBits / klExact - 1)).toBeLessThan(1e-6);
      // and the continuous Eq. 44 misses the Euler term (ηh/2 relative): visibly different at these η.
      expect(Math.abs(kl('sgld', eta) / klExact - 1)).toBeGreaterThan(0.02);
    }
  });

  it('discrete-time SGWORLD: δΣ → (ηn/2)I, the epoch-scale Euler error of docs/science.md §7 (KL ∝ η², not η⁶)', () => {
    // Without D̂: nHδΣ + δΣnH − ηn²HδΣH = ηn²H, solved by δΣ = ηn(2I − ηnH)⁻¹ = (ηn/2)(I + O(ηnH)). D̂ ∝ η⁴ adds
    // O(η²) relative to it: ~1e-8 at η = 1e-8 (checked to 1e-6); the O(ηn·h) = 6e-3 Euler term is inside the formula.
    const eta = 1e-8,
      n = 20,
      t = langevinTheory(l, l.theta0, eta, 10, 'sgworld', { time: 'discrete' });
    const noDhat = new Float64Array(9);
    for (let c = 0; c < 3; c++) {
      const e = new Float64Array(3);
      e[c] = eta * n;
      const col = solve(
        H.map((v, k) => (k % 4 === 0 ? 2 : 0) - eta * n * v),
        3,
        e,
      );
      for (let a = 0; a < 3; a++) noDhat[a * 3 + c] = col[a];
    }
    for (let k = 0; k < 9; k++) expect(Math.abs(t.deltaSigma[k] - noDhat[k]) / ((eta * n) / 2)).toBeLessThan(1e-6);
    expect(
      Math.abs(
        logLogSlope(
          etas.slice(0, 2),
          etas.slice(0, 2).map((e) => kl('sgworld', e, 'discrete')),
        ) - 2,
      ),
    ).toBeLessThan(0.03); // next order O(ηn·h) ≤ 0.06 at 1e-7, as above
  });

  it('uncorrected SGWORLD is centred at θ̂₀ ≠ θ₀ and its KL includes the mean term', () => {
    const t = langevinTheory(l, l.theta0, 1e-7, 10, 'sgworld-uncorrected');
    const shift = Math.hypot(...t.centre.map((v, a) => v - l.theta0[a]));
    expect(shift).toBeGreaterThan(0);
    const noMean = gaussianKlBits(t.deltaSigma, new Float64Array(3), H, 3);
    expect(t.klBits).toBeGreaterThan(noMean);
  });

  it('gaussianKlBits equals Eq. 46 written out (+ ½δμᵀHδμ) for a moderate δΣ (relative 1e-10)', () => {
    const inv = new Float64Array(9);
    for (let c = 0; c < 3; c++) {
      const e = new Float64Array(3);
      e[c] = 1;
      const col = solve(H, 3, e);
      for (let a = 0; a < 3; a++) inv[a * 3 + c] = col[a];
    }
    const dS = inv.map((v, k) => v * (k % 4 === 0 ? 0.3 : -0.1)),
      dm = Float64Array.of(1e-3, -2e-3, 5e-4);
    const S = inv.map((v, k) => v + dS[k]);
    const det = (A: Float64Array) => symmetricEigen(A, 3).values.reduce((p, v) => p * v, 1);
    let tr = 0;
    for (let a = 0; a < 3; a++) for (let k = 0; k < 3; k++) tr += H[a * 3 + k] * S[k * 3 + a];
    let q = 0;
    for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) q += dm[a] * H[a * 3 + b] * dm[b];
    const eq46 = (Math.log(det(inv) / det(S)) - 3 + tr + q) / (2 * Math.LN2);
    expect(Math.abs(gaussianKlBits(dS, dm, H, 3) / eq46 - 1)).toBeLessThan(1e-10);
    expect(gaussianKlBits(new Float64Array(9), new Float64Array(3), H, 3)).toBe(0);
  });
});
