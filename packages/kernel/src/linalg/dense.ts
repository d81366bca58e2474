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
          const akp = A[p * n + k],
            akq = A[q * n + k];
          A[k * n + p] = A[p * n + k] = c * akp - s * akq;
          A[k * n + q] = A[q * n + k] = s * akp + c * akq;
        }
        A[p * n + p] = app - t * apq;
        A[q * n + q] = aqq + t * apq;
        A[p * n + q] = A[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const wpk = W[p * n + k],
            wqk = W[q * n + k];
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

/**
 * Eigenvalues of a symmetric matrix (only its upper triangle is read), ascending, without vectors: Householder
 * tridiagonalisation (Numerical Recipes tred2, ~4n³/3 flops, the symmetric product by rows) then implicit QL with
 * Wilkinson shifts (tqli). Absolute accuracy ~ε·‖a‖ (Jacobi's `symmetricEigen` is relatively accurate but far slower).
 */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const A = new Float64Array(n * n); // lower triangle, row-major
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) A[i * n + j] = a[j * n + i];
  const d = new Float64Array(n),
    e = new Float64Array(n),
    p = new Float64Array(n);
  for (let i = n - 1; i >= 1; i--) {
    const l = i - 1,
      ri = i * n; // u = row i left of the diagonal, reflected onto e[i]·e_l
    let scale = 0;
    for (let k = 0; k <= l; k++) scale += Math.abs(A[ri + k]);
    if (l === 0 || scale === 0) {
      e[i] = A[ri + l];
      continue;
    }
    let h = 0;
    for (let k = 0; k <= l; k++) {
      A[ri + k] /= scale;
      h += A[ri + k] * A[ri + k];
    }
    const f = A[ri + l],
      g = f >= 0 ? -Math.sqrt(h) : Math.sqrt(h);
    e[i] = scale * g;
    h -= f * g;
    A[ri + l] = f - g;
    p.fill(0, 0, i); // p = A u / h, the lower triangle read by rows
    for (let j = 0; j <= l; j++) {
      const rj = j * n,
        uj = A[ri + j];
      let s = 0;
      for (let k = 0; k < j; k++) {
        const ajk = A[rj + k];
        s += ajk * A[ri + k];
        p[k] += ajk * uj;
      }
      p[j] += s + A[rj + j] * uj;
    }
    let pu = 0;
    for (let j = 0; j <= l; j++) pu += (p[j] /= h) * A[ri + j];
    const hh = pu / (h + h);
    for (let j = 0; j <= l; j++) p[j] -= hh * A[ri + j]; // q = p − K u
    for (let j = 0; j <= l; j++) {
      const uj = A[ri + j],
        qj = p[j],
        rj = j * n;
      for (let k = 0; k <= j; k++) A[rj + k] -= uj * p[k] + qj * A[ri + k]; // A − u qᵀ − q uᵀ
    }
  }
  for (let i = 0; i < n; i++) d[i] = A[i * n + i];
  for (let i = 1; i < n; i++) e[i - 1] = e[i]; // e[i]: the coupling of i and i + 1
  if (n > 0) e[n - 1] = 0;
  let tnorm = 0; // ‖T‖_∞
  for (let i = 0; i < n; i++)
    tnorm = Math.max(tnorm, Math.abs(d[i]) + Math.abs(e[i]) + (i > 0 ? Math.abs(e[i - 1]) : 0));
  if (!Number.isFinite(tnorm)) throw new Error(`symmetricEigenvalues: the matrix has a non-finite entry (n = ${n})`);
  // e_m is negligible if small next to its diagonal neighbours or below ε‖T‖ (absolute accuracy is all we promise): without
  // the floor, QL stalls on the round-off "zeros" of a rank-deficient matrix (D of a net: 80+ iterations for one eigenvalue).
  const floor = Number.EPSILON * tnorm;
  for (let l = 0, iterations = 0; l < n; l++) {
    for (;;) {
      let m = l;
      for (; m < n - 1; m++)
        if (Math.abs(e[m]) <= Math.max(floor, Number.EPSILON * (Math.abs(d[m]) + Math.abs(d[m + 1])))) break;
      if (m === l) break;
      if (++iterations > 30 * n)
        throw new Error(`symmetricEigenvalues: QL did not converge in 30n iterations (n = ${n}, index ${l})`);
      let g = (d[l + 1] - d[l]) / (2 * e[l]),
        r = Math.hypot(g, 1);
      g = d[m] - d[l] + e[l] / (g + (g >= 0 ? r : -r)); // Wilkinson shift
      let s = 1,
        c = 1,
        shift = 0,
        split = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * e[i],
          b = c * e[i];
        e[i + 1] = r = Math.hypot(f, g);
        if (r === 0) {
          // the matrix splits here: restart on the smaller block
          d[i + 1] -= shift;
          e[m] = 0;
          split = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1] - shift;
        r = (d[i] - g) * s + 2 * c * b;
        shift = s * r;
        d[i + 1] = g + shift;
        g = c * r - b;
      }
      if (split) continue;
      d[l] -= shift;
      e[l] = g;
      e[m] = 0;
    }
  }
  return d.sort();
}

/** Rows of g packed per panel in `centredGram`: 128 rows × N ≤ 1024 columns = 1 MiB, within L2. */
const GRAM_PANEL_ROWS = 128;

/**
 * Σ_i (g_i − c)(g_i − c)ᵀ over the rows g_i of the rows×n matrix g (c: a length-n centre, zero if absent), n×n.
 * Cache-friendly: panels of rows packed transposed, 4×4 register tiles over the upper triangle, then mirrored; each
 * entry is Σ over the panel's rows added panel by panel (the same sum as row by row, up to round-off).
 */
export function centredGram(g: Float64Array, rows: number, n: number, centre?: Float64Array): Float64Array {
  const R = GRAM_PANEL_ROWS,
    n4 = Math.ceil(n / 4) * 4; // padded to whole tiles: the pad rows of the panel stay 0
  const panel = new Float64Array(n4 * R),
    acc = new Float64Array(n4 * n4);
  for (let i0 = 0; i0 < rows; i0 += R) {
    const r1 = Math.min(R, rows - i0);
    for (let r = 0; r < r1; r++) {
      const row = (i0 + r) * n;
      for (let a = 0; a < n; a++) panel[a * R + r] = g[row + a] - (centre ? centre[a] : 0);
    }
    for (let a0 = 0; a0 < n4; a0 += 4) {
      const p0 = a0 * R,
        p1 = p0 + R,
        p2 = p1 + R,
        p3 = p2 + R;
      for (let b0 = a0; b0 < n4; b0 += 4) {
        const q0 = b0 * R,
          q1 = q0 + R,
          q2 = q1 + R,
          q3 = q2 + R;
        let s00 = 0,
          s01 = 0,
          s02 = 0,
          s03 = 0,
          s10 = 0,
          s11 = 0,
          s12 = 0,
          s13 = 0;
        let s20 = 0,
          s21 = 0,
          s22 = 0,
          s23 = 0,
          s30 = 0,
          s31 = 0,
          s32 = 0,
          s33 = 0;
        for (let r = 0; r < r1; r++) {
          const x0 = panel[p0 + r],
            x1 = panel[p1 + r],
            x2 = panel[p2 + r],
            x3 = panel[p3 + r];
          const y0 = panel[q0 + r],
            y1 = panel[q1 + r],
            y2 = panel[q2 + r],
            y3 = panel[q3 + r];
          s00 += x0 * y0;
          s01 += x0 * y1;
          s02 += x0 * y2;
          s03 += x0 * y3;
          s10 += x1 * y0;
          s11 += x1 * y1;
          s12 += x1 * y2;
          s13 += x1 * y3;
          s20 += x2 * y0;
          s21 += x2 * y1;
          s22 += x2 * y2;
          s23 += x2 * y3;
          s30 += x3 * y0;
          s31 += x3 * y1;
          s32 += x3 * y2;
          s33 += x3 * y3;
        }
        const t0 = a0 * n4 + b0,
          t1 = t0 + n4,
          t2 = t1 + n4,
          t3 = t2 + n4;
        acc[t0] += s00;
        acc[t0 + 1] += s01;
        acc[t0 + 2] += s02;
        acc[t0 + 3] += s03;
        acc[t1] += s10;
        acc[t1 + 1] += s11;
        acc[t1 + 2] += s12;
        acc[t1 + 3] += s13;
        acc[t2] += s20;
        acc[t2 + 1] += s21;
        acc[t2 + 2] += s22;
        acc[t2 + 3] += s23;
        acc[t3] += s30;
        acc[t3 + 1] += s31;
        acc[t3 + 2] += s32;
        acc[t3 + 3] += s33;
      }
    }
  }
  const out = new Float64Array(n * n);
  for (let a = 0; a < n; a++) for (let b = a; b < n; b++) out[a * n + b] = out[b * n + a] = acc[a * n4 + b];
  return out;
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
        const t = lu[k * n + j];
        lu[k * n + j] = lu[piv * n + j];
        lu[piv * n + j] = t;
      }
      const t = x[k];
      x[k] = x[piv];
      x[piv] = t;
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
