import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '@nesslab/kernel';
import { SgnhtOptimizer, sgnhtInfo } from './index.ts';
import { ShuffleSampler, makeChain, noiseless, stateLengths } from './langevin-fixtures.ts';
import { cycling, expectBound, expectChainsApart, meanSe, oneDQuadratic, order, xs } from './optimizer-checks.ts';

const sampler = cycling;

describe('sgnht', () => {
  it('takes p ← p − ξp h − ∇Ũ h + √(2Ah) z, θ ← θ + p h, ξ ← ξ + (pᵀp/n − 1) h (Ding et al. 2014, Alg. 1), p₀ ~ N(0, I), ξ₀ = A', () => {
    const k = 4,
      h = 0.05,
      A = 1.5,
      sigma = Math.sqrt(2 * A * h),
      opt = new SgnhtOptimizer();
    opt.configure({ h, A }, oneDQuadratic(k), sampler);
    expect(stateLengths(opt)).toEqual({ grad: 1, momentum: 1, momentumReady: 1, thermostat: 1 });
    const c = makeChain([0.7], opt, Xoshiro128.fromSeed(5), sampler),
      replay = (c.rng as Xoshiro128).clone();
    let theta = 0.7,
      p = replay.nextNormal(),
      xi = A;
    for (let t = 0; t < 12; t++) {
      p = (1 - xi * h) * p - h * (k * (theta - xs[order[t % 4]])) + sigma * replay.nextNormal();
      theta += p * h;
      xi += (p * p - 1) * h;
      opt.step(c);
      c.step++;
      expect([c.theta[0], c.state.momentum[0], c.state.thermostat[0]]).toEqual([theta, p, xi]);
      expect((c.rng as Xoshiro128).state()).toEqual(replay.state());
    }
  });

  it('absorbs the minibatch noise in ξ: ξ rises by ≈ hV/2 (V the gradient variance) and Var θ stays near 1/k', () => {
    // k = 1, h = 0.05, A = 1; WR batches of 1 on x = (−1, 0, 2, 3): V = Var x_i = 2.5, so the kinetic balance
    // 2ξh ≈ 2Ah + h²V moves ξ up by hV/2 = 0.0625 against the noiseless landscape (measured 0.068 ± 0.011). SGLD at
    // η = h with the same noise has Var θ = (ηV + 2)/(2 − η) = 1.09 exactly; here Var θ is 1 − O(h) (measured
    // 0.96–0.98 ± 0.012). 16 chains × 30 000 steps after 2 000: tolerances of 4 standard errors, and 6 % for Var θ's O(h).
    const h = 0.05,
      wr = new ShuffleSampler(true);
    wr.configure({ batchSize: 1 }, 4);
    const run = (noisy: boolean) => {
      const opt = new SgnhtOptimizer();
      opt.configure({ h, A: 1 }, noisy ? oneDQuadratic(1) : noiseless([1], 4), wr);
      const variance: number[] = [],
        xi: number[] = [];
      for (let k = 0; k < 16; k++) {
        const c = makeChain([noisy ? 1 : 0], opt, Xoshiro128.fromSeed(100 + k), wr);
        for (let t = 0; t < 2000; t++) opt.step(c);
        let s = 0,
          s2 = 0,
          x = 0;
        const T = 30_000;
        for (let t = 0; t < T; t++) {
          opt.step(c);
          s += c.theta[0];
          s2 += c.theta[0] ** 2;
          x += c.state.thermostat[0];
        }
        variance.push(s2 / T - (s / T) ** 2);
        xi.push(x / T);
      }
      return { variance: meanSe(variance), xi: meanSe(xi) };
    };
    const quiet = run(false),
      noisy = run(true);
    const rise = noisy.xi[0] - quiet.xi[0],
      se = Math.hypot(noisy.xi[1], quiet.xi[1]);
    expect(se).toBeLessThan(0.02);
    expect(Math.abs(rise - (h * 2.5) / 2)).toBeLessThan(4 * se);
    for (const { variance } of [quiet, noisy]) {
      expect(variance[1]).toBeLessThan(0.02);
      expect(Math.abs(variance[0] - 1)).toBeLessThan(0.06 + 4 * variance[1]);
    }
  });

  it('has no affineStep (ξp is not affine), and keeps each chain apart (chains stepped alternately = alone)', () => {
    const opt = new SgnhtOptimizer();
    opt.configure({ h: 0.05, A: 1 }, oneDQuadratic(4), sampler);
    expect(opt.affineStep).toBeUndefined();
    expect(sgnhtInfo.description).toMatch(/[Nn]ot affine/);
    expectChainsApart(() => new SgnhtOptimizer(), { h: 0.05, A: 1 }, oneDQuadratic(4), sampler);
  });

  it('is bound as "sgnht", declared with definePlugin, h and A documented', () => {
    expectBound(SgnhtOptimizer, sgnhtInfo, ['h', 'A', 'schedule', 'cycles', 'totalSteps']);
  });
});
