import { describe, expect, test } from 'vitest';
import {
  centredGram,
  cholesky,
  choleskySolve,
  identity,
  matMul,
  matVec,
  norm,
  solve,
  symmetricEigen,
  symmetricEigenvalues,
  symmetrize,
  toRows,
  transpose,
} from './dense.ts';

/** Seeded uniform(−½, ½) (Park–Miller), so failures reproduce. */
function uniform(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
}
function randomMatrix(n: number, cols: number, rnd: () => number): Float64Array {
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < cols; k++) b[i * n + k] = rnd();
  return b;
}
const EPS = Number.EPSILON;

describe('basic products', () => {
  test('matMul, matVec, transpose, symmetrize, toRows on small known matrices', () => {
    const a = Float64Array.from([1, 2, 3, 4]);
    const b = Float64Array.from([5, 6, 7, 8]);
    expect(toRows(matMul(a, b, 2), 2)).toEqual([
      [19, 22],
      [43, 50],
    ]);
    expect(Array.from(matVec(a, 2, Float64Array.from([1, -1])))).toEqual([-1, -1]);
    expect(toRows(transpose(a, 2), 2)).toEqual([
      [1, 3],
      [2, 4],
    ]);
    expect(toRows(symmetrize(a, 2), 2)).toEqual([
      [1, 2.5],
      [2.5, 4],
    ]);
    expect(norm(Float64Array.from([3, 4]))).toBe(5);
  });
});

describe('symmetricEigen (cyclic Jacobi)', () => {
  test('2×2 closed form: [[2,1],[1,2]] has 1, 3 with (1,∓1)/√2', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    // One rotation with t = 1: exact up to the rounding of c = s = 1/√2 (a few ulps).
    expect(values[0]).toBeCloseTo(1, 15);
    expect(values[1]).toBeCloseTo(3, 15);
    expect(Math.abs(vectors[0 * 2 + 0] * vectors[1 * 2 + 0] + 0.5)).toBeLessThan(4 * EPS); // v₀ ∝ (1, −1)
    expect(Math.abs(vectors[0 * 2 + 1] * vectors[1 * 2 + 1] - 0.5)).toBeLessThan(4 * EPS); // v₁ ∝ (1, 1)
  });

  test('diagonal input comes back sorted and exact, eigenvectors a permutation', () => {
    const { values, vectors } = symmetricEigen(Float64Array.from([3, 0, 0, 0, -1, 0, 0, 0, 2]), 3);
    expect(Array.from(values)).toEqual([-1, 2, 3]);
    expect(toRows(vectors, 3)).toEqual([
      [0, 0, 1],
      [1, 0, 0],
      [0, 1, 0],
    ]);
  });

  test.each([
    [7, 7],
    [7, 2],
    [40, 40],
    [40, 5],
  ])('random %i×%i (rank %i): A = VΛVᵀ and VᵀV = I', (n, rank) => {
    const b = randomMatrix(n, rank, uniform(11 + n + rank));
    const a = matMul(b, transpose(b, n), n);
    for (let i = 0; i < n; i++) a[i * n + i] -= 0.1; // indefinite too
    const { values, vectors } = symmetricEigen(a, n);
    for (let k = 1; k < n; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
    const lam = new Float64Array(n * n);
    for (let k = 0; k < n; k++) lam[k * n + k] = values[k];
    const resid = matMul(matMul(vectors, lam, n), transpose(vectors, n), n).map((v, i) => v - a[i]);
    const orth = matMul(transpose(vectors, n), vectors, n).map((v, i) => v - identity(n)[i]);
    // Jacobi is backward stable: errors of a few n·ε relative (the n-term products in the check add as much again).
    expect(norm(resid) / norm(a)).toBeLessThan(10 * n * EPS);
    expect(norm(orth)).toBeLessThan(10 * n * EPS);
  });

  test('graded matrix: tiny eigenvalues to high relative accuracy (product = det)', () => {
    // A = S B S, S = diag(1, 1e-5, 1e-10), B well conditioned: det A = det B · ∏ s² = 0.5625e-30, eigenvalues spanning 1e-20.
    const s = [1, 1e-5, 1e-10];
    const B = [
      [1, 0.5, 0.25],
      [0.5, 1, 0.5],
      [0.25, 0.5, 1],
    ];
    const a = Float64Array.from({ length: 9 }, (_, k) => s[Math.floor(k / 3)] * B[Math.floor(k / 3)][k % 3] * s[k % 3]);
    const { values } = symmetricEigen(a, 3);
    // Demmel–Veselić: each eigenvalue to ~cond(B)·ε relative (cond B ≈ 7), so the product to ~1e-14, not 1e-14·λ_max.
    expect(Math.abs((values[0] * values[1] * values[2]) / 0.5625e-30 - 1)).toBeLessThan(1e-13);
    expect(values[0]).toBeGreaterThan(0);
  });
});

describe('symmetricEigenvalues (Householder + implicit QL)', () => {
  /** Random symmetric n×n with entries uniform(−½, ½); the lower triangle filled with garbage (only the upper is read). */
  const randomSymmetric = (n: number, seed: number) => {
    const rnd = uniform(seed),
      a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = i; j < n; j++) a[i * n + j] = rnd();
    for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = 1e3 * rnd();
    return a;
  };
  const maxAbs = (v: ArrayLike<number>) => Array.from(v).reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  const maxDiff = (u: ArrayLike<number>, v: ArrayLike<number>) =>
    Array.from(u).reduce((m, x, k) => Math.max(m, Math.abs(x - v[k])), 0);
  /** Q Λ Qᵀ with Q orthogonal (Jacobi's eigenvectors of a random matrix). */
  const withSpectrum = (lambda: number[], seed: number) => {
    const n = lambda.length,
      q = symmetricEigen(randomSymmetric(n, seed), n).vectors,
      l = new Float64Array(n * n);
    lambda.forEach((v, k) => (l[k * n + k] = v));
    return symmetrize(matMul(matMul(q, l, n), transpose(q, n), n), n);
  };

  test.each([1, 2, 3, 10, 57, 130])(
    'random n = %i: agrees with Jacobi to 1e-12·max|λ|, ascending, the input untouched',
    (n) => {
      const a = randomSymmetric(n, 100 + n),
        copy = Float64Array.from(a);
      const values = symmetricEigenvalues(a, n),
        jacobi = symmetricEigen(a, n).values;
      expect(a).toEqual(copy);
      for (let k = 1; k < n; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
      // Both are backward stable (Weyl: |Δλ| ≤ ‖ΔA‖ ≈ a few n·ε·‖A‖ ≤ 1e-13·max|λ| for n ≤ 130): 1e-12 is the agreement we need.
      expect(maxDiff(values, jacobi)).toBeLessThan(1e-12 * maxAbs(jacobi));
    },
  );

  test('degenerate spectrum Q diag(−1, 1, 1, 1, 2, 2, 5, 5, 5, 5) Qᵀ: the multiple eigenvalues come back', () => {
    const lambda = [-1, 1, 1, 1, 2, 2, 5, 5, 5, 5];
    // Building the matrix costs a few ε·n·5 of round-off, the solve as much again: 1e-13 is 500× ε·max|λ|.
    expect(maxDiff(symmetricEigenvalues(withSpectrum(lambda, 7), 10), lambda)).toBeLessThan(1e-13);
  });

  test('rank-deficient PSD GᵀG (G 6×40): 34 zeros within n·ε·λ_max, the 6 others as Jacobi has them', () => {
    const n = 40,
      k = 6,
      rnd = uniform(21),
      g = Float64Array.from({ length: k * n }, rnd),
      a = new Float64Array(n * n);
    for (let i = 0; i < k; i++)
      for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) a[p * n + q] += g[i * n + p] * g[i * n + q];
    const values = symmetricEigenvalues(a, n),
      jacobi = symmetricEigen(a, n).values,
      lmax = values[n - 1];
    // Exact zeros come out as round-off of the reduction, ~ε·‖A‖ each: the rank threshold n·ε·λ_max must clear them.
    for (let p = 0; p < n - k; p++) expect(Math.abs(values[p])).toBeLessThan(n * EPS * lmax);
    for (let p = n - k; p < n; p++) expect(values[p]).toBeGreaterThan(1e-3 * lmax);
    expect(maxDiff(values, jacobi)).toBeLessThan(1e-12 * lmax); // as in the random case
  });

  test("rank 20 of 160, graded over 60 decades, 5 zero rows (a net's D: dead inputs, gradients of all sizes): no QL stall", () => {
    // Relative deflation alone needed > 60 QL iterations for one eigenvalue here (round-off "zeros" never converge relatively).
    const n = 160,
      k = 20,
      rnd = uniform(1200),
      a = new Float64Array(n * n);
    const g = Float64Array.from({ length: k * n }, (_, x) => (x % n < 5 ? 0 : rnd() * 10 ** ((-60 * (x % n)) / n)));
    for (let i = 0; i < k; i++)
      for (let p = 0; p < n; p++) for (let q = 0; q < n; q++) a[p * n + q] += g[i * n + p] * g[i * n + q];
    const values = symmetricEigenvalues(a, n),
      jacobi = symmetricEigen(a, n).values;
    expect(maxDiff(values, jacobi)).toBeLessThan(1e-12 * jacobi[n - 1]); // absolute accuracy, as in the random case
  });

  test('diagonal input: its entries, sorted and exact; the zero matrix: zeros; n = 0: empty', () => {
    expect(Array.from(symmetricEigenvalues(Float64Array.from([3, 0, 0, 0, -1, 0, 0, 0, 2]), 3))).toEqual([-1, 2, 3]);
    expect(Array.from(symmetricEigenvalues(new Float64Array(16), 4))).toEqual([0, 0, 0, 0]);
    expect(symmetricEigenvalues(new Float64Array(0), 0)).toHaveLength(0);
    expect(() => symmetricEigenvalues(Float64Array.from([1, NaN, NaN, 1]), 2)).toThrow(
      'symmetricEigenvalues: the matrix has a non-finite entry',
    );
  });

  test.each([2, 50, 300])('tridiagonal [−1, 2, −1], n = %i: λ_k = 2 − 2cos(kπ/(n+1))', (n) => {
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      a[i * n + i] = 2;
      if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = -1;
    }
    const exact = Array.from({ length: n }, (_, k) => 2 - 2 * Math.cos(((k + 1) * Math.PI) / (n + 1)));
    // Already tridiagonal: only QL's round-off, a few ε·‖A‖ = a few ε·4 per eigenvalue; 100·ε·4 leaves room.
    expect(maxDiff(symmetricEigenvalues(a, n), exact)).toBeLessThan(400 * EPS);
  });
});

describe('centredGram', () => {
  test.each([
    [300, 13, true],
    [5, 4, false],
    [129, 1, true],
  ])('%i rows × %i columns (centred: %s) equals the row-by-row sum Σ_i u_i u_iᵀ to round-off', (rows, n, centred) => {
    const rnd = uniform(rows + n),
      g = Float64Array.from({ length: rows * n }, () => rnd() + 3);
    const c = centred ? Float64Array.from({ length: n }, (_, a) => 3 + 0.01 * a) : undefined;
    const naive = new Float64Array(n * n),
      u = new Float64Array(n);
    for (let i = 0; i < rows; i++) {
      for (let a = 0; a < n; a++) u[a] = g[i * n + a] - (c ? c[a] : 0);
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) naive[a * n + b] += u[a] * u[b];
    }
    const gram = centredGram(g, rows, n, c);
    // Sums of ≤ 300 terms in another order: each entry within rows·ε·Σ|u_a u_b| ≤ rows·ε·max|naive diagonal|·(a few).
    const scale = Math.max(...Array.from({ length: n }, (_, a) => naive[a * n + a]));
    for (let k = 0; k < n * n; k++) expect(Math.abs(gram[k] - naive[k])).toBeLessThan(rows * EPS * scale);
    expect(gram).toEqual(transpose(gram, n)); // mirrored: exactly symmetric
  });
});

describe('solvers', () => {
  test('cholesky: solves SPD systems; null for indefinite or singular', () => {
    const n = 9;
    const b = randomMatrix(n, n, uniform(5));
    const a = matMul(b, transpose(b, n), n);
    for (let i = 0; i < n; i++) a[i * n + i] += 1;
    const rhs = Float64Array.from({ length: n }, (_, i) => i - 4);
    const x = choleskySolve(cholesky(a, n)!, n, rhs);
    // cond(a) is modest (≲ 10): backward error ≈ n·ε relative.
    expect(norm(matVec(a, n, x).map((v, i) => v - rhs[i])) / norm(rhs)).toBeLessThan(1e-13);
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2)).toBeNull();
    expect(cholesky(Float64Array.from([1, 0, 0, 0]), 2)).toBeNull();
  });

  test('LU solve with partial pivoting: needs a row swap; residual; singular throws', () => {
    expect(Array.from(solve(Float64Array.from([0, 1, 1, 0]), 2, Float64Array.from([2, 3])))).toEqual([3, 2]);
    const n = 12;
    const a = randomMatrix(n, n, uniform(9));
    const rhs = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    const x = solve(a, n, rhs);
    // Partial pivoting is backward stable: residual ≈ n·ε·|a||x|.
    expect(norm(matVec(a, n, x).map((v, i) => v - rhs[i]))).toBeLessThan(100 * n * EPS * norm(a) * norm(x));
    expect(() => solve(Float64Array.from([1, 2, 2, 4]), 2, Float64Array.from([1, 1]))).toThrow(/singular/);
  });
});
