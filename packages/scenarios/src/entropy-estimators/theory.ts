// What the two trajectory estimators of the entropy-estimate observer converge to on a linear chain, at a segment
// length ℓ: the reference lines of the entropy-estimators scenario beside the exact continuous-time rate (004 Eq. 29).
import { matMul, solve, transpose } from '@nesslab/kernel';

/**
 * The linear chain of WR SGD about θ₀: δθ' = B δθ + ξ, B = I − ηH₀, ⟨ξξᵀ⟩ = 2D₀ (004 Eq. 12–14, linearised), seen
 * every ℓ steps: δθ_{k+ℓ} = B^ℓ δθ_k + noise. Its stationary covariance Σ_d solves the discrete Lyapunov equation
 * Σ_d = BΣ_dBᵀ + 2D₀ (Smith's doubling), which tends to Eq. 21's Σ as ηh → 0.
 */
export interface LinearChain {
  n: number;
  /** B^ℓ. */
  propagator: Float64Array;
  /** Σ_d. */
  sigma: Float64Array;
}

export function linearChain(
  hessian: Float64Array,
  diffusion: Float64Array,
  eta: number,
  n: number,
  every: number,
): LinearChain {
  const B = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) B[i * n + j] = (i === j ? 1 : 0) - eta * hessian[i * n + j];
  // Σ_d = Σ_k B^k (2D₀) B^kᵀ by doubling: S ← S + A S Aᵀ, A ← A², 2^60 terms (ηh_min ≫ 2^−60).
  let S: Float64Array = diffusion.map((d) => 2 * d),
    A: Float64Array = Float64Array.from(B);
  for (let it = 0; it < 60; it++) {
    const ASAt = matMul(matMul(A, S, n), transpose(A, n), n);
    S = S.map((s, k) => s + ASAt[k]);
    A = matMul(A, A, n);
  }
  let P: Float64Array = Float64Array.from(B);
  for (let k = 1; k < every; k++) P = matMul(P, B, n);
  return { n, propagator: P, sigma: S.map((_, k) => 0.5 * (S[k] + S[(k % n) * n + Math.floor(k / n)])) };
}

/** ⟨ΔΔᵀ⟩, ⟨m mᵀ⟩ and ⟨Δ mᵀ⟩ of one increment Δ = δθ_{k+ℓ} − δθ_k, m = (δθ_k + δθ_{k+ℓ})/2, in the stationary state. */
function incrementMoments(c: LinearChain) {
  const { n, propagator: P, sigma: S } = c;
  const PS = matMul(P, S, n),
    SPt = transpose(PS, n); // ⟨δθ_{k+ℓ} δθ_kᵀ⟩ = B^ℓΣ_d, and its transpose
  const dd = new Float64Array(n * n),
    mm = new Float64Array(n * n),
    dm = new Float64Array(n * n);
  for (let k = 0; k < n * n; k++) {
    dd[k] = 2 * S[k] - PS[k] - SPt[k];
    mm[k] = 0.25 * (2 * S[k] + PS[k] + SPt[k]);
    dm[k] = 0.5 * (PS[k] - SPt[k]);
  }
  return { dd, mm, dm };
}

/**
 * The limit of the 'force' estimator (infinite data) on the linear chain at ℓ: the basis projection of the velocity
 * is exact, v̂ = ŵΣ_d⁻¹δθ with ŵ = ⟨Δmᵀ⟩/ℓ = (B^ℓΣ_d − Σ_dB^ℓᵀ)/(2ℓ), and the residual diffusion is
 * D̂ = (Σ_d − B^ℓΣ_dB^ℓᵀ)/(2ℓ): σ_force(ℓ) = tr(D̂⁻¹ ŵ Σ_d⁻¹ ŵᵀ) per step. At ℓ = 1, D̂ = D₀ and ŵ = −C_d, Eq. 29
 * with Σ_d.
 */
export function forceLimit(c: LinearChain, every: number): number {
  const { n, propagator: P, sigma: S } = c;
  const { dm } = incrementMoments(c);
  const w = dm.map((x) => x / every);
  const PSPt = matMul(matMul(P, S, n), transpose(P, n), n);
  const D = S.map((s, k) => (s - PSPt[k]) / (2 * every));
  const SinvWt = solveColumns(S, n, transpose(w, n)); // Σ_d⁻¹ŵᵀ
  const V = matMul(w, SinvWt, n);
  const DinvV = solveColumns(D, n, V);
  let t = 0;
  for (let i = 0; i < n; i++) t += DinvV[i * n + i];
  return t;
}

/**
 * The limit of the 'tur' estimator on the linear chain at ℓ with Gaussian noise: (2/ℓ)μᵀK⁻¹μ over the linear currents
 * J_{μβ} = Δ_μ m_β (the constant ones have mean 0 and no covariance with them, by symmetry), μ = vec⟨Δmᵀ⟩ and, by
 * Isserlis, K_{(μβ),(νγ)} = ⟨Δ_μΔ_ν⟩⟨m_β m_γ⟩ + ⟨Δ_μ m_γ⟩⟨m_β Δ_ν⟩. Tends to Eq. 29 as ℓηh → 0.
 */
export function turLimit(c: LinearChain, every: number): number {
  const n = c.n,
    K = n * n;
  const { dd, mm, dm } = incrementMoments(c);
  const mu = Float64Array.from(dm); // index μ·N + β
  const cov = new Float64Array(K * K);
  for (let a = 0; a < n; a++)
    for (let b = 0; b < n; b++)
      for (let g = 0; g < n; g++)
        for (let h = 0; h < n; h++)
          cov[(a * n + b) * K + g * n + h] = dd[a * n + g] * mm[b * n + h] + dm[a * n + h] * dm[g * n + b];
  const x = solve(cov, K, mu);
  let q = 0;
  for (let i = 0; i < K; i++) q += mu[i] * x[i];
  return (2 / every) * q;
}

/** A⁻¹B for the n columns of B (row-major n × n). */
function solveColumns(A: Float64Array, n: number, B: Float64Array): Float64Array {
  const out = new Float64Array(n * n),
    col = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < n; i++) col[i] = B[i * n + j];
    const x = solve(A, n, col);
    for (let i = 0; i < n; i++) out[i * n + j] = x[i];
  }
  return out;
}
