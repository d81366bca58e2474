/**
 * Stationary covariance of SGLD and SGWORLD near a minimum with a position-dependent diffusion matrix
 * (seed 004 §4.6, Eq. 44–47, App. D), and the KL divergence to the exact Gaussian posterior (Eq. 46).
 *
 * Every solver works with δΣ = Σ − Σ_po, Σ_po = H₀⁻¹, so that KL values down to ~1e-30 bits stay above rounding:
 * the noise term cancels K Σ_po + Σ_po K analytically (K = cH₀, c = 1 per step for SGLD, c = n per epoch for SGWORLD).
 */
import type { Landscape } from '../contracts/landscape.ts';
import { cholesky, solve, symmetricEigen, symmetrize } from '../linalg/dense.ts';
import { diffusionWR } from './ness.ts';
import { diffusionWOR, effectiveHessian, effectiveMinimum } from './wor.ts';

export type LangevinAlgorithm = 'sgld' | 'sgworld' | 'sgworld-uncorrected';

export interface LangevinTheoryOptions {
  /**
   * 'continuous' (default): the Fokker–Planck stationary state, Eq. 44 / 47 — the paper's Fig. 6.
   * 'discrete': the stationary covariance of the Euler map δθ' = (I − ηK)δθ + noise (per step for SGLD, per epoch
   * for SGWORLD): ηKΣ + ηΣK − η²KΣK = 2D′ + 𝓗Σ. For SGLD on a linear model this is EXACT for the real chain; for
   * SGWORLD it keeps the epoch-scale Euler error (relative O(ηn·h/2), docs/science.md §7) but not the O(η³) ordered products.
   */
  time?: 'continuous' | 'discrete';
  /** Step of the central differences for 𝓗_D (exact up to rounding when D is quadratic in θ, as for a linear model). Default 1e-2·max(1, |θ|∞). */
  step?: number;
}

export interface LangevinTheory {
  algorithm: LangevinAlgorithm;
  eta: number;
  /** Centre of the stationary state: θ₀ (SGLD, SGWORLD), θ̂₀ = argmin 𝓛̂ (uncorrected SGWORLD). */
  centre: Float64Array;
  /** Drift Hessian K (H₀, nH₀ or ∇²𝓛̂(θ̂₀)), row-major N×N. */
  drift: Float64Array;
  /** Minibatch part of the diffusion at the centre: D(θ₀) (Eq. 14, per step) or D̂ (Eq. B18, per epoch). */
  minibatchDiffusion: Float64Array;
  /** δΣ = Σ − H₀⁻¹. */
  deltaSigma: Float64Array;
  /** Σ = H₀⁻¹ + δΣ. */
  sigma: Float64Array;
  /** D_KL(P_s ‖ P_po) in bits (Eq. 46 plus the mean term ½δμᵀH₀δμ). */
  klBits: number;
}

/** H₀⁻¹ via its Cholesky factor (throws unless H₀ is positive definite). */
function inverseSpd(H: Float64Array, N: number): Float64Array {
  if (cholesky(H, N) === null) throw new Error('langevin: H₀ is not positive definite');
  const inv = new Float64Array(N * N),
    e = new Float64Array(N);
  for (let c = 0; c < N; c++) {
    e.fill(0);
    e[c] = 1;
    const col = solve(H, N, e);
    for (let a = 0; a < N; a++) inv[a * N + c] = col[a];
  }
  return symmetrize(inv, N);
}

/**
 * 𝓗_D contracted with S: (𝓗_D S)_{αβ} = Σ_{μγ} ∂_μ∂_γ D_{αβ}(θ) S_{μγ} (Eq. 45), by central differences
 *   ∂_μ∂_γ D ≈ [D(θ+he_μ+he_γ) − D(θ+he_μ−he_γ) − D(θ−he_μ+he_γ) + D(θ−he_μ−he_γ)]/(4h²).
 * Returns the N²×N² tensor T[(αN+β)N² + μN+γ].
 */
export function diffusionHessian(
  D: (theta: Float64Array) => Float64Array,
  theta: Float64Array,
  N: number,
  step?: number,
): Float64Array {
  const h = step ?? 1e-2 * Math.max(1, ...Array.from(theta, Math.abs));
  const NN = N * N,
    T = new Float64Array(NN * NN);
  const at = (mu: number, sm: number, ga: number, sg: number) => {
    const t = Float64Array.from(theta);
    t[mu] += sm * h;
    t[ga] += sg * h;
    return D(t);
  };
  for (let mu = 0; mu < N; mu++)
    for (let ga = mu; ga < N; ga++) {
      const pp = at(mu, 1, ga, 1),
        pm = at(mu, 1, ga, -1),
        mp = at(mu, -1, ga, 1),
        mm = at(mu, -1, ga, -1);
      for (let k = 0; k < NN; k++) {
        const v = (pp[k] - pm[k] - mp[k] + mm[k]) / (4 * h * h);
        T[k * NN + mu * N + ga] = v;
        T[k * NN + ga * N + mu] = v;
      }
    }
  return T;
}

/**
 * δΣ from  KδΣ + δΣK − s·ηKδΣK − η⁻¹𝓗δΣ = rhs  (s = 1 discrete, 0 continuous), solved directly as an N²×N² system.
 */
function solveDelta(
  K: Float64Array,
  T: Float64Array,
  rhs: Float64Array,
  eta: number,
  discrete: boolean,
  N: number,
): Float64Array {
  const NN = N * N,
    A = new Float64Array(NN * NN);
  for (let a = 0; a < N; a++)
    for (let b = 0; b < N; b++) {
      const row = (a * N + b) * NN;
      for (let g = 0; g < N; g++) {
        A[row + g * N + b] += K[a * N + g]; // (KX)_ab = K_ag X_gb
        A[row + a * N + g] += K[g * N + b]; // (XK)_ab = X_ag K_gb
      }
      if (discrete)
        for (let g = 0; g < N; g++) for (let d = 0; d < N; d++) A[row + g * N + d] -= eta * K[a * N + g] * K[d * N + b];
      for (let k = 0; k < NN; k++) A[row + k] -= T[row + k] / eta;
    }
  return symmetrize(solve(A, NN, rhs), N);
}

/**
 * D_KL(N(θ₀ + δμ, H⁻¹ + δΣ) ‖ N(θ₀, H⁻¹)) in bits (Eq. 46 with the mean term):
 *   (1/(2 ln 2)) [Σ_i (e_i − ln(1 + e_i)) + δμᵀHδμ],  e_i the eigenvalues of LᵀδΣL, LLᵀ = H.
 * Written in δΣ so that tiny divergences do not cancel away.
 */
export function gaussianKlBits(deltaSigma: Float64Array, deltaMean: Float64Array, H: Float64Array, N: number): number {
  const L = cholesky(symmetrize(H, N), N);
  if (L === null) throw new Error('gaussianKlBits: the posterior precision is not positive definite');
  const E = new Float64Array(N * N); // Lᵀ δΣ L
  for (let a = 0; a < N; a++)
    for (let b = 0; b < N; b++) {
      let s = 0;
      for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) s += L[i * N + a] * deltaSigma[i * N + j] * L[j * N + b];
      E[a * N + b] = s;
    }
  let kl = 0;
  for (const e of symmetricEigen(symmetrize(E, N), N).values) {
    if (!(e > -1)) return Infinity; // Σ not positive definite
    kl += Math.abs(e) < 1e-4 ? e * e * (0.5 - e / 3 + (e * e) / 4) : e - Math.log1p(e);
  }
  let q = 0;
  for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) q += deltaMean[a] * H[a * N + b] * deltaMean[b];
  return (kl + q) / (2 * Math.LN2);
}

/**
 * Σ and KL of SGLD (Eq. 44, D′ = ηI + D(θ), D of Eq. 14), SGWORLD (Eq. 47, D″ = ηnI + D̂, D̂ of Eq. B18, drift nH₀) or
 * SGWORLD without the δ𝓛 correction (drift ∇²𝓛̂ at its minimum θ̂₀ ≠ θ₀, Eq. 16), for minibatches of size m.
 * 𝓗_{D′} = 𝓗_D since ηI is constant.
 */
export function langevinTheory(
  landscape: Landscape,
  theta0: Float64Array,
  eta: number,
  batchSize: number,
  algorithm: LangevinAlgorithm,
  opts: LangevinTheoryOptions = {},
): LangevinTheory {
  const N = landscape.dim,
    NN = N * N,
    M = landscape.dataSize,
    discrete = opts.time === 'discrete';
  const raw = new Float64Array(NN);
  landscape.hessian(theta0, raw);
  const H = symmetrize(raw, N),
    Spo = inverseSpd(H, N);
  const n = algorithm === 'sgld' ? 1 : M / batchSize;
  let centre: Float64Array = Float64Array.from(theta0);
  let dK: Float64Array = new Float64Array(NN); // K − nH₀
  if (algorithm === 'sgworld-uncorrected') {
    centre = effectiveMinimum(landscape, theta0, eta, batchSize).theta;
    const Hhat = effectiveHessian(landscape, centre, eta, batchSize);
    dK = symmetrize(
      Hhat.map((v, k) => v - n * H[k]),
      N,
    );
  }
  const K = H.map((v, k) => n * v + dK[k]);
  const Dfun = (t: Float64Array) =>
    algorithm === 'sgld' ? diffusionWR(landscape, t, eta, batchSize) : diffusionWOR(landscape, t, eta, batchSize);
  const D = Dfun(centre);
  const T = diffusionHessian(Dfun, centre, N, opts.step);
  // rhs = 2η⁻¹D + η⁻¹𝓗Σ_po − (δKΣ_po + Σ_poδK) + s·ηKΣ_poK   (the ηnI noise cancels nH₀Σ_po + Σ_po nH₀ = 2nI)
  const rhs = new Float64Array(NN);
  for (let a = 0; a < N; a++)
    for (let b = 0; b < N; b++) {
      let s = (2 * D[a * N + b]) / eta;
      for (let k = 0; k < NN; k++) s += (T[(a * N + b) * NN + k] * Spo[k]) / eta;
      for (let g = 0; g < N; g++) s -= dK[a * N + g] * Spo[g * N + b] + Spo[a * N + g] * dK[g * N + b];
      if (discrete)
        for (let g = 0; g < N; g++) for (let d = 0; d < N; d++) s += eta * K[a * N + g] * Spo[g * N + d] * K[d * N + b];
      rhs[a * N + b] = s;
    }
  const deltaSigma = solveDelta(K, T, rhs, eta, discrete, N);
  const deltaMean = centre.map((v, a) => v - theta0[a]);
  return {
    algorithm,
    eta,
    centre,
    drift: K,
    minibatchDiffusion: D,
    deltaSigma,
    sigma: Spo.map((v, k) => v + deltaSigma[k]),
    klBits: gaussianKlBits(deltaSigma, deltaMean, H, N),
  };
}

/** Least-squares slope of log KL against log η. */
export function logLogSlope(etas: readonly number[], kl: readonly number[]): number {
  const x = etas.map(Math.log),
    y = kl.map(Math.log),
    n = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / n,
    my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0,
    sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxy / sxx;
}
