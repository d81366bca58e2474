/** Test support for sgld.test.ts and sgworld.test.ts (not exported from the package). */
import { map, reduce, type Observable } from 'rxjs';
import type { Chain, ChainState, Frame, Landscape, Observer, Optimizer, Rng, Sampler } from '@nesslab/kernel';

/**
 * ℓ_i = ½(θ − x_i)ᵀA_i(θ − x_i), R = 0, N-dimensional, A_i symmetric (row-major N×N): every SGD step is affine, and
 * `sampleHessian` = A_i exactly. All A_i equal and all x_i equal: a quadratic with no minibatch noise at all.
 */
export class QuadraticPerSample implements Landscape {
  readonly dim: number;
  readonly dataSize: number;
  private readonly u: Float64Array;
  constructor(
    readonly A: Float64Array[],
    readonly x: Float64Array[],
  ) {
    this.dim = x[0].length;
    this.dataSize = x.length;
    this.u = new Float64Array(this.dim);
  }
  configure(): void {}
  loss(t: Float64Array): number {
    let s = 0;
    for (let i = 0; i < this.dataSize; i++) {
      this.sampleGradient(t, i, this.u);
      for (let a = 0; a < this.dim; a++) s += 0.5 * (t[a] - this.x[i][a]) * this.u[a];
    }
    return s / this.dataSize;
  }
  private sampleGradient(t: Float64Array, i: number, out: Float64Array, at = 0): void {
    const N = this.dim,
      A = this.A[i],
      x = this.x[i];
    for (let a = 0; a < N; a++) {
      let s = 0;
      for (let b = 0; b < N; b++) s += A[a * N + b] * (t[b] - x[b]);
      out[at + a] = s;
    }
  }
  minibatchGradient(t: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    const N = this.dim,
      u = this.u;
    for (let a = 0; a < N; a++) out[a] = 0;
    for (let k = 0; k < m; k++) {
      this.sampleGradient(t, batch[k], u);
      for (let a = 0; a < N; a++) out[a] += u[a] / m;
    }
  }
  gradient(t: Float64Array, out: Float64Array): void {
    const N = this.dim,
      u = this.u,
      M = this.dataSize;
    for (let a = 0; a < N; a++) out[a] = 0;
    for (let i = 0; i < M; i++) {
      this.sampleGradient(t, i, u);
      for (let a = 0; a < N; a++) out[a] += u[a] / M;
    }
  }
  sampleGradients(t: Float64Array, out: Float64Array): void {
    for (let i = 0; i < this.dataSize; i++) this.sampleGradient(t, i, out, i * this.dim);
  }
  regulariserGradient(_t: Float64Array, out: Float64Array): void {
    out.fill(0);
  }
  hessian(_t: Float64Array, out: Float64Array): void {
    out.fill(0);
    for (const A of this.A) for (let k = 0; k < A.length; k++) out[k] += A[k] / this.dataSize;
  }
  sampleHessian(_t: Float64Array, i: number, out: Float64Array): void {
    out.set(this.A[i]);
  }
  /** θ₀ = (Σ A_i)⁻¹ Σ A_i x_i for N = 2. */
  minimum2(): Float64Array {
    const S = [0, 0, 0, 0],
      r = [0, 0];
    this.A.forEach((A, i) => {
      for (let k = 0; k < 4; k++) S[k] += A[k];
      r[0] += A[0] * this.x[i][0] + A[1] * this.x[i][1];
      r[1] += A[2] * this.x[i][0] + A[3] * this.x[i][1];
    });
    const det = S[0] * S[3] - S[1] * S[2];
    return Float64Array.of((S[3] * r[0] - S[1] * r[1]) / det, (S[0] * r[1] - S[2] * r[0]) / det);
  }
}

/** M copies of the same ℓ = ½θᵀAθ: minibatch gradients are all ∇𝓛 (no minibatch noise, D = D̂ = 0). */
export const noiseless = (A: number[], M: number): QuadraticPerSample => {
  const N = Math.round(Math.sqrt(A.length));
  return new QuadraticPerSample(
    Array.from({ length: M }, () => Float64Array.from(A)),
    Array.from({ length: M }, () => new Float64Array(N)),
  );
};

/** An Rng whose normals come from `normal()`; any other draw is a test failure. */
export class ScriptedRng implements Rng {
  constructor(public normal: () => number) {}
  nextNormal(): number {
    return this.normal();
  }
  nextU32(): number {
    throw new Error('unexpected nextU32');
  }
  nextDouble(): number {
    throw new Error('unexpected nextDouble');
  }
  nextInt(): number {
    throw new Error('unexpected nextInt');
  }
}

/** WOR-like without randomness: every epoch plays `order` (a permutation, settable) in n = M/m batches. */
export class FixedOrderSampler implements Sampler<{ t: number }> {
  stepsPerEpoch: number;
  constructor(
    public order: Int32Array,
    readonly batchSize: number,
  ) {
    this.stepsPerEpoch = order.length / batchSize;
  }
  configure(): void {}
  init(): { t: number } {
    return { t: 0 };
  }
  next(s: { t: number }, _rng: Rng, out: Int32Array): void {
    const start = (s.t++ % this.stepsPerEpoch) * this.batchSize;
    for (let k = 0; k < this.batchSize; k++) out[k] = this.order[start + k];
  }
}

/** A real WOR sampler (fresh Fisher–Yates permutation of the chain's stream every epoch), or WR when `replace`. */
export class ShuffleSampler implements Sampler<{ order: Int32Array; t: number }> {
  batchSize = 1;
  stepsPerEpoch = 1;
  private M = 1;
  constructor(private readonly replace = false) {}
  configure(params: Readonly<Record<string, unknown>>, M: number): void {
    this.M = M;
    this.batchSize = params.batchSize as number;
    this.stepsPerEpoch = Math.floor(M / this.batchSize);
  }
  init(): { order: Int32Array; t: number } {
    return { order: Int32Array.from({ length: this.M }, (_, i) => i), t: 0 };
  }
  next(s: { order: Int32Array; t: number }, rng: Rng, out: Int32Array): void {
    const o = s.order,
      m = this.batchSize;
    if (this.replace || s.t % this.stepsPerEpoch === 0)
      for (let i = o.length - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1),
          t = o[i];
        o[i] = o[j];
        o[j] = t;
      }
    const start = this.replace ? 0 : (s.t % this.stepsPerEpoch) * m;
    for (let k = 0; k < m; k++) out[k] = o[start + k];
    s.t++;
  }
}

/** The lengths of an optimizer's per-chain arrays, by name: what `createState` makes. */
export const stateLengths = (optimizer: Optimizer): Record<string, number> =>
  Object.fromEntries(Object.entries(optimizer.createState()).map(([name, a]) => [name, a.length]));

export function makeChain<O extends ChainState>(
  theta: ArrayLike<number>,
  optimizer: Optimizer<O>,
  rng: Rng,
  sampler: Sampler,
  m = sampler.batchSize,
): Chain<unknown, O> {
  return {
    index: 0,
    theta: Float64Array.from(theta),
    rng,
    samplerState: sampler.init(rng),
    state: optimizer.createState(),
    batch: new Int32Array(m),
    step: 0,
  };
}

/** Stationary covariance of s ← F s + G z, z ~ N(0, I): P = F P Fᵀ + G Gᵀ iterated to convergence (F stable). */
export function stationaryCovariance(F: number[][], G: number[][]): number[][] {
  const d = F.length,
    e = G[0].length;
  const GG = F.map((_, i) =>
    F.map((_, j) => {
      let s = 0;
      for (let k = 0; k < e; k++) s += G[i][k] * G[j][k];
      return s;
    }),
  );
  let P = GG.map((r) => [...r]);
  for (let it = 0; it < 100_000; it++) {
    const FP = F.map((r) => P[0].map((_, j) => r.reduce((s, f, k) => s + f * P[k][j], 0)));
    const next = FP.map((r, i) => F.map((Fj, j) => r.reduce((s, v, k) => s + v * Fj[k], 0) + GG[i][j]));
    const change = Math.max(...next.flatMap((r, i) => r.map((v, j) => Math.abs(v - P[i][j]))));
    P = next;
    if (change <= 1e-17 * Math.max(...P.map((r, i) => Math.abs(r[i])))) return P;
  }
  throw new Error('stationaryCovariance: no convergence');
}

/** Keeps every chain's θ after the last step (copied), in chain order: enough to compare runs bit for bit. */
export class FinalThetaObserver implements Observer<number[][], number[][]> {
  configure(): void {}
  attach(frames: Observable<Frame>): Observable<number[][]> {
    return frames.pipe(
      reduce((acc: number[][], f: Frame) => {
        for (let c = 0; c < f.chains; c++)
          acc[c] = Array.from(
            f.theta.subarray((c * f.blockSize + f.steps - 1) * f.dim, (c * f.blockSize + f.steps) * f.dim),
          );
        return acc;
      }, []),
      map((acc) => acc),
    );
  }
  combine(parts: number[][][]): number[][] {
    return parts.flat();
  }
  result(p: number[][]): number[][] {
    return p;
  }
}
