// The NESS of the linear MNIST network in the eigenbasis of its Hessian H₀ = I_K ⊗ A (004 §4.2): every v_k = e_c ⊗ o_α
// relaxes on its own, x_k(t+1) = ρ_k x_k(t) + ξ_k(t), ρ_k = 1 − ηh_k, so the projections of Σ and C on these directions,
// and the standard errors of their time averages, have closed forms.
import { matMul, symmetricEigen, transpose } from '@nesslab/kernel';

/** Σ_rows of an N×N row-major matrix as number[][] → Float64Array. */
export const flat = (rows: number[][]): Float64Array => Float64Array.from(rows.flat());

/** A's block (0,0) of H₀ = I_K ⊗ A (P×P) and its eigen-decomposition, ascending (as blockNessTheory solves it). */
export function blockEigen(hessian: Float64Array, K: number, P: number) {
  const N = K * P,
    A = new Float64Array(P * P);
  for (let p = 0; p < P; p++) for (let q = 0; q < P; q++) A[p * P + q] = hessian[p * N + q];
  return symmetricEigen(A, P);
}

/**
 * V (N×N row-major), column k = α·K + c the unit eigenvector v_k = e_c ⊗ o_α of I_K ⊗ A (O row-major, column α = o_α):
 * the eigenvalue order of blockNessTheory / blockWorTheory (each a_α K times, ascending).
 */
export function kroneckerBasis(O: Float64Array, K: number, P: number): Float64Array {
  const N = K * P,
    V = new Float64Array(N * N);
  for (let c = 0; c < K; c++)
    for (let p = 0; p < P; p++) for (let a = 0; a < P; a++) V[(c * P + p) * N + a * K + c] = O[p * P + a];
  return V;
}

/** VᵀXV (N×N). */
export function project(X: Float64Array, V: Float64Array, N: number): Float64Array {
  return matMul(matMul(transpose(V, N), X, N), V, N);
}

/**
 * Standard error of a sample variance of a stationary Gaussian AR(1) series, variance s, lag-one correlation r, over
 * `count` states: Var = (2s²/count)(1 + r²)/(1 − r²) (the integrated autocorrelation time of x²).
 */
export function varianceStdError(s: number, r: number, count: number): number {
  return Math.sqrt(((2 * s * s) / count) * ((1 + r * r) / (1 - r * r)));
}

/**
 * Long-run variance S (per increment) of a_t = ½(x_k(t)x_l(t+1) − x_l(t)x_k(t+1)), the area of 004 Eq. 26 projected on
 * (v_k, v_l), for the Gaussian chain x(t+1) = ρ∘x(t) + ξ(t), E[ξξᵀ] = Q: S = Σ_τ Cov(a_0, a_τ), from Isserlis' theorem
 * with the lagged covariances E[x_a(t+d)x_b(t)] = ρ_a^d Σ_ab (d ≥ 0), Σ_ab = Q_ab/(1 − ρ_aρ_b) (the chain's own
 * stationary covariance: the large terms cancel only with it). The standard error of Ĉ_kl over `count` increments is
 * √(S/count).
 */
export function areaLongRunVariance(k: number, l: number, rho: Float64Array, Q: Float64Array, N: number): number {
  const S = (a: number, b: number) => Q[a * N + b] / (1 - rho[a] * rho[b]);
  const terms: [number, number, number][] = [
    [k, l, 1],
    [l, k, -1],
  ];
  let total = 0;
  for (const [i, j, s1] of terms)
    for (const [p, q, s2] of terms) {
      const ri = rho[i],
        rj = rho[j],
        rp = rho[p],
        rq = rho[q];
      // Σ_τ E[x_i(0)x_p(τ)] E[x_j(1)x_q(τ+1)]
      const f1 = S(p, i) * S(q, j) * (1 / (1 - rp * rq) + (ri * rj) / (1 - ri * rj));
      // Σ_τ E[x_i(0)x_q(τ+1)] E[x_j(1)x_p(τ)]
      const f2 =
        S(q, i) * S(p, j) * ((rq * rq) / (1 - rp * rq) + rq * rj + rj * rj + (rj * rj * ri * rj) / (1 - ri * rj));
      total += s1 * s2 * (f1 + f2);
    }
  return total / 4;
}

/** Φ⁻¹(1 − p/2) by bisection on erfc (p small): the two-sided Gaussian quantile of a family-wise level. */
export function twoSidedQuantile(p: number): number {
  let lo = 0,
    hi = 40;
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (erfc(mid / Math.SQRT2) > p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** erfc (Numerical Recipes' Chebyshev fit, relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x),
    t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628288 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}
