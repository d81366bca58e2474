import { describe, expect, it } from 'vitest';
import { triangleSize, triangleUpdate } from './triangle-update.ts';

/** The definition, entry by entry: t = 0; t += A·B for s = 0 … L−1 in order; out += t. */
function naive(
  out: Float64Array,
  o: number,
  A: Float64Array,
  ao: number,
  B: Float64Array,
  bo: number,
  n: number,
  L: number,
  strict: boolean,
) {
  let p = o;
  for (let a = 0; a < n; a++)
    for (let b = strict ? a + 1 : a; b < n; b++, p++) {
      let t = 0;
      for (let s = 0; s < L; s++) t += A[ao + a * L + s] * B[bo + b * L + s];
      out[p] += t;
    }
}

describe('triangleUpdate', () => {
  it('gives the bits of the entry-by-entry definition for every n mod 4, odd and even L, strict or not', () => {
    // The tile, the edge column, the diagonal block and the leftover rows all sum each entry in the same order, so
    // the result must equal the definition exactly (no tolerance: any reordering of the sum shows up as a bit).
    for (const n of [1, 2, 3, 4, 5, 6, 7, 8, 13, 22])
      for (const L of [1, 2, 3, 8, 33, 34])
        for (const strict of [false, true]) {
          const ao = 5,
            bo = 3,
            o = 2;
          const A = new Float64Array(ao + n * L).map((_, i) => Math.sin(1.3 * i) * 10 ** ((i % 5) - 2));
          const B = new Float64Array(bo + n * L).map((_, i) => Math.cos(0.7 * i + 1));
          const size = triangleSize(n, strict);
          const fast = new Float64Array(o + size + 1).map((_, i) => i / 7),
            slow = Float64Array.from(fast);
          triangleUpdate(n, L, strict)(fast, o, A, ao, B, bo);
          naive(slow, o, A, ao, B, bo, n, L, strict);
          expect(Array.from(fast)).toEqual(Array.from(slow));
          expect(fast[o + size]).toBe((o + size) / 7); // nothing written past the triangle
        }
  });
});
