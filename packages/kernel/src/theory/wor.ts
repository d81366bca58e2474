/**
 * Without-replacement (WOR) SGD near a minimum, epoch to epoch (seed 004 §3.2, App. B and C), exact in float64
 * for small landscapes (it needs every per-sample gradient and Hessian: O(M N²) memory, O(M² N²) time for D̂).
 *
 * Notation (docs/science.md): g_i = ∇ℓ_i, V_{αi} = M⁻¹ ∂_α ℓ_i, U_i = M⁻¹ ∇²ℓ_i (Eq. B4), L = M⁻¹ Σ ℓ_i, 𝓛 = L + R,
 * H = ∇²𝓛, H_L = ∇²L = Σ_i U_i, X = ∇R, Y = ∇²R, n = M/m batches per epoch.
 *
 * The epoch map (Eq. 15 = B9) is θ̂_{τ+1} = θ̂_τ − η∇𝓛̂(θ̂_τ) + ξ̂_τ, with mobility μ̂ = ηI, D̂ = ½⟨ξ̂ξ̂ᵀ⟩ (Eq. 17) and
 * time τ counted in epochs. Everything here assumes n = M/m is an integer, as App. B does (Eq. B1: every index once per
 * epoch, in n batches of exactly m); the functions throw otherwise.
 */
import type { Landscape } from '../contracts/landscape.ts';
import { hasSampleHessian, type PerSampleHessian } from '../contracts/capabilities.ts';
import { cholesky, choleskySolve, matMul, norm, symmetricEigen, symmetrize, transpose } from '../linalg/dense.ts';
import { circulation, diffusionWR } from './ness.ts';

/** n = M/m, after checking 1 ≤ m ≤ M, m | M, and that the landscape has `sampleHessian`. */
function epochSize(landscape: Landscape, batchSize: number, who: string): number {
  const M = landscape.dataSize,
    m = batchSize;
  if (!(Number.isInteger(m) && m >= 1 && m <= M))
    throw new Error(`${who}: batch size m = ${m} must be an integer in [1, M = ${M}]`);
  if (M % m !== 0) throw new Error(`${who}: WOR theory (004 App. B) needs n = M/m an integer; M = ${M}, m = ${m}`);
  if (!hasSampleHessian(landscape))
    throw new Error(`${who}: the landscape has no sampleHessian (per-sample ∇²ℓ_i), which the WOR theory needs`);
  return M / m;
}

/** Per-sample gradients g (M×N), ∇L = M⁻¹Σg_i, ∇𝓛 at θ. */
function gradients(landscape: Landscape, theta: Float64Array) {
  const N = landscape.dim,
    M = landscape.dataSize;
  const g = new Float64Array(M * N);
  landscape.sampleGradients(theta, g);
  const gradL = new Float64Array(N);
  for (let i = 0; i < M; i++) for (let a = 0; a < N; a++) gradL[a] += g[i * N + a];
  for (let a = 0; a < N; a++) gradL[a] /= M;
  const grad = new Float64Array(N);
  landscape.gradient(theta, grad);
  return { g, gradL, grad };
}

/**
 * 𝓛̂(θ) of Eq. 16 (= B10):
 *   \hat{\cal L} = n{\cal L} - \frac{\eta n(n-1)}{4}\Bigl[|\nabla{\cal L}|^2 + \frac{|\nabla L|^2}{M-1} - \frac{M}{M-1}{\rm tr}(VV^T)\Bigr],
 * evaluated in the cancellation-free form (tr VVᵀ = M⁻² Σ|g_i|²)
 *   |∇L|²/(M−1) − (M/(M−1)) tr VVᵀ = −(1/(M(M−1))) Σ_i |g_i − ∇L|².
 */
export function effectiveLoss(landscape: Landscape, theta: Float64Array, eta: number, batchSize: number): number {
  const n = epochSize(landscape, batchSize, 'effectiveLoss');
  const N = landscape.dim,
    M = landscape.dataSize;
  const base = n * landscape.loss(theta);
  if (n === 1) return base; // full batch: n − 1 = 0 (and M − 1 may be 0)
  const { g, gradL, grad } = gradients(landscape, theta);
  let spread = 0;
  for (let i = 0; i < M; i++)
    for (let a = 0; a < N; a++) {
      const u = g[i * N + a] - gradL[a];
      spread += u * u;
    }
  let g2 = 0;
  for (let a = 0; a < N; a++) g2 += grad[a] * grad[a];
  return base - ((eta * n * (n - 1)) / 4) * (g2 - spread / (M * (M - 1)));
}

/**
 * ∇𝓛̂ = n∇𝓛 − (ηn(n−1)/2)[H∇𝓛 + H_L∇L/(M−1) − (M/(M−1)) M⁻² Σ_i H_i g_i]
 *     = n∇𝓛 − (ηn(n−1)/2)[H∇𝓛 − (1/(M(M−1))) Σ_i H_i (g_i − ∇L)]       (H_i = ∇²ℓ_i, Σ_i (g_i − ∇L) = 0),
 * exact: H from `hessian`, H_i from `sampleHessian`. Writes into out (length N).
 */
export function effectiveGradient(
  landscape: Landscape,
  theta: Float64Array,
  eta: number,
  batchSize: number,
  out: Float64Array,
): void {
  const n = epochSize(landscape, batchSize, 'effectiveGradient');
  const N = landscape.dim,
    M = landscape.dataSize;
  const { g, gradL, grad } = gradients(landscape, theta);
  if (n === 1) {
    for (let a = 0; a < N; a++) out[a] = grad[a];
    return;
  }
  const H = new Float64Array(N * N),
    Hi = new Float64Array(N * N);
  landscape.hessian(theta, H);
  const s = new Float64Array(N); // Σ_i H_i (g_i − ∇L)
  const u = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    (landscape as Landscape & PerSampleHessian).sampleHessian(theta, i, Hi);
    for (let b = 0; b < N; b++) u[b] = g[i * N + b] - gradL[b];
    for (let a = 0; a < N; a++) {
      let t = 0;
      for (let b = 0; b < N; b++) t += Hi[a * N + b] * u[b];
      s[a] += t;
    }
  }
  const c = (eta * n * (n - 1)) / 2,
    inv = 1 / (M * (M - 1));
  for (let a = 0; a < N; a++) {
    let hg = 0;
    for (let b = 0; b < N; b++) hg += H[a * N + b] * grad[b];
    out[a] = n * grad[a] - c * (hg - inv * s[a]);
  }
}

/**
 * `effectiveGradient` for the hot loop: checks m | M and sampleHessian once, preallocates every buffer (O(M N + N²)), and
 * returns (θ, η, out) ⇒ ∇𝓛̂(θ) that allocates nothing and gives the same bits (same operations in the same order).
 * For SGWORLD's once-per-epoch correction η∇δ𝓛 (004 Fig. 5); O(M N²) per call. Not re-entrant: one evaluator per thread.
 */
export function effectiveGradientEvaluator(
  landscape: Landscape,
  batchSize: number,
): (theta: Float64Array, eta: number, out: Float64Array) => void {
  const n = epochSize(landscape, batchSize, 'effectiveGradientEvaluator');
  const N = landscape.dim,
    M = landscape.dataSize,
    inv = 1 / (M * (M - 1));
  const g = new Float64Array(M * N),
    gradL = new Float64Array(N),
    grad = new Float64Array(N);
  const H = new Float64Array(N * N),
    Hi = new Float64Array(N * N),
    s = new Float64Array(N),
    u = new Float64Array(N);
  return (theta, eta, out) => {
    landscape.sampleGradients(theta, g);
    gradL.fill(0);
    for (let i = 0; i < M; i++) for (let a = 0; a < N; a++) gradL[a] += g[i * N + a];
    for (let a = 0; a < N; a++) gradL[a] /= M;
    landscape.gradient(theta, grad);
    if (n === 1) {
      for (let a = 0; a < N; a++) out[a] = grad[a];
      return;
    }
    landscape.hessian(theta, H);
    s.fill(0); // Σ_i H_i (g_i − ∇L)
    for (let i = 0; i < M; i++) {
      (landscape as Landscape & PerSampleHessian).sampleHessian(theta, i, Hi);
      for (let b = 0; b < N; b++) u[b] = g[i * N + b] - gradL[b];
      for (let a = 0; a < N; a++) {
        let t = 0;
        for (let b = 0; b < N; b++) t += Hi[a * N + b] * u[b];
        s[a] += t;
      }
    }
    const c = (eta * n * (n - 1)) / 2;
    for (let a = 0; a < N; a++) {
      let hg = 0;
      for (let b = 0; b < N; b++) hg += H[a * N + b] * grad[b];
      out[a] = n * grad[a] - c * (hg - inv * s[a]);
    }
  };
}

export interface EffectiveMinimumOptions {
  /** Throw unless the final |∇𝓛̂| is below this. Default 1e-10·n‖H‖_F·max(1, |θ|) (as newtonMinimum, for n𝓛). */
  tolerance?: number;
  /** Default 100. */
  maxIterations?: number;
}

export interface EffectiveMinimumResult {
  /** θ̂₀, the minimum of 𝓛̂. */
  theta: Float64Array;
  /** |∇𝓛̂(θ̂₀)|. */
  gradientNorm: number;
  iterations: number;
}

/**
 * θ̂₀ = argmin 𝓛̂ near θ₀ by the quasi-Newton iteration θ ← θ − (nH(θ))⁻¹∇𝓛̂(θ): the gradient is exact, the Hessian is
 * that of the leading term n𝓛 only (the exact one would need third derivatives). The neglected ∇²δ𝓛 is O(ηn·h) relative
 * to nH, so the error contracts by that ratio per step (~0.03 for the regression at η = 1e-7, m = 10). Stops when
 * |∇𝓛̂| stops decreasing (three iterations without a new best: the rounding floor) and returns the best point.
 */
export function effectiveMinimum(
  landscape: Landscape,
  theta0: Float64Array,
  eta: number,
  batchSize: number,
  opts: EffectiveMinimumOptions = {},
): EffectiveMinimumResult {
  const n = epochSize(landscape, batchSize, 'effectiveMinimum');
  const N = landscape.dim;
  const maxIterations = opts.maxIterations ?? 100;
  const g = new Float64Array(N),
    H = new Float64Array(N * N);
  let theta = Float64Array.from(theta0);
  effectiveGradient(landscape, theta, eta, batchSize, g);
  let best = { theta, gn: norm(g) };
  let stall = 0,
    iterations = 0;
  while (iterations < maxIterations && best.gn > 0 && stall < 3) {
    iterations++;
    landscape.hessian(theta, H);
    const L = cholesky(symmetrize(H, N), N);
    if (L === null)
      throw new Error('effectiveMinimum: H is not positive definite on the way (start at a minimum θ₀ of 𝓛)');
    const step = choleskySolve(L, N, g);
    theta = theta.map((v, a) => v - step[a] / n);
    effectiveGradient(landscape, theta, eta, batchSize, g);
    const gn = norm(g);
    if (!Number.isFinite(gn)) throw new Error('effectiveMinimum: ∇𝓛̂ is not finite (ηn·h too large for the iteration?)');
    if (gn < best.gn) {
      best = { theta, gn };
      stall = 0;
    } else stall++;
  }
  landscape.hessian(best.theta, H);
  const tolerance = opts.tolerance ?? 1e-10 * n * norm(H) * Math.max(1, norm(best.theta));
  if (!(best.gn <= tolerance)) {
    throw new Error(
      `effectiveMinimum: no convergence after ${iterations} iterations: |∇𝓛̂| = ${best.gn} > tolerance ${tolerance}`,
    );
  }
  return { theta: best.theta, gradientNorm: best.gn, iterations };
}

/**
 * ∇²𝓛̂ by central differences of the exact `effectiveGradient` (symmetrised), step h·max(1, |θ_β|) per coordinate
 * (default h = 1e-4). Unlike nH it keeps ∇²δ𝓛 ≈ −(ηn(n−1)/2)[H² + …], the O(ηn·h) correction that makes
 * I − η∇²𝓛̂ agree with the mean epoch propagator Π_t(I − ηH) ≈ (I − ηH)ⁿ to second order.
 */
export function effectiveHessian(
  landscape: Landscape,
  theta: Float64Array,
  eta: number,
  batchSize: number,
  step = 1e-4,
): Float64Array {
  epochSize(landscape, batchSize, 'effectiveHessian');
  const N = landscape.dim;
  const out = new Float64Array(N * N),
    gp = new Float64Array(N),
    gm = new Float64Array(N);
  for (let b = 0; b < N; b++) {
    const h = step * Math.max(1, Math.abs(theta[b]));
    const p = Float64Array.from(theta),
      q = Float64Array.from(theta);
    p[b] += h;
    q[b] -= h;
    const hh = p[b] - q[b]; // the step actually taken, after rounding
    effectiveGradient(landscape, p, eta, batchSize, gp);
    effectiveGradient(landscape, q, eta, batchSize, gm);
    for (let a = 0; a < N; a++) out[a * N + b] = (gp[a] - gm[a]) / hh;
  }
  return symmetrize(out, N);
}

/**
 * Second moments of ζ, χ (Eq. B13) over the epoch's uniformly random permutation, exactly. With c = (M−m)/(2(M−1))
 * = P(t_i > t_j) (t_i the batch of index i) and distinct indices i, j, k, l (B14 for comparison):
 *   ⟨ζ_iζ_i⟩ = a₀ = (M−m)(M+m)/(12m²)                              (B15 ✓)
 *   ⟨ζ_iζ_j⟩ = b₀ = −a₀/(M−1)                                       (B14 has 0: but Σ_i ζ_i ≡ 0)
 *   ⟨ζ_iχ_ji⟩ = −⟨ζ_iχ_ij⟩ = a₁ = (n+1)(M−m)/(12(M−1)), ⟨ζ_iχ_jk⟩ = 0  (B15 ✓)
 *   ⟨χ_ijχ_il⟩ = ⟨χ_ijχ_kj⟩ = a₂ = (M−m)(2M−m−3)/(6(M−1)(M−2)) − c²   (= B15's a₂)
 *   ⟨χ_ijχ_ij⟩ = a₃ = c(1−c), ⟨χ_ijχ_ji⟩ = a₄ = −c²                    (B15 ✓)
 *   ⟨χ_ijχ_ki⟩ = ⟨χ_ijχ_jl⟩ = a₅ = (M−m)(M−2m)/(6(M−1)(M−2)) − c²    (B15's a₅ differs unless m = M/2)
 *   ⟨χ_ijχ_kl⟩ = a₆ = P(P − 2(M−m) + 1)/(M(M−1)(M−2)(M−3)) − c², P = M(M−m)/2   (absent from B14)
 * Derivations: count ordered tuples of distinct balls in an urn with m balls of each of n colours, e.g. for a₆ the
 * number of pairs (z, w) with colour(z) > colour(w) disjoint from a given such pair (x, y) is P − 2m(n−1) + 1 whatever
 * the colours of x, y. Checked against all M! permutations in wor.test.ts. Patterns needing more indices than M has
 * get 0.
 */
export interface WorMoments {
  a0: number;
  b0: number;
  a1: number;
  a2: number;
  a3: number;
  a4: number;
  a5: number;
  a6: number;
}

export function worMoments(m: number, M: number): WorMoments {
  const n = M / m;
  const c = M > 1 ? (M - m) / (2 * (M - 1)) : 0;
  const a0 = ((M - m) * (M + m)) / (12 * m * m);
  const b0 = M > 1 ? -a0 / (M - 1) : 0;
  const a1 = M > 1 ? ((n + 1) * (M - m)) / (12 * (M - 1)) : 0;
  const a2 = M > 2 ? ((M - m) * (2 * M - m - 3)) / (6 * (M - 1) * (M - 2)) - c * c : 0;
  const a3 = c * (1 - c);
  const a4 = -c * c;
  const a5 = M > 2 ? ((M - m) * (M - 2 * m)) / (6 * (M - 1) * (M - 2)) - c * c : 0;
  const P = (M * (M - m)) / 2;
  const a6 = M > 3 ? (P * (P - 2 * (M - m) + 1)) / (M * (M - 1) * (M - 2) * (M - 3)) - c * c : 0;
  return { a0, b0, a1, a2, a3, a4, a5, a6 };
}

/** a₀ … a₅(m, M) exactly as printed in Eq. B15 (for comparison; a₅ there is not the moment it is meant to be). */
export function worMomentCoefficientsB15(m: number, M: number): [number, number, number, number, number, number] {
  const n = M / m,
    d1 = M - 1;
  const a0 = ((M - m) * (M + m)) / (12 * m * m);
  const a1 = ((n + 1) * (M - m)) / (12 * d1);
  const a2 = ((M - m) * (M * (M - 4) + (M - 4) * m + 6)) / (12 * (M - 2) * d1 * d1);
  const a3 = ((M - m) * (M + m - 2)) / (4 * d1 * d1);
  const a4 = -((M - m) * (M - m)) / (4 * d1 * d1);
  const a5 = -((M - m) * (12 * M + (M - 4) * (M * M + (6 + M) * m))) / (12 * (M - 2) * d1 * d1 * M);
  return [a0, a1, a2, a3, a4, a5];
}

/** Per-sample Hessians H_i (M×N×N) and their mean H_L = ∇²L. */
function sampleHessians(landscape: Landscape, theta: Float64Array) {
  const N = landscape.dim,
    M = landscape.dataSize,
    NN = N * N;
  const Hs = new Float64Array(M * NN);
  const HL = new Float64Array(NN);
  for (let i = 0; i < M; i++) {
    const Hi = Hs.subarray(i * NN, (i + 1) * NN);
    (landscape as Landscape & PerSampleHessian).sampleHessian(theta, i, Hi);
    for (let k = 0; k < NN; k++) HL[k] += Hi[k];
  }
  for (let k = 0; k < NN; k++) HL[k] /= M;
  return { Hs, HL };
}

/** y = A x for an N×N block A = arr[off .. off+N²). */
function blockVec(
  arr: Float64Array,
  off: number,
  N: number,
  x: Float64Array,
  xo: number,
  y: Float64Array,
  yo: number,
): void {
  for (let a = 0; a < N; a++) {
    let s = 0;
    for (let b = 0; b < N; b++) s += arr[off + a * N + b] * x[xo + b];
    y[yo + a] = s;
  }
}

/** Σ_i P_i Q_iᵀ for N-vectors stored as M rows (row-major M×N), added (×c) into out. */
function addOuter(P: Float64Array, Q: Float64Array, M: number, N: number, c: number, out: Float64Array): void {
  for (let i = 0; i < M; i++)
    for (let a = 0; a < N; a++) {
      const pa = c * P[i * N + a];
      if (pa === 0) continue;
      for (let b = 0; b < N; b++) out[a * N + b] += pa * Q[i * N + b];
    }
}

/**
 * D̂(θ) = ½⟨ξ̂ξ̂ᵀ⟩ in full, to leading order (η⁴), from ξ̂ = η²[Z_iζ_i + S_ijχ_ij] (Eq. B11–B13) and the exact moments
 * of `worMoments`. Eq. B18 as printed,
 *   \hat D = \tfrac12\eta^4\bigl[a_0 ZZ^T + a_1(Z(B^T-C^T) + (B-C)Z^T) + a_2(BB^T+CC^T) + (a_3-2a_2)F
 *            + (a_4-2a_5)G + a_5(BC^T+CB^T)\bigr],
 * rests on B14, which misses two moments and misprints a₅ (see `worMoments`); with them, re-derived from B11:
 *   2D̂/η⁴ = a₀ZZᵀ + b₀(z zᵀ − ZZᵀ) + a₁(Z(B−C)ᵀ + (B−C)Zᵀ) + a₂(BBᵀ + CCᵀ) + (a₃ − 2a₂)F + (a₄ − 2a₅)G
 *          + a₅(BCᵀ + CBᵀ) + a₆(TTᵀ − BBᵀ − CCᵀ − BCᵀ − CBᵀ + F + G),
 * z = Σ_i Z_i, T = Σ_i B_i = Σ_i C_i, the last bracket being Σ over all-distinct i, j, k, l of S_{·ij}S_{·kl}ᵀ.
 * Z_{αi} = nY_{αβ}V_{βi} − nU_{αβi}X_β, S_{αij} = n²U_{αβi}V_{βj} (B12), S^Δ = S off the diagonal i = j (B19),
 * B_{αi} = Σ_j S^Δ_{αji}, C_{αi} = Σ_j S^Δ_{αij}, F = Σ_{ij} S^Δ_{·ij}S^Δ_{·ij}ᵀ, G = Σ_{ij} S^Δ_{·ij}S^Δ_{·ji}ᵀ (B20).
 * With S_{·ij} = m⁻² H_i g_j these are, exactly:
 *   Z_i = (n/M)(Y g_i − H_i X),  B_i = m⁻²(M H_L − H_i) g_i,  C_i = m⁻² H_i (M∇L − g_i),
 *   F = m⁻⁴ Σ_i H_i (Σ_{j≠i} g_j g_jᵀ) H_i,  G = m⁻⁴ Σ_{i≠j} (H_i g_j)(H_j g_i)ᵀ   (O(M²N²) work).
 * `{ moments: 'B15' }` evaluates B18 literally with the printed a₀…a₅ instead (for comparison).
 * Accuracy: leading order in η, i.e. the true ½Cov of the epoch map is this·(1 + O(ηn·h)) (ξ̂ of B11 stops at η², B7 → B8).
 */
export function diffusionWOR(
  landscape: Landscape,
  theta: Float64Array,
  eta: number,
  batchSize: number,
  opts: { moments?: 'exact' | 'B15' } = {},
): Float64Array {
  const n = epochSize(landscape, batchSize, 'diffusionWOR');
  const N = landscape.dim,
    M = landscape.dataSize,
    m = batchSize,
    NN = N * N;
  const D = new Float64Array(NN);
  if (m === M) return D; // every moment vanishes: full batch has no noise
  let k: WorMoments;
  if (opts.moments === 'B15') {
    const [a0, a1, a2, a3, a4, a5] = worMomentCoefficientsB15(m, M);
    k = { a0, b0: 0, a1, a2, a3, a4, a5, a6: 0 };
  } else k = worMoments(m, M);
  const { a0, b0, a1, a2, a3, a4, a5, a6 } = k;
  const { g, gradL } = gradients(landscape, theta);
  const { Hs, HL } = sampleHessians(landscape, theta);
  const H = new Float64Array(NN),
    X = new Float64Array(N);
  landscape.hessian(theta, H);
  landscape.regulariserGradient(theta, X);
  const Y = new Float64Array(NN);
  for (let k = 0; k < NN; k++) Y[k] = H[k] - HL[k];
  const im2 = 1 / (m * m);
  const Z = new Float64Array(M * N),
    B = new Float64Array(M * N),
    C = new Float64Array(M * N);
  const t1 = new Float64Array(N),
    t2 = new Float64Array(N),
    w = new Float64Array(N);
  const MHL = HL.map((v) => M * v);
  for (let i = 0; i < M; i++) {
    const off = i * NN;
    blockVec(Y, 0, N, g, i * N, t1, 0);
    blockVec(Hs, off, N, X, 0, t2, 0);
    for (let a = 0; a < N; a++) Z[i * N + a] = (n / M) * (t1[a] - t2[a]);
    blockVec(MHL, 0, N, g, i * N, t1, 0);
    blockVec(Hs, off, N, g, i * N, t2, 0);
    for (let a = 0; a < N; a++) B[i * N + a] = im2 * (t1[a] - t2[a]);
    for (let a = 0; a < N; a++) w[a] = M * gradL[a] - g[i * N + a];
    blockVec(Hs, off, N, w, 0, t1, 0);
    for (let a = 0; a < N; a++) C[i * N + a] = im2 * t1[a];
  }
  // F = m⁻⁴ Σ_i H_i (GG − g_i g_iᵀ) H_i,  GG = Σ_j g_j g_jᵀ.
  const GG = new Float64Array(NN);
  addOuter(g, g, M, N, 1, GG);
  const F = new Float64Array(NN),
    K = new Float64Array(NN),
    Hi = new Float64Array(NN);
  for (let i = 0; i < M; i++) {
    Hi.set(Hs.subarray(i * NN, (i + 1) * NN));
    for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) K[a * N + b] = GG[a * N + b] - g[i * N + a] * g[i * N + b];
    const T = matMul(matMul(Hi, K, N), Hi, N);
    for (let k = 0; k < NN; k++) F[k] += T[k];
  }
  // G = m⁻⁴ Σ_{i≠j} (H_i g_j)(H_j g_i)ᵀ, pairs i < j taken together.
  const G = new Float64Array(NN);
  for (let i = 0; i < M; i++) {
    for (let j = i + 1; j < M; j++) {
      blockVec(Hs, i * NN, N, g, j * N, t1, 0); // H_i g_j
      blockVec(Hs, j * NN, N, g, i * N, t2, 0); // H_j g_i
      for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) G[a * N + b] += t1[a] * t2[b] + t2[a] * t1[b];
    }
  }
  const im4 = im2 * im2;
  const BmC = B.map((v, q) => v - C[q]);
  const z = new Float64Array(N),
    T = new Float64Array(N);
  for (let i = 0; i < M; i++)
    for (let a = 0; a < N; a++) {
      z[a] += Z[i * N + a];
      T[a] += B[i * N + a];
    }
  addOuter(Z, Z, M, N, a0 - b0, D);
  addOuter(z, z, 1, N, b0, D);
  addOuter(Z, BmC, M, N, a1, D);
  addOuter(BmC, Z, M, N, a1, D);
  addOuter(B, B, M, N, a2 - a6, D);
  addOuter(C, C, M, N, a2 - a6, D);
  addOuter(B, C, M, N, a5 - a6, D);
  addOuter(C, B, M, N, a5 - a6, D);
  addOuter(T, T, 1, N, a6, D);
  for (let q = 0; q < NN; q++) D[q] += im4 * ((a3 - 2 * a2 + a6) * F[q] + (a4 - 2 * a5 + a6) * G[q]);
  const half = 0.5 * eta ** 4;
  return symmetrize(
    D.map((v) => half * v),
    N,
  );
}

/**
 * The single dominant term of D̂ (Eq. B21): \hat D \approx \tfrac12\eta^4 a_2 BB^T, B as in `diffusionWOR`
 * (B_i = m⁻²(M H_L − H_i) g_i; B15's a₂ is the exact moment). For M, n ≫ 1 this is Eq. 18's first line, ((ηn)⁴/24) H V Vᵀ H.
 */
export function diffusionWORApprox(
  landscape: Landscape,
  theta: Float64Array,
  eta: number,
  batchSize: number,
): Float64Array {
  epochSize(landscape, batchSize, 'diffusionWORApprox');
  const N = landscape.dim,
    M = landscape.dataSize,
    m = batchSize,
    NN = N * N;
  const D = new Float64Array(NN);
  if (m === M) return D;
  const a2 = worMoments(m, M).a2;
  const { g } = gradients(landscape, theta);
  const { Hs, HL } = sampleHessians(landscape, theta);
  const MHL = HL.map((v) => M * v);
  const B = new Float64Array(M * N),
    t1 = new Float64Array(N),
    t2 = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    blockVec(MHL, 0, N, g, i * N, t1, 0);
    blockVec(Hs, i * NN, N, g, i * N, t2, 0);
    for (let a = 0; a < N; a++) B[i * N + a] = (t1[a] - t2[a]) / (m * m);
  }
  addOuter(B, B, M, N, 0.5 * eta ** 4 * a2, D);
  return symmetrize(D, N);
}

/**
 * Eq. 18's second line, \hat D \approx \frac{\eta^2 n^3}{12} H D H, with H = ∇²𝓛 and D the WR diffusion matrix of
 * Eq. 14 as written (`diffusionWR`, the paper: "expressed D̂ in terms of the earlier diffusion matrix D(θ) from Eq. (14)").
 * It equals ((ηn)⁴/24) H [VVᵀ − ∇L∇Lᵀ/M] H ·(n−1)M/(n(M−1)): for m = 10, M = 200 that factor is 0.955, i.e. this form
 * sits ~4.5 % below B21 — not the same "dominant term" at finite n.
 */
export function diffusionWOREq18(
  landscape: Landscape,
  theta: Float64Array,
  eta: number,
  batchSize: number,
): Float64Array {
  const n = epochSize(landscape, batchSize, 'diffusionWOREq18');
  const N = landscape.dim;
  const H = new Float64Array(N * N);
  landscape.hessian(theta, H);
  const Hs = symmetrize(H, N);
  const D = diffusionWR(landscape, theta, eta, batchSize);
  const c = (eta * eta * n ** 3) / 12;
  return symmetrize(
    matMul(matMul(Hs, D, N), Hs, N).map((v) => c * v),
    N,
  );
}

export interface WorTheoryOptions {
  /** Which D̂: 'full' (Eq. B18, default), 'B21' (½η⁴a₂BBᵀ) or 'eq18' ((η²n³/12)HDH). */
  diffusion?: 'full' | 'B21' | 'eq18';
  /** Which Ĥ: 'effective' (∇²𝓛̂ at θ̂₀ by differences of the exact ∇𝓛̂, default) or 'leading' (nH(θ̂₀)). */
  hessian?: 'effective' | 'leading';
  /**
   * 'continuous' (default): App. C's Lyapunov equation ĤΣ + ΣĤ = 2η⁻¹D̂ (Eq. 21 with 𝓛̂, D̂, τ).
   * 'discrete': the exact stationary covariance of the linearised epoch map δθ' = (I − ηĤ)δθ + ξ̂,
   * Σ − (I − ηĤ)Σ(I − ηĤ) = 2D̂; it differs from 'continuous' by O(ηĥ) = O(ηn·h) relative.
   */
  time?: 'continuous' | 'discrete';
  /** Moments of ζ, χ in the full D̂: 'exact' (`worMoments`, default) or 'B15' (as printed; for comparison only). */
  moments?: 'exact' | 'B15';
}

export interface WorTheory {
  /** θ̂₀ = argmin 𝓛̂ (Eq. 16), the centre of the WOR stationary state. */
  effectiveMinimum: EffectiveMinimumResult;
  /** Ĥ: ∇²𝓛̂(θ̂₀) (or nH(θ̂₀), per options), symmetrised. */
  hessian: Float64Array;
  /** D̂(θ̂₀), per epoch. */
  diffusion: Float64Array;
  /** Σ_WOR, the stationary covariance of θ sampled at epoch boundaries. */
  sigma: Float64Array;
  /** Ĉ = ½η(ĤΣ − ΣĤ) (Eq. 25 with Ĥ), per epoch. */
  circulation: Float64Array;
  /** Eigenvalues of Ĥ, ascending. */
  eigenvalues: Float64Array;
}

/**
 * Stationary state of WOR SGD sampled at epoch boundaries (004 §3.2, App. B–C): θ̂₀ = argmin 𝓛̂ from θ₀, then, with
 * mobility μ̂ = ηI and time in epochs (Eq. 15, 17), the Lyapunov equation of App. C with 𝓛̂, D̂, τ replacing 𝓛, D, t:
 *   Ĥ Σ + Σ Ĥ = 2η⁻¹ D̂,  Ĥ = ∇²𝓛̂(θ̂₀),  D̂ = D̂(θ̂₀),
 * solved in Ĥ's eigenbasis, Σ = OΔOᵀ, Δ_{αβ} = 2η⁻¹(ĥ_α + ĥ_β)⁻¹(OᵀD̂O)_{αβ} (Eq. 22–23).
 */
export function worTheory(
  landscape: Landscape,
  theta0: Float64Array,
  eta: number,
  batchSize: number,
  opts: WorTheoryOptions = {},
): WorTheory {
  const n = epochSize(landscape, batchSize, 'worTheory');
  const N = landscape.dim;
  const min = effectiveMinimum(landscape, theta0, eta, batchSize);
  const at = min.theta;
  let hessian: Float64Array;
  if ((opts.hessian ?? 'effective') === 'effective') hessian = effectiveHessian(landscape, at, eta, batchSize);
  else {
    const raw = new Float64Array(N * N);
    landscape.hessian(at, raw);
    hessian = symmetrize(raw, N).map((v) => n * v);
  }
  const kind = opts.diffusion ?? 'full';
  const diffusion =
    kind === 'full'
      ? diffusionWOR(landscape, at, eta, batchSize, { moments: opts.moments })
      : kind === 'B21'
        ? diffusionWORApprox(landscape, at, eta, batchSize)
        : diffusionWOREq18(landscape, at, eta, batchSize);
  const { values, vectors: O } = symmetricEigen(hessian, N);
  if (!(values[0] > 0)) throw new Error(`worTheory: Ĥ is not positive definite (smallest eigenvalue ${values[0]})`);
  const Ot = transpose(O, N);
  const delta = matMul(matMul(Ot, diffusion, N), O, N);
  const discrete = opts.time === 'discrete';
  for (let a = 0; a < N; a++)
    for (let b = 0; b < N; b++) {
      const ha = values[a],
        hb = values[b];
      const den = discrete ? eta * (ha + hb) - eta * eta * ha * hb : eta * (ha + hb);
      if (!(den > 0)) throw new Error('worTheory: the linearised epoch map is unstable (η·ĥ ≥ 2)');
      delta[a * N + b] *= 2 / den;
    }
  const sigma = symmetrize(matMul(matMul(O, delta, N), Ot, N), N);
  return {
    effectiveMinimum: min,
    hessian,
    diffusion,
    sigma,
    circulation: circulation(hessian, sigma, eta, N),
    eigenvalues: values,
  };
}
