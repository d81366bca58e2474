import { Xoshiro128 } from '@nesslab/kernel';

/** Φ⁻¹(p), the standard normal quantile (Acklam's rational approximation, relative error < 1.2e-9), 0 < p < 1. */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = (q: number) =>
    (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
    ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  if (p < 0.02425) return tail(Math.sqrt(-2 * Math.log(p)));
  if (p > 1 - 0.02425) return -tail(Math.sqrt(-2 * Math.log(1 - p)));
  const q = p - 0.5,
    r = q * q;
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  );
}

/**
 * The M data points x_j ∈ ℝ^N (row-major M×N) of docs/science.md §7: per coordinate the Gaussian quantiles Φ⁻¹((j + ½)/M),
 * centred and rescaled so that the population (1/M) mean is 0 and variance is exactly `variance`, then shuffled
 * (Fisher–Yates) independently per coordinate from Xoshiro128.fromSeed(dataSeed). M = 1 gives x₁ = 0.
 */
export function quantileData(M: number, N: number, variance: number, dataSeed: number): Float64Array {
  const column = new Float64Array(M);
  for (let j = 0; j < M; j++) column[j] = M === 1 ? 0 : normalQuantile((j + 0.5) / M);
  let mean = 0,
    second = 0;
  for (let j = 0; j < M; j++) mean += column[j] / M;
  for (let j = 0; j < M; j++) second += (column[j] - mean) ** 2 / M;
  const scale = second > 0 ? Math.sqrt(variance / second) : 0;
  for (let j = 0; j < M; j++) column[j] = (column[j] - mean) * scale;
  const x = new Float64Array(M * N),
    rng = Xoshiro128.fromSeed(dataSeed),
    perm = new Int32Array(M);
  for (let d = 0; d < N; d++) {
    for (let j = 0; j < M; j++) perm[j] = j;
    for (let j = M - 1; j > 0; j--) {
      const i = rng.nextInt(j + 1),
        t = perm[j];
      perm[j] = perm[i];
      perm[i] = t;
    }
    for (let j = 0; j < M; j++) x[j * N + d] = column[perm[j]];
  }
  return x;
}
