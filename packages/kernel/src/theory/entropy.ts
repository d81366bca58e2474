/**
 * Entropy production of the linearised NESS (seed 004 §2.2, §3.3): σ(Ω) = Σ_k v^s(θ_k)·D₀⁻¹(θ_{k+1} − θ_k) (Eq. 27)
 * with v^s = −CΣ⁻¹δθ (Eq. 24), and its mean rate ⟨σ⟩/ℓ = −tr(C D₀⁻¹ C Σ⁻¹) (Eq. 29). N×N row-major Float64Arrays.
 */
import { cholesky } from '../linalg/dense.ts';

/** The lower Cholesky factor of a symmetric positive definite matrix, or an error naming it (D₀ has cond ≈ 2.5e4: float64 LU/Cholesky, docs/science.md §7). */
function factor(a: Float64Array, n: number, name: string): Float64Array {
  const l = cholesky(a, n);
  if (!l) throw new Error(`entropy production: ${name} is not positive definite`);
  return l;
}

/**
 * A = Σ⁻¹ C D₀⁻¹, so that one step contributes σ_k = δθ_kᵀ A (θ_{k+1} − θ_k): v^s·D₀⁻¹Δθ = −δθᵀΣ⁻¹CᵀD₀⁻¹Δθ and Cᵀ = −C
 * (Eq. 24, 27). Solved by Cholesky in float64: Y = Σ⁻¹C column by column, then Aᵀ = D₀⁻¹Yᵀ.
 */
export function entropyMatrix(
  sigma: Float64Array,
  circulation: Float64Array,
  diffusion: Float64Array,
  n: number,
  regularization = 0,
): Float64Array {
  const ls = factor(sigma, n, 'Σ'),
    ld = factor(regularize(diffusion, n, regularization), n, 'D₀');
  const y = solveRows(ls, n, Float64Array.from(circulation)); // Y = Σ⁻¹C
  const yt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) yt[j * n + i] = y[i * n + j];
  const at = solveRows(ld, n, yt); // Aᵀ = D₀⁻¹Yᵀ
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] = at[j * n + i];
  return a;
}

/** X = (l lᵀ)⁻¹B for all n columns of B at once (overwritten), by rows: contiguous inner loops, ~2n³ flops. */
function solveRows(l: Float64Array, n: number, b: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    // l Z = B
    const row = i * n;
    for (let k = 0; k < i; k++) {
      const f = l[row + k],
        kr = k * n;
      if (f !== 0) for (let j = 0; j < n; j++) b[row + j] -= f * b[kr + j];
    }
    const d = 1 / l[row + i];
    for (let j = 0; j < n; j++) b[row + j] *= d;
  }
  for (let i = n - 1; i >= 0; i--) {
    // lᵀ X = Z
    const row = i * n;
    for (let k = i + 1; k < n; k++) {
      const f = l[k * n + i],
        kr = k * n;
      if (f !== 0) for (let j = 0; j < n; j++) b[row + j] -= f * b[kr + j];
    }
    const d = 1 / l[row + i];
    for (let j = 0; j < n; j++) b[row + j] *= d;
  }
  return b;
}

/** ⟨σ⟩/ℓ = −tr(C D₀⁻¹ C Σ⁻¹) = −tr(A C) with A = Σ⁻¹CD₀⁻¹ (Eq. 29); ≥ 0, zero only in equilibrium (C = 0). */
export function entropyRate(
  sigma: Float64Array,
  circulation: Float64Array,
  diffusion: Float64Array,
  n: number,
  regularization = 0,
): number {
  return entropyRateOf(entropyMatrix(sigma, circulation, diffusion, n, regularization), circulation, n);
}

/**
 * D₀ + ε·max_α D₀_αα·I: with ε > 0, directions whose diffusion is below ~ε of the largest drop out of D₀⁻¹ smoothly
 * (MNIST: pooled pixels lit in a handful of images get rare kicks, not diffusion; D₀'s condition number exceeds 1e10).
 */
export function regularize(diffusion: Float64Array, n: number, epsilon: number): Float64Array {
  if (!(epsilon > 0)) return diffusion;
  let max = 0;
  for (let a = 0; a < n; a++) max = Math.max(max, diffusion[a * n + a]);
  const out = Float64Array.from(diffusion);
  for (let a = 0; a < n; a++) out[a * n + a] += epsilon * max;
  return out;
}

/** −tr(A C) for a precomputed A = Σ⁻¹CD₀⁻¹ (Eq. 29). */
export function entropyRateOf(a: Float64Array, circulation: Float64Array, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t += a[i * n + j] * circulation[j * n + i];
  return -t;
}
