/**
 * Fast paths of the kernel's WR NESS theory (theory/ness.ts) for the linear MNIST landscape, exploiting
 *   ∇ℓ_i = −2 r_i ⊗ x_i  (sparse x_i)  and  H = I_K ⊗ A,  A = 2S + 2λI (49×49).
 * Same formulas and results (to round-off) as diffusionWR / nessTheory of @nesslab/kernel, which at M = 60000 take
 * ~23 s and 235 MB (the M×N sample gradients) against ~2 s here (2 shared cores).
 */
import { matMul, symmetricEigen, symmetrize, transpose, type NessTheory } from '@nesslab/kernel';

/** The samples as sparse rows (mnist.ts sparseRows) with their labels: x_i ∈ R^P, one-hot y_i ∈ R^K. */
export interface SparseSamples {
  m: number;
  labels: Uint8Array;
  nzStart: Int32Array;
  nzIndex: Uint8Array;
  nzValue: Float64Array;
}

/**
 * D₀ = η²(n−1)/(2(M−1)) [M V Vᵀ − ∇L∇Lᵀ] (004 Eq. 14), n = M/m, as the kernel's diffusionWR, from
 * Σ_i g_i g_iᵀ = 4 Σ_i (r_i r_iᵀ) ⊗ (x_i x_iᵀ): for each pair of nonzero pixels p ≤ q of x_i, the 55 class pairs c ≤ d.
 */
export function blockDiffusionWR(
  s: SparseSamples,
  theta: Float64Array,
  K: number,
  P: number,
  eta: number,
  batchSize: number,
): Float64Array {
  const M = s.m,
    m = batchSize,
    N = K * P;
  if (!(m >= 1 && m <= M)) throw new Error(`diffusionWR: batch size m = ${m} must lie in [1, M = ${M}]`);
  const d = new Float64Array(N * N);
  if (m === M) return d; // full batch: no noise
  const pairs = (K * (K + 1)) / 2,
    PP = P * P;
  const pairOf = new Int32Array(K * K); // pair index of (min(c,d), max(c,d))
  for (let c = 0, k = 0; c < K; c++) for (let e = c; e < K; e++, k++) pairOf[c * K + e] = pairOf[e * K + c] = k;
  const acc = new Float64Array(PP * pairs); // acc[(pP + q)·pairs + pair(c,d)] = Σ_i r_ic r_id x_ip x_iq, p ≤ q
  const gsum = new Float64Array(N); // Σ_i r_i ⊗ x_i = −(M/2) ∇L
  const r = new Float64Array(K),
    w = new Float64Array(pairs);
  const { labels, nzStart, nzIndex: idx, nzValue: val } = s;
  for (let i = 0; i < M; i++) {
    const begin = nzStart[i],
      end = nzStart[i + 1];
    r.fill(0);
    for (let j = begin; j < end; j++) for (let c = 0; c < K; c++) r[c] -= theta[c * P + idx[j]] * val[j];
    r[labels[i]] += 1;
    for (let c = 0, k = 0; c < K; c++) {
      for (let j = begin; j < end; j++) gsum[c * P + idx[j]] += r[c] * val[j];
      for (let e = c; e < K; e++, k++) w[k] = r[c] * r[e];
    }
    // One contiguous run of `pairs` accumulators per pixel pair (p, q): x_ip x_iq times every r_ic r_id.
    for (let a = begin; a < end; a++) {
      const va = val[a],
        row = idx[a] * P;
      for (let b = a; b < end; b++) {
        const x2 = va * val[b],
          o = (row + idx[b]) * pairs;
        for (let k = 0; k < pairs; k++) acc[o + k] += w[k] * x2;
      }
    }
  }
  // d = pre (Σ g gᵀ − M ḡ ḡᵀ), ḡ = −(2/M) gsum; Σ g gᵀ block (c,e)[p][q] = 4 acc[min(p,q), max(p,q)][pair(c,e)].
  const pre = (eta * eta * ((M - m) / m)) / (2 * (M - 1) * M);
  for (let c = 0; c < K; c++) {
    for (let e = 0; e < K; e++) {
      const pair = pairOf[c * K + e];
      for (let p = 0; p < P; p++) {
        const a = c * P + p,
          ga = (-2 / M) * gsum[a];
        for (let q = 0; q < P; q++) {
          const b = e * P + q,
            gg = 4 * acc[(p <= q ? p * P + q : q * P + p) * pairs + pair];
          d[a * N + b] = pre * (gg - M * ga * ((-2 / M) * gsum[b]));
        }
      }
    }
  }
  return d;
}

/** Block (c, e) (P×P) of an N×N row-major matrix, or writes it back. */
const getBlock = (x: Float64Array, N: number, P: number, c: number, e: number) => {
  const out = new Float64Array(P * P);
  for (let p = 0; p < P; p++) out.set(x.subarray((c * P + p) * N + e * P, (c * P + p) * N + e * P + P), p * P);
  return out;
};
const setBlock = (x: Float64Array, N: number, P: number, c: number, e: number, b: Float64Array) => {
  for (let p = 0; p < P; p++) x.set(b.subarray(p * P, p * P + P), (c * P + p) * N + e * P);
};

/**
 * H₀, D₀, Σ and C as the kernel's nessTheory (Eq. 21–25), for H₀ = I_K ⊗ A: Σ solved block by block in A's
 * eigenbasis, Σ_ce = O Δ_ce Oᵀ, Δ_αβ = 2η⁻¹(a_α + a_β)⁻¹ (Oᵀ D_ce O)_αβ; C_ce = ½η(A Σ_ce − Σ_ce A).
 */
export function blockNessTheory(
  hessian: Float64Array,
  diffusion: Float64Array,
  K: number,
  P: number,
  eta: number,
): NessTheory {
  const N = K * P;
  const A = getBlock(hessian, N, P, 0, 0);
  const { values, vectors: O } = symmetricEigen(A, P);
  if (!(values[0] > 0)) throw new Error(`lyapunov: H is not positive definite (smallest eigenvalue ${values[0]})`);
  const Ot = transpose(O, P);
  const sigma = new Float64Array(N * N),
    circ = new Float64Array(N * N);
  for (let c = 0; c < K; c++) {
    for (let e = c; e < K; e++) {
      const delta = matMul(matMul(Ot, getBlock(diffusion, N, P, c, e), P), O, P);
      for (let a = 0; a < P; a++) for (let b = 0; b < P; b++) delta[a * P + b] *= 2 / (eta * (values[a] + values[b]));
      const s = matMul(matMul(O, delta, P), Ot, P);
      setBlock(sigma, N, P, c, e, s);
      if (e !== c) setBlock(sigma, N, P, e, c, transpose(s, P));
    }
  }
  const sym = symmetrize(sigma, N);
  for (let c = 0; c < K; c++) {
    for (let e = 0; e < K; e++) {
      const s = getBlock(sym, N, P, c, e),
        as = matMul(A, s, P),
        sa = matMul(s, A, P);
      for (let k = 0; k < P * P; k++) as[k] = 0.5 * eta * (as[k] - sa[k]);
      setBlock(circ, N, P, c, e, as);
    }
  }
  const eigenvalues = new Float64Array(N);
  for (let k = 0; k < N; k++) eigenvalues[k] = values[Math.floor(k / K)]; // each of A's eigenvalues K times, ascending
  return { hessian, diffusion, sigma: sym, circulation: circ, eigenvalues };
}
