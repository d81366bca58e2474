import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { triangleSize, triangleUpdate } from './triangle-update.ts';
import { interleave, panelRows, WasmTriangles, wasmTrianglesAvailable } from './triangle-update-wasm.ts';
import { TRIANGLE_UPDATE_WASM } from './triangle-update-wasm-bytes.ts';

/** A deterministic generator in [0, 1) (mulberry32), so a failure reproduces. */
function uniform(seed: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let x = Math.imul(t ^ (t >>> 15), t | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values of mixed sign over 8 decades: sums of them round differently in almost any other order. */
const mixed = (u: () => number, size: number) =>
  Float64Array.from({ length: size }, () => (u() - 0.5) * 10 ** (8 * u() - 4));

describe('triangle-update.wat', () => {
  it('is the source of the committed bytes (rerun node tools/build-wasm.mjs after editing it)', async () => {
    // The same compile as tools/build-wasm.mjs: wabt 1.0.39, SIMD on, no name section, canonical LEBs.
    const wabt = await createRequire(import.meta.url)('wabt')();
    const text = readFileSync(new URL('./triangle-update.wat', import.meta.url));
    const module = wabt.parseWat('triangle-update.wat', new Uint8Array(text), { simd: true });
    module.validate();
    const bytes = module.toBinary({ log: false, write_debug_names: false, canonicalize_lebs: true }).buffer;
    module.destroy();
    expect(TRIANGLE_UPDATE_WASM).toBe(Buffer.from(bytes).toString('base64'));
  });
});

describe('WasmTriangles', () => {
  it('runs here: Node 20 has WebAssembly SIMD (so the observers take the WebAssembly kernel)', () => {
    expect(wasmTrianglesAvailable()).toBe(true);
    expect(WasmTriangles.create(5, 3, false, 15, 1)).not.toBeNull();
  });

  it("gives the JS kernel's bits for n mod 4 = 0 … 3, odd and even L, strict or not, A = B or not, at 0 or inside", () => {
    // Each lane sums its entry in the JS kernel's order, so the bits must match exactly; the data (8 decades, both
    // signs) makes any other order show up (checked below: the same sums with s reversed differ somewhere).
    const u = uniform(20240611);
    let reordered = 0;
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 22, 37, 50])
      for (const L of [1, 2, 3, 5, 8, 33, 34])
        for (const strict of [false, true])
          for (const same of [false, true]) {
            const T = triangleSize(n, strict),
              at = n % 2 ? 0 : 3; // the triangle at the start of the memory (strict: entry (0, 0) is at −1) or inside
            const A = mixed(u, n * L),
              B = same ? A : mixed(u, n * L);
            const before = mixed(u, at + T + 4); // 4 entries past the triangle: never written
            const w = WasmTriangles.create(n, L, strict, at + T + 4, 2)!;
            expect(w.panels[0].length).toBe(panelRows(n) * L);
            for (const p of w.panels) p.fill(NaN); // padding rows: any value, their entries are never stored
            interleave(w.panels[0], A, 0, n, L);
            interleave(w.panels[1], B, 0, n, L);
            w.triangles.set(before);
            w.update(at, 0, same ? 0 : 1);
            const js = Float64Array.from(before);
            triangleUpdate(n, L, strict)(js, at, A, 0, B, 0);
            expect(Array.from(w.triangles)).toEqual(Array.from(js));

            const back = Float64Array.from(before); // the same sums, s from L−1 down to 0
            for (let a = 0, p = at; a < n; a++)
              for (let b = strict ? a + 1 : a; b < n; b++, p++) {
                let t = 0;
                for (let s = L - 1; s >= 0; s--) t += A[a * L + s] * B[b * L + s];
                back[p] += t;
              }
            if (back.some((x, i) => !Object.is(x, js[i]))) reordered++;
          }
    expect(reordered).toBeGreaterThan(100); // of 364 cases (L = 1 and tiny triangles cannot differ)
  });

  it('keeps its views: two accumulators, each its own memory, updated in turn', () => {
    const u = uniform(7),
      n = 11,
      L = 4,
      T = triangleSize(n, false);
    const A = mixed(u, n * L),
      B = mixed(u, n * L);
    const one = WasmTriangles.create(n, L, false, T, 1)!,
      two = WasmTriangles.create(n, L, false, T, 1)!;
    interleave(one.panels[0], A, 0, n, L);
    interleave(two.panels[0], B, 0, n, L);
    one.update(0, 0, 0);
    two.update(0, 0, 0);
    const js = [new Float64Array(T), new Float64Array(T)];
    triangleUpdate(n, L, false)(js[0], 0, A, 0, A, 0);
    triangleUpdate(n, L, false)(js[1], 0, B, 0, B, 0);
    expect(Array.from(one.triangles)).toEqual(Array.from(js[0]));
    expect(Array.from(two.triangles)).toEqual(Array.from(js[1]));
  });
});
