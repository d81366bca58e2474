// Synthetic trajectories for the tests: seeded, float64, plain arrays (trajectories[c][k][α], k = 0 the initial state).
import { Xoshiro128 } from '@nesslab/kernel';

/** Lower-triangular L with L Lᵀ = S (S symmetric positive definite, row-major number[][]). */
export function cholesky(S: readonly (readonly number[])[]): number[][] {
  const n = S.length;
  const L = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = S[i][j];
      for (let k = 0; k < j; k++) s -= L[i][k] * L[j][k];
      L[i][j] = i === j ? Math.sqrt(s) : s / L[j][j];
    }
  }
  return L;
}

const mulVec = (M: readonly (readonly number[])[], x: readonly number[]): number[] =>
  M.map((row) => row.reduce((s, m, j) => s + m * x[j], 0));

/**
 * A linear Gaussian process θ_{k+1} = F θ_k + L z_k, z ~ N(0, I), per chain from its own seeded stream
 * (chain c uses seed + c), starting at `start`. With F = I − ηH it is SGD on a quadratic with constant noise.
 */
export function linearProcess(opts: {
  F: readonly (readonly number[])[];
  noiseCovariance: readonly (readonly number[])[];
  chains: number;
  steps: number;
  seed: number;
  start?: readonly number[];
}): number[][][] {
  const n = opts.F.length,
    L = cholesky(opts.noiseCovariance);
  return Array.from({ length: opts.chains }, (_, c) => {
    const rng = Xoshiro128.fromSeed(opts.seed + c);
    let x = opts.start ? [...opts.start] : new Array<number>(n).fill(0);
    const tr = [x];
    for (let k = 0; k < opts.steps; k++) {
      const z = Array.from({ length: n }, () => rng.nextNormal());
      const noise = mulVec(L, z);
      x = mulVec(opts.F, x).map((v, i) => v + noise[i]);
      tr.push(x);
    }
    return tr;
  });
}

/** Stationary covariance of θ' = Fθ + ξ, ξ ~ N(0, Q): Σ = FΣFᵀ + Q, by doubling (Smith's iteration), float64. */
export function stationaryCovariance(F: readonly (readonly number[])[], Q: readonly (readonly number[])[]): number[][] {
  const n = F.length;
  const mul = (A: readonly (readonly number[])[], B: readonly (readonly number[])[]) =>
    A.map((row) => Array.from({ length: n }, (_, j) => row.reduce((s, a, k) => s + a * B[k][j], 0)));
  const T = (A: readonly (readonly number[])[]) => A.map((_, i) => A.map((row) => row[i]));
  let S = Q.map((r) => [...r]);
  let A = F.map((r) => [...r]);
  for (let i = 0; i < 60; i++) {
    const ASAt = mul(mul(A, S), T(A));
    S = S.map((row, a) => row.map((v, b) => v + ASAt[a][b]));
    A = mul(A, A);
  }
  return S;
}
