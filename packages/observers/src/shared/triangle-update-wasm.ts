import { TRIANGLE_UPDATE_WASM } from './triangle-update-wasm-bytes.ts';

/**
 * The packed-triangle rank-L update of `triangleUpdate` (triangle-update.ts) in WebAssembly SIMD (triangle-update.wat,
 * compiled by `node tools/build-wasm.mjs` into triangle-update-wasm-bytes.ts), bit-identical to it: each f64x2 lane
 * carries one entry through t = 0; t += A·B for s = 0 … L−1 in order; out += t (f64x2.mul then f64x2.add, never
 * fused), so every entry gets the JS kernel's IEEE operations in the same order. Two f64x2 lanes and a 4 × 4 tile, no
 * bounds checks: ≈ 9–10 products/ns against the JS kernel's 2–2.5 at n = 490, L = 33 (Node 20, one core).
 *
 * The kernel reads and writes only its own memory: each `WasmTriangles` owns one, sized once at construction (never
 * grown, so its views never detach), holding the accumulated triangles and the panels the caller fills per update.
 */

/** The few WebAssembly calls used here (the repository's `lib` is ES2022, which has no WebAssembly types). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
}

type Kernel = (out: number, pa: number, pb: number, n: number, L: number, strict: number) => void;

const PAGE = 65536;
/** 2 GiB: byte addresses stay below 2³¹ (the memory itself may reach 4 GiB; a larger need takes the JS kernel). */
const MAX_BYTES = 2 ** 31;

let compiled: object | null | undefined;

/** The module, compiled once per thread (main or worker) from the embedded bytes; null without WebAssembly SIMD. */
function compiledModule(): object | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!api || typeof atob !== 'function') return compiled;
  try {
    const text = atob(TRIANGLE_UPDATE_WASM),
      bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    if (api.validate(bytes)) compiled = new api.Module(bytes);
  } catch {
    compiled = null; // no SIMD, or WebAssembly code generation disallowed: the JS kernel
  }
  return compiled;
}

/** Whether this thread can run the WebAssembly kernel (WebAssembly with SIMD: Node ≥ 16.4, current browsers). */
export const wasmTrianglesAvailable = (): boolean => compiledModule() !== null;

/** Rows a panel holds: n rounded up to a multiple of 4 (the tiles' rows; the rows from n on stay 0). */
export const panelRows = (n: number): number => (n + 3) & ~3;

/**
 * Where row a of a panel starts in the pair-interleaved layout the kernel reads: entry (a, s) is at
 * (a >> 1)·2L + (a & 1) + 2s (rows a, a+1 side by side, so one f64x2 load gives B[b, s], B[b+1, s]).
 */
export const interleavedRow = (a: number, L: number): number => (a >> 1) * 2 * L + (a & 1);

/** Copies the row-major n × L panel src[at + a·L + s] into `dst` in the pair-interleaved layout (`interleavedRow`). */
export function interleave(dst: Float64Array, src: Float64Array, at: number, n: number, L: number): void {
  for (let a = 0; a < n; a++) {
    const base = interleavedRow(a, L);
    for (let s = 0, q = at + a * L; s < L; s++) dst[base + 2 * s] = src[q + s];
  }
}

/**
 * One WebAssembly memory and kernel instance for one accumulator: `triangles` (its packed triangles, any number of
 * doubles) and `panels` (panelRows(n) × L doubles each, pair-interleaved), all views on the same memory.
 */
export class WasmTriangles {
  readonly triangles: Float64Array;
  readonly panels: Float64Array[];
  private readonly kernel: Kernel;
  private readonly panelAt: number[];

  private constructor(
    module: object,
    readonly n: number,
    readonly L: number,
    readonly strict: boolean,
    triangleDoubles: number,
    panelCount: number,
  ) {
    const api = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    const panelDoubles = panelRows(n) * L,
      first = triangleDoubles + (triangleDoubles & 1), // panels 16-byte aligned
      bytes = 8 * (first + panelCount * panelDoubles);
    const pages = Math.max(1, Math.ceil(bytes / PAGE));
    const memory = new api.Memory({ initial: pages, maximum: pages });
    const instance = new api.Instance(module, { env: { memory } });
    this.kernel = instance.exports.update as Kernel;
    this.triangles = new Float64Array(memory.buffer, 0, triangleDoubles);
    this.panelAt = Array.from({ length: panelCount }, (_, i) => 8 * (first + i * panelDoubles));
    this.panels = this.panelAt.map((at) => new Float64Array(memory.buffer, at, panelDoubles));
  }

  /**
   * A memory for `triangleDoubles` doubles of triangles and `panelCount` panels of n rows × L, or null where the
   * WebAssembly kernel cannot run (no SIMD, or more than 2 GiB): the caller then takes the JS kernel.
   */
  static create(
    n: number,
    L: number,
    strict: boolean,
    triangleDoubles: number,
    panelCount: number,
  ): WasmTriangles | null {
    const module = compiledModule();
    if (!module || 8 * (triangleDoubles + 1 + panelCount * panelRows(n) * L) > MAX_BYTES) return null;
    try {
      return new WasmTriangles(module, n, L, strict, triangleDoubles, panelCount);
    } catch {
      return null; // the memory could not be had
    }
  }

  /**
   * triangles[at + pos(a, b)] += Σ_s A[a, s]·B[b, s] over the packed (strict: strictly) upper triangle, A = panels[pa],
   * B = panels[pb] (may be the same panel): `triangleUpdate(n, L, strict)` with the same bits. Allocates nothing.
   */
  update(at: number, pa: number, pb: number): void {
    this.kernel(8 * at, this.panelAt[pa], this.panelAt[pb], this.n, this.L, this.strict ? 1 : 0);
  }
}
