import { describe, expect, it } from 'vitest';
import { circulation, lyapunov } from './ness.ts';
import { entropyMatrix, entropyRate, regularize } from './entropy.ts';

// 2-D linearised NESS with H = diag(h₁, h₂): Σ_ij = 2D_ij/(η(h_i + h_j)) (Eq. 23), C = cJ with
// c = (h₁ − h₂)D₁₂/(h₁ + h₂) (Eq. 25), and C D₀⁻¹ C = −(c²/det D₀)·D₀, so Eq. 29 is (c²/det D₀)·tr(D₀Σ⁻¹).
const eta = 1e-3,
  h1 = 50,
  h2 = 3;
const D = Float64Array.from([2e-6, 0.7e-6, 0.7e-6, 0.5e-6]);
const H = Float64Array.from([h1, 0, 0, h2]);
const S = lyapunov(H, D, eta, 2),
  C = circulation(H, S, eta, 2);
const inv2 = (m: ArrayLike<number>) => {
  const det = m[0] * m[3] - m[1] * m[2];
  return [m[3] / det, -m[1] / det, -m[2] / det, m[0] / det];
};

describe('entropy production theory (004 Eq. 24, 27, 29)', () => {
  it('Eq. 29 equals the closed form of a 2-D NESS', () => {
    const c = ((h1 - h2) * D[1]) / (h1 + h2),
      detD = D[0] * D[3] - D[1] * D[2],
      Si = inv2(S);
    const closed = ((c * c) / detD) * (D[0] * Si[0] + D[1] * Si[2] + D[2] * Si[1] + D[3] * Si[3]);
    expect(C[1]).toBeCloseTo(c, 15);
    expect(closed).toBeGreaterThan(0);
    expect(entropyRate(S, C, D, 2) / closed - 1).toBeLessThan(1e-12); // float64 round-off of two 2×2 solves
  });

  it('A = Σ⁻¹CD₀⁻¹ (so that σ_k = δθᵀAΔθ = v^s·D₀⁻¹Δθ), from explicit inverses', () => {
    const A = entropyMatrix(S, C, D, 2),
      Si = inv2(S),
      Di = inv2(D);
    const mul = (a: number[] | Float64Array, b: number[] | Float64Array) => [
      a[0] * b[0] + a[1] * b[2],
      a[0] * b[1] + a[1] * b[3],
      a[2] * b[0] + a[3] * b[2],
      a[2] * b[1] + a[3] * b[3],
    ];
    const direct = mul(mul(Si, C), Di),
      scale = Math.max(...direct.map(Math.abs));
    direct.forEach((x, i) => expect(Math.abs(A[i] - x) / scale).toBeLessThan(1e-12));
    // One step from δθ along v^s's own direction: σ_k = v^s·D₀⁻¹Δθ with v^s = −CΣ⁻¹δθ.
    const d = [0.3, -0.1],
      step = [1e-4, 2e-4],
      v = [
        -(C[0] * (Si[0] * d[0] + Si[1] * d[1]) + C[1] * (Si[2] * d[0] + Si[3] * d[1])),
        -(C[2] * (Si[0] * d[0] + Si[1] * d[1]) + C[3] * (Si[2] * d[0] + Si[3] * d[1])),
      ];
    const byV = v[0] * (Di[0] * step[0] + Di[1] * step[1]) + v[1] * (Di[2] * step[0] + Di[3] * step[1]);
    const byA = d[0] * (A[0] * step[0] + A[1] * step[1]) + d[1] * (A[2] * step[0] + A[3] * step[1]);
    expect(Math.abs(byA - byV) / Math.abs(byV)).toBeLessThan(1e-12);
  });

  it('vanishes in equilibrium (D₀ ∝ H: C = 0), grows like η at fixed D₀/η², and names a non-definite matrix', () => {
    const Deq = Float64Array.from([h1 * 1e-7, 0, 0, h2 * 1e-7]);
    const Seq = lyapunov(H, Deq, eta, 2);
    expect(Math.abs(entropyRate(Seq, circulation(H, Seq, eta, 2), Deq, 2))).toBe(0);
    // D ∝ η², Σ ∝ η, C ∝ η²: −tr(CD⁻¹CΣ⁻¹) ∝ η (exactly, up to round-off).
    const D2 = D.map((x) => 4 * x),
      S2 = lyapunov(H, D2, 2 * eta, 2);
    expect(entropyRate(S2, circulation(H, S2, 2 * eta, 2), D2, 2) / entropyRate(S, C, D, 2)).toBeCloseTo(2, 12);
    expect(() => entropyMatrix(S, C, Float64Array.from([1, 2, 2, 1]), 2)).toThrow('D₀ is not positive definite');
  });

  it('regularises a singular D₀ as D₀ + ε·max D₀_αα·I, leaving the rate of the noisy directions (MNIST: cond D₀ > 1e10)', () => {
    // 3-D: the 2-D NESS above plus a third coordinate with no noise (D₀₃₃ = 0) and its own Σ₃₃, uncoupled (C₃· = 0).
    const D3 = Float64Array.from([D[0], D[1], 0, D[2], D[3], 0, 0, 0, 0]);
    const S3 = Float64Array.from([S[0], S[1], 0, S[2], S[3], 0, 0, 0, 1e-3]);
    const C3 = Float64Array.from([0, C[1], 0, C[2], 0, 0, 0, 0, 0]);
    expect(() => entropyRate(S3, C3, D3, 3)).toThrow('D₀ is not positive definite');
    expect(regularize(D3, 3, 1e-10)[8]).toBe(1e-10 * D[0]);
    expect(regularize(D3, 3, 0)).toBe(D3);
    // ε shifts the noisy directions' eigenvalues by ε·max D₀_αα: the rate moves by O(ε) relative.
    expect(Math.abs(entropyRate(S3, C3, D3, 3, 1e-10) / entropyRate(S, C, D, 2) - 1)).toBeLessThan(1e-8);
  });
});
