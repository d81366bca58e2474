/** Test support shared by the optimizers' tests (not exported from the package). */
import { expect } from 'vitest';
import {
  API_VERSION,
  PluginInfo,
  Xoshiro128,
  assemble,
  resolvePlugin,
  solve,
  type ChainState,
  type Landscape,
  type Optimizer,
  type Sampler,
} from '@nesslab/kernel';
import optimizersModule from './module.ts';
import type { AffineStep } from './compose.ts';
import { FixedOrderSampler, QuadraticPerSample, makeChain } from './langevin-fixtures.ts';

/** M samples ℓ_i = ½(θ − x_i)ᵀA_i(θ − x_i) in N dimensions, A_i = B Bᵀ/N + ½I (B normal), x_i normal: seeded. */
export function randomQuadratic(N: number, M: number, seed: number): QuadraticPerSample {
  const rng = Xoshiro128.fromSeed(seed),
    A: Float64Array[] = [],
    x: Float64Array[] = [];
  for (let i = 0; i < M; i++) {
    const B = Float64Array.from({ length: N * N }, () => rng.nextNormal()),
      Ai = new Float64Array(N * N);
    for (let a = 0; a < N; a++)
      for (let b = 0; b < N; b++) {
        let s = a === b ? 0.5 : 0;
        for (let k = 0; k < N; k++) s += (B[a * N + k] * B[b * N + k]) / N;
        Ai[a * N + b] = s;
      }
    A.push(Ai);
    x.push(Float64Array.from({ length: N }, () => rng.nextNormal()));
  }
  return new QuadraticPerSample(A, x);
}

/** H̄ and ḡ of a batch on QuadraticPerSample: ∇L_B(θ) = H̄θ − ḡ, H̄ = mean A_i, ḡ = mean A_i x_i. */
export function batchMoments(
  L: QuadraticPerSample,
  batch: ArrayLike<number>,
): { Hbar: Float64Array; gbar: Float64Array } {
  const N = L.dim,
    m = batch.length,
    Hbar = new Float64Array(N * N),
    gbar = new Float64Array(N);
  for (let k = 0; k < m; k++) {
    const A = L.A[batch[k]],
      x = L.x[batch[k]];
    for (let a = 0; a < N; a++)
      for (let b = 0; b < N; b++) {
        Hbar[a * N + b] += A[a * N + b] / m;
        gbar[a] += (A[a * N + b] * x[b]) / m;
      }
  }
  return { Hbar, gbar };
}

/** A x + b. */
export function applyAffine(s: AffineStep, x: ArrayLike<number>): number[] {
  return Array.from({ length: s.dim }, (_, i) => {
    let v = s.b[i];
    for (let j = 0; j < s.dim; j++) v += s.A[i * s.dim + j] * x[j];
    return v;
  });
}

/** max |a − b| / max |b|. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0,
    s = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i] - b[i]));
    s = Math.max(s, Math.abs(b[i]));
  }
  return d / s;
}

/**
 * Two chains stepped alternately by one optimizer end where the same chains stepped alone by another end, bit for bit:
 * everything a chain carries is in its own state and stream (what makes results independent of the worker count).
 */
export function expectChainsApart<O extends ChainState>(
  make: () => Optimizer<O>,
  params: Readonly<Record<string, unknown>>,
  landscape: Landscape,
  sampler: Sampler,
  steps = 9,
): void {
  const shared = make(),
    solo = make(),
    scalars = new Float64Array(0);
  shared.configure(params, landscape, sampler);
  solo.configure(params, landscape, sampler);
  const start = [0.3, -0.2, 0.5].slice(0, landscape.dim);
  const pair = (opt: Optimizer<O>) => [
    makeChain(start, opt, Xoshiro128.fromSeed(7), sampler),
    makeChain(
      start.map((v) => -v),
      opt,
      Xoshiro128.fromSeed(8),
      sampler,
    ),
  ];
  const [c1, c2] = pair(shared),
    [s1, s2] = pair(solo);
  const advance = (opt: Optimizer<O>, c: typeof c1) => {
    opt.step(c, scalars);
    c.step++;
  };
  for (let t = 0; t < steps; t++) for (const c of [c1, c2]) advance(shared, c);
  for (const c of [s1, s2]) for (let t = 0; t < steps; t++) advance(solo, c);
  expect([...c1.theta, ...c2.theta]).toEqual([...s1.theta, ...s2.theta]);
  expect(c1.theta.every(Number.isFinite)).toBe(true);
}

/**
 * The stationary covariance P of x′ = A x + b + ξ, ξ ~ N(0, Q), with A fixed (one batch, or no minibatch noise):
 * P = A P Aᵀ + Q, solved directly as (I − A ⊗ A) vec P = vec Q (the kernel's LU `solve`).
 */
export function stationaryCovarianceOf(s: AffineStep): Float64Array {
  const d = s.dim,
    n = d * d,
    M = new Float64Array(n * n);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++)
      for (let k = 0; k < d; k++)
        for (let l = 0; l < d; l++)
          M[(i * d + j) * n + k * d + l] = (i === k && j === l ? 1 : 0) - s.A[i * d + k] * s.A[j * d + l];
  return solve(M, n, s.Q);
}

/** The inverse of a 2×2 matrix (row-major). */
export const inverse2 = (A: ArrayLike<number>): number[] => {
  const det = A[0] * A[3] - A[1] * A[2];
  return [A[3] / det, -A[1] / det, -A[2] / det, A[0] / det];
};

/** x = (−1, 0, 2, 3), the data of the 1-D fixtures. */
export const xs = [-1, 0, 2, 3];
/** 1-D, ℓ_i = ½k(θ − x_i)², x = xs: the minibatch gradient of batch {i} is k(θ − x_i); θ₀ = 1 (mean of xs). */
export const oneDQuadratic = (k: number): QuadraticPerSample =>
  new QuadraticPerSample(
    xs.map(() => Float64Array.of(k)),
    xs.map((x) => Float64Array.of(x)),
  );
/** The batches of `cycling`, one index each, every epoch. */
export const order = [2, 0, 3, 1];
/** Batches of one in `order`, epoch after epoch. */
export const cycling = new FixedOrderSampler(Int32Array.from(order), 1);

/** Mean and standard error of per-chain values. */
export function meanSe(v: readonly number[]): [number, number] {
  const m = v.reduce((s, x) => s + x, 0) / v.length;
  return [m, Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1) / v.length)];
}

/** The plugin is bound under its name with its info (declared with definePlugin), its params keyed as listed. */
export function expectBound(
  Class: abstract new () => unknown,
  info: PluginInfo & { apiVersion: string },
  params: readonly string[],
): void {
  const c = assemble(optimizersModule);
  expect(resolvePlugin(c, 'optimizer', info.name, 'optimizer')).toBeInstanceOf(Class);
  expect(c.getAll<PluginInfo>(PluginInfo).find((i) => i.name === info.name)).toBe(info);
  expect(info.apiVersion).toBe(API_VERSION);
  expect(Object.keys(info.params)).toEqual(params);
}
