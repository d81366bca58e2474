/**
 * Fast paths of the kernel's WOR theory (theory/wor.ts: effectiveLoss, effectiveGradient, effectiveMinimum,
 * effectiveHessian, diffusionWOR, worTheory; 004 §3.2, App. B–C) for the linear MNIST landscape, the same formulas
 * reduced to P×P (49×49) pieces. Linear model with squared loss, θ = W row-major (θ_{cP+p} = W_cp), r_i = y_i − W x_i:
 *   g_i = ∇ℓ_i = −2 r_i ⊗ x_i,  H_i = ∇²ℓ_i = I_K ⊗ 2x_i x_iᵀ,  H = ∇²𝓛 = I_K ⊗ A,  A = 2S + 2λI,  S = XᵀX/M,
 *   H_L = I_K ⊗ 2S,  X = ∇R = 2λθ,  Y = H − H_L = 2λI.
 * Every vector of App. B is then a Kronecker product u ⊗ v (K-vector ⊗ P-vector), and every sum over samples of
 * their outer products is Σ_i w_i^{cd} x_i x_iᵀ (sparse x_i) for K×K weights w_i, multiplied by S on one or both sides.
 * The kernel's versions need the M per-sample N×N Hessians (O(M²N²) work for D̂): at N = 490, M = 200, diffusionWOR
 * alone takes ~50 s and effectiveHessian (2N effective gradients) minutes; here D̂ takes ~0.6 s (mostly the fixed
 * 490 × 1225 × 490 product of G) and, at M = 60000, ~7 s, worTheory ~8 s (2 shared cores; ~13 s under load).
 *
 * Since ∇𝓛̂ is linear in θ here (𝓛̂ is quadratic), ∇²𝓛̂ = I_K ⊗ Â is exact and constant, and θ̂₀ solves Ĥθ̂₀ = Ĥθ − ∇𝓛̂(θ)
 * (the kernel gets both by iteration and central differences, to round-off the same).
 */
import {
  cholesky,
  choleskySolve,
  matMul,
  symmetricEigen,
  symmetrize,
  transpose,
  worMomentCoefficientsB15,
  worMoments,
  type EffectiveMinimumOptions,
  type EffectiveMinimumResult,
  type WorTheory,
  type WorTheoryOptions,
} from '@nesslab/kernel';
import { sparseRows } from './mnist.ts';
import type { MnistLinear } from './mnist-linear.ts';
import { blockDiffusionWR, type SparseSamples } from './mnist-theory.ts';

/** What every function here reads: the samples (sparse rows, labels), the shape W ∈ R^{K×P}, and λ of R = λ|θ|². */
export interface LinearSamples {
  samples: SparseSamples;
  K: number;
  P: number;
  lambda: number;
}

/** The landscape's data as LinearSamples (sparse rows of its M images: O(MP), a few ms at M = 60000). */
export function mnistLinearSamples(l: MnistLinear): LinearSamples {
  const { images, labels } = l.data();
  const M = l.dataSize,
    P = images.length / M;
  return { samples: { m: M, labels, ...sparseRows(images, M, P) }, K: l.dim / P, P, lambda: l.lambda };
}

/** n = M/m after the kernel's checks (wor.ts epochSize): 1 ≤ m ≤ M integer, m | M (App. B, Eq. B1). */
function epochSize(M: number, m: number, who: string): number {
  if (!(Number.isInteger(m) && m >= 1 && m <= M))
    throw new Error(`${who}: batch size m = ${m} must be an integer in [1, M = ${M}]`);
  if (M % m !== 0) throw new Error(`${who}: WOR theory (004 App. B) needs n = M/m an integer; M = ${M}, m = ${m}`);
  return M / m;
}

/**
 * One pass over the samples at θ: r_i (M×K), s_i = |x_i|², R̄ = Σ_i r_i x_iᵀ (K×P, = −(M/2)∇L), Σ_i s_i r_i x_iᵀ (K×P),
 * S = XᵀX/M, Q = Σ_i s_i x_i x_iᵀ (P×P), Σ_{i: y_i = c} x_i (K×P), Σ_i |r_i|², Σ_i s_i |r_i|².
 */
function samplePass(d: LinearSamples, theta: Float64Array) {
  const { K, P } = d,
    { m: M, labels, nzStart, nzIndex: idx, nzValue: val } = d.samples;
  const r = new Float64Array(M * K),
    s = new Float64Array(M),
    rbar = new Float64Array(K * P),
    sr = new Float64Array(K * P),
    S = new Float64Array(P * P),
    Q = new Float64Array(P * P),
    xy = new Float64Array(K * P);
  let r2 = 0,
    sr2 = 0;
  for (let i = 0; i < M; i++) {
    const begin = nzStart[i],
      end = nzStart[i + 1],
      ro = i * K;
    let si = 0;
    for (let j = begin; j < end; j++) {
      const p = idx[j],
        v = val[j];
      si += v * v;
      for (let c = 0; c < K; c++) r[ro + c] -= theta[c * P + p] * v;
      xy[labels[i] * P + p] += v;
    }
    r[ro + labels[i]] += 1;
    s[i] = si;
    let ri2 = 0;
    for (let c = 0; c < K; c++) {
      const rc = r[ro + c];
      ri2 += rc * rc;
      for (let j = begin; j < end; j++) {
        rbar[c * P + idx[j]] += rc * val[j];
        sr[c * P + idx[j]] += si * rc * val[j];
      }
    }
    r2 += ri2;
    sr2 += si * ri2;
    for (let a = begin; a < end; a++) {
      const row = idx[a] * P,
        va = val[a];
      for (let b = a; b < end; b++) {
        const x2 = va * val[b];
        S[row + idx[b]] += x2;
        Q[row + idx[b]] += si * x2;
      }
    }
  }
  for (let p = 0; p < P; p++)
    for (let q = p; q < P; q++) {
      S[q * P + p] = S[p * P + q] /= M;
      Q[q * P + p] = Q[p * P + q];
    }
  return { r, s, rbar, sr, S, Q, xy, r2, sr2 };
}

/** A = 2S + 2λI (P×P): H = ∇²𝓛 = I_K ⊗ A. */
function hessianBlock(S: Float64Array, P: number, lambda: number): Float64Array {
  const A = S.map((v) => 2 * v);
  for (let p = 0; p < P; p++) A[p * P + p] += 2 * lambda;
  return A;
}

/** y_c = B x_c for each of the K rows x_c of a K×P matrix (B P×P). */
function rowsTimes(B: Float64Array, x: Float64Array, K: number, P: number): Float64Array {
  const y = new Float64Array(K * P);
  for (let c = 0; c < K; c++)
    for (let p = 0; p < P; p++) {
      let t = 0;
      for (let q = 0; q < P; q++) t += B[p * P + q] * x[c * P + q];
      y[c * P + p] = t;
    }
  return y;
}

/**
 * 𝓛̂(θ) of Eq. 16 as the kernel's effectiveLoss:
 *   \hat{\cal L} = n{\cal L} - \frac{\eta n(n-1)}{4}\Bigl[|\nabla{\cal L}|^2 - \frac{1}{M(M-1)}\sum_i|g_i-\nabla L|^2\Bigr],
 * with 𝓛 = M⁻¹Σ|r_i|² + λ|θ|², Σ_i|g_i − ∇L|² = 4Σ_i s_i|r_i|² − M|∇L|², ∇L = −(2/M)R̄.
 */
export function blockEffectiveLoss(d: LinearSamples, theta: Float64Array, eta: number, batchSize: number): number {
  const M = d.samples.m,
    n = epochSize(M, batchSize, 'effectiveLoss');
  const { rbar, r2, sr2 } = samplePass(d, theta);
  let t2 = 0,
    gL2 = 0,
    g2 = 0;
  for (let a = 0; a < theta.length; a++) {
    const gL = (-2 / M) * rbar[a],
      g = gL + 2 * d.lambda * theta[a];
    t2 += theta[a] * theta[a];
    gL2 += gL * gL;
    g2 += g * g;
  }
  const base = n * (r2 / M + d.lambda * t2);
  if (n === 1) return base;
  return base - ((eta * n * (n - 1)) / 4) * (g2 - (4 * sr2 - M * gL2) / (M * (M - 1)));
}

/**
 * ∇𝓛̂ = n∇𝓛 − (ηn(n−1)/2)[H∇𝓛 − (1/(M(M−1))) Σ_i H_i(g_i − ∇L)] (the kernel's effectiveGradient), with
 * Σ_i H_i g_i = −4 Σ_i s_i r_i ⊗ x_i and M H_L∇L = −4 (R̄S) (row c of W: −4 S R̄_c). Writes into out (length KP).
 */
export function blockEffectiveGradient(
  d: LinearSamples,
  theta: Float64Array,
  eta: number,
  batchSize: number,
  out: Float64Array,
): void {
  const { K, P, lambda } = d,
    M = d.samples.m,
    N = K * P,
    n = epochSize(M, batchSize, 'effectiveGradient');
  const { rbar, sr, S } = samplePass(d, theta);
  const grad = new Float64Array(N);
  for (let a = 0; a < N; a++) grad[a] = (-2 / M) * rbar[a] + 2 * lambda * theta[a];
  if (n === 1) {
    out.set(grad);
    return;
  }
  const hg = rowsTimes(hessianBlock(S, P, lambda), grad, K, P),
    rs = rowsTimes(S, rbar, K, P);
  const c = (eta * n * (n - 1)) / 2,
    inv = 1 / (M * (M - 1));
  for (let a = 0; a < N; a++) out[a] = n * grad[a] - c * (hg[a] - inv * 4 * (rs[a] - sr[a]));
}

/**
 * Â with ∇²𝓛̂ = I_K ⊗ Â (P×P), exact (∇𝓛̂ is linear in θ):
 *   Â = nA − (ηn(n−1)/2)[A² − (4/(M(M−1)))(Q − M S²)],  Q = Σ_i |x_i|² x_i x_iᵀ,
 * from ∇_θ Σ_i H_i(g_i − ∇L) = Σ_i H_i² − M H_L² = I_K ⊗ 4(Q − M S²). The kernel's effectiveHessian (central differences
 * of the same ∇𝓛̂) agrees to its round-off. 'leading': nA, the Hessian of n𝓛 alone.
 */
export function blockEffectiveHessian(
  d: LinearSamples,
  eta: number,
  batchSize: number,
  kind: 'effective' | 'leading' = 'effective',
): Float64Array {
  const { P, lambda } = d,
    M = d.samples.m,
    n = epochSize(M, batchSize, 'effectiveHessian');
  const { S, Q } = samplePass(d, new Float64Array(d.K * P)); // S and Q do not depend on θ
  return effectiveBlock(S, Q, P, lambda, M, n, eta, kind);
}

function effectiveBlock(
  S: Float64Array,
  Q: Float64Array,
  P: number,
  lambda: number,
  M: number,
  n: number,
  eta: number,
  kind: 'effective' | 'leading',
): Float64Array {
  const A = hessianBlock(S, P, lambda);
  const out = A.map((v) => n * v);
  if (n === 1 || kind === 'leading') return out;
  const A2 = matMul(A, A, P),
    S2 = matMul(S, S, P);
  const c = (eta * n * (n - 1)) / 2,
    f = 4 / (M * (M - 1));
  for (let k = 0; k < P * P; k++) out[k] -= c * (A2[k] - f * (Q[k] - M * S2[k]));
  return symmetrize(out, P);
}

/**
 * θ̂₀ = argmin 𝓛̂ (Eq. 16), the centre of the WOR stationary state: θ ← θ − Ĥ⁻¹∇𝓛̂(θ) from θ₀, row by row of W with one
 * P×P Cholesky factorisation of Â. Exact in one step (𝓛̂ is quadratic); further steps refine to the rounding floor and
 * stop, as the kernel's effectiveMinimum does, when |∇𝓛̂| fails three times to reach a new best. Same default tolerance
 * (1e-10·n‖H‖_F·max(1, |θ|), ‖H‖_F = √K‖A‖_F) and result as the kernel's.
 */
export function blockEffectiveMinimum(
  d: LinearSamples,
  theta0: Float64Array,
  eta: number,
  batchSize: number,
  opts: EffectiveMinimumOptions = {},
): EffectiveMinimumResult {
  const { K, P, lambda } = d,
    M = d.samples.m,
    n = epochSize(M, batchSize, 'effectiveMinimum');
  const { S, Q } = samplePass(d, theta0);
  const L = cholesky(effectiveBlock(S, Q, P, lambda, M, n, eta, 'effective'), P);
  if (L === null) throw new Error('effectiveMinimum: ∇²𝓛̂ is not positive definite (ηn·h too large?)');
  const g = new Float64Array(K * P);
  const gnorm = () => Math.sqrt(g.reduce((s, v) => s + v * v, 0));
  let theta = Float64Array.from(theta0);
  blockEffectiveGradient(d, theta, eta, batchSize, g);
  let best = { theta, gn: gnorm() },
    stall = 0,
    iterations = 0;
  const maxIterations = opts.maxIterations ?? 100;
  while (iterations < maxIterations && best.gn > 0 && stall < 3) {
    iterations++;
    const next = Float64Array.from(theta);
    for (let c = 0; c < K; c++) {
      const step = choleskySolve(L, P, g.subarray(c * P, (c + 1) * P));
      for (let p = 0; p < P; p++) next[c * P + p] -= step[p];
    }
    theta = next;
    blockEffectiveGradient(d, theta, eta, batchSize, g);
    const gn = gnorm();
    if (!Number.isFinite(gn)) throw new Error('effectiveMinimum: ∇𝓛̂ is not finite');
    if (gn < best.gn) {
      best = { theta, gn };
      stall = 0;
    } else stall++;
  }
  const A = hessianBlock(S, P, lambda);
  const normH = Math.sqrt(K * A.reduce((s, v) => s + v * v, 0));
  const normTheta = Math.sqrt(best.theta.reduce((s, v) => s + v * v, 0));
  const tolerance = opts.tolerance ?? 1e-10 * n * normH * Math.max(1, normTheta);
  if (!(best.gn <= tolerance))
    throw new Error(
      `effectiveMinimum: no convergence after ${iterations} iterations: |∇𝓛̂| = ${best.gn} > tolerance ${tolerance}`,
    );
  return { theta: best.theta, gradientNorm: best.gn, iterations };
}

/** Options of `blockDiffusionWOR`: the kernel's choices of D̂ (WorTheoryOptions.diffusion) and of the moments. */
export interface BlockDiffusionWOROptions {
  /** 'full' (the kernel's diffusionWOR, default), 'B21' (diffusionWORApprox) or 'eq18' (diffusionWOREq18). */
  diffusion?: 'full' | 'B21' | 'eq18';
  /** Moments of ζ, χ in the full D̂: 'exact' (`worMoments`, default) or 'B15' (as printed; b₀ = a₆ = 0). */
  moments?: 'exact' | 'B15';
}

/**
 * D̂(θ) as the kernel's diffusionWOR (Eq. B11–B13 with the exact moments of `worMoments`):
 *   2D̂/η⁴ = a₀ZZᵀ + b₀(z zᵀ − ZZᵀ) + a₁(Z(B−C)ᵀ + (B−C)Zᵀ) + a₂(BBᵀ + CCᵀ) + (a₃ − 2a₂)F + (a₄ − 2a₅)G
 *          + a₅(BCᵀ + CBᵀ) + a₆(TTᵀ − BBᵀ − CCᵀ − BCᵀ − CBᵀ + F + G),
 * where, for this landscape (ρ_i = R̄x_i, t_i = s_i r_i − ρ_i, γ = 4/m², ζ = −4λn/M, e_y the one-hot label),
 *   Z_i = (n/M)(Y g_i − H_i X) = ζ e_{y_i} ⊗ x_i,   B_i = m⁻²(M H_L − H_i)g_i = −γ r_i ⊗ (MS − s_i)x_i,
 *   C_i = m⁻² H_i(M∇L − g_i) = γ t_i ⊗ x_i,   z = Σ_i Z_i,   T = Σ_i B_i = −γ(M R̄S − Σ_i s_i r_i x_iᵀ),
 *   F = m⁻⁴ Σ_i H_i(Σ_{j≠i} g_j g_jᵀ)H_i:  block (c,d) = 16m⁻⁴ Σ_i (x_iᵀR⁰_{cd}x_i − s_i² r_ic r_id) x_i x_iᵀ,
 *       R⁰_{cd} = Σ_j r_jc r_jd x_j x_jᵀ,
 *   G = m⁻⁴ Σ_{i≠j}(H_i g_j)(H_j g_i)ᵀ:  G_{(c,a),(d,b)} = 16m⁻⁴ [Σ_{pq} U_d[pqa] U_c[pqb] − Σ_i s_i² r_ic r_id x_ia x_ib],
 *       U_e[pqa] = Σ_i r_ie x_ip x_iq x_ia  ((x_i·x_j)² = Σ_{pq} x_ip x_iq x_jp x_jq splits the double sum).
 * Each Σ_i(u_i ⊗ x_i)(u'_i ⊗ v_i)ᵀ with v_i ∈ {x_i, S x_i} is block (c,d) = Σ_i u_ic u'_id x_i v_iᵀ, so every block of
 * 2D̂/η⁴ is   Σ_i w_i^{cd} x_i x_iᵀ + S R^φ_{cd} + R^φ_{dc} S + κ S R⁰_{cd} S + rank-one terms + the U term:
 * two passes over the sparse samples (55 symmetric and 100 ordered class-pair weights per pixel pair) and a
 * 490 × 1225 × 490 product for U; no N×N matrix per sample. `{ diffusion: 'B21' }` keeps ½η⁴a₂BBᵀ alone (Eq. B21),
 * `{ diffusion: 'eq18' }` is (η²n³/12) H D H with D of Eq. 14 (blockDiffusionWR), `{ moments: 'B15' }` the printed a₀…a₅.
 */
export function blockDiffusionWOR(
  d: LinearSamples,
  theta: Float64Array,
  eta: number,
  batchSize: number,
  opts: BlockDiffusionWOROptions = {},
): Float64Array {
  const { K, P, lambda, samples } = d,
    M = samples.m,
    m = batchSize,
    N = K * P,
    PP = P * P;
  const n = epochSize(M, m, 'diffusionWOR');
  const kind = opts.diffusion ?? 'full';
  const pass = samplePass(d, theta);
  if (kind === 'eq18') {
    // Eq. 18's second line, (η²n³/12) H D H, H = I_K ⊗ A: block (c,e) ← A D_ce A.
    const D = blockDiffusionWR(samples, theta, K, P, eta, m);
    const A = hessianBlock(pass.S, P, lambda),
      f = (eta * eta * n ** 3) / 12,
      out = new Float64Array(N * N);
    for (let c = 0; c < K; c++)
      for (let e = 0; e < K; e++) {
        const b = matMul(matMul(A, getBlock(D, N, P, c, e), P), A, P);
        for (let k = 0; k < PP; k++) b[k] *= f;
        setBlock(out, N, P, c, e, b);
      }
    return symmetrize(out, N);
  }
  const D = new Float64Array(N * N);
  if (m === M) return D; // full batch: every moment vanishes
  // Coefficients of the terms (the kernel's diffusionWOR; B21: a₂ΣB_iB_iᵀ alone).
  let k: { ZZ: number; z: number; a1: number; BB: number; CC: number; BC: number; T: number; F: number; G: number };
  if (kind === 'B21') k = { ZZ: 0, z: 0, a1: 0, BB: worMoments(m, M).a2, CC: 0, BC: 0, T: 0, F: 0, G: 0 };
  else {
    let w;
    if (opts.moments === 'B15') {
      const [a0, a1, a2, a3, a4, a5] = worMomentCoefficientsB15(m, M);
      w = { a0, b0: 0, a1, a2, a3, a4, a5, a6: 0 };
    } else w = worMoments(m, M);
    const { a0, b0, a1, a2, a3, a4, a5, a6 } = w;
    k = {
      ZZ: a0 - b0,
      z: b0,
      a1,
      BB: a2 - a6,
      CC: a2 - a6,
      BC: a5 - a6,
      T: a6,
      F: a3 - 2 * a2 + a6,
      G: a4 - 2 * a5 + a6,
    };
  }
  const { r, s, rbar, sr, S, xy } = pass;
  const { labels, nzStart, nzIndex: idx, nzValue: val } = samples;
  const gam = 4 / (m * m),
    zeta = (-4 * lambda * n) / M,
    im4 = 1 / (m * m * m * m);
  const pairs = (K * (K + 1)) / 2;
  const pairOf = new Int32Array(K * K);
  for (let c = 0, q = 0; c < K; c++) for (let e = c; e < K; e++, q++) pairOf[c * K + e] = pairOf[e * K + c] = q;

  // Pass 1: R⁰_{cd}[p][q] = Σ_i r_ic r_id x_ip x_iq, p ≤ q, at acc0[(pP + q)·pairs + pair(c,d)].
  const needR0 = k.BB !== 0 || k.F !== 0;
  const acc0 = new Float64Array(needR0 ? PP * pairs : 0);
  const w0 = new Float64Array(pairs);
  if (needR0)
    for (let i = 0; i < M; i++) {
      const begin = nzStart[i],
        end = nzStart[i + 1],
        ro = i * K;
      for (let c = 0, q = 0; c < K; c++) for (let e = c; e < K; e++, q++) w0[q] = r[ro + c] * r[ro + e];
      accumulatePairs(acc0, pairs, w0, idx, val, begin, end, P);
    }

  // Pass 2: per sample, `pairs` symmetric weights w^{cd} of x_i x_iᵀ (the terms without S) and K² ordered weights φ^{cd}
  // of R^φ_{cd} = Σ_i φ_i^{cd} x_i x_iᵀ (the terms S x_i x_iᵀ, entering block (c,d) as S R^φ_{cd} + R^φ_{dc} S).
  const W = pairs + K * K;
  const acc = new Float64Array(PP * W),
    w = new Float64Array(W);
  const U = new Float64Array(k.G !== 0 ? PP * P * K : 0); // U_e[p][q][a], p ≤ q ≤ a, at ((pP + q)P + a)K + e
  const rho = new Float64Array(K),
    t = new Float64Array(K),
    quad = new Float64Array(pairs);
  const cF = 16 * im4 * k.F,
    cG = 16 * im4 * k.G,
    g2 = gam * gam;
  for (let i = 0; i < M; i++) {
    const begin = nzStart[i],
      end = nzStart[i + 1],
      ro = i * K,
      si = s[i],
      l = labels[i];
    rho.fill(0);
    for (let j = begin; j < end; j++) for (let c = 0; c < K; c++) rho[c] += rbar[c * P + idx[j]] * val[j];
    for (let c = 0; c < K; c++) t[c] = si * r[ro + c] - rho[c];
    if (k.F !== 0) {
      // x_iᵀ R⁰_{cd} x_i for every pair
      quad.fill(0);
      for (let a = begin; a < end; a++) {
        const va = val[a],
          row = idx[a] * P;
        for (let b = a; b < end; b++) {
          const x2 = (a === b ? 1 : 2) * va * val[b],
            o = (row + idx[b]) * pairs;
          for (let q = 0; q < pairs; q++) quad[q] += x2 * acc0[o + q];
        }
      }
    }
    const s2 = si * si;
    for (let c = 0, q = 0; c < K; c++) {
      const rc = r[ro + c],
        tc = t[c];
      for (let e = c; e < K; e++, q++) {
        const re = r[ro + e],
          te = t[e];
        let v =
          k.a1 * zeta * gam * ((l === c ? rho[e] : 0) + (l === e ? rho[c] : 0)) +
          k.BB * g2 * s2 * rc * re +
          k.CC * g2 * tc * te +
          k.BC * g2 * si * (rc * te + tc * re) -
          (cF + cG) * s2 * rc * re;
        if (k.F !== 0) v += cF * quad[q];
        if (c === e && l === c) v += k.ZZ * zeta * zeta;
        w[q] = v;
      }
    }
    for (let c = 0; c < K; c++) {
      const rc = r[ro + c];
      for (let e = 0; e < K; e++)
        w[pairs + c * K + e] =
          -M * (k.a1 * zeta * gam * (l === e ? rc : 0) + k.BB * g2 * si * rc * r[ro + e] + k.BC * g2 * rc * t[e]);
    }
    accumulatePairs(acc, W, w, idx, val, begin, end, P);
    if (k.G !== 0)
      for (let a = begin; a < end; a++) {
        const va = val[a],
          pa = idx[a];
        for (let b = a; b < end; b++) {
          const x2 = va * val[b],
            pb = (pa * P + idx[b]) * P;
          for (let e3 = b; e3 < end; e3++) {
            const x3 = x2 * val[e3],
              o = (pb + idx[e3]) * K;
            for (let e = 0; e < K; e++) U[o + e] += x3 * r[ro + e];
          }
        }
      }
  }

  // Assembly of 2D̂/η⁴, block by block.
  const full = (src: Float64Array, stride: number, q: number) => {
    const B = new Float64Array(PP);
    for (let p = 0; p < P; p++)
      for (let p2 = p; p2 < P; p2++) B[p * P + p2] = B[p2 * P + p] = src[(p * P + p2) * stride + q];
    return B;
  };
  const addBlock = (c: number, e: number, B: Float64Array, transposed: boolean) => {
    for (let p = 0; p < P; p++) {
      const row = (c * P + p) * N + e * P;
      for (let q = 0; q < P; q++) D[row + q] += transposed ? B[q * P + p] : B[p * P + q];
    }
  };
  for (let c = 0; c < K; c++)
    for (let e = c; e < K; e++) {
      const q = pairOf[c * K + e];
      const B = full(acc, W, q);
      if (k.BB !== 0) {
        const sr0s = matMul(matMul(S, full(acc0, pairs, q), P), S, P),
          f = k.BB * g2 * M * M;
        for (let x = 0; x < PP; x++) B[x] += f * sr0s[x];
      }
      addBlock(c, e, B, false);
      if (e !== c) addBlock(e, c, B, true);
    }
  for (let c = 0; c < K; c++)
    for (let e = 0; e < K; e++) {
      const sphi = matMul(S, full(acc, W, pairs + c * K + e), P); // S R^φ_{ce}: into block (c,e), its transpose into (e,c)
      addBlock(c, e, sphi, false);
      addBlock(e, c, sphi, true);
    }
  // Rank one: b₀ z zᵀ, z = ζ Σ_i e_{y_i} ⊗ x_i; a₆ T Tᵀ, T = −γ(M R̄S − Σ_i s_i r_i x_iᵀ).
  if (k.z !== 0 || k.T !== 0) {
    const rs = rowsTimes(S, rbar, K, P);
    const z = xy.map((v) => zeta * v),
      T = rs.map((v, a) => -gam * (M * v - sr[a]));
    for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) D[a * N + b] += k.z * z[a] * z[b] + k.T * T[a] * T[b];
  }
  // G's double sum: G_{(c,a),(d,b)} += 16m⁻⁴ Σ_{pq} U_d[pqa] U_c[pqb], over p ≤ q with weight 2 − δ_pq.
  if (k.G !== 0) {
    const cols = pairsCount(P),
      Um = new Float64Array(N * cols); // row (e, a), column (p ≤ q)
    const sorted = (x: number, y: number, z: number) => {
      const lo = Math.min(x, y, z),
        hi = Math.max(x, y, z);
      return ((lo * P + (x + y + z - lo - hi)) * P + hi) * K;
    };
    for (let p = 0, col = 0; p < P; p++)
      for (let q = p; q < P; q++, col++) {
        const f = p === q ? 1 : Math.SQRT2;
        for (let a = 0; a < P; a++) {
          const o = sorted(p, q, a);
          for (let e = 0; e < K; e++) Um[(e * P + a) * cols + col] = f * U[o + e];
        }
      }
    for (let x = 0; x < N; x++) {
      const c = Math.floor(x / P),
        b = x % P; // Um row x = (c, b)
      for (let y = x; y < N; y++) {
        let dot = 0;
        const ox = x * cols,
          oy = y * cols;
        for (let col = 0; col < cols; col++) dot += Um[ox + col] * Um[oy + col];
        const dd = Math.floor(y / P),
          a = y % P; // Um row y = (d, a): (UUᵀ)[(d,a),(c,b)] → G[(c,a),(d,b)] and, by symmetry, G[(d,b),(c,a)]
        const v = cG * dot;
        D[(c * P + a) * N + dd * P + b] += v;
        if (y !== x) D[(dd * P + b) * N + c * P + a] += v;
      }
    }
  }
  const half = 0.5 * eta ** 4;
  for (let x = 0; x < N * N; x++) D[x] *= half;
  return symmetrize(D, N);
}

const pairsCount = (P: number) => (P * (P + 1)) / 2;

/** acc[(p·P + q)·W + k] += w[k]·x_p x_q for the nonzero pixels p ≤ q of one sample (contiguous runs of W). */
function accumulatePairs(
  acc: Float64Array,
  W: number,
  w: Float64Array,
  idx: Uint8Array,
  val: Float64Array,
  begin: number,
  end: number,
  P: number,
): void {
  for (let a = begin; a < end; a++) {
    const va = val[a],
      row = idx[a] * P;
    for (let b = a; b < end; b++) {
      const x2 = va * val[b],
        o = (row + idx[b]) * W;
      for (let k = 0; k < W; k++) acc[o + k] += w[k] * x2;
    }
  }
}

/** Block (c, e) (P×P) of an N×N row-major matrix, and its inverse. */
function getBlock(x: Float64Array, N: number, P: number, c: number, e: number): Float64Array {
  const out = new Float64Array(P * P);
  for (let p = 0; p < P; p++) out.set(x.subarray((c * P + p) * N + e * P, (c * P + p) * N + e * P + P), p * P);
  return out;
}
function setBlock(x: Float64Array, N: number, P: number, c: number, e: number, b: Float64Array): void {
  for (let p = 0; p < P; p++) x.set(b.subarray(p * P, p * P + P), (c * P + p) * N + e * P);
}

/** The kernel's WorTheory, plus the P×P block of Ĥ = I_K ⊗ Â and its eigen-decomposition. */
export interface BlockWorTheory extends WorTheory {
  block: {
    /** Â (P×P), Ĥ = I_K ⊗ Â. */
    hessian: Float64Array;
    /** Eigenvalues â_α of Â, ascending (each is K-fold in Ĥ, eigenvectors e_c ⊗ o_α). */
    values: Float64Array;
    /** O (P×P, row-major), column α the unit eigenvector o_α of â_α. */
    vectors: Float64Array;
  };
}

/**
 * The kernel's worTheory for this landscape (004 §3.2, App. B–C): θ̂₀ = argmin 𝓛̂ from θ₀, Ĥ = ∇²𝓛̂ = I_K ⊗ Â (or nH),
 * D̂ = D̂(θ̂₀) per options, and the Lyapunov equation with time in epochs, ĤΣ + ΣĤ = 2η⁻¹D̂ (Eq. 21 with 𝓛̂, D̂, τ),
 * solved block by block in Â's eigenbasis: Σ_ce = OΔOᵀ, Δ_αβ = 2(OᵀD̂_ce O)_αβ / (η(â_α + â_β)) (Eq. 22–23), or
 * / (η(â_α + â_β) − η²â_αâ_β) for `time: 'discrete'`; Ĉ = ½η(ĤΣ − ΣĤ) (Eq. 25), block (c,e) = ½η(ÂΣ_ce − Σ_ceÂ).
 */
export function blockWorTheory(
  d: LinearSamples,
  theta0: Float64Array,
  eta: number,
  batchSize: number,
  opts: WorTheoryOptions = {},
): BlockWorTheory {
  const { K, P, lambda } = d,
    M = d.samples.m,
    N = K * P,
    PP = P * P;
  const n = epochSize(M, batchSize, 'worTheory');
  const min = blockEffectiveMinimum(d, theta0, eta, batchSize);
  const { S, Q } = samplePass(d, min.theta);
  const Ahat = effectiveBlock(S, Q, P, lambda, M, n, eta, opts.hessian ?? 'effective');
  const diffusion = blockDiffusionWOR(d, min.theta, eta, batchSize, {
    diffusion: opts.diffusion,
    moments: opts.moments,
  });
  const { values, vectors: O } = symmetricEigen(Ahat, P);
  if (!(values[0] > 0)) throw new Error(`worTheory: Ĥ is not positive definite (smallest eigenvalue ${values[0]})`);
  const Ot = transpose(O, P),
    discrete = opts.time === 'discrete';
  const scale = new Float64Array(PP);
  for (let a = 0; a < P; a++)
    for (let b = 0; b < P; b++) {
      const ha = values[a],
        hb = values[b];
      const den = discrete ? eta * (ha + hb) - eta * eta * ha * hb : eta * (ha + hb);
      if (!(den > 0)) throw new Error('worTheory: the linearised epoch map is unstable (η·ĥ ≥ 2)');
      scale[a * P + b] = 2 / den;
    }
  const raw = new Float64Array(N * N);
  for (let c = 0; c < K; c++)
    for (let e = c; e < K; e++) {
      const delta = matMul(matMul(Ot, getBlock(diffusion, N, P, c, e), P), O, P);
      for (let x = 0; x < PP; x++) delta[x] *= scale[x];
      const sb = matMul(matMul(O, delta, P), Ot, P);
      setBlock(raw, N, P, c, e, sb);
      if (e !== c) setBlock(raw, N, P, e, c, transpose(sb, P));
    }
  const sigma = symmetrize(raw, N);
  const hessian = new Float64Array(N * N),
    circ = new Float64Array(N * N);
  for (let c = 0; c < K; c++) {
    setBlock(hessian, N, P, c, c, Ahat);
    for (let e = 0; e < K; e++) {
      const sb = getBlock(sigma, N, P, c, e),
        as = matMul(Ahat, sb, P),
        sa = matMul(sb, Ahat, P);
      for (let x = 0; x < PP; x++) as[x] = 0.5 * eta * (as[x] - sa[x]);
      setBlock(circ, N, P, c, e, as);
    }
  }
  const eigenvalues = new Float64Array(N);
  for (let x = 0; x < N; x++) eigenvalues[x] = values[Math.floor(x / K)]; // each â_α K times, ascending
  return {
    effectiveMinimum: min,
    hessian,
    diffusion,
    sigma,
    circulation: circ,
    eigenvalues,
    block: { hessian: Ahat, values, vectors: O },
  };
}

/** `blockWorTheory` on a configured mnist-linear landscape (its M images, λ): e.g. η = 1e-4, m = 100 at M = 60000. */
export function mnistWorTheory(
  l: MnistLinear,
  theta0: Float64Array,
  eta: number,
  batchSize: number,
  opts: WorTheoryOptions = {},
): BlockWorTheory {
  return blockWorTheory(mnistLinearSamples(l), theta0, eta, batchSize, opts);
}
