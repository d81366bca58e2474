/**
 * Entropy production rate of a stationary chain from its increments alone, two estimators in a linear basis.
 *
 * Notation: N = dim; the increments i = 1 … n of a chain (of all chains pooled) go from x_i to x_i' = x_i + Δ_i over
 * ℓ steps (Δt = ℓ; rates are per step); m_i = (x_i + x_i')/2 the Stratonovich midpoint; the scalar basis
 * φ(x) = (1, x_1, …, x_N) (K_s = N + 1 functions) and the vector basis φ_k(x)e_μ (N_b = N·K_s = N(N + 1) fields).
 * x is θ minus an origin (each chain's first state used; pooled statistics are moved to one origin first): both
 * estimators are invariant under that shift, the origin only keeps the sums of x xᵀ free of cancellation.
 *
 * - 'tur' (short-time TUR with the optimal current in the basis; Otsubo, Ito, Dechant & Sagawa, PRE 101, 062106 (2020);
 *   Manikandan, Gupta & Krishnamurthy, PRL 124, 120603 (2020)): the currents J_{μk} = Δ_μ φ_k(m) of one increment,
 *   J ∈ R^{N_b}, mean μ̂ = (1/n)Σ_i J_i and covariance K̂ = (1/n)Σ_i (J_i − μ̂)(J_i − μ̂)ᵀ. For the current J_c = cᵀJ the
 *   short-time TUR reads σ ≥ 2⟨J_c⟩²/(ℓ Var J_c); its maximum over c is reached at c ∝ K̂⁻¹μ̂:
 *       σ̂_TUR = (2/ℓ) μ̂ᵀ K̂⁻¹ μ̂      (per step; k_B = 1, nats),
 *   computed as (2/ℓ)·a/(1 − a), a = μ̂ᵀ Ŝ⁻¹ μ̂, Ŝ = (1/n)Σ_i J_i J_iᵀ (Sherman–Morrison). It is exact for ℓ → 0 when
 *   the thermodynamic force D⁻¹v lies in the basis (a linear drift with constant D), a lower bound otherwise.
 * - 'force' (linear stochastic force inference; Frishman & Ronceray, PRX 10, 021009 (2020), its entropy production
 *   estimator as the authors' StochasticForceInference implements it): Φ = Σ_i φ(x_i)φ(x_i)ᵀ, the Itô moments
 *   W_I = Σ_i Δ_i φ(x_i)ᵀ and the Stratonovich ones W_S = Σ_i Δ_i φ(m_i)ᵀ (N × K_s). The drift, regressed:
 *   F(x) = W_I Φ⁻¹ φ(x)/ℓ = A x + b; the diffusion, from the residual covariance of the increments about it:
 *   D̂ = (Σ_i Δ_iΔ_iᵀ − W_I Φ⁻¹ W_Iᵀ)/(2ℓ(n − K_s)). The phase-space velocity v = F − D∇ln p projected on the basis
 *   (Stratonovich) is v̂(x) = W_S Φ⁻¹ φ(x)/ℓ, and the plug-in rate ⟨v̂ D̂⁻¹ v̂⟩:
 *       σ̂_force = tr(D̂⁻¹ W_S Φ⁻¹ W_Sᵀ)/(n ℓ²)      (per step),
 *   which is ΔŜ/τ with ΔŜ = 2 M_vᵀ G⁻¹ M_v of the reference implementation (M_v = Σ dx∘A⁻¹b, G = Σ b A⁻¹ b Δt, A = 2D̂).
 *
 * Both plug-in values carry a finite-data bias of about +2R/τ, τ = nℓ steps, R = N(N − 1)/2 the rotational fields
 * of the basis: the constants and the symmetric linear fields are gradients, whose Stratonovich currents are exact
 * differentials φ(θ_end) − φ(θ_start) and sum no noise over the run; each of the R others adds ≈ 2/τ (for the TUR,
 * E[μ̂ᵀK̂⁻¹μ̂] ≈ μᵀK⁻¹μ + tr(K⁻¹Cov μ̂)). SFI's "fluctuation bias" 2N_b/τ counts all N_b = N(N + 1) fields and
 * over-corrects here: equilibrium linear chains (the test's) give τ·plug-in = 1.98 ± 0.33 for N = 2 (2R = 2) and
 * 4.9 ± 0.4 for N = 3 (2R = 6), 100 and 60 runs, not 12 and 24. `rate` is the plug-in minus N(N − 1)/τ.
 */
import { cholesky, choleskySolve } from '@nesslab/kernel';

export type EstimateMethod = 'tur' | 'force';

/** Index tables and sizes of one chain's sufficient statistics. */
export interface Layout {
  method: EstimateMethod;
  dim: number;
  /** K_s = N + 1 scalar basis functions (1, x). */
  basis: number;
  /** Doubles per chain. */
  width: number;
}

/** Pairs a ≤ b of m indices, row by row: (0,0) (0,1) … (0,m−1) (1,1) … */
export const pairCount = (m: number): number => (m * (m + 1)) / 2;
export const pairIndex = (a: number, b: number, m: number): number =>
  a <= b ? a * m - (a * (a - 1)) / 2 + (b - a) : pairIndex(b, a, m);

/**
 * force: [Φ (K_s × K_s) | W_I (N × K_s) | Σ ΔΔᵀ (N × N)], full row-major matrices.
 * tur:   [W_S (N × K_s) | T (P × Q)], T[p(μ,ν)·Q + q(k,l)] = Σ_i Δ_μ Δ_ν φ_k(m) φ_l(m) (μ ≤ ν, k ≤ l; P, Q their pair
 *        counts): the second moments Σ J Jᵀ, which factor as (ΔΔᵀ) ⊗ (φφᵀ).
 */
export function layout(method: EstimateMethod, dim: number): Layout {
  const ks = dim + 1;
  const width = method === 'force' ? ks * ks + dim * ks + dim * dim : dim * ks + pairCount(dim) * pairCount(ks);
  return { method, dim, basis: ks, width };
}

/**
 * Moves one chain's statistics from its own origin o_c to the common origin o: x' = x + s with s = o_c − o, so
 * φ(x') = L φ(x), L = [[1, 0], [s, I]]: Φ → LΦLᵀ, W → W Lᵀ, each (k, l) block of T → L(·)Lᵀ; Σ ΔΔᵀ is unchanged.
 * `out` receives the moved copy of `src[at … at + width)`.
 */
export function shiftStats(L: Layout, src: Float64Array, at: number, s: Float64Array, out: Float64Array): void {
  const n = L.dim,
    ks = L.basis;
  for (let i = 0; i < L.width; i++) out[i] = src[at + i];
  const sym = (m: Float64Array, off: number) => {
    // rows: M_k· += s_{k−1} M_0·, then columns: M_·k += s_{k−1} M_·0
    for (let k = 1; k < ks; k++) for (let j = 0; j < ks; j++) m[off + k * ks + j] += s[k - 1] * m[off + j];
    for (let i = 0; i < ks; i++) for (let k = 1; k < ks; k++) m[off + i * ks + k] += s[k - 1] * m[off + i * ks];
  };
  const right = (off: number) => {
    for (let mu = 0; mu < n; mu++) for (let k = 1; k < ks; k++) out[off + mu * ks + k] += s[k - 1] * out[off + mu * ks];
  };
  if (L.method === 'force') {
    sym(out, 0);
    right(ks * ks);
    return;
  }
  right(0);
  const Q = pairCount(ks),
    P = pairCount(n),
    block = new Float64Array(ks * ks);
  for (let p = 0; p < P; p++) {
    const off = n * ks + p * Q;
    for (let k = 0; k < ks; k++) for (let l = 0; l < ks; l++) block[k * ks + l] = out[off + pairIndex(k, l, ks)];
    sym(block, 0);
    for (let k = 0; k < ks; k++) for (let l = k; l < ks; l++) out[off + pairIndex(k, l, ks)] = block[k * ks + l];
  }
}

/**
 * X = A⁻¹B (A m × m symmetric positive definite, B m × cols row-major), with A scaled to unit diagonal first
 * (its entries span many orders: 1 beside x² ~ 1e-8); null when A is not positive definite.
 */
export function spdSolve(A: Float64Array, m: number, B: Float64Array, cols: number): Float64Array | null {
  const d = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const a = A[i * m + i];
    if (!(a > 0)) return null;
    d[i] = 1 / Math.sqrt(a);
  }
  const scaled = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) scaled[i * m + j] = A[i * m + j] * d[i] * d[j];
  const l = cholesky(scaled, m);
  if (!l) return null;
  const X = new Float64Array(m * cols),
    col = new Float64Array(m);
  for (let c = 0; c < cols; c++) {
    for (let i = 0; i < m; i++) col[i] = B[i * cols + c] * d[i];
    const y = choleskySolve(l, m, col);
    for (let i = 0; i < m; i++) X[i * cols + c] = y[i] * d[i];
  }
  return X;
}

/** What the statistics of n increments of ℓ steps give. */
export interface Estimate {
  /** Plug-in rate, per step. */
  plugIn: number;
  /** N(N − 1)/τ, τ = nℓ: 2/τ per rotational field of the basis. */
  bias: number;
  /** force: the regressed drift matrix A (N × N, per step) and D̂ (N × N, per step); tur: empty. */
  drift: Float64Array;
  diffusion: Float64Array;
}

/** The plug-in rate (and for 'force' the drift and diffusion) from pooled statistics, in one origin. NaN when singular. */
export function estimate(L: Layout, stats: Float64Array, n: number, every: number): Estimate {
  const N = L.dim;
  const bias = (N * (N - 1)) / (n * every);
  return L.method === 'force' ? forceEstimate(L, stats, n, every, bias) : turEstimate(L, stats, n, every, bias);
}

const NO = new Float64Array(0);

/** σ̂_force = tr(D̂⁻¹ W_S Φ⁻¹ W_Sᵀ)/(nℓ²), W_S = W_I + ½[0 | ΣΔΔᵀ] (m = x + Δ/2). */
function forceEstimate(L: Layout, stats: Float64Array, n: number, every: number, bias: number): Estimate {
  const N = L.dim,
    ks = L.basis;
  const phi = stats.subarray(0, ks * ks),
    wi = stats.subarray(ks * ks, ks * ks + N * ks),
    sdd = stats.subarray(ks * ks + N * ks, ks * ks + N * ks + N * N);
  const ws = Float64Array.from(wi);
  for (let mu = 0; mu < N; mu++) for (let b = 0; b < N; b++) ws[mu * ks + 1 + b] += 0.5 * sdd[mu * N + b];
  // Φ⁻¹ W_Iᵀ and Φ⁻¹ W_Sᵀ (K_s × N each).
  const rhs = new Float64Array(ks * 2 * N);
  for (let k = 0; k < ks; k++)
    for (let mu = 0; mu < N; mu++) {
      rhs[k * 2 * N + mu] = wi[mu * ks + k];
      rhs[k * 2 * N + N + mu] = ws[mu * ks + k];
    }
  const X = n > ks ? spdSolve(phi, ks, rhs, 2 * N) : null;
  if (!X)
    return {
      plugIn: NaN,
      bias,
      drift: new Float64Array(N * N).fill(NaN),
      diffusion: new Float64Array(N * N).fill(NaN),
    };
  const drift = new Float64Array(N * N),
    residual = new Float64Array(N * N),
    V = new Float64Array(N * N);
  for (let mu = 0; mu < N; mu++) {
    for (let b = 0; b < N; b++) drift[mu * N + b] = X[(1 + b) * 2 * N + mu] / every; // (W_I Φ⁻¹)_{μ,1+β}/ℓ
    for (let nu = 0; nu < N; nu++) {
      let r = 0,
        v = 0;
      for (let k = 0; k < ks; k++) {
        r += wi[mu * ks + k] * X[k * 2 * N + nu];
        v += ws[mu * ks + k] * X[k * 2 * N + N + nu];
      }
      residual[mu * N + nu] = sdd[mu * N + nu] - r;
      V[mu * N + nu] = v;
    }
  }
  const diffusion = new Float64Array(N * N);
  for (let mu = 0; mu < N; mu++)
    for (let nu = 0; nu < N; nu++)
      diffusion[mu * N + nu] = (0.5 * (residual[mu * N + nu] + residual[nu * N + mu])) / (2 * every * (n - ks));
  const Y = spdSolve(diffusion, N, V, N); // D̂⁻¹ V
  let trace = 0;
  if (Y) for (let i = 0; i < N; i++) trace += Y[i * N + i];
  return { plugIn: Y ? trace / (n * every * every) : NaN, bias, drift, diffusion };
}

/** σ̂_TUR = (2/ℓ) a/(1 − a), a = μ̂ᵀŜ⁻¹μ̂ (= (2/ℓ) μ̂ᵀK̂⁻¹μ̂, K̂ = Ŝ − μ̂μ̂ᵀ). */
function turEstimate(L: Layout, stats: Float64Array, n: number, every: number, bias: number): Estimate {
  const N = L.dim,
    ks = L.basis,
    K = N * ks,
    Q = pairCount(ks);
  if (!(n > K)) return { plugIn: NaN, bias, drift: NO, diffusion: NO };
  const mean = new Float64Array(K),
    S = new Float64Array(K * K);
  for (let i = 0; i < K; i++) mean[i] = stats[i] / n; // J index μ·K_s + k
  const T = N * ks;
  for (let mu = 0; mu < N; mu++)
    for (let k = 0; k < ks; k++)
      for (let nu = 0; nu < N; nu++)
        for (let l = 0; l < ks; l++)
          S[(mu * ks + k) * K + nu * ks + l] = stats[T + pairIndex(mu, nu, N) * Q + pairIndex(k, l, ks)] / n;
  const x = spdSolve(S, K, mean, 1);
  if (!x) return { plugIn: NaN, bias, drift: NO, diffusion: NO };
  let a = 0;
  for (let i = 0; i < K; i++) a += mean[i] * x[i];
  return { plugIn: ((2 / every) * a) / (1 - a), bias, drift: NO, diffusion: NO };
}
