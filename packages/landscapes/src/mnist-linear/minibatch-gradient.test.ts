import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { MnistLinear, mnistLinearInfo } from './mnist-linear.ts';
import { loadMnist } from './mnist.ts';
import { WasmMinibatchGradient } from './minibatch-gradient.ts';

const N = 490;
const landscape = (params: Record<string, unknown> = {}): MnistLinear => {
  const l = new MnistLinear();
  l.configure(paramsFor(mnistLinearInfo, params, 'scenario.landscape.params'), 0);
  return l;
};

describe('minibatch-gradient.wat (mnist-linear’s minibatch gradient in WebAssembly)', () => {
  it('runs here (Node 20 has WebAssembly SIMD), one instance per thread’s images and M', () => {
    const mnist = loadMnist('train');
    const rows = (M: number) => ({
      nzStart: mnist.nzStart.subarray(0, M + 1),
      nzIndex: mnist.nzIndex.subarray(0, mnist.nzStart[M]),
      nzValue: mnist.nzValue.subarray(0, mnist.nzStart[M]),
      labels: mnist.labels.subarray(0, M),
    });
    const a = WasmMinibatchGradient.forImages(mnist, rows(60000));
    expect(a).not.toBeNull();
    expect(WasmMinibatchGradient.forImages(mnist, rows(60000))).toBe(a);
    expect(WasmMinibatchGradient.forImages(mnist, rows(500))).not.toBe(a);
  });

  it('gives the JS loop’s bits: every entry, M = 60000 and 500, m = 1 … 5000 (past the minibatch room first made), repeated samples, θ over 8 decades', () => {
    // Each lane sums one class's entries in the JS loop's order with the same operations, so the bits must match; θ
    // with both signs over 8 decades makes a reordered sum show up (checked: the same sums over the batch reversed
    // differ somewhere).
    const rng = Xoshiro128.fromSeed(490);
    let reordered = 0;
    for (const M of [60000, 500]) {
      const l = landscape({ dataSize: M, lambda: M === 500 ? 0.3 : 1e-2 });
      for (const m of [1, 2, 7, 100, 600, 5000]) {
        for (let trial = 0; trial < 3; trial++) {
          const theta = Float64Array.from(
            { length: N },
            () => (rng.nextDouble() - 0.5) * 10 ** (8 * rng.nextDouble() - 4),
          );
          // trial 2 draws from 5 samples only: the same image several times in one minibatch
          const batch = Int32Array.from({ length: m + 3 }, () => rng.nextInt(trial === 2 ? 5 : M));
          const got = new Float64Array(N).fill(NaN),
            want = new Float64Array(N).fill(NaN);
          l.minibatchGradient(theta, batch, m, got);
          l.referenceMinibatchGradient(theta, batch, m, want);
          expect(Array.from(got)).toEqual(Array.from(want));
          for (let a = 0; a < N; a++) expect(Object.is(got[a], want[a])).toBe(true);
          if (m > 2) {
            const reversed = new Float64Array(N);
            l.referenceMinibatchGradient(theta, batch.subarray(0, m).reverse(), m, reversed);
            if (reversed.some((v, a) => !Object.is(v, want[a]))) reordered++;
          }
        }
      }
    }
    expect(reordered).toBeGreaterThan(0);
  });

  it('leaves a minibatch it cannot take to the JS loop: an index outside [0, M), m = 0 or past the batch', () => {
    const l = landscape({ dataSize: 500 });
    const theta = Float64Array.from({ length: N }, (_, a) => Math.sin(a) / 10);
    for (const [batch, m] of [
      [Int32Array.of(3, 500, 7), 3], // 500 = M: the JS loop reads past the images (NaN), the WebAssembly must not
      [Int32Array.of(3, -1, 7), 3],
      [Int32Array.of(3, 4), 0],
      [Int32Array.of(3, 4), 3],
    ] as const) {
      const got = new Float64Array(N),
        want = new Float64Array(N);
      l.minibatchGradient(theta, batch, m, got);
      l.referenceMinibatchGradient(theta, batch, m, want);
      expect(Array.from(got)).toEqual(Array.from(want));
    }
  });
});
