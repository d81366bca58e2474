import { triangleUpdate, type TriangleUpdate } from '../shared/triangle-update.ts';
import { interleavedRow, WasmTriangles } from '../shared/triangle-update-wasm.ts';
import { packedSize } from './welford.ts';

/** States per group: each chain's counted states 1 … 32, 33 … 64, … form its groups (see `GroupedMoments`). */
export const MOMENTS_GROUP = 32;

/**
 * Running mean and co-moment per chain, float64, the same numbers as `ChainWelford` (count[c], mean[c·N + α],
 * m2[c·T + k], T = N(N+1)/2 packed upper triangle, M2 = Σ (x − x̄)(x − x̄)ᵀ) but folded in groups of G consecutive
 * states, for large N:
 *
 *   a group B of nB states: x̄B = (1/nB) Σ x,  M2B = Σ (x − x̄B)(x − x̄B)ᵀ                       (two-pass, about its own mean)
 *   merged into the chain's (nA, x̄A, M2A) by Chan, Golub & LeVeque:  δ = x̄B − x̄A,  n = nA + nB,
 *   x̄ = x̄A + δ·nB/n,  M2 = M2A + M2B + δδᵀ·nA·nB/n = M2A + Σ_{s ≤ nB} y_s y_sᵀ,
 *
 * with y_s = x_s − x̄B for the nB states and one more column y = √(nA·nB/n)·δ: a single symmetric rank-(G+1) update
 * of the packed triangle (`triangleUpdate`), which reads and writes M2 once per G states instead of once per state.
 *
 * Determinism: a chain's groups are its counted states 1 … G, G+1 … 2G, … counted from its own first state, so they do
 * not depend on the block size, the chain range or the worker. A group still short when the block ends waits in the
 * chain's panel for the next block; `flush` folds every short group (padded with zero columns, which changes no bit)
 * when the partial is taken at the end of the stream. A run split anywhere and a run in one piece see the same groups.
 *
 * Kernel: the WebAssembly SIMD update (`WasmTriangles`, the same bits) where the thread has WebAssembly SIMD, the JS
 * `triangleUpdate` otherwise (or with `kernel = 'js'`). The WebAssembly path keeps the running M2 in its own memory
 * and copies it into `m2` in `flush`: `m2` is current after `flush` (count and mean after every call).
 *
 * Allocates nothing after construction: chains × N × (G+1) doubles of panel next to the chains × T of M2 (twice with
 * WebAssembly: the running copy and `m2`, plus one interleaved panel).
 */
export class GroupedMoments {
  readonly count: Float64Array;
  readonly mean: Float64Array;
  readonly m2: Float64Array;
  /** States waiting in chain c's group (0 … G−1 between calls). */
  private readonly held: Int32Array;
  /** Chain c's group, column-major per component: panel[c·N·L + α·L + s], L = G + 1 (the last column: √w·δ). */
  private readonly panel: Float64Array;
  private readonly width: number;
  private readonly update: TriangleUpdate;
  /** The WebAssembly kernel and its memory (the running M2 and one panel), or null: the JS kernel on `m2`. */
  private readonly wasm: WasmTriangles | null;

  constructor(
    readonly dim: number,
    readonly chains: number,
    readonly group: number = MOMENTS_GROUP,
    kernel: 'wasm' | 'js' = 'wasm',
  ) {
    this.count = new Float64Array(chains);
    this.mean = new Float64Array(chains * dim);
    this.m2 = new Float64Array(chains * packedSize(dim));
    this.held = new Int32Array(chains);
    this.width = group + 1;
    this.panel = new Float64Array(chains * dim * this.width);
    this.update = triangleUpdate(dim, this.width, false);
    this.wasm = kernel === 'wasm' ? WasmTriangles.create(dim, this.width, false, chains * packedSize(dim), 1) : null;
  }

  /** Which kernel folds the groups: 'wasm' where the thread has WebAssembly SIMD and it was not declined. */
  get kernel(): 'wasm' | 'js' {
    return this.wasm ? 'wasm' : 'js';
  }

  /** Adds the state x[at … at+N) to chain c. */
  add(c: number, x: Float64Array, at: number): void {
    const n = this.dim,
      L = this.width,
      panel = this.panel,
      j = this.held[c];
    for (let a = 0, q = c * n * L + j; a < n; a++, q += L) panel[q] = x[at + a];
    if ((this.held[c] = j + 1) === this.group) this.fold(c);
  }

  /** Adds `steps` consecutive states of chain c, x[at + s·N …] for s < steps, in order. */
  addRun(c: number, x: Float64Array, at: number, steps: number): void {
    for (let s = 0; s < steps; s++, at += this.dim) this.add(c, x, at);
  }

  /** Folds every chain's short group (the end of the stream): count, mean and m2 then hold all states added. */
  flush(): void {
    for (let c = 0; c < this.chains; c++) this.fold(c);
    if (this.wasm) this.m2.set(this.wasm.triangles);
  }

  /** Folds chain c's held states as one group (Chan's merge, above); nothing when none is held. */
  private fold(c: number): void {
    const nB = this.held[c];
    if (nB === 0) return;
    const n = this.dim,
      L = this.width,
      G = this.group,
      panel = this.panel,
      mean = this.mean,
      nA = this.count[c],
      total = nA + nB,
      root = Math.sqrt((nA * nB) / total),
      share = nB / total;
    // The centred group goes back into the panel (JS kernel) or straight into the kernel's interleaved panel (wasm):
    // y[a, s] at out[o + d·s], the same numbers either way.
    const wasm = this.wasm,
      out = wasm ? wasm.panels[0] : panel,
      d = wasm ? 2 : 1;
    for (let a = 0, q = c * n * L, m = c * n; a < n; a++, q += L, m++) {
      const o = wasm ? interleavedRow(a, L) : q;
      let sum = 0;
      for (let s = 0; s < nB; s++) sum += panel[q + s];
      const centre = sum / nB; // x̄B
      for (let s = 0; s < nB; s++) out[o + d * s] = panel[q + s] - centre; // y_s = x_s − x̄B
      for (let s = nB; s < G; s++) out[o + d * s] = 0; // a short group: zero columns
      if (nA === 0) {
        out[o + d * G] = 0;
        mean[m] = centre;
      } else {
        const delta = centre - mean[m];
        out[o + d * G] = root * delta; // √(nA·nB/n)·δ
        mean[m] += delta * share; // x̄A + δ·nB/n
      }
    }
    if (wasm) wasm.update(c * packedSize(n), 0, 0);
    else this.update(this.m2, c * packedSize(n), panel, c * n * L, panel, c * n * L);
    this.count[c] = total;
    this.held[c] = 0;
  }
}
