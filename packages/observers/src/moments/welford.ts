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

  constructor(
    readonly dim: number,
    readonly chains: number,
  ) {
    this.count = new Float64Array(chains);
    this.mean = new Float64Array(chains * dim);
    this.m2 = new Float64Array(chains * packedSize(dim));
    this.before = new Float64Array(dim);
    this.after = new Float64Array(dim);
  }

  /** Adds the state x[at … at+N) to chain c: x̄ += (x − x̄)/n, M2 += (x − x̄_old)(x − x̄_new)ᵀ. */
  add(c: number, x: Float64Array, at: number): void {
    this.addRun(c, x, at, 1);
  }

  /** Adds `steps` consecutive states of chain c, x[at + s·N …] for s < steps, in order. */
  addRun(c: number, x: Float64Array, at: number, steps: number): void {
    if (steps <= 0) return;
    const unrolled = this.dim <= UNROLL_MAX_DIM ? welfordRun(this.dim) : undefined;
    if (unrolled) unrolled(x, at, steps, c, this.count, this.mean, this.m2);
    else this.addRunLoop(c, x, at, steps);
  }

  private addRunLoop(c: number, x: Float64Array, at: number, steps: number): void {
    const n = this.dim,
      mean = this.mean,
      m2 = this.m2,
      d = this.before,
      e = this.after,
      mo = c * n;
    for (let s = 0; s < steps; s++, at += n) {
      const inv = 1 / ++this.count[c];
      for (let a = 0; a < n; a++) {
        const xa = x[at + a],
          da = xa - mean[mo + a],
          ma = mean[mo + a] + da * inv;
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
}

/** Dimensions up to this get a Welford loop generated with every mean and co-moment in a local (4× faster at N = 7). */
const UNROLL_MAX_DIM = 16;
type WelfordRun = (
  x: Float64Array,
  at: number,
  steps: number,
  c: number,
  count: Float64Array,
  mean: Float64Array,
  m2: Float64Array,
) => void;
const generated = new Map<number, WelfordRun>();

/**
 * The same arithmetic as `addRunLoop`, written out for one N: locals instead of typed-array round trips per
 * step, generated once per dimension (the speed rule's "loop generated once per plugin combination").
 */
function welfordRun(n: number): WelfordRun {
  let run = generated.get(n);
  if (run) return run;
  const T = packedSize(n),
    lines: string[] = ['const mo = c * ' + n + ', po = c * ' + T + '; let k = count[c];'];
  const pairs: [number, number][] = [];
  for (let a = 0; a < n; a++) for (let b = a; b < n; b++) pairs.push([a, b]);
  for (let a = 0; a < n; a++) lines.push(`let u${a} = mean[mo + ${a}];`);
  pairs.forEach(([a, b], p) => lines.push(`let q${a}_${b} = m2[po + ${p}];`));
  lines.push(`for (let s = 0; s < steps; s++, at += ${n}) {`, 'const inv = 1 / ++k;');
  for (let a = 0; a < n; a++)
    lines.push(
      `const x${a} = x[at + ${a}], d${a} = x${a} - u${a}; u${a} = u${a} + d${a} * inv; const e${a} = x${a} - u${a};`,
    );
  for (const [a, b] of pairs) lines.push(`q${a}_${b} += d${a} * e${b};`);
  lines.push('}', 'count[c] = k;');
  for (let a = 0; a < n; a++) lines.push(`mean[mo + ${a}] = u${a};`);
  pairs.forEach(([a, b], p) => lines.push(`m2[po + ${p}] = q${a}_${b};`));
  run = new Function('x', 'at', 'steps', 'c', 'count', 'mean', 'm2', lines.join('\n')) as WelfordRun;
  generated.set(n, run);
  return run;
}

/**
 * Chan, Golub & LeVeque's pairwise merge: folds (nB, x̄B, M2B) into (nA, x̄A, M2A), in place in the A arrays.
 * Returns the merged count. x̄ = x̄A + δ·nB/n, M2 = M2A + M2B + δδᵀ·nA·nB/n, δ = x̄B − x̄A.
 */
export function chanMerge(
  dim: number,
  nA: number,
  meanA: Float64Array,
  m2A: Float64Array,
  nB: number,
  meanB: Float64Array,
  bMean: number,
  m2B: Float64Array,
  bM2: number,
  delta: Float64Array,
): number {
  if (nB === 0) return nA;
  const n = nA + nB;
  if (nA === 0) {
    for (let a = 0; a < dim; a++) meanA[a] = meanB[bMean + a];
    for (let k = 0, T = packedSize(dim); k < T; k++) m2A[k] = m2B[bM2 + k];
    return n;
  }
  const wB = nB / n,
    wAB = (nA * nB) / n;
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
