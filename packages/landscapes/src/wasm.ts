// The few WebAssembly calls the landscapes' fast paths use (the repository's TypeScript libs have no WebAssembly types).

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
export type WasmModule = object;
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { readonly exports: unknown };
};

/**
 * The module whose bytes `base64` holds (a generated `*-wasm.ts`), or null where WebAssembly (with SIMD) is not on offer
 * or will not compile synchronously (a browser's main thread): then the caller keeps its JavaScript path.
 */
export function compileWasm(base64: string): WasmModule | null {
  try {
    return new WebAssembly.Module(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
  } catch {
    return null;
  }
}

/** A fresh instance of `module` (its own memory, no imports), its exports typed as the caller says. */
export function instantiateWasm<T>(module: WasmModule): T {
  return new WebAssembly.Instance(module, {}).exports as T;
}

/** n rounded up to a multiple of `to` (a byte offset in a module's memory). */
export function align(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}
