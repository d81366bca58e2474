/** Entries of the packed upper triangle (a ≤ b) of an n×n symmetric matrix, row-major: (0,0) (0,1) … (0,n−1) (1,1) … */
export const packedSize = (n: number): number => (n * (n + 1)) / 2;

/**
 * Welford's running mean and co-moment for a group of chains, float64, each chain on its own:
 * count[c], mean[c·N + α], m2[c·T + k] with T = N(N+1)/2 packed upper triangle, M2 = Σ (x − x̄)(x − x̄)ᵀ.
 * One state at a time, in step order; allocates nothing after construction.
 */
export class ChainWelford {
  readonly count: Float64Array;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  private readonly before: Float64Array;
  private readonly after: Float64Array;

  constructor(readonly dim: number, readonly chains: number) {
    this.count = new Float64Array(chains);
    this.mean = new Float64Array(chains * dim);
    this.m2 = new Float64Array(chains * packedSize(dim));
    this.before = new Float64Array(dim);
    this.after = new Float64Array(dim);
  }

  /** Adds the state x[at … at+N) to chain c: x̄ += (x − x̄)/n, M2 += (x − x̄_old)(x − x̄_new)ᵀ. */
  add(c: number, x: Float64Array, at: number): void {
    const n = this.dim, mean = this.mean, m2 = this.m2, d = this.before, e = this.after;
    const k = ++this.count[c];
    const mo = c * n;
    for (let a = 0; a < n; a++) {
      const xa = x[at + a];
      const da = xa - mean[mo + a];
      const ma = mean[mo + a] + da / k;
      mean[mo + a] = ma;
      d[a] = da;
      e[a] = xa - ma;
    }
    let p = c * packedSize(n);
    for (let a = 0; a < n; a++) {
      const da = d[a];
      for (let b = a; b < n; b++) m2[p++] += da * e[b];
    }
  }
}

/**
 * Chan, Golub & LeVeque's pairwise merge: folds (nB, x̄B, M2B) into (nA, x̄A, M2A), in place in the A arrays.
 * Returns the merged count. x̄ = x̄A + δ·nB/n, M2 = M2A + M2B + δδᵀ·nA·nB/n, δ = x̄B − x̄A.
 */
export function chanMerge(
  dim: number,
  nA: number, meanA: Float64Array, m2A: Float64Array,
  nB: number, meanB: Float64Array, bMean: number, m2B: Float64Array, bM2: number,
  delta: Float64Array,
): number {
  if (nB === 0) return nA;
  const n = nA + nB;
  if (nA === 0) {
    for (let a = 0; a < dim; a++) meanA[a] = meanB[bMean + a];
    for (let k = 0, T = packedSize(dim); k < T; k++) m2A[k] = m2B[bM2 + k];
    return n;
  }
  const wB = nB / n, wAB = (nA * nB) / n;
  for (let a = 0; a < dim; a++) {
    delta[a] = meanB[bMean + a] - meanA[a];
    meanA[a] += delta[a] * wB;
  }
  let p = 0;
  for (let a = 0; a < dim; a++) {
    const da = delta[a] * wAB;
    for (let b = a; b < dim; b++, p++) m2A[p] += m2B[bM2 + p] + da * delta[b];
  }
  return n;
}
