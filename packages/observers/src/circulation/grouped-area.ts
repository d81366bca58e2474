import { triangleSize, triangleUpdate, type TriangleUpdate } from '../shared/triangle-update.ts';
import { interleavedRow, WasmTriangles } from '../shared/triangle-update-wasm.ts';

/** Increments per group: each chain's counted increments 1 … 32, 33 … 64, … form its groups (see `GroupedArea`). */
export const AREA_GROUP = 32;

/**
 * The per-chain sums of the area brackets of 004 Eq. 26, the same numbers as the per-step loop in `circulation.ts`
 * (sums[c·T + k] = Σ_k [δθ_k,α Δθ_k,γ − δθ_k,γ Δθ_k,α] over the pairs α < γ, T = N(N−1)/2), folded in groups of G
 * increments, for large N. A group runs θ_0 → θ_1 → … → θ_r (r ≤ G increments, θ_0 its first state); with
 * g = θ_0 − θ₀ (θ₀ the reference point), y_j = θ_j − θ_0 (so y_0 = 0) and h = y_r, δθ_j = g + y_j, Δθ_j = y_{j+1} − y_j:
 *
 *   Σ_{j<r} [δθ_j,α Δθ_j,γ − δθ_j,γ Δθ_j,α] = Σ_{j=1}^{r} y_j,α (y_{j+1} − y_{j−1})_γ + g_α h_γ − h_α g_γ   (y_{r+1} := 0),
 *
 * (expand and telescope: the g terms sum to g ∧ h, the y_j y_j terms cancel, the lagged ones pair up). The right side
 * is one rank-(G+2) update of the strict triangle (`triangleUpdate`): panel rows [y_1 … y_r | g | h] against
 * [central differences | h | −g]. Locally to a group y is small (r steps of Δθ), so the lagged products lose nothing
 * to cancellation; the large offset g enters once per group, as the per-step loop has it once per step.
 *
 * Determinism: a chain's groups are its counted increments 1 … G, G+1 … 2G, …, counted from its own first one, so
 * they do not depend on the block size, the chain range or the worker. A short group waits in the chain's panel for the
 * next block; `flush` folds every short group (padded with zero columns, which changes no bit) when the partial is
 * taken at the end of the stream.
 *
 * Kernel: the WebAssembly SIMD update (`WasmTriangles`, the same bits) where the thread has WebAssembly SIMD, the JS
 * `triangleUpdate` otherwise (or with `kernel = 'js'`). The WebAssembly path keeps the running sums in its own memory
 * and copies them into `sums` in `flush`: `sums` (the same array from construction on) is current after `flush`.
 *
 * Allocates nothing after construction: chains × N × (G+2) + chains × N doubles next to the chains × T of sums (twice
 * with WebAssembly: the running copy and `sums`, plus two interleaved panels).
 */
export class GroupedArea {
  readonly count: Float64Array;
  readonly sums: Float64Array;
  private readonly held: Int32Array;
  /** θ_0 of chain c's group, [c·N + α]. */
  private readonly start: Float64Array;
  /** Chain c's panel, column-major per component: y[c·N·L + α·L + j−1] = y_j, then g, h; L = G + 2. */
  private readonly panel: Float64Array;
  /** The other side of the update (shared by the chains, filled at each fold). */
  private readonly diff: Float64Array;
  private readonly width: number;
  private readonly update: TriangleUpdate;
  /** The WebAssembly kernel and its memory (the running sums, the panel and diff), or null: the JS kernel on `sums`. */
  private readonly wasm: WasmTriangles | null;

  constructor(
    readonly dim: number,
    readonly chains: number,
    private readonly reference: Float64Array,
    readonly group: number = AREA_GROUP,
    kernel: 'wasm' | 'js' = 'wasm',
  ) {
    this.count = new Float64Array(chains);
    this.sums = new Float64Array(chains * triangleSize(dim, true));
    this.held = new Int32Array(chains);
    this.start = new Float64Array(chains * dim);
    this.width = group + 2;
    this.panel = new Float64Array(chains * dim * this.width);
    this.diff = new Float64Array(dim * this.width);
    this.update = triangleUpdate(dim, this.width, true);
    this.wasm =
      kernel === 'wasm' ? WasmTriangles.create(dim, this.width, true, chains * triangleSize(dim, true), 2) : null;
  }

  /** Which kernel folds the groups: 'wasm' where the thread has WebAssembly SIMD and it was not declined. */
  get kernel(): 'wasm' | 'js' {
    return this.wasm ? 'wasm' : 'js';
  }

  /** Adds chain c's increment θ_k = from[fromAt …] → θ_{k+1} = to[toAt …]. */
  add(c: number, from: Float64Array, fromAt: number, to: Float64Array, toAt: number): void {
    const n = this.dim,
      L = this.width,
      panel = this.panel,
      start = this.start,
      j = this.held[c];
    if (j === 0) for (let a = 0; a < n; a++) start[c * n + a] = from[fromAt + a]; // θ_0 of a new group
    for (let a = 0, q = c * n * L + j, m = c * n; a < n; a++, q += L, m++) panel[q] = to[toAt + a] - start[m]; // y_{j+1}
    if ((this.held[c] = j + 1) === this.group) this.fold(c);
  }

  /** Folds every chain's short group (the end of the stream): count and sums then hold all increments added. */
  flush(): void {
    for (let c = 0; c < this.chains; c++) this.fold(c);
    if (this.wasm) this.sums.set(this.wasm.triangles);
  }

  /** Folds chain c's held increments as one group (the identity above); nothing when none is held. */
  private fold(c: number): void {
    const r = this.held[c];
    if (r === 0) return;
    const n = this.dim,
      L = this.width,
      G = this.group,
      panel = this.panel,
      ref = this.reference;
    // The JS kernel reads the panel (completed in place) and `diff`; the wasm kernel reads its two interleaved panels,
    // written here straight from the panel: row a at out[o + d·i], the same numbers either way.
    const wasm = this.wasm,
      left = wasm ? wasm.panels[0] : panel,
      right = wasm ? wasm.panels[1] : this.diff,
      d = wasm ? 2 : 1;
    for (let a = 0, q = c * n * L; a < n; a++, q += L) {
      const o = wasm ? interleavedRow(a, L) : q,
        w = wasm ? o : a * L;
      // column i holds y_{i+1}: diff_i = y_{i+2} − y_i, with y_0 = y_{r+1} = 0
      for (let i = 0; i < r; i++)
        right[w + d * i] = (i + 1 < r ? panel[q + i + 1] : 0) - (i > 0 ? panel[q + i - 1] : 0);
      if (wasm) for (let i = 0; i < r; i++) left[o + d * i] = panel[q + i];
      for (let i = r; i < G; i++) left[o + d * i] = right[w + d * i] = 0; // a short group: zero columns
      const g = this.start[c * n + a] - ref[a],
        h = panel[q + r - 1];
      left[o + d * G] = g;
      right[w + d * G] = h;
      left[o + d * (G + 1)] = h;
      right[w + d * (G + 1)] = -g;
    }
    if (wasm) wasm.update(c * triangleSize(n, true), 0, 1);
    else this.update(this.sums, c * triangleSize(n, true), panel, c * n * L, this.diff, 0);
    this.count[c] += r;
    this.held[c] = 0;
  }
}
