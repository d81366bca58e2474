import { describe, expect, test } from 'vitest';
import { cholesky, choleskySolve, identity, matMul, matVec, norm, solve, symmetricEigen, symmetrize, toRows, transpose } from './dense.ts';

/** Seeded uniform(−½, ½) (Park–Miller), so failures reproduce. */
function uniform(seed: number): () => number {
  let s = seed;
  return () => { s = (s * 16807) % 2147483647; return s / 2147483647 - 0.5; };
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
    expect(toRows(matMul(a, b, 2), 2)).toEqual([[19, 22], [43, 50]]);
    expect(Array.from(matVec(a, 2, Float64Array.from([1, -1])))).toEqual([-1, -1]);
    expect(toRows(transpose(a, 2), 2)).toEqual([[1, 3], [2, 4]]);
    expect(toRows(symmetrize(a, 2), 2)).toEqual([[1, 2.5], [2.5, 4]]);
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
    expect(toRows(vectors, 3)).toEqual([[0, 0, 1], [1, 0, 0], [0, 1, 0]]);
  });

  test.each([[7, 7], [7, 2], [40, 40], [40, 5]])('random %i×%i (rank %i): A = VΛVᵀ and VᵀV = I', (n, rank) => {
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
    const B = [[1, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 1]];
    const a = Float64Array.from({ length: 9 }, (_, k) => s[Math.floor(k / 3)] * B[Math.floor(k / 3)][k % 3] * s[k % 3]);
    const { values } = symmetricEigen(a, 3);
    // Demmel–Veselić: each eigenvalue to ~cond(B)·ε relative (cond B ≈ 7), so the product to ~1e-14, not 1e-14·λ_max.
    expect(Math.abs((values[0] * values[1] * values[2]) / 0.5625e-30 - 1)).toBeLessThan(1e-13);
    expect(values[0]).toBeGreaterThan(0);
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
