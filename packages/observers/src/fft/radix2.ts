// Float64 complex FFT, radix-2 decimation in time, in place; tables built once, nothing allocated per transform.

/** Is w a power of two (w ≥ 1)? */
export const isPowerOfTwo = (w: number): boolean => Number.isSafeInteger(w) && w >= 1 && (w & (w - 1)) === 0;

/** X_k = Σ_j x_j e^{−2πi jk/W} for W a power of two, on (re, im) in place. */
export class Radix2Fft {
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly reverse: Uint32Array;

  constructor(readonly size: number) {
    if (!isPowerOfTwo(size)) throw new Error(`Radix2Fft: size must be a power of two, got ${size}`);
    const half = size >> 1;
    this.cos = new Float64Array(half);
    this.sin = new Float64Array(half);
    for (let k = 0; k < half; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / size); // twiddles e^{−2πi k/W} = cos − i sin, exact per k (no recurrence)
      this.sin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.reverse = new Uint32Array(size);
    const bits = Math.log2(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.reverse[i] = r;
    }
  }

  transform(re: Float64Array, im: Float64Array): void {
    const n = this.size,
      rev = this.reverse,
      cos = this.cos,
      sin = this.sin;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        let t = re[i];
        re[i] = re[j];
        re[j] = t;
        t = im[i];
        im[i] = im[j];
        im[j] = t;
      }
    }
    for (let len = 2; len <= n; len <<= 1) {
      const half = len >> 1,
        stride = n / len;
      for (let start = 0; start < n; start += len) {
        for (let k = 0; k < half; k++) {
          const wr = cos[k * stride],
            wi = -sin[k * stride];
          const a = start + k,
            b = a + half;
          const xr = re[b] * wr - im[b] * wi,
            xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
  }
}
