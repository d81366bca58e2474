import { describe, expect, it } from 'vitest';
import { paramsFor } from '@nesslab/kernel/testing';
import { AREA_GROUP, GroupedArea } from './grouped-area.ts';
import { CirculationObserver, GROUPED_MIN_DIM, circulationInfo, circulationResult, strictSize } from './circulation.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';
import { linearProcess } from '../synthetic.ts';

/** N-dimensional AR(1) θ' = Fθ + ξ with a rotation in each (α, α+1) plane (a real circulation), started at `start`. */
function rotating(n: number, chains: number, steps: number, seed: number, start: number): number[][][] {
  const F = Array.from({ length: n }, (_, a) =>
    Array.from({ length: n }, (_, b) => (a === b ? 0.97 : b === a + 1 ? 0.03 : b === a - 1 ? -0.03 : 0)),
  );
  const Q = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => (a === b ? 1 + a / n : 0)));
  return linearProcess({ F, noiseCovariance: Q, chains, steps, seed, start: new Array<number>(n).fill(start) });
}

/**
 * Today's loop (Eq. 26 term by term, one increment at a time): sums_αγ = Σ_k δθ_k,α Δθ_k,γ − δθ_k,γ Δθ_k,α, and the
 * scale Σ_k |δθ_k,α Δθ_k,γ| + |δθ_k,γ Δθ_k,α| that bounds the rounding of either way of summing.
 */
function perStep(tr: readonly (readonly number[])[], ref: readonly number[], from: number) {
  const n = ref.length,
    sums = new Float64Array(strictSize(n)),
    scale = new Float64Array(strictSize(n));
  for (let k = from; k + 1 < tr.length; k++) {
    const d = tr[k].map((x, a) => x - ref[a]),
      D = tr[k + 1].map((x, a) => x - tr[k][a]);
    for (let a = 0, p = 0; a < n; a++)
      for (let b = a + 1; b < n; b++, p++) {
        sums[p] += d[a] * D[b] - d[b] * D[a];
        scale[p] += Math.abs(d[a] * D[b]) + Math.abs(d[b] * D[a]);
      }
  }
  return { sums, scale };
}

describe('GroupedArea (004 Eq. 26 by groups of increments)', () => {
  it("agrees with today's per-increment sums to 1e-12 of Σ|terms| (N = 3 and 23, far from θ₀, short last group)", () => {
    // Both are float64 sums of the same terms in different orders: each is within ≈ n·ε·Σ|terms| of the exact sum
    // (≈ 1e-13 for n ≤ 1000), so 1e-12·Σ|terms| holds, while a wrong sign, a lost increment or a misplaced g ∧ h
    // term is off by a whole term (≥ 1e-4 of Σ|terms| here).
    for (const [n, steps, start, refAt] of [
      [3, 1000, 1, 0.5],
      [23, 777, 40, -30], // 777 = 24·32 + 9: a short last group; |δθ| ≈ 70 ≫ |Δθ| ≈ 1
    ]) {
      const tr = rotating(n, 2, steps, 17, start),
        ref = Array.from({ length: n }, (_, a) => refAt + a / 10);
      const g = new GroupedArea(n, 2, Float64Array.from(ref));
      for (let c = 0; c < 2; c++) {
        const flat = Float64Array.from(tr[c].flat());
        for (let k = 0; k < steps; k++) g.add(c, flat, k * n, flat, (k + 1) * n);
      }
      g.flush();
      expect(Array.from(g.count)).toEqual([steps, steps]);
      const T = strictSize(n);
      for (let c = 0; c < 2; c++) {
        const want = perStep(tr[c], ref, 0);
        for (let p = 0; p < T; p++)
          expect(Math.abs(g.sums[c * T + p] - want.sums[p])).toBeLessThanOrEqual(1e-12 * want.scale[p]);
      }
    }
  });
});

describe('GroupedArea: the WebAssembly kernel against the JS one', () => {
  it('takes the WebAssembly kernel here and gives the bits of the JS one (N = 17 … 101, every N mod 4, short groups)', () => {
    // The two kernels sum every entry in the same order (triangle-update.ts, .wat), so count and sums agree to the
    // bit; with the WebAssembly kernel the running sums live in wasm memory and are copied into `sums` by flush.
    for (const [n, steps] of [
      [17, 300],
      [22, 129],
      [39, 777],
      [101, 200],
    ]) {
      const tr = rotating(n, 3, steps, n, 20),
        ref = Float64Array.from({ length: n }, (_, a) => 1 - a / 7);
      const wasm = new GroupedArea(n, 3, ref, AREA_GROUP, 'wasm'),
        js = new GroupedArea(n, 3, ref, AREA_GROUP, 'js');
      expect([wasm.kernel, js.kernel]).toEqual(['wasm', 'js']);
      const sums = wasm.sums; // the array circulation.ts takes at allocation: the same one after flush
      for (let c = 0; c < 3; c++) {
        const flat = Float64Array.from(tr[c].flat());
        for (let k = 0; k < steps - c; k++) for (const g of [wasm, js]) g.add(c, flat, k * n, flat, (k + 1) * n);
      }
      wasm.flush();
      js.flush();
      expect(wasm.sums).toBe(sums);
      expect(js.sums.some((v) => v !== 0)).toBe(true);
      expect(bitDifference([wasm.count, wasm.sums], [js.count, js.sums])).toBeNull();
      expect(wasm.sums.buffer.byteLength).toBe(wasm.sums.byteLength); // plain data, not a view on wasm memory
    }
  });
});

describe('circulation at N ≥ GROUPED_MIN_DIM (the grouped path)', () => {
  const n = GROUPED_MIN_DIM + 2,
    steps = 700;
  const reference = Array.from({ length: n }, (_, a) => 0.25 - a / 40);
  const tr = rotating(n, 5, steps, 31, 3);
  const run = (blockSize: number, parts: number, params: Record<string, unknown>) =>
    runObserver(
      () => {
        const o = new CirculationObserver();
        o.configure(
          paramsFor(circulationInfo, params),
          runContext(
            fakeLandscape(n, () => 0),
            n,
            tr.length,
            steps,
            reference,
          ),
        );
        return o;
      },
      tr,
      blockSize,
      parts,
    );

  it('is bit-identical for block sizes 1, 7, 32, 1000 and for one part or three (burn-in 0 and 13)', () => {
    // A chain's groups are its own counted increments 1 … 32, 33 … 64, …; a short group waits for the next block and
    // is folded once at the end, so neither the block size nor the split into parts (workers, units) changes a bit.
    for (const burnIn of [0, 13]) {
      const ref = run(1, 1, { burnIn });
      expect(ref.count).toBe(5 * (steps - burnIn));
      expect(ref.circulation[0][1]).not.toBe(0);
      for (const blockSize of [7, 32, 1000])
        for (const parts of [1, 3]) expect(bitDifference(run(blockSize, parts, { burnIn }), ref)).toBeNull();
    }
  });

  it("gives today's C (per-increment sums, then circulationResult) to 1e-12 of Σ|terms|/(2ℓ)", () => {
    const got = run(100, 2, { burnIn: 13 });
    const T = strictSize(n),
      sums = new Float64Array(tr.length * T),
      count = new Float64Array(tr.length).fill(steps - 13),
      scale = new Float64Array(T);
    tr.forEach((chain, c) => {
      const w = perStep(chain, reference, 13);
      sums.set(w.sums, c * T);
      for (let p = 0; p < T; p++) scale[p] += w.scale[p];
    });
    const want = circulationResult({ dim: n, chainStart: 0, chains: tr.length, count, sums });
    expect(got.count).toBe(want.count);
    for (let a = 0, p = 0; a < n; a++)
      for (let b = a + 1; b < n; b++, p++) {
        const tol = (1e-12 * 0.5 * scale[p]) / want.count; // C = ½ Σ sums / ℓ
        expect(Math.abs(got.circulation[a][b] - want.circulation[a][b])).toBeLessThanOrEqual(tol);
        expect(got.circulation[b][a]).toBe(-got.circulation[a][b]);
      }
  });
});
