import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '@nesslab/kernel';
import { PsgldOptimizer, psgldInfo } from './index.ts';
import { FixedOrderSampler, makeChain, noiseless, stateLengths } from './langevin-fixtures.ts';
import { cycling, expectBound, expectChainsApart, meanSe, oneDQuadratic, order, xs } from './optimizer-checks.ts';

const k = 4, // ℓ_i = ½k(θ − x_i)²
  oneD = oneDQuadratic(k),
  sampler = cycling;

describe('psgld', () => {
  it('takes V ← αV + (1 − α)ḡ², G = 1/(λ + √V), θ ← θ − εGḡ + √(2εG) z (Li et al. 2016, Alg. 1), V = 0 at the start', () => {
    const eps = 0.01,
      alpha = 0.9,
      lambda = 1e-3,
      opt = new PsgldOptimizer();
    opt.configure({ eta: eps, alpha, lambda }, oneD, sampler);
    expect(stateLengths(opt)).toEqual({ grad: 1, meanSquare: 1 });
    const c = makeChain([0.7], opt, Xoshiro128.fromSeed(5), sampler),
      replay = (c.rng as Xoshiro128).clone();
    let theta = 0.7,
      V = 0;
    for (let t = 0; t < 12; t++) {
      const g = k * (theta - xs[order[t % 4]]);
      V = alpha * V + (1 - alpha) * g * g;
      const G = 1 / (lambda + Math.sqrt(V));
      theta += Math.sqrt(2 * eps * G) * replay.nextNormal() - eps * G * g;
      opt.step(c);
      c.step++;
      expect([c.theta[0], c.state.meanSquare[0]]).toEqual([theta, V]);
      expect((c.rng as Xoshiro128).state()).toEqual(replay.state());
    }
  });

  it("is biased by the preconditioner's dependence on the chain (Γ dropped) unless V forgets slowly: Var θ → 1/k as α → 1", () => {
    // 𝓛 = ½θ², ε = 0.01 (G ≈ 1/√⟨g²⟩ = 1, an effective SGLD step of 0.01: Euler bias 0.5 %). With α = 0.99 V follows θ
    // within 100 steps, the relaxation time, and Var θ is 1.28 ± 0.03 (measured); with α = 0.9999 V is nearly constant
    // and Var θ is 0.99 ± 0.015. 8 chains × 30 000 steps after 5 000 (started at θ = 0.5, away from a zero gradient).
    const variance = (alpha: number): [number, number] => {
      const opt = new PsgldOptimizer(),
        four = new FixedOrderSampler(Int32Array.of(0, 1, 2, 3), 1);
      opt.configure({ eta: 0.01, alpha, lambda: 1e-5 }, noiseless([1], 4), four);
      const v: number[] = [];
      for (let c = 0; c < 8; c++) {
        const ch = makeChain([0.5], opt, Xoshiro128.fromSeed(100 + c), four);
        for (let t = 0; t < 5000; t++) opt.step(ch);
        let s2 = 0;
        const T = 30_000;
        for (let t = 0; t < T; t++) {
          opt.step(ch);
          s2 += ch.theta[0] ** 2; // mean 0 by symmetry
        }
        v.push(s2 / T);
      }
      return meanSe(v);
    };
    const [slow, slowSe] = variance(0.9999),
      [fast, fastSe] = variance(0.99);
    expect(slowSe).toBeLessThan(0.03);
    expect(Math.abs(slow - 1)).toBeLessThan(0.02 + 4 * slowSe);
    expect(fast - 1).toBeGreaterThan(0.15 + 4 * fastSe);
  });

  it('has no affineStep (G depends on ḡ), says that Γ(θ) is dropped, and keeps each chain apart', () => {
    const opt = new PsgldOptimizer();
    opt.configure({ eta: 0.01, alpha: 0.99, lambda: 1e-5 }, oneD, sampler);
    expect(opt.affineStep).toBeUndefined();
    expect(psgldInfo.description).toMatch(/Γ\(θ\).*dropped/);
    expectChainsApart(() => new PsgldOptimizer(), { eta: 0.01, alpha: 0.99, lambda: 1e-5 }, oneD, sampler);
  });

  it('is bound as "psgld", declared with definePlugin, ε, α and λ documented', () => {
    expectBound(PsgldOptimizer, psgldInfo, ['eta', 'alpha', 'lambda', 'schedule', 'cycles', 'totalSteps']);
    expect([psgldInfo.params.alpha.default, psgldInfo.params.lambda.default]).toEqual([0.99, 1e-5]);
  });
});
