import { describe, expect, it } from 'vitest';
import { Xoshiro128, type ChainState, type Landscape, type Sampler } from '@nesslab/kernel';
import { composedOptimizer, fullBatchGradient, gradientStep, minibatchGradient, type Update } from './compose.ts';
import { FixedOrderSampler, makeChain, noiseless, stateLengths } from './langevin-fixtures.ts';

/** Heavy-ball momentum, an update with its own per-chain state: v ← βv − η·grad, θ ← θ + v. */
interface Velocity extends ChainState {
  readonly velocity: Float64Array;
}
const heavyBall = (eta: number, beta: number, dim: number): Update<Velocity> => ({
  layout: { velocity: dim },
  apply(theta, grad, _rng, state) {
    const v = state.velocity;
    for (let a = 0; a < theta.length; a++) {
      v[a] = beta * v[a] - eta * grad[a];
      theta[a] += v[a];
    }
  },
});
const Momentum = composedOptimizer((p: { eta: number; beta: number }, landscape: Landscape, sampler: Sampler) => ({
  gradient: minibatchGradient(landscape, sampler),
  update: heavyBall(p.eta, p.beta, landscape.dim),
  fokkerPlanck: { mobility: p.eta / (1 - p.beta), diffusion: 'minibatch' },
}));

describe('composedOptimizer', () => {
  it('runs a new optimizer from parts: heavy-ball momentum is exactly its recurrence, its velocity in the chain state', () => {
    // 𝓛 = ½θᵀAθ, A = [[2, 1], [1, 3]], no minibatch noise: grad = Aθ every step.
    const L = noiseless([2, 1, 1, 3], 2),
      sampler = new FixedOrderSampler(Int32Array.of(0, 1), 1),
      opt = new Momentum();
    opt.configure({ eta: 0.05, beta: 0.9 }, L, sampler);
    expect(stateLengths(opt)).toEqual({ grad: 2, velocity: 2 });
    const c = makeChain([1, -0.5], opt, Xoshiro128.fromSeed(1), sampler);
    const theta = [1, -0.5],
      v = [0, 0];
    for (let t = 0; t < 50; t++) {
      const g = [2 * theta[0] + theta[1], theta[0] + 3 * theta[1]];
      for (let a = 0; a < 2; a++) {
        v[a] = 0.9 * v[a] - 0.05 * g[a];
        theta[a] += v[a];
      }
      opt.step(c);
      c.step++;
      expect([...c.theta]).toEqual(theta);
    }
    // Heavy ball on a quadratic contracts like √β per step once ηh is in its stable range: |θ| falls by 0.9^25 ≈ 0.07.
    expect(Math.hypot(...c.theta)).toBeLessThan(0.2 * Math.hypot(1, -0.5));
    expect(opt.fokkerPlanck().mobility).toBeCloseTo(0.5, 12);
  });

  it('acts in order within a step, and runs the kick and the correction only at the end of each period', () => {
    const log: string[] = [];
    const L = noiseless([1], 1);
    const Logged = composedOptimizer((_p: Record<string, never>, landscape: Landscape) => ({
      gradient: { layout: { grad: 1 }, estimate: (c) => log.push(`estimate ${c.step}`) },
      update: { apply: () => log.push('update') },
      period: 3,
      kick: { layout: {}, apply: () => log.push('kick') },
      correction: { layout: { thetaStart: 1 }, begin: () => log.push('begin'), end: () => log.push('end') },
      fokkerPlanck: { mobility: landscape.dim, diffusion: 'none' },
    }));
    const opt = new Logged();
    opt.configure({}, L, new FixedOrderSampler(Int32Array.of(0), 1));
    const c = makeChain([0], opt, Xoshiro128.fromSeed(1), new FixedOrderSampler(Int32Array.of(0), 1));
    for (let t = 0; t < 7; t++) {
      opt.step(c);
      c.step++;
    }
    expect(log.join(', ')).toBe(
      'begin, estimate 0, update, estimate 1, update, estimate 2, update, kick, end, ' +
        'begin, estimate 3, update, estimate 4, update, estimate 5, update, kick, end, ' +
        'begin, estimate 6, update',
    );
  });

  it("merges the parts' state layouts into one fresh set of arrays per chain, and refuses a name with two lengths", () => {
    const L = noiseless([2, 0, 0, 2], 1),
      sampler = new FixedOrderSampler(Int32Array.of(0), 1);
    const Shared = composedOptimizer((p: { velocity: number }, landscape: Landscape) => ({
      gradient: fullBatchGradient(landscape),
      update: { layout: { grad: landscape.dim, velocity: p.velocity }, apply: () => {} },
      fokkerPlanck: { mobility: 1, diffusion: 'none' },
    }));
    const opt = new Shared();
    opt.configure({ velocity: 3 }, L, sampler);
    const a = opt.createState(),
      b = opt.createState();
    expect(stateLengths(opt)).toEqual({ grad: 2, velocity: 3 }); // grad named twice, one array
    expect(a.grad).not.toBe(b.grad); // per chain
    const Clash = composedOptimizer((_p: object, landscape: Landscape) => ({
      gradient: fullBatchGradient(landscape),
      update: { layout: { grad: landscape.dim + 1 }, ...gradientStep(0.1) },
      fokkerPlanck: { mobility: 1, diffusion: 'none' },
    }));
    expect(() => new Clash().configure({}, L, sampler)).toThrow(
      'optimizer state "grad": two parts ask for lengths 2 and 3',
    );
  });
});
