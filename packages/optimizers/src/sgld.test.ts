import { describe, expect, it } from 'vitest';
import { API_VERSION, PluginInfo, Xoshiro128, assemble, resolvePlugin, type Sampler } from '@nesslab/kernel';
import { SgldLmOptimizer, SgldOptimizer, optimizersModule, sgldInfo, sgldLmInfo } from './index.ts';
import {
  FixedOrderSampler,
  QuadraticPerSample,
  ScriptedRng,
  makeChain,
  noiseless,
  stationaryCovariance,
  stateLengths,
} from './langevin-fixtures.ts';

/** 1-D, ℓ_i = ½h(θ − x_i)², x = (−1, 0, 2, 3): the minibatch gradient of batch {i} is h(θ − x_i). */
const h = 4,
  xs = [-1, 0, 2, 3];
const oneD = new QuadraticPerSample(
  xs.map(() => Float64Array.of(h)),
  xs.map((x) => Float64Array.of(x)),
);
const A = [2, 1, 1, 3]; // 𝓛 = ½θᵀAθ, eigenvalues (5 ∓ √5)/2 = 1.38, 3.62

/** Σ for a 2×2 symmetric A as f(A) = O diag(f(h_α)) Oᵀ. */
function matrixFunction(S: number[], f: (h: number) => number): number[][] {
  const [a, b, , d] = S,
    mean = (a + d) / 2,
    r = Math.hypot((a - d) / 2, b);
  const hs = [mean - r, mean + r],
    phi = 0.5 * Math.atan2(2 * b, a - d);
  const v = [
    [-Math.sin(phi), Math.cos(phi)],
    [Math.cos(phi), Math.sin(phi)],
  ]; // eigenvectors of hs[0], hs[1]
  return [0, 1].map((i) => [0, 1].map((j) => f(hs[0]) * v[0][i] * v[0][j] + f(hs[1]) * v[1][i] * v[1][j]));
}

/**
 * The one-step map of an SGLD plugin on the noiseless quadratic, read off the plugin itself: state s = (θ, carried z),
 * s' = F s + G z. Each column comes from one step started at a unit state (θ, and for LM the carried z written into the
 * chain's state with its flag set) with scripted normals; the map is linear because the minimum is at 0 and nothing is random.
 */
function stepMap(opt: SgldOptimizer, lm: boolean): { F: number[][]; G: number[][] } {
  const N = 2,
    d = lm ? 2 * N : N,
    sampler = new FixedOrderSampler(Int32Array.of(0, 1), 1);
  const run = (s0: number[], z: number[]): number[] => {
    let k = 0;
    const c = makeChain(s0.slice(0, N), opt, new ScriptedRng(() => z[k++]), sampler);
    if (lm) {
      c.state.z.set(s0.slice(N));
      c.state.zReady[0] = 1;
    }
    opt.step(c);
    expect(k).toBe(N); // exactly N normals per step once z₀ exists
    return lm ? [...c.theta, ...c.state.z] : [...c.theta];
  };
  const unit = (i: number, len: number) => Array.from({ length: len }, (_, j) => (i === j ? 1 : 0));
  const Fcols = Array.from({ length: d }, (_, j) => run(unit(j, d), [0, 0]));
  const Gcols = Array.from({ length: N }, (_, j) => run(new Array(d).fill(0), unit(j, N)));
  return {
    F: Fcols[0].map((_, i) => Fcols.map((col) => col[i])),
    G: Gcols[0].map((_, i) => Gcols.map((col) => col[i])),
  };
}

describe('sgld and sgld-lm', () => {
  it("take θ ← θ − η∇L_B(θ) + √(2η)z_t (004 Fig. 5) resp. + √(2η)(z_t + z_{t+1})/2, z from the chain's stream, z₀ drawn at the first step", () => {
    const eta = 0.01,
      sigma = Math.sqrt(2 * eta),
      sampler = new FixedOrderSampler(Int32Array.of(2, 0, 3, 1), 1);
    for (const lm of [false, true]) {
      const opt = lm ? new SgldLmOptimizer() : new SgldOptimizer();
      opt.configure({ eta }, oneD, sampler as Sampler);
      expect(stateLengths(opt)).toEqual(lm ? { grad: 1, z: 1, zReady: 1 } : { grad: 1 }); // (LM) the carried z, its flag
      const c = makeChain([0.7], opt, Xoshiro128.fromSeed(5), sampler);
      const replay = (c.rng as Xoshiro128).clone();
      let carried = lm ? replay.nextNormal() : 0;
      for (let t = 0; t < 9; t++) {
        const x = xs[[2, 0, 3, 1][t % 4]],
          expected = c.theta[0] - eta * (h * (c.theta[0] - x));
        const z = replay.nextNormal();
        opt.step(c);
        expect(c.theta[0]).toBe(lm ? expected + (sigma / 2) * (carried + z) : expected + sigma * z);
        expect((c.rng as Xoshiro128).state()).toEqual(replay.state()); // one normal per step (LM: plus z₀ once)
        carried = z;
      }
    }
  });

  it('on a quadratic without minibatch noise: Σ = A⁻¹(I − ηA/2)⁻¹ exactly (Euler), Σ = A⁻¹ exactly (Leimkuhler–Matthews)', () => {
    // Second moments propagated through the plugin's own linear step map (stepMap) to stationarity: no sampling error, so
    // the tolerance is rounding (1e-12 relative to √(Σ_ii Σ_jj)). η = 0.2: ηh ∈ [0.28, 0.72], the Euler factor
    // (1 − ηh/2)⁻¹ is 1.16–1.56, far outside it; the continuous-time answer A⁻¹ (T = 1, posterior) is what LM hits.
    const eta = 0.2,
      L = noiseless(A, 2),
      sampler = new FixedOrderSampler(Int32Array.of(0, 1), 1);
    const euler = matrixFunction(A, (x) => 1 / (x * (1 - (eta * x) / 2)));
    const exact = matrixFunction(A, (x) => 1 / x);
    for (const lm of [false, true]) {
      const opt = lm ? new SgldLmOptimizer() : new SgldOptimizer();
      opt.configure({ eta }, L, sampler as Sampler);
      const { F, G } = stepMap(opt, lm);
      const P = stationaryCovariance(F, G),
        want = lm ? exact : euler;
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 2; j++) {
          const scale = Math.sqrt(want[i][i] * want[j][j]);
          expect(Math.abs(P[i][j] - want[i][j]) / scale, `${lm ? 'sgld-lm' : 'sgld'} Σ_${i}${j}`).toBeLessThan(1e-12);
          if (i === j) expect(Math.abs(euler[i][j] - exact[i][j]) / scale).toBeGreaterThan(0.15);
        }
    }
  });

  it('with its real normal stream, the sampled variance on a noiseless 1-D quadratic is 1/h (LM) and 1/(h(1 − ηh/2)) (Euler)', () => {
    // ηh = 0.5: Euler 4/3 of the LM value. 24 independent chains × 20 000 steps after a 50-step burn-in (relaxation 2
    // steps); the tolerance is 5 standard errors of the mean over chains, measured from their spread (≈ 0.3–0.4 % here), and
    // that standard error must be small enough (< 1 %) that 4/3 vs 1 is decided at > 30 standard errors. Measured: SE 0.30 %
    // and 0.36 %, means 1.328 and 0.994 (−1.3 and −1.6 SE; with 200 chains × 50 000 steps −0.4 and −0.3 SE: no bias).
    const hh = 1,
      eta = 0.5,
      K = 24,
      T = 20_000,
      L = noiseless([hh], 4),
      sampler = new FixedOrderSampler(Int32Array.of(0, 1, 2, 3), 1);
    for (const lm of [false, true]) {
      const opt = lm ? new SgldLmOptimizer() : new SgldOptimizer();
      opt.configure({ eta }, L, sampler as Sampler);
      const perChain: number[] = [];
      for (let k = 0; k < K; k++) {
        const c = makeChain([0], opt, Xoshiro128.fromSeed(100 + k), sampler);
        for (let t = 0; t < 50; t++) opt.step(c);
        let s2 = 0;
        for (let t = 0; t < T; t++) {
          opt.step(c);
          s2 += c.theta[0] * c.theta[0];
        } // mean is exactly 0 (x_i = 0)
        perChain.push(s2 / T);
      }
      const mean = perChain.reduce((s, v) => s + v, 0) / K;
      const se = Math.sqrt(perChain.reduce((s, v) => s + (v - mean) ** 2, 0) / (K - 1) / K);
      const want = lm ? 1 / hh : 1 / (hh * (1 - (eta * hh) / 2));
      expect(se / want).toBeLessThan(0.01);
      expect(Math.abs(mean - want), lm ? 'sgld-lm' : 'sgld').toBeLessThan(5 * se);
    }
  });

  it("keep each chain's state apart: chains stepped alternately equal chains stepped alone (LM carry in the chain's state)", () => {
    const sampler = new FixedOrderSampler(Int32Array.of(1, 3, 0, 2), 1);
    for (const Opt of [SgldOptimizer, SgldLmOptimizer]) {
      const shared = new Opt(),
        solo = new Opt();
      shared.configure({ eta: 0.01 }, oneD, sampler as Sampler);
      solo.configure({ eta: 0.01 }, oneD, sampler as Sampler);
      const c1 = makeChain([0.3], shared, Xoshiro128.fromSeed(7), sampler),
        c2 = makeChain([-0.2], shared, Xoshiro128.fromSeed(8), sampler);
      const s1 = makeChain([0.3], solo, Xoshiro128.fromSeed(7), sampler),
        s2 = makeChain([-0.2], solo, Xoshiro128.fromSeed(8), sampler);
      for (let t = 0; t < 7; t++) {
        shared.step(c1);
        shared.step(c2);
      }
      for (let t = 0; t < 7; t++) solo.step(s1);
      for (let t = 0; t < 7; t++) solo.step(s2);
      expect([...c1.theta, ...c2.theta]).toEqual([...s1.theta, ...s2.theta]);
    }
  });

  it('predict μ′ = ηI, D′ = ηI + D and the posterior e^{−𝓛} (T = 1) as η → 0 (004 Eq. 37)', () => {
    const opt = new SgldOptimizer();
    opt.configure({ eta: 3e-6 }, oneD, new FixedOrderSampler(Int32Array.of(0, 1, 2, 3), 1) as Sampler);
    expect(opt.fokkerPlanck()).toMatchObject({ mobility: 3e-6, equilibrium: true, temperature: 1 });
    expect(opt.fokkerPlanck().diffusion).toMatch(/Eq\. 37/);
  });

  it('are bound as "sgld" and "sgld-lm", declared with definePlugin, η documented', () => {
    const c = assemble(optimizersModule);
    expect(resolvePlugin(c, 'optimizer', 'sgld', 'optimizer')).toBeInstanceOf(SgldOptimizer);
    expect(resolvePlugin(c, 'optimizer', 'sgld-lm', 'optimizer')).toBeInstanceOf(SgldLmOptimizer);
    const infos = c.getAll<PluginInfo>(PluginInfo);
    for (const info of [sgldInfo, sgldLmInfo]) {
      expect(infos.find((i) => i.name === info.name)).toBe(info);
      expect(info.apiVersion).toBe(API_VERSION);
      expect(Object.keys(info.params)).toEqual(['eta', 'schedule', 'cycles', 'totalSteps']); // schedule.ts
    }
  });
});
