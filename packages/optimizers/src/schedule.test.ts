import { describe, expect, it } from 'vitest';
import { PluginInfo, ScenarioError, Xoshiro128, assemble, type Landscape } from '@nesslab/kernel';
import {
  PsgldOptimizer,
  SgBaoabOptimizer,
  SghmcOptimizer,
  SgldCvOptimizer,
  SgldLmOptimizer,
  SgldOptimizer,
  SgnhtOptimizer,
  composedOptimizer,
  cyclicalSchedule,
  eulerKick,
  gradientStep,
  minibatchGradient,
  optimizersModule,
} from './index.ts';
import { makeChain } from './langevin-fixtures.ts';
import { cycling, expectChainsApart, oneDQuadratic, order, xs } from './optimizer-checks.ts';

const k = 4, // ℓ_i = ½k(θ − x_i)²
  oneD = oneDQuadratic(k),
  sampler = cycling;

/** The Langevin plugins, with params for the 1-D landscape. */
const plugins = [
  [() => new SgldOptimizer(), { eta: 0.01 }],
  [() => new SgldLmOptimizer(), { eta: 0.01 }],
  [() => new SghmcOptimizer(), { eta: 0.01, alpha: 0.2, betaHat: 0 }],
  [() => new SgBaoabOptimizer(), { h: 0.1, gamma: 1 }],
  [() => new SgnhtOptimizer(), { h: 0.05, A: 1 }],
  [() => new PsgldOptimizer(), { eta: 0.01, alpha: 0.99, lambda: 1e-5 }],
  [() => new SgldCvOptimizer(), { eta: 0.01, at: 'start' }],
] as const;

/** Zhang et al. 2020, Eq. 1, as printed: η_k/η₀ = ½[cos(π mod(k − 1, ⌈K/M⌉)/⌈K/M⌉) + 1], k = 1, 2, … */
const eq1 = (kk: number, K: number, M: number) => {
  const L = Math.ceil(K / M);
  return 0.5 * (Math.cos((Math.PI * ((kk - 1) % L)) / L) + 1);
};

describe('the cyclical step-size schedule', () => {
  it('is Eq. 1 of Zhang et al. 2020: cycles of ⌈K/M⌉ steps, 1 at the first step of each, never 0', () => {
    const f = cyclicalSchedule(3, 10); // ⌈10/3⌉ = 4 steps a cycle
    const values = Array.from({ length: 12 }, (_, i) => f(i));
    values.forEach((v, i) => expect(Math.abs(v - eq1(i + 1, 10, 3))).toBeLessThan(1e-15));
    expect([values[0], values[2], values[4], values[8]]).toEqual([1, 0.5, 1, 1]);
    expect(Math.min(...values)).toBeCloseTo((1 + Math.cos((3 * Math.PI) / 4)) / 2, 15);
  });

  it("makes each SGLD step a Langevin step at η_k: θ ← θ − η_k∇L_B + √(2η_k) z, z from the chain's stream", () => {
    const eta = 0.02,
      sigma = Math.sqrt(2 * eta),
      f = cyclicalSchedule(2, 10),
      opt = new SgldOptimizer();
    opt.configure({ eta, schedule: 'cyclical', cycles: 2, totalSteps: 10 }, oneD, sampler);
    const c = makeChain([0.7], opt, Xoshiro128.fromSeed(3), sampler),
      replay = (c.rng as Xoshiro128).clone();
    let theta = 0.7;
    for (let t = 0; t < 12; t++) {
      const s = f(t);
      theta -= eta * s * (k * (theta - xs[order[t % 4]]));
      theta += (s === 1 ? sigma : sigma * Math.sqrt(s)) * replay.nextNormal();
      opt.step(c);
      c.step++;
      expect(c.theta[0]).toBe(theta);
    }
    // The same step as a constant-η SGLD at η_k, from the same state and stream (to rounding: √(2η)√s vs √(2ηs)).
    for (const t of [1, 2, 3]) {
      const at = new SgldOptimizer();
      at.configure({ eta: eta * f(t) }, oneD, sampler);
      const a = makeChain([0.3], opt, Xoshiro128.fromSeed(4), sampler),
        b = makeChain([0.3], at, Xoshiro128.fromSeed(4), sampler);
      a.step = t;
      opt.step(a);
      at.step(b);
      expect(a.theta[0]).toBeCloseTo(b.theta[0], 15);
    }
  });

  it('is a param of every Langevin plugin (constant by default) and of no other', () => {
    const langevin = ['sgld', 'sgld-lm', 'sghmc', 'sg-baoab', 'sgnht', 'psgld', 'sgld-cv'];
    for (const info of assemble(optimizersModule).getAll<PluginInfo>(PluginInfo)) {
      const has = 'schedule' in info.params;
      expect(has, info.name).toBe(langevin.includes(info.name));
      if (has) expect([info.params.schedule.default, info.params.cycles.default]).toEqual(['constant', 4]);
    }
  });

  it('needs K (totalSteps) when cyclical, and a composition that kicks every step', () => {
    const opt = new SgldOptimizer();
    expect(() => opt.configure({ eta: 0.01, schedule: 'cyclical', cycles: 4, totalSteps: 0 }, oneD, sampler)).toThrow(
      ScenarioError,
    );
    const Epochs = composedOptimizer((_p: object, landscape: Landscape) => ({
      gradient: minibatchGradient(landscape, sampler),
      update: gradientStep(0.01),
      period: 4,
      kick: eulerKick(0.1),
      schedule: cyclicalSchedule(2, 100),
      fokkerPlanck: { mobility: 0.01, diffusion: 'none' },
    }));
    expect(() => new Epochs().configure({}, oneD, sampler)).toThrow(/period 1/);
  });

  it("scales every Langevin plugin's step parameter (η, or h) by η_k/η, its noise variance with it", () => {
    // Two steps from the same state and stream at chain.step = t: the scheduled plugin and the constant one with its
    // step parameter times f(t) agree to rounding.
    const f = cyclicalSchedule(3, 12),
      cyclical = { schedule: 'cyclical', cycles: 3, totalSteps: 12 };
    for (const [make, params] of plugins) {
      const key = 'eta' in params ? 'eta' : 'h';
      for (const t of [0, 1, 2, 3, 5]) {
        const scheduled = make(),
          constant = make();
        scheduled.configure({ ...params, ...cyclical }, oneD, sampler);
        constant.configure({ ...params, [key]: (params as Record<string, number>)[key] * f(t) }, oneD, sampler);
        const a = makeChain([0.3], scheduled, Xoshiro128.fromSeed(4), sampler),
          b = makeChain([0.3], constant, Xoshiro128.fromSeed(4), sampler);
        for (const c of [a, b]) c.step = t;
        scheduled.step(a);
        constant.step(b);
        expect(Math.abs(a.theta[0] - b.theta[0]), `${key} at step ${t}`).toBeLessThan(1e-15);
      }
    }
  });

  it('depends on the chain only through chain.step: chains stepped alternately = chains stepped alone', () => {
    const cyclical = { schedule: 'cyclical', cycles: 3, totalSteps: 12 };
    for (const [make, params] of plugins) expectChainsApart(make, { ...params, ...cyclical }, oneD, sampler, 14);
  });
});
