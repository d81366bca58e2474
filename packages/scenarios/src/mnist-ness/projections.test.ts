import { describe, expect, it } from 'vitest';
import { areaLongRunVariance, kroneckerBasis, twoSidedQuantile, varianceStdError } from './projections.ts';

/** mulberry32 + Box–Muller: a fixed stream for the Monte Carlo checks. */
function normals(seed: number): () => number {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

describe('mnist-ness projections', () => {
  it('twoSidedQuantile: Φ⁻¹(1 − p/2) at the textbook values', () => {
    expect(twoSidedQuantile(0.05)).toBeCloseTo(1.959964, 4);
    expect(twoSidedQuantile(1e-3)).toBeCloseTo(3.290527, 4);
  });

  it('kroneckerBasis: column α·K + c is e_c ⊗ o_α', () => {
    const O = Float64Array.from([0.6, -0.8, 0.8, 0.6]); // P = 2, columns o_0 = (0.6, 0.8), o_1 = (−0.8, 0.6)
    const V = kroneckerBasis(O, 3, 2),
      N = 6;
    expect([V[2 * N + 1 * 3 + 1], V[3 * N + 1 * 3 + 1]]).toEqual([-0.8, 0.6]); // e_1 ⊗ o_1 in rows 2, 3
    expect(V[0 * N + 0]).toBe(0.6);
    expect(V[1 * N + 0]).toBe(0.8);
  });

  it('the s.e. of a sample variance and of the mean area match a Monte Carlo of the 2-D Gaussian chain', () => {
    // x(t+1) = ρ∘x(t) + ξ, E[ξξᵀ] = Q: 400 chains × 4000 steps; the spread over chains of each chain's statistic
    // against the formula's √(S/T). Monte Carlo sd of an sd from 400 chains: ~3.5 %; tolerance 12 %.
    const rho = Float64Array.from([0.95, 0.995]),
      Q = Float64Array.from([1, 0.3, 0.3, 0.5]),
      N = 2;
    const chol = [1, 0.3, Math.sqrt(0.5 - 0.09)];
    const s00 = Q[0]! / (1 - rho[0]! * rho[0]!);
    const chains = 400,
      T = 4000,
      z = normals(7);
    const areas: number[] = [],
      vars: number[] = [];
    for (let c = 0; c < chains; c++) {
      // start in the stationary state: x ~ N(0, Σ), Σ_ab = Q_ab/(1 − ρ_aρ_b)
      const s11 = Q[3]! / (1 - rho[1]! ** 2),
        s01 = Q[1]! / (1 - rho[0]! * rho[1]!);
      const g0 = z(),
        g1 = z();
      let x0 = Math.sqrt(s00) * g0,
        x1 = (s01 / Math.sqrt(s00)) * g0 + Math.sqrt(s11 - (s01 * s01) / s00) * g1;
      let area = 0,
        sq = 0;
      for (let t = 0; t < T; t++) {
        const e0 = z(),
          e1 = z();
        const y0 = rho[0]! * x0 + chol[0]! * e0,
          y1 = rho[1]! * x1 + chol[1]! * e0 + chol[2]! * e1;
        area += 0.5 * (x0 * y1 - x1 * y0);
        sq += y0 * y0;
        x0 = y0;
        x1 = y1;
      }
      areas.push(area / T);
      vars.push(sq / T);
    }
    const sd = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
    };
    const areaSe = Math.sqrt(areaLongRunVariance(0, 1, rho, Q, N) / T);
    expect(sd(areas) / areaSe).toBeGreaterThan(0.88);
    expect(sd(areas) / areaSe).toBeLessThan(1.12);
    const varSe = varianceStdError(s00, rho[0]!, T);
    expect(sd(vars) / varSe).toBeGreaterThan(0.88);
    expect(sd(vars) / varSe).toBeLessThan(1.12);
  });
});
