/**
 * A blocked rank-L update of a packed triangle, the inner loop of the large-N `moments` and `circulation` observers:
 *
 *   out[o + pos(a, b)] += Σ_{s=0}^{L−1} A[ao + a·L + s] · B[bo + b·L + s]   for 0 ≤ a ≤ b < n   (strict: a < b),
 *
 * i.e. the upper triangle of A Bᵀ for two n × L row-major panels (moments: A = B = the group's centred states, a
 * symmetric rank-L update, BLAS dsyrk; circulation: A = the states, B = their central differences). Positions are the
 * packed row-major upper triangle: (0,0) (0,1) … (0,n−1) (1,1) … ; strict: (0,1) … (0,n−1) (1,2) … .
 *
 * Every entry is summed the same way, whichever code path reaches it (4 × 2 register tile, edge or diagonal loop):
 * t = 0, then t += A·B for s = 0, 1, …, L−1 in order, then out += t. So the bits depend only on n, L and the data,
 * never on how the tiles fall. A column of zeros in both panels leaves every entry's bits as they were
 * (t + (±0) = t for t ≠ 0, and +0 + (±0) = +0), which is how a short group is padded to L.
 *
 * Speed (V8, one core): the naive per-state update reads and writes every entry of `out` once per state; here each
 * entry is read and written once per L states, and the 4 × 2 tile keeps 8 sums in registers and loads 6 doubles per
 * 8 products. At n = 490, L = 33 that is ≈ 3·10⁹ products/s against ≈ 0.7·10⁹ for the per-state loop.
 *
 * triangle-update.wat is the same update in WebAssembly SIMD with the same bits (`WasmTriangles`,
 * triangle-update-wasm.ts: ≈ 4× faster); the observers take it where the thread has WebAssembly SIMD, this otherwise.
 */
export type TriangleUpdate = (
  out: Float64Array,
  o: number,
  A: Float64Array,
  ao: number,
  B: Float64Array,
  bo: number,
) => void;

/** Entries of the packed triangle of an n × n matrix: n(n+1)/2, or n(n−1)/2 when strict (no diagonal). */
export const triangleSize = (n: number, strict: boolean): number => (strict ? (n * (n - 1)) / 2 : (n * (n + 1)) / 2);

const generated = new Map<string, TriangleUpdate>();

/**
 * The update for one (n, L, strict), generated once per process with n and L as constants (the speed rule's "loop
 * generated once per plugin combination"); allocates nothing when called.
 */
export function triangleUpdate(n: number, L: number, strict: boolean): TriangleUpdate {
  const key = `${n}:${L}:${strict}`;
  let run = generated.get(key);
  if (run) return run;
  const st = strict ? 1 : 0;
  // Start of row a in the packed triangle, minus a + st: entry (a, b) is at o + rs(a) + b.
  const rs = strict ? 'a * ' + (n - 1) + ' - (a * (a - 1)) / 2 - a - 1' : 'a * ' + n + ' - (a * (a - 1)) / 2 - a';
  const dot = (ia: string, ib: string) =>
    `{ let t = 0; const i0 = ${ia}, j0 = ${ib}; for (let s = 0; s < ${L}; s++) t += A[i0 + s] * B[j0 + s]; out[p] += t; }`;
  const lines: string[] = [
    `const rs = (a) => ${rs};`,
    'let a = 0;',
    `for (; a + 4 <= ${n}; a += 4) {`,
    `  const ra = ao + a * ${L};`,
    `  const p0 = o + rs(a), p1 = o + rs(a + 1), p2 = o + rs(a + 2), p3 = o + rs(a + 3);`,
    // the 4 × 4 diagonal block, entry by entry
    `  for (let i = 0; i < 4; i++) for (let j = i + ${st}; j < 4; j++) { const p = o + rs(a + i) + a + j; ${dot(`ra + i * ${L}`, `bo + (a + j) * ${L}`)} }`,
    '  let b = a + 4;',
    `  for (; b + 2 <= ${n}; b += 2) {`,
    '    let q00 = 0, q01 = 0, q10 = 0, q11 = 0, q20 = 0, q21 = 0, q30 = 0, q31 = 0;',
    `    const d = (bo + b * ${L} - ra) | 0;`,
    `    for (let i = ra, e = ra + ${L - (L % 2)}; i < e; i = (i + 2) | 0) {`,
    ...[0, 1].flatMap((u) => tileStep(L, u)),
    '    }',
    ...(L % 2 ? ['    { const i = ra + ' + (L - 1) + ';', ...tileStep(L, 0), '    }'] : []),
    '    out[p0 + b] += q00; out[p0 + b + 1] += q01; out[p1 + b] += q10; out[p1 + b + 1] += q11;',
    '    out[p2 + b] += q20; out[p2 + b + 1] += q21; out[p3 + b] += q30; out[p3 + b + 1] += q31;',
    '  }',
    `  if (b < ${n}) {`,
    `    const jb = bo + b * ${L};`,
    `    { const p = p0 + b; ${dot('ra', 'jb')} }`,
    `    { const p = p1 + b; ${dot(`ra + ${L}`, 'jb')} }`,
    `    { const p = p2 + b; ${dot(`ra + ${2 * L}`, 'jb')} }`,
    `    { const p = p3 + b; ${dot(`ra + ${3 * L}`, 'jb')} }`,
    '  }',
    '}',
    `for (; a < ${n}; a++) for (let b = a + ${st}; b < ${n}; b++) { const p = o + rs(a) + b; ${dot(`ao + a * ${L}`, `bo + b * ${L}`)} }`,
  ];
  run = new Function('out', 'o', 'A', 'ao', 'B', 'bo', lines.join('\n')) as TriangleUpdate;
  generated.set(key, run);
  return run;
}

/** One s of the 4 × 2 tile: rows a … a+3 of A against rows b, b+1 of B, at column i − ra (+u). */
function tileStep(L: number, u: number): string[] {
  const at = (off: number) => (off === 0 ? 'i' : `(i + ${off}) | 0`);
  const bt = (off: number) => (off === 0 ? '(i + d) | 0' : `(i + d + ${off}) | 0`);
  return [
    `      const u0${u} = A[${at(u)}], u1${u} = A[${at(L + u)}], u2${u} = A[${at(2 * L + u)}], u3${u} = A[${at(3 * L + u)}];`,
    `      const z0${u} = B[${bt(u)}], z1${u} = B[${bt(L + u)}];`,
    `      q00 += u0${u} * z0${u}; q01 += u0${u} * z1${u}; q10 += u1${u} * z0${u}; q11 += u1${u} * z1${u};`,
    `      q20 += u2${u} * z0${u}; q21 += u2${u} * z1${u}; q30 += u3${u} * z0${u}; q31 += u3${u} * z1${u};`,
  ];
}
