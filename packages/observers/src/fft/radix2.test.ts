import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '@nesslab/kernel';
import { isPowerOfTwo, Radix2Fft } from './radix2.ts';

/** The O(W²) definition X_k = Σ_j x_j e^{−2πi jk/W}. */
function directDft(re: number[], im: number[]): { re: number[]; im: number[] } {
  const n = re.length,
    out = { re: new Array<number>(n).fill(0), im: new Array<number>(n).fill(0) };
  for (let k = 0; k < n; k++) {
    for (let j = 0; j < n; j++) {
      const phi = (-2 * Math.PI * ((j * k) % n)) / n;
      out.re[k] += re[j] * Math.cos(phi) - im[j] * Math.sin(phi);
      out.im[k] += re[j] * Math.sin(phi) + im[j] * Math.cos(phi);
    }
  }
  return out;
}

describe('Radix2Fft', () => {
  it('agrees with the direct DFT on random complex input, W = 1 … 256, to float64 round-off', () => {
    const rng = Xoshiro128.fromSeed(5);
    for (const n of [1, 2, 4, 8, 64, 256]) {
      const re = Array.from({ length: n }, () => rng.nextNormal()),
        im = Array.from({ length: n }, () => rng.nextNormal());
      const d = directDft(re, im);
      const R = Float64Array.from(re),
        I = Float64Array.from(im);
      new Radix2Fft(n).transform(R, I);
      // Errors grow like ε·√W·log W on the O(√W) outputs; 1e-12 is a margin of ~100 over what float64 gives at W = 256.
      for (let k = 0; k < n; k++) {
        expect(Math.abs(R[k] - d.re[k])).toBeLessThan(1e-12);
        expect(Math.abs(I[k] - d.im[k])).toBeLessThan(1e-12);
      }
    }
  });

  it('puts a pure tone cos(2π·5j/64) into bins 5 and 59 with height W/2 and nothing elsewhere', () => {
    const n = 64,
      R = new Float64Array(n),
      I = new Float64Array(n);
    for (let j = 0; j < n; j++) R[j] = Math.cos((2 * Math.PI * 5 * j) / n);
    new Radix2Fft(n).transform(R, I);
    for (let k = 0; k < n; k++) {
      const expected = k === 5 || k === 59 ? n / 2 : 0;
      expect(Math.abs(R[k] - expected)).toBeLessThan(1e-12);
      expect(Math.abs(I[k])).toBeLessThan(1e-12);
    }
  });

  it('refuses a size that is not a power of two', () => {
    expect(isPowerOfTwo(1024)).toBe(true);
    expect(isPowerOfTwo(1000)).toBe(false);
    expect(isPowerOfTwo(0)).toBe(false);
    expect(() => new Radix2Fft(12)).toThrow('size must be a power of two, got 12');
  });
});
