import { describe, expect, it } from 'vitest';
import { paramsFor } from '@nesslab/kernel/testing';
import { GroupedMoments, MOMENTS_GROUP } from './grouped-moments.ts';
import { ChainWelford, packedSize } from './welford.ts';
import { GROUPED_MIN_DIM, MomentsObserver, momentsInfo, momentsResult, type MomentsPartial } from './moments.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';
import { linearProcess } from '../synthetic.ts';

/** A chain's states 1 … S (state 0 never counted) laid out as the frames have them, [s·N + α]. */
const states = (tr: Trajectories, c: number) => Float64Array.from(tr[c].slice(1).flat());

/** N-dimensional AR(1) θ' = Fθ + ξ, F = 0.97 I plus a small rotation in each (α, α+1) plane, ξ ~ N(0, diag(1 … 2)). */
function drifting(n: number, chains: number, steps: number, seed: number, start: number): number[][][] {
  const F = Array.from({ length: n }, (_, a) =>
    Array.from({ length: n }, (_, b) => (a === b ? 0.97 : b === a + 1 ? 0.02 : b === a - 1 ? -0.02 : 0)),
  );
  const Q = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => (a === b ? 1 + a / n : 0)));
  return linearProcess({ F, noiseCovariance: Q, chains, steps, seed, start: new Array<number>(n).fill(start) });
}

/**
 * Today's per-state Welford against the grouped fold: both are float64 sums of the same n terms in different orders,
 * so they differ by a few ε·n·(scale) at most; 1e-12 of the scale (√(M2_aa M2_bb) for M2_ab, |x̄_a| + sd_a for the
 * mean) is ≥ 10× that for n ≤ 2000 and still fails on any real error (a dropped state, a wrong weight: ≥ 1e-4).
 */
function expectClose(g: GroupedMoments, w: ChainWelford) {
  const n = g.dim,
    T = packedSize(n);
  expect(Array.from(g.count)).toEqual(Array.from(w.count));
  for (let c = 0; c < g.chains; c++) {
    const diag = (a: number) => w.m2[c * T + a * n - (a * (a - 1)) / 2];
    for (let a = 0; a < n; a++) {
      const sd = Math.sqrt(diag(a) / w.count[c]);
      expect(Math.abs(g.mean[c * n + a] - w.mean[c * n + a])).toBeLessThanOrEqual(
        1e-12 * (Math.abs(w.mean[c * n + a]) + sd),
      );
      for (let b = a, p = c * T + a * n - (a * (a - 1)) / 2; b < n; b++, p++)
        expect(Math.abs(g.m2[p] - w.m2[p])).toBeLessThanOrEqual(1e-12 * Math.sqrt(diag(a) * diag(b)));
    }
  }
}

describe('GroupedMoments', () => {
  it("agrees with today's per-state Welford to 1e-12 (moments.test.ts' 3-D fixtures, and N = 37 drifting from far)", () => {
    const SIGMA = [
      [4, 1.2, -0.6],
      [1.2, 1, 0.3],
      [-0.6, 0.3, 0.5],
    ];
    const fixtures: Trajectories[] = [
      linearProcess({ F: SIGMA.map((r) => r.map(() => 0)), noiseCovariance: SIGMA, chains: 4, steps: 2000, seed: 11 }),
      linearProcess({
        F: [
          [0.9, 0.05, 0],
          [-0.05, 0.8, 0.02],
          [0, 0, 0.95],
        ],
        noiseCovariance: SIGMA,
        chains: 3,
        steps: 1500,
        seed: 3,
        start: [1, 1, 1],
      }),
      drifting(37, 2, 1001, 5, 300), // starts 300 from the stationary mean: the mean moves ≫ its spread; 1001 = 31·32 + 9
    ];
    for (const tr of fixtures) {
      const n = tr[0][0].length,
        chains = tr.length;
      const g = new GroupedMoments(n, chains),
        w = new ChainWelford(n, chains);
      for (let c = 0; c < chains; c++) {
        const x = states(tr, c);
        g.addRun(c, x, 0, x.length / n);
        w.addRun(c, x, 0, x.length / n);
      }
      g.flush();
      expectClose(g, w);
    }
  });

  it('gives the same bits however the states arrive (runs of 1, 7, 32, 33, all; add by add) and folds nothing twice', () => {
    const n = 21,
      tr = drifting(n, 1, 500, 9, 4),
      x = states(tr, 0),
      S = x.length / n;
    const feed = (runs: number[]) => {
      const g = new GroupedMoments(n, 1);
      for (let s = 0, k = 0; s < S; k++) {
        const r = Math.min(runs[k % runs.length], S - s);
        g.addRun(0, x, s * n, r);
        s += r;
      }
      g.flush();
      return g;
    };
    const ref = feed([S]);
    for (const runs of [[1], [7], [32], [33], [5, 64, 1, 31]]) {
      const g = feed(runs);
      expect(bitDifference([g.count, g.mean, g.m2], [ref.count, ref.mean, ref.m2])).toBeNull();
    }
    const once = Float64Array.from(ref.m2);
    ref.flush(); // no group held: nothing changes
    expect(bitDifference(ref.m2, once)).toBeNull();
    expect(ref.count[0]).toBe(500);
  });
});

describe('GroupedMoments: the WebAssembly kernel against the JS one', () => {
  it('takes the WebAssembly kernel here and gives the bits of the JS one (N = 17 … 101, every N mod 4, short groups)', () => {
    // The two kernels sum every entry in the same order (triangle-update.ts, .wat), so count, mean and M2 agree to the
    // bit; with the WebAssembly kernel the running M2 lives in wasm memory and is copied into m2 by flush.
    for (const [n, steps] of [
      [17, 300],
      [22, 129],
      [37, 1001],
      [101, 200],
    ]) {
      const tr = drifting(n, 3, steps, n, 50);
      const wasm = new GroupedMoments(n, 3, MOMENTS_GROUP, 'wasm'),
        js = new GroupedMoments(n, 3, MOMENTS_GROUP, 'js');
      expect([wasm.kernel, js.kernel]).toEqual(['wasm', 'js']);
      for (let c = 0; c < 3; c++) {
        const x = states(tr, c);
        for (const g of [wasm, js]) g.addRun(c, x, 0, x.length / n - c); // chains of different lengths
      }
      wasm.flush();
      js.flush();
      expect(js.m2.some((v) => v !== 0)).toBe(true);
      expect(bitDifference([wasm.count, wasm.mean, wasm.m2], [js.count, js.mean, js.m2])).toBeNull();
      // the partial's m2 is plain data: a Float64Array of its own, not a view on the kernel's memory
      expect(wasm.m2.buffer.byteLength).toBe(wasm.m2.byteLength);
    }
  });
});

describe('moments at N ≥ GROUPED_MIN_DIM (the grouped path)', () => {
  const n = GROUPED_MIN_DIM + 3;
  const make = (chains: number, steps: number, params: Record<string, unknown>) => () => {
    const o = new MomentsObserver();
    o.configure(
      paramsFor(momentsInfo, params),
      runContext(
        fakeLandscape(n, () => 0),
        n,
        chains,
        steps,
      ),
    );
    return o;
  };
  const tr = drifting(n, 5, 700, 21, 2);
  const run = (blockSize: number, parts: number, params: Record<string, unknown>) =>
    runObserver(make(tr.length, 700, params), tr, blockSize, parts);

  it('is bit-identical for block sizes 1, 7, 32, 1000 and for one part or three (burn-in 13; every 1 and 3)', () => {
    // Groups are counted per chain from its own first counted state, and a chain's short group is carried from block
    // to block and folded once at the end: the block size and the split into parts (workers, units) change no bit.
    for (const every of [1, 3]) {
      const params = { burnIn: 13, every, chainMeans: true };
      const ref = run(1, 1, params);
      expect(Number.isFinite(ref.covariance[0][1])).toBe(true);
      for (const blockSize of [7, 32, 1000])
        for (const parts of [1, 3]) expect(bitDifference(run(blockSize, parts, params), ref)).toBeNull();
    }
  });

  it("gives today's result (per-state Welford, then momentsResult) to 1e-12", () => {
    const got = run(64, 2, { burnIn: 13 });
    const w = new ChainWelford(n, tr.length);
    for (let c = 0; c < tr.length; c++) {
      const x = states(tr, c);
      w.addRun(c, x, 13 * n, x.length / n - 13);
    }
    const part: MomentsPartial = {
      dim: n,
      chainStart: 0,
      chains: tr.length,
      count: w.count,
      mean: w.mean,
      m2: w.m2,
      chainMeans: false,
    };
    const want = momentsResult(part);
    expect(got.count).toBe(want.count);
    for (let a = 0; a < n; a++) {
      // same scales as expectClose: √(Σ_aa Σ_bb) for Σ_ab; the pooled mean against its spread
      expect(Math.abs(got.mean[a] - want.mean[a])).toBeLessThan(1e-12 * (Math.abs(want.mean[a]) + 1));
      for (let b = 0; b < n; b++) {
        const scale = Math.sqrt(want.covariance[a][a] * want.covariance[b][b]);
        expect(Math.abs(got.covariance[a][b] - want.covariance[a][b])).toBeLessThan(1e-12 * scale);
        expect(Math.abs(got.covarianceStdError[a][b] - want.covarianceStdError[a][b])).toBeLessThan(1e-10 * scale);
      }
    }
  });
});
