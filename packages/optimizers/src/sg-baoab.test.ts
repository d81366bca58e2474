import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '@nesslab/kernel';
import { SgBaoabOptimizer, SgldLmOptimizer, SgldOptimizer, sgBaoabInfo } from './index.ts';
import { FixedOrderSampler, makeChain, noiseless, stateLengths } from './langevin-fixtures.ts';
import {
  cycling,
  expectBound,
  expectChainsApart,
  inverse2,
  oneDQuadratic,
  order,
  relativeError,
  stationaryCovarianceOf,
  xs,
} from './optimizer-checks.ts';

const k = 4, // ℓ_i = ½k(θ − x_i)²
  oneD = oneDQuadratic(k),
  sampler = cycling;
const A = [2, 1, 1, 3]; // 𝓛 = ½θᵀAθ, eigenvalues 1.38 and 3.62: BAOAB is stable for h < 2/√3.62 = 1.05

describe('sg-baoab', () => {
  it('takes B A O A B with one fresh minibatch gradient per step (shared by a closing and the next opening half-kick)', () => {
    const h = 0.1,
      gamma = 2,
      c = Math.exp(-gamma * h),
      s = Math.sqrt(-Math.expm1(-2 * gamma * h)),
      opt = new SgBaoabOptimizer();
    opt.configure({ h, gamma }, oneD, sampler);
    expect(stateLengths(opt)).toEqual({ grad: 1, momentum: 1, momentumReady: 1 });
    const ch = makeChain([0.7], opt, Xoshiro128.fromSeed(5), sampler),
      replay = (ch.rng as Xoshiro128).clone();
    let theta = 0.7,
      p = replay.nextNormal(); // p⁻₀ ~ N(0, 1) at the first step
    for (let t = 0; t < 12; t++) {
      const grad = k * (theta - xs[order[t % 4]]); // this step's batch, at this step's θ
      let q = p - h * grad; // B (closing, of the step before) + B (opening)
      theta += (h / 2) * q; // A
      q = c * q + s * replay.nextNormal(); // O
      theta += (h / 2) * q; // A
      p = q;
      opt.step(ch);
      ch.step++;
      expect(ch.theta[0]).toBe(theta);
      expect(ch.state.momentum[0]).toBe(p);
      expect((ch.rng as Xoshiro128).state()).toEqual(replay.state());
    }
  });

  it("samples a noiseless quadratic's configurations exactly for every stable h and γ: Σ_θθ = A⁻¹, Var p⁻ = 1", () => {
    // Exact stationary covariance of the plugin's own affine map (P = A P Aᵀ + Q, solved directly): no sampling error.
    // Euler SGLD at the matching η = h²/2 is off by the factor (1 − ηh_α/2)⁻¹ (over 2 % once h ≥ 0.3).
    const inv = inverse2(A),
      L = noiseless(A, 2),
      two = new FixedOrderSampler(Int32Array.of(0, 1), 1);
    for (const [h, gamma] of [
      [0.05, 1],
      [0.3, 0.7],
      [0.8, 5],
      [1, 0.1],
    ]) {
      const opt = new SgBaoabOptimizer();
      opt.configure({ h, gamma }, L, two);
      const P = stationaryCovarianceOf(opt.affineStep!(Float64Array.from(A), new Float64Array(2)));
      expect(relativeError([P[0], P[1], P[4], P[5]], inv), `Σ_θθ at h = ${h}, γ = ${gamma}`).toBeLessThan(1e-13);
      expect(relativeError([P[10], P[11], P[14], P[15]], [1, 0, 0, 1]), 'Var p⁻').toBeLessThan(1e-13);
      if (h < 0.3) continue;
      const sgld = new SgldOptimizer();
      sgld.configure({ eta: (h * h) / 2 }, L, two);
      const E = stationaryCovarianceOf(sgld.affineStep!(Float64Array.from(A), new Float64Array(2)));
      expect(relativeError(E, inv)).toBeGreaterThan(0.02);
    }
  });

  it('is sgld-lm at η = h²/2 as γh → ∞ (e^{−γh} = 0): the same trajectory from the same stream', () => {
    const h = 0.2,
      baoab = new SgBaoabOptimizer(),
      lm = new SgldLmOptimizer();
    baoab.configure({ h, gamma: 1e5 }, oneD, sampler);
    lm.configure({ eta: (h * h) / 2 }, oneD, sampler);
    const a = makeChain([0.4], baoab, Xoshiro128.fromSeed(9), sampler),
      b = makeChain([0.4], lm, Xoshiro128.fromSeed(9), sampler);
    for (let t = 0; t < 40; t++) {
      baoab.step(a);
      lm.step(b);
      a.step++;
      b.step++;
      expect(Math.abs(a.theta[0] - b.theta[0])).toBeLessThan(1e-13 * (1 + Math.abs(b.theta[0])));
      expect(a.state.momentum[0]).toBe(b.state.z[0]); // p⁻ is the carried z
    }
  });

  it("keeps each chain's momentum, its flag and its stream apart (chains stepped alternately = chains stepped alone)", () => {
    expectChainsApart(() => new SgBaoabOptimizer(), { h: 0.1, gamma: 1 }, oneD, sampler);
  });

  it('is bound as "sg-baoab", declared with definePlugin, equilibrium at T = 1 with μ = h/γ overdamped', () => {
    expectBound(SgBaoabOptimizer, sgBaoabInfo, ['h', 'gamma', 'schedule', 'cycles', 'totalSteps']);
    expect(sgBaoabInfo.description).toMatch(/fresh/);
    const opt = new SgBaoabOptimizer();
    opt.configure({ h: 0.01, gamma: 2 }, oneD, sampler);
    expect(opt.fokkerPlanck()).toMatchObject({ mobility: 0.005, equilibrium: true, temperature: 1 });
  });
});
