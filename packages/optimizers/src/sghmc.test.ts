import { describe, expect, it } from 'vitest';
import { ScenarioError, Xoshiro128 } from '@nesslab/kernel';
import { SghmcOptimizer, sghmcInfo } from './index.ts';
import { makeChain, noiseless, stateLengths } from './langevin-fixtures.ts';
import {
  cycling,
  expectBound,
  expectChainsApart,
  oneDQuadratic,
  order,
  stationaryCovarianceOf,
  xs,
} from './optimizer-checks.ts';

const h = 4, // ℓ_i = ½h(θ − x_i)²
  oneD = oneDQuadratic(h),
  sampler = cycling;

describe('sghmc', () => {
  it("takes v ← (1 − α)v − η∇Ũ(θ) + √(2(α − β̂)η) z, θ ← θ + v (Chen et al. 2014, Eq. 15), z from the chain's stream", () => {
    const eta = 0.01,
      alpha = 0.3,
      betaHat = 0.1,
      sigma = Math.sqrt(2 * (alpha - betaHat) * eta),
      opt = new SghmcOptimizer();
    opt.configure({ eta, alpha, betaHat }, oneD, sampler);
    expect(stateLengths(opt)).toEqual({ grad: 1, velocity: 1 });
    const c = makeChain([0.7], opt, Xoshiro128.fromSeed(3), sampler),
      replay = (c.rng as Xoshiro128).clone();
    let theta = 0.7,
      v = 0;
    for (let t = 0; t < 12; t++) {
      v = (1 - alpha) * v - eta * (h * (theta - xs[order[t % 4]])) + sigma * replay.nextNormal();
      theta += v;
      opt.step(c);
      c.step++;
      expect(c.theta[0]).toBe(theta);
      expect((c.rng as Xoshiro128).state()).toEqual(replay.state()); // one normal per coordinate and step
    }
  });

  it('samples e^{−𝓛} as η → 0: on a noiseless quadratic the exact stationary Var θ − 1/h is O(η) (from affineStep)', () => {
    // 𝓛 = ½θ², α = 0.5, β̂ = 0: Var θ = 1 + O(η) (measured: 0.0067 at η = 0.02, quartering with η), and Var v stays at
    // η/(1 − α/2), the heavy ball's own (not η: the paper's v ~ N(0, η) holds as α → 0 too).
    const errors = [0.02, 0.005, 0.00125].map((eta) => {
      const opt = new SghmcOptimizer();
      opt.configure({ eta, alpha: 0.5, betaHat: 0 }, noiseless([1], 2), sampler);
      const P = stationaryCovarianceOf(opt.affineStep!(Float64Array.of(1), Float64Array.of(0)));
      expect(Math.abs(P[3] / (eta / (1 - 0.25)) - 1)).toBeLessThan(2 * eta);
      return P[0] - 1;
    });
    expect(errors[0]).toBeGreaterThan(0);
    expect(errors[0] / errors[1]).toBeCloseTo(4, 1);
    expect(errors[1] / errors[2]).toBeCloseTo(4, 1);
    expect(errors[2]).toBeLessThan(1e-3);
  });

  it('refuses β̂ ≥ α (the injected variance 2(α − β̂)η would not be positive)', () => {
    const opt = new SghmcOptimizer();
    expect(() => opt.configure({ eta: 1e-3, alpha: 0.1, betaHat: 0.1 }, oneD, sampler)).toThrow(ScenarioError);
    expect(() => opt.configure({ eta: 1e-3, alpha: 0.1, betaHat: 0.2 }, oneD, sampler)).toThrow(/below α/);
  });

  it("keeps each chain's velocity and stream apart (chains stepped alternately = chains stepped alone)", () => {
    expectChainsApart(() => new SghmcOptimizer(), { eta: 0.01, alpha: 0.2, betaHat: 0 }, oneD, sampler);
  });

  it('is bound as "sghmc", declared with definePlugin, its Fokker–Planck view overdamped (μ = η/α, T = 1)', () => {
    expectBound(SghmcOptimizer, sghmcInfo, ['eta', 'alpha', 'betaHat', 'schedule', 'cycles', 'totalSteps']);
    const opt = new SghmcOptimizer();
    opt.configure({ eta: 1e-4, alpha: 0.1, betaHat: 0 }, oneD, sampler);
    expect(opt.fokkerPlanck()).toMatchObject({ equilibrium: true, temperature: 1 });
    expect(opt.fokkerPlanck().mobility).toBeCloseTo(1e-3, 15);
  });
});
