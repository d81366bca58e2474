import { describe, expect, it } from 'vitest';
import {
  API_VERSION,
  PluginInfo,
  Xoshiro128,
  assemble,
  resolvePlugin,
  type Chain,
  type ChainState,
  type Landscape,
  type Optimizer,
  type Sampler,
} from '@nesslab/kernel';
import { EarthquakeOptimizer, earthquakeInfo, optimizersModule } from './index.ts';

/** A sampler that must never be asked for a batch: the earthquake step is full-batch. */
const unused = {
  batchSize: 1,
  stepsPerEpoch: 1,
  init: () => null,
  next: () => {
    throw new Error('the earthquake optimizer drew a minibatch');
  },
} as unknown as Sampler;

/** A nonlinear 2-D landscape: ∇𝓛(θ) = (θ₀³ + θ₁, sin θ₁ + θ₀), only `gradient` (full batch) is provided. */
const nonlinear = {
  dim: 2,
  dataSize: 1,
  gradient(t: Float64Array, out: Float64Array) {
    out[0] = t[0] ** 3 + t[1];
    out[1] = Math.sin(t[1]) + t[0];
  },
} as unknown as Landscape;

/** 𝓛 = ½θᵀAθ, A = [[2, 1], [1, 3]]: ∇𝓛 = Aθ, so Eq. 31 is exactly the linear map of Eq. 32. */
const A = [
  [2, 1],
  [1, 3],
];
const quadratic = {
  dim: 2,
  dataSize: 1,
  gradient(t: Float64Array, out: Float64Array) {
    out[0] = A[0][0] * t[0] + A[0][1] * t[1];
    out[1] = A[1][0] * t[0] + A[1][1] * t[1];
  },
} as unknown as Landscape;

const chain = <O extends ChainState>(theta: number[], seed: number, optimizer: Optimizer<O>): Chain<unknown, O> => ({
  index: 0,
  theta: Float64Array.from(theta),
  rng: Xoshiro128.fromSeed(seed),
  samplerState: null,
  state: optimizer.createState(),
  batch: new Int32Array(1),
  step: 0,
});

describe('earthquake', () => {
  it("takes θ ← θ − η ∇𝓛(θ + ζz) with z drawn from the chain's stream (004 Eq. 31), full batch, sampler untouched", () => {
    const eta = 0.01,
      zeta = 0.3,
      q = new EarthquakeOptimizer();
    q.configure({ eta, zeta }, nonlinear, unused);
    const state = q.createState(); // θ + ζz, then the gradient there: N each
    expect(Object.fromEntries(Object.entries(state).map(([k, v]) => [k, v.length]))).toEqual({ grad: 2, shifted: 2 });
    const c = chain([0.7, -0.4], 5, q);
    for (let k = 0; k < 3; k++) {
      const before = [...c.theta],
        rng = (c.rng as Xoshiro128).clone();
      const z = [rng.nextNormal(), rng.nextNormal()];
      const s = before.map((t, a) => t + zeta * z[a]),
        g = new Float64Array(2);
      nonlinear.gradient(Float64Array.from(s), g);
      q.step(c);
      expect(c.theta[0]).toBe(before[0] - eta * g[0]);
      expect(c.theta[1]).toBe(before[1] - eta * g[1]);
      expect((c.rng as Xoshiro128).state()).toEqual(rng.state()); // exactly N normals consumed per step
    }
  });

  it("keeps each chain's state apart when chains are stepped alternately", () => {
    const q = new EarthquakeOptimizer();
    q.configure({ eta: 0.01, zeta: 0.3 }, nonlinear, unused);
    const c1 = chain([0.7, -0.4], 5, q),
      c2 = chain([0.7, -0.4], 5, q),
      solo = chain([0.7, -0.4], 5, q);
    const other = new EarthquakeOptimizer();
    other.configure({ eta: 0.01, zeta: 0.3 }, nonlinear, unused);
    for (let k = 0; k < 5; k++) {
      q.step(c1);
      q.step(c2);
      other.step(solo);
    }
    expect([...c1.theta]).toEqual([...solo.theta]);
    expect([...c2.theta]).toEqual([...solo.theta]);
  });

  it('on a quadratic, the stationary covariance is the exact discrete-time (ηζ²/2)A(I − ηA/2)⁻¹, not the continuous (ηζ²/2)A', () => {
    // ηh = 0.345 and 0.905 for A's eigenvalues 1.38, 3.62: the discrete factor (1 − ηh/2)⁻¹ is 1.21 and 1.83.
    const eta = 0.25,
      zeta = 0.5,
      T = 2_000_000,
      burn = 200,
      q = new EarthquakeOptimizer();
    q.configure({ eta, zeta }, quadratic, unused);
    const c = chain([0, 0], 11, q);
    for (let k = 0; k < burn; k++) q.step(c); // relaxation time 1/(ηh_min) ≈ 3 steps
    let s0 = 0,
      s1 = 0,
      s00 = 0,
      s01 = 0,
      s11 = 0;
    for (let k = 0; k < T; k++) {
      q.step(c);
      const x = c.theta[0],
        y = c.theta[1];
      s0 += x;
      s1 += y;
      s00 += x * x;
      s01 += x * y;
      s11 += y * y;
    }
    const m0 = s0 / T,
      m1 = s1 / T;
    const sim = [
      [s00 / T - m0 * m0, s01 / T - m0 * m1],
      [s01 / T - m0 * m1, s11 / T - m1 * m1],
    ];
    // (ηζ²/2)A(I − ηA/2)⁻¹ with the 2×2 inverse written out.
    const B = [
      [1 - (eta * A[0][0]) / 2, (-eta * A[0][1]) / 2],
      [(-eta * A[1][0]) / 2, 1 - (eta * A[1][1]) / 2],
    ];
    const det = B[0][0] * B[1][1] - B[0][1] * B[1][0];
    const Binv = [
      [B[1][1] / det, -B[0][1] / det],
      [-B[1][0] / det, B[0][0] / det],
    ];
    const t = (eta * zeta * zeta) / 2;
    const exact = [0, 1].map((i) => [0, 1].map((j) => t * (A[i][0] * Binv[0][j] + A[i][1] * Binv[1][j])));
    const continuous = A.map((row) => row.map((a) => t * a));
    // Effectively independent samples: along eigen-direction α the chain is AR(1) with ρ = 1 − ηh_α, and the
    // sample variance has relative standard error √(2(1 + ρ²)/((1 − ρ²)T)) — worst (ρ = 0.655) 2.2e-3 at T = 2e6.
    // Every element on the √(Σ_ii Σ_jj) scale within 5 such standard errors: 1.1 %. The continuous value is
    // 20–45 % away, the mean must be 0 (a linear gradient: no shift) within 5 of its own standard errors.
    const h = [(5 - Math.sqrt(5)) / 2, (5 + Math.sqrt(5)) / 2]; // eigenvalues of A
    const relSe = Math.max(
      ...h.map((x) => {
        const r = 1 - eta * x;
        return Math.sqrt((2 * (1 + r * r)) / ((1 - r * r) * T));
      }),
    );
    const tol = 5 * relSe;
    expect(tol).toBeLessThan(0.012);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        const scale = Math.sqrt(exact[i][i] * exact[j][j]);
        expect(Math.abs(sim[i][j] - exact[i][j]) / scale, `Σ_${i}${j}`).toBeLessThan(tol);
        if (i === j) expect(Math.abs(continuous[i][j] - exact[i][j]) / scale).toBeGreaterThan(0.15);
      }
    }
    // Standard error of the mean along the slowest mode: √(Σ (1 + ρ)/((1 − ρ)T)).
    const meanSe = Math.sqrt(((exact[0][0] + exact[1][1]) * ((2 - eta * h[0]) / (eta * h[0]))) / T);
    expect(Math.hypot(m0, m1)).toBeLessThan(5 * meanSe);
  });

  it('predicts an equilibrium at temperature ηζ²/2 with μ = ηH₀² (004 Eq. 33–34, docs/science.md §7)', () => {
    const q = new EarthquakeOptimizer();
    q.configure({ eta: 2e-5, zeta: 1e-4 }, quadratic, unused);
    expect(q.fokkerPlanck()).toMatchObject({ mobility: 2e-5, mobilityMatrix: 'H₀²', equilibrium: true });
    expect(q.fokkerPlanck().temperature).toBeCloseTo(1e-13, 25);
  });

  it('is bound as "earthquake", declared with definePlugin, η and ζ documented', () => {
    const c = assemble(optimizersModule);
    expect(resolvePlugin(c, 'optimizer', 'earthquake', 'optimizer')).toBeInstanceOf(EarthquakeOptimizer);
    const info = c.getAll<PluginInfo>(PluginInfo).find((i) => i.name === 'earthquake');
    expect(info).toBe(earthquakeInfo);
    expect(earthquakeInfo.apiVersion).toBe(API_VERSION);
    expect(Object.keys(earthquakeInfo.params)).toEqual(['eta', 'zeta']);
    expect(earthquakeInfo.params.zeta.default).toBe(1e-4);
  });
});
