/**
 * Stationary state of WR SGD near a minimum θ₀ (seed 004 §3.3, App. A and C): D₀, Σ, C.
 * Matrices are N×N row-major Float64Arrays.
 */
import type { Landscape } from '../contracts/landscape.ts';
import { hasDiffusionFastPath, hasNessFastPath, type NessTheory } from '../contracts/capabilities.ts';

export type { NessTheory } from '../contracts/capabilities.ts';
import { centredGram, matMul, symmetricEigen, symmetrize, transpose } from '../linalg/dense.ts';

/**
 * D₀ = η²(n−1)/(2(M−1)) [M V Vᵀ − ∇L ∇Lᵀ], V_{αi} = M⁻¹ ∂_α ℓ_i, n = M/m (Eq. 14 = A10).
 * Convention (Eq. 13, A6): D = ½⟨ξξᵀ⟩ with ξ = −η(∇L_B − ∇L), i.e. D = (η²/2)·Cov_B(∇L_B).
 * V holds per-sample losses only: the regulariser is the same for every batch and carries no noise.
 * n = M/m is used as a real number; n − 1 = (M − m)/m.
 */
export function diffusionWR(landscape: Landscape, theta: Float64Array, eta: number, batchSize: number): Float64Array {
  return hasDiffusionFastPath(landscape)
    ? landscape.diffusionWR(theta, eta, batchSize)
    : diffusionWRFromSamples(landscape, theta, eta, batchSize);
}

/** D₀ of Eq. 14 from the M×N per-sample gradients (the generic path of `diffusionWR`, whatever the landscape). */
export function diffusionWRFromSamples(
  landscape: Landscape,
  theta: Float64Array,
  eta: number,
  batchSize: number,
): Float64Array {
  const N = landscape.dim,
    M = landscape.dataSize,
    m = batchSize;
  if (!(m >= 1 && m <= M)) throw new Error(`diffusionWR: batch size m = ${m} must lie in [1, M = ${M}]`);
  if (m === M) return new Float64Array(N * N); // full batch: no noise (and M − 1 may be 0)
  const g = new Float64Array(M * N);
  landscape.sampleGradients(theta, g);
  const gradL = new Float64Array(N); // ∇L = Σ_i V_{·i}
  for (let i = 0; i < M; i++) for (let a = 0; a < N; a++) gradL[a] += g[i * N + a];
  for (let a = 0; a < N; a++) gradL[a] /= M;
  // M V Vᵀ − ∇L∇Lᵀ = M⁻¹ Σ_i (∂ℓ_i − ∇L)(∂ℓ_i − ∇L)ᵀ: the centred form, free of cancellation (blocked for the cache).
  const gram = centredGram(g, M, N, gradL);
  const pre = (eta * eta * ((M - m) / m)) / (2 * (M - 1) * M);
  for (let k = 0; k < N * N; k++) gram[k] *= pre;
  return gram;
}

/** Σ from H's eigen-decomposition H = O diag(h) Oᵀ: Σ = OΔOᵀ, Δ_{αβ} = 2η⁻¹(h_α+h_β)⁻¹(OᵀDO)_{αβ} (Eq. 22–23). */
function lyapunovEigen(h: Float64Array, O: Float64Array, D: Float64Array, eta: number, n: number): Float64Array {
  if (!(h[0] > 0))
    throw new Error(`lyapunov: H is not positive definite (smallest eigenvalue ${h[0]}); θ₀ must be a minimum`);
  const Ot = transpose(O, n);
  const delta = matMul(matMul(Ot, D, n), O, n);
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) delta[a * n + b] *= 2 / (eta * (h[a] + h[b]));
  return symmetrize(matMul(matMul(O, delta, n), Ot, n), n);
}

/** Σ with H Σ + Σ H = 2η⁻¹ D (Eq. 21), solved in H's eigenbasis (Eq. 22–23). Throws unless H is positive definite. */
export function lyapunov(H: Float64Array, D: Float64Array, eta: number, n: number): Float64Array {
  const { values, vectors } = symmetricEigen(symmetrize(H, n), n);
  return lyapunovEigen(values, vectors, symmetrize(D, n), eta, n);
}

/** C = ½η(H₀Σ − ΣH₀) (Eq. 25), equal to ηH₀Σ − D₀ (Eq. 24) by Eq. 21; v^s = −CΣ⁻¹δθ, ⟨A_{αγ}⟩/ℓ = C_{αγ} (Eq. 28). */
export function circulation(H: Float64Array, sigma: Float64Array, eta: number, n: number): Float64Array {
  const hs = matMul(H, sigma, n);
  const sh = matMul(sigma, H, n);
  const c = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) c[i] = 0.5 * eta * (hs[i] - sh[i]);
  return c;
}

/**
 * H₀, D₀, Σ and C of WR SGD at the minimum θ₀ (find it with `newtonMinimum`), learning rate η, batch size m; through the
 * landscape's own `nessTheory` when it has that fast path.
 */
export function nessTheory(landscape: Landscape, theta0: Float64Array, eta: number, batchSize: number): NessTheory {
  if (hasNessFastPath(landscape)) return landscape.nessTheory(theta0, eta, batchSize);
  const n = landscape.dim;
  const raw = new Float64Array(n * n);
  landscape.hessian(theta0, raw);
  const hessian = symmetrize(raw, n);
  const diffusion = diffusionWR(landscape, theta0, eta, batchSize);
  const { values, vectors } = symmetricEigen(hessian, n);
  const sigma = lyapunovEigen(values, vectors, diffusion, eta, n);
  return { hessian, diffusion, sigma, circulation: circulation(hessian, sigma, eta, n), eigenvalues: values };
}
