import { describe, expect, it } from 'vitest';
import {
  assemble,
  bindPlugin,
  diffusionWR,
  resolveParams,
  simulate,
  Xoshiro128,
  type Landscape,
} from '@nesslab/kernel';
import { ContainerModule } from 'inversify';
import { paramsFor, ToyQuadratic, toyModule, toyQuadraticInfo, toySpec } from '@nesslab/kernel/testing';
import {
  DiffusionSpectrumObserver,
  diffusionSpectrum,
  diffusionSpectrumInfo,
  type DiffusionSpectrumResult,
} from './diffusion-spectrum.ts';
import { bitDifference, fakeLandscape, runObserver, type Trajectories } from '../testing.ts';

/** Least squares ℓ_i = ½(x_i·θ − y_i)², ∇ℓ_i = (x_i·θ − y_i) x_i: M samples in R^N. */
function regression(x: number[][], y: number[]): Landscape {
  const M = x.length,
    N = x[0].length;
  return {
    ...fakeLandscape(N, () => 0),
    dataSize: M,
    sampleGradients: (theta: Float64Array, out: Float64Array) => {
      for (let i = 0; i < M; i++) {
        let r = -y[i];
        for (let a = 0; a < N; a++) r += x[i][a] * theta[a];
        for (let a = 0; a < N; a++) out[i * N + a] = r * x[i][a];
      }
    },
  };
}
const randomData = (M: number, N: number, seed: number) => {
  const rng = Xoshiro128.fromSeed(seed);
  return {
    x: Array.from({ length: M }, () => Array.from({ length: N }, () => rng.nextNormal())),
    y: Array.from({ length: M }, () => rng.nextNormal()),
  };
};
const observer =
  (landscape: Landscape, chains: number, params: Record<string, unknown>, reference?: number[], eta?: number) => () => {
    const o = new DiffusionSpectrumObserver();
    o.configure(paramsFor(diffusionSpectrumInfo, params), {
      landscape,
      dim: landscape.dim,
      chains,
      steps: 10,
      reference: reference && Float64Array.from(reference),
      eta,
    });
    return o;
  };
const run = (
  landscape: Landscape,
  tr: Trajectories,
  params: Record<string, unknown>,
  blockSize = 4,
  parts = 1,
  eta?: number,
): DiffusionSpectrumResult => runObserver(observer(landscape, tr.length, params, undefined, eta), tr, blockSize, parts);
/** Chains that wander and end at `ends[c]`. */
const ending = (ends: number[][], steps = 10): number[][][] =>
  ends.map((end, c) =>
    Array.from({ length: steps + 1 }, (_, k) => (k === steps ? end : end.map((v, a) => v + Math.sin(k + a + c)))),
  );

describe('diffusion-spectrum (003 Fig. 1, Remark 16)', () => {
  it('two samples: D has rank 1 with λ = η²|g₁ − g₂|²/8 (m = 1), all else below the threshold', () => {
    // M = 2, m = 1: D = η²(M − m)/(2m(M − 1)M) Σ_i u_i u_iᵀ with u_i = ±(g₁ − g₂)/2, i.e. η²/8 (g₁ − g₂)(g₁ − g₂)ᵀ.
    const { x, y } = randomData(2, 5, 1),
      eta = 0.3,
      theta = [0.1, -0.2, 0.3, 0, 0.5];
    const L = regression(x, y);
    const g = new Float64Array(10);
    L.sampleGradients(Float64Array.from(theta), g);
    let dd = 0;
    for (let a = 0; a < 5; a++) dd += (g[a] - g[5 + a]) ** 2;
    const r = run(L, ending([theta]), { eta });
    expect(r.rank).toEqual([1]);
    expect(r.rankFraction).toBe(0.2);
    // Householder + QL on a 5×5 matrix: error a few ε·λ_max; 1e-13 leaves a wide margin.
    expect(Math.abs(r.eigenvalues[0][0] / ((eta * eta * dd) / 8) - 1)).toBeLessThan(1e-13);
    expect(r.threshold[0]).toBe(r.eigenvalues[0][0] * 5 * 2 ** -52);
    expect([r.epsilon, r.machineEpsilon, r.rankFloat64, r.rankFloat32]).toEqual(['float64', 2 ** -52, [1], [1]]);
    for (const v of r.eigenvalues[0].slice(1)) expect(Math.abs(v)).toBeLessThanOrEqual(r.threshold[0]);
    // Remark 15: the mean eigenvalue is tr D / N.
    expect(Math.abs(r.eigenMean[0] - r.eigenvalues[0].reduce((s, v) => s + v, 0) / 5)).toBeLessThan(1e-18);
  });

  it('M < N samples give rank M − 1 (centred gradients); M > N gives full rank N', () => {
    const few = randomData(5, 12, 2),
      many = randomData(40, 6, 3);
    const theta12 = new Float64Array(12).fill(0.1),
      theta6 = new Float64Array(6).fill(-0.2);
    expect(diffusionSpectrum(regression(few.x, few.y), theta12, 0.1, 1).rank).toBe(4);
    expect(diffusionSpectrum(regression(many.x, many.y), theta6, 0.1, 2).rank).toBe(6);
  });

  it('the threshold is relative: gradients 10⁻⁶ as strong (λ ratio ~10⁻¹³) still count, round-off zeros do not', () => {
    // 2 strong samples and 2 whose inputs are scaled by 10⁻⁶ in other coordinates (gradients 10⁻⁶ as large): rank 3 = M − 1. The small eigenvalue
    // (~10⁻¹³ λ_max) is well above λ_max·N·ε ≈ 2·10⁻¹⁵ λ_max; the N − 3 exact zeros land near ε·λ_max, below it.
    const { x, y } = randomData(4, 10, 4);
    const scaled = x.map((row, i) =>
      i < 2 ? row.map((v, a) => (a < 5 ? v : 0)) : row.map((v, a) => (a < 5 ? 0 : 1e-6 * v)),
    );
    const s = diffusionSpectrum(regression(scaled, [1, -1, 1, -1]), new Float64Array(10), 0.1, 1);
    expect(s.rank).toBe(3);
    expect(s.values[2] / s.values[0]).toBeLessThan(1e-9); // (10⁻⁶)² up to O(1) factors
    expect(s.values[2]).toBeGreaterThan(10 * s.threshold); // ≈ 2·10⁻¹³ λ_max vs 2.2·10⁻¹⁵ λ_max
  });

  it("'final' measures D at each chain's last state, 'reference' at θ₀; η defaults to the run's", () => {
    const { x, y } = randomData(6, 4, 5),
      L = regression(x, y),
      eta = 0.05,
      m = 2;
    const ends = [
      [0, 0, 0, 0],
      [1, -1, 0.5, 2],
      [-3, 0.2, 0.1, 0],
    ];
    const r = run(L, ending(ends), { batchSize: m }, 3, 1, eta);
    expect(r.eta).toBe(eta);
    ends.forEach((end, c) => {
      const expected = diffusionSpectrum(L, Float64Array.from(end), eta, m);
      expect(r.eigenvalues[c]).toEqual(expected.values);
      // tr D = Σ_α D_αα from the kernel's matrix: the eigenvalues sum to it (similarity transform, round-off only).
      const D = diffusionWR(L, Float64Array.from(end), eta, m);
      let trace = 0;
      for (let a = 0; a < 4; a++) trace += D[a * 5];
      expect(Math.abs(r.eigenMean[c] * 4 - trace)).toBeLessThan(1e-14 * trace);
    });
    expect(r.rank).toEqual([4, 4, 4]);
    const ref = runObserver(observer(L, 3, { at: 'reference', eta, batchSize: m }, ends[1]), ending(ends), 3);
    expect(ref.eigenvalues).toEqual([diffusionSpectrum(L, Float64Array.from(ends[1]), eta, m).values]);
  });

  it("uses the landscape's own diffusionWR when it has one (mnist-linear's fast path)", () => {
    // D = diag(3, 1, 0)·η²m: eigenvalues exactly 3η²m, η²m, 0; rank 2 of 3.
    const own = {
      ...fakeLandscape(3, () => 0),
      dataSize: 10,
      diffusionWR: (_: Float64Array, eta: number, m: number) =>
        Float64Array.from([3, 0, 0, 0, 1, 0, 0, 0, 0].map((v) => v * eta * eta * m)),
    };
    const s = diffusionSpectrum(own, new Float64Array(3), 0.5, 2);
    expect(s.values).toEqual([1.5, 0.5, 0]);
    expect(s.rank).toBe(2);
    expect(s.mean).toBe(2 / 3);
  });

  it('ε of float64 or float32 in the threshold λ_max·N·ε: both ranks reported, the param picks rank and rankFraction', () => {
    // D = η²m·diag(1, 10⁻⁹, 10⁻²⁰, 0), exact eigenvalues (diagonal): 10⁻⁹ lies between the thresholds 4·2^−52 ≈ 9·10⁻¹⁶ and 4·2^−23 ≈ 5·10⁻⁷.
    const own = {
      ...fakeLandscape(4, () => 0),
      dataSize: 10,
      diffusionWR: (_: Float64Array, eta: number, m: number) =>
        Float64Array.from([1, 0, 0, 0, 0, 1e-9, 0, 0, 0, 0, 1e-20, 0, 0, 0, 0, 0].map((v) => v * eta * eta * m)),
    };
    const tr = ending([
      [0, 0, 0, 0],
      [1, 1, 1, 1],
    ]);
    const r64 = run(own, tr, { eta: 1 }),
      r32 = run(own, tr, { eta: 1, epsilon: 'float32' });
    expect([r64.rank, r64.rankFraction, r64.machineEpsilon]).toEqual([[2, 2], 0.5, 2 ** -52]);
    expect([r32.epsilon, r32.rank, r32.rankFraction, r32.machineEpsilon, r32.threshold[0]]).toEqual([
      'float32',
      [1, 1],
      0.25,
      2 ** -23,
      4 * 2 ** -23,
    ]);
    for (const r of [r64, r32])
      expect([r.rankFloat64, r.rankFloat32, r.rankFractionFloat64, r.rankFractionFloat32]).toEqual([
        [2, 2],
        [1, 1],
        0.5,
        0.25,
      ]);
  });

  it("needs θ₀ only at: 'reference': with at: 'final' a run never calls Newton (a landscape with no Hessian runs)", async () => {
    expect(diffusionSpectrumInfo.readsReferenceWhen(resolveParams(diffusionSpectrumInfo, {}, 'p'))).toBe(false);
    expect(
      diffusionSpectrumInfo.readsReferenceWhen(resolveParams(diffusionSpectrumInfo, { at: 'reference' }, 'p')),
    ).toBe(true);
    class NoHessian extends ToyQuadratic {
      override hessian(): void {
        throw new Error('no Hessian here');
      }
    }
    const c = assemble(
      toyModule,
      new ContainerModule((o) => {
        bindPlugin(o, NoHessian, {
          kind: 'landscape',
          name: 'no-hessian',
          description: '',
          params: toyQuadraticInfo.params,
          precision: 'float64',
        });
        bindPlugin(o, DiffusionSpectrumObserver, diffusionSpectrumInfo);
      }),
    );
    const spec = (at: string) => ({
      ...toySpec,
      landscape: { name: 'no-hessian' },
      observers: [{ name: 'diffusion-spectrum', params: { at, eta: 0.1, batchSize: 2 } }],
    });
    const r = (await simulate(c, spec('final'))).observers['diffusion-spectrum'] as DiffusionSpectrumResult;
    // ℓ_i = ½|θ − x_i|²: ∇ℓ_i − ∇L = −(x_i − x̄) whatever θ, so every chain's D = η²(M − m)/(2m(M − 1)M)·Σ_i (x_i − x̄)(x_i − x̄)ᵀ (Eq. 14).
    const x = Array.from({ length: 16 }, (_, i) => Math.sin(1 + 3.7 * i)),
      M = 8,
      m = 2,
      eta = 0.1;
    const xbar = [0, 1].map((a) => x.filter((_, i) => i % 2 === a).reduce((t, v) => t + v, 0) / M);
    const S = [0, 0, 0]; // S_00, S_01, S_11
    for (let i = 0; i < M; i++) {
      const u0 = x[2 * i] - xbar[0],
        u1 = x[2 * i + 1] - xbar[1];
      S[0] += u0 * u0;
      S[1] += u0 * u1;
      S[2] += u1 * u1;
    }
    const pre = (eta * eta * (M - m)) / (2 * m * (M - 1) * M),
      half = (S[0] + S[2]) / 2,
      rad = Math.hypot((S[0] - S[2]) / 2, S[1]);
    const lambda = [pre * (half + rad), pre * (half - rad)]; // 2×2 closed form
    expect(r.eigenvalues).toHaveLength(5);
    // Sums of 8 terms and a 2×2 QL: a few ε relative to λ_max; 1e-13 leaves a wide margin.
    for (const row of r.eigenvalues)
      row.forEach((v, k) => expect(Math.abs(v - lambda[k])).toBeLessThan(1e-13 * lambda[0]));
    expect(r.rankFloat32).toEqual([2, 2, 2, 2, 2]);
    await expect(simulate(c, spec('reference'))).rejects.toThrow('no Hessian here');
  });

  it('is bit-identical for block sizes 1, 3, 1000 and for one part or three', () => {
    const { x, y } = randomData(6, 4, 6),
      L = regression(x, y);
    const tr = ending(
      [
        [1, 2, 3, 4],
        [0, 0, 1, 0],
        [2, 2, 2, 2],
        [-1, 0, 1, 0.5],
        [0.3, 0.3, 0.1, 0],
      ],
      25,
    );
    const ref = run(L, tr, { eta: 0.1 }, 1);
    for (const blockSize of [1, 3, 1000]) {
      for (const parts of [1, 3]) expect(bitDifference(run(L, tr, { eta: 0.1 }, blockSize, parts), ref)).toBeNull();
    }
  });

  it('refuses bad input, naming the field', () => {
    const { x, y } = randomData(6, 4, 7),
      L = regression(x, y);
    expect(() => observer(L, 1, {})()).toThrow(
      "diffusion-spectrum.params.eta: is 0 (use the run's learning rate) but the run gives none",
    );
    expect(() => observer(L, 1, { eta: 0.1, batchSize: 7 })()).toThrow(
      "diffusion-spectrum.params.batchSize: must be at most the landscape's M = 6, got 7",
    );
    expect(() => observer(L, 1, { eta: 0.1, at: 'reference' })()).toThrow(
      "diffusion-spectrum.params.at: is 'reference' but the run has no reference point",
    );
    expect(() => observer(L, 1, { eta: 0.1, at: 'start' })()).toThrow(
      'diffusion-spectrum.params.at: must be one of "final", "reference", got "start"',
    );
    expect(() => observer(L, 1, { eta: 0.1, epsilon: 'float16' })()).toThrow(
      'diffusion-spectrum.params.epsilon: must be one of "float64", "float32", got "float16"',
    );
    expect(() =>
      observer(
        fakeLandscape(5000, () => 0),
        1,
        { eta: 0.1 },
      )(),
    ).toThrow('diffusion-spectrum: N = 5000 is above 4096');
  });
});
