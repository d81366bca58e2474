/**
 * Small dense float64 linear algebra on row-major n×n Float64Arrays (vectors: length n).
 * For the theory (N up to a few hundred), not the hot loop: every function allocates its result.
 */

/** a·b. */
export function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      const aik = a[i * n + k];
      if (aik === 0) continue;
      for (let j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
    }
  }
  return c;
}

/** a·x. */
export function matVec(a: Float64Array, n: number, x: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * x[j];
    y[i] = s;
  }
  return y;
}

/** aᵀ. */
export function transpose(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j];
  return t;
}

/** (a + aᵀ)/2. */
export function symmetrize(a: Float64Array, n: number): Float64Array {
  const s = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s[i * n + j] = 0.5 * (a[i * n + j] + a[j * n + i]);
  return s;
}

/** The n×n identity. */
export function identity(n: number): Float64Array {
  const e = new Float64Array(n * n);
  for (let i = 0; i < n; i++) e[i * n + i] = 1;
  return e;
}

/** Frobenius norm of a matrix, Euclidean norm of a vector. */
export function norm(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

/**
 * Eigen-decomposition of a symmetric matrix (only its upper triangle is read) by cyclic Jacobi.
 * values ascending; vectors row-major with column k the unit eigenvector of values[k]: a = V diag(values) Vᵀ.
 * A rotation is skipped once |a_pq| ≤ ε·√|a_pp a_qq| (Demmel–Veselić), which gives small eigenvalues
 * to high relative accuracy.
 */
export function symmetricEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) A[i * n + j] = A[j * n + i] = a[i * n + j];
  const W = identity(n); // Vᵀ: row k of W is eigenvector k (contiguous updates)
  const eps = Number.EPSILON;
  let sweep = 0;
  for (let rotated = true; rotated; sweep++) {
    if (sweep > 100) throw new Error(`symmetricEigen: Jacobi did not converge in 100 sweeps (n = ${n})`);
    rotated = false;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        const app = A[p * n + p];
        const aqq = A[q * n + q];
        if (apq === 0) continue;
        if (Math.abs(apq) <= eps * Math.sqrt(Math.abs(app * aqq))) {
          A[p * n + q] = A[q * n + p] = 0;
          continue;
        }
        rotated = true;
        // Rotation P (P_pp = P_qq = c, P_pq = s, P_qp = −s) with (PᵀAP)_pq = 0, the smaller angle (Numerical Recipes §11.1).
        const th = (aqq - app) / (2 * apq);
        const t = (th >= 0 ? 1 : -1) / (Math.abs(th) + Math.sqrt(th * th + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          if (k === p || k === q) continue;
          const akp = A[p * n + k], akq = A[q * n + k];
          A[k * n + p] = A[p * n + k] = c * akp - s * akq;
          A[k * n + q] = A[q * n + k] = s * akp + c * akq;
        }
        A[p * n + p] = app - t * apq;
        A[q * n + q] = aqq + t * apq;
        A[p * n + q] = A[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const wpk = W[p * n + k], wqk = W[q * n + k];
          W[p * n + k] = c * wpk - s * wqk;
          W[q * n + k] = s * wpk + c * wqk;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => A[i * n + i] - A[j * n + j]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, k) => {
    values[k] = A[src * n + src];
    for (let r = 0; r < n; r++) vectors[r * n + k] = W[src * n + r];
  });
  return { values, vectors };
}

/** Lower Cholesky factor l (a = l lᵀ) of a symmetric matrix (lower triangle read), or null if a is not positive definite. */
export function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0)) return null;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return l;
}

/** x with l lᵀ x = b, l from `cholesky`. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array): Float64Array {
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < i; k++) x[i] -= l[i * n + k] * x[k];
    x[i] /= l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) x[i] -= l[k * n + i] * x[k];
    x[i] /= l[i * n + i];
  }
  return x;
}

/** x with a x = b, by LU with partial pivoting. Throws if a is singular. */
export function solve(a: Float64Array, n: number, b: Float64Array): Float64Array {
  const lu = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(lu[i * n + k]) > Math.abs(lu[piv * n + k])) piv = i;
    if (lu[piv * n + k] === 0) throw new Error(`solve: matrix is singular (zero pivot in column ${k})`);
    if (piv !== k) {
      for (let j = 0; j < n; j++) {
        const t = lu[k * n + j]; lu[k * n + j] = lu[piv * n + j]; lu[piv * n + j] = t;
      }
      const t = x[k]; x[k] = x[piv]; x[piv] = t;
    }
    const pkk = lu[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const f = lu[i * n + k] / pkk;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) lu[i * n + j] -= f * lu[k * n + j];
      x[i] -= f * x[k];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let j = i + 1; j < n; j++) s -= lu[i * n + j] * x[j];
    x[i] = s / lu[i * n + i];
  }
  return x;
}

/** Rows as plain arrays, for JSON output. */
export function toRows(a: Float64Array, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)));
}
