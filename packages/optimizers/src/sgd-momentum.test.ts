import { describe, expect, it } from 'vitest';
import { SgdMomentumOptimizer, sgdMomentumInfo } from './index.ts';
import { ScriptedRng, makeChain, stateLengths } from './langevin-fixtures.ts';
import { cycling, expectBound, expectChainsApart, oneDQuadratic, order, xs } from './optimizer-checks.ts';

const h = 4, // ℓ_i = ½h(θ − x_i)²
  oneD = oneDQuadratic(h),
  sampler = cycling;

describe('sgd-momentum', () => {
  it("takes v ← βv − η∇L_B(θ), θ ← θ + v with the sampler's batch, v = 0 at the start, and draws nothing", () => {
    const eta = 0.02,
      beta = 0.9,
      opt = new SgdMomentumOptimizer();
    opt.configure({ eta, momentum: beta }, oneD, sampler);
    expect(stateLengths(opt)).toEqual({ grad: 1, velocity: 1 });
    const c = makeChain(
      [0.7],
      opt,
      new ScriptedRng(() => {
        throw new Error('heavy ball draws no normals');
      }),
      sampler,
    );
    let theta = 0.7,
      v = 0;
    for (let t = 0; t < 12; t++) {
      v = beta * v - eta * (h * (theta - xs[order[t % 4]]));
      theta += v;
      opt.step(c);
      c.step++;
      expect(c.theta[0]).toBe(theta);
      expect(c.state.velocity[0]).toBe(v);
    }
  });

  it("keeps each chain's velocity in its own state (chains stepped alternately = chains stepped alone)", () => {
    expectChainsApart(() => new SgdMomentumOptimizer(), { eta: 0.01, momentum: 0.5 }, oneD, sampler);
  });

  it('predicts μ = η/(1 − β), the slow modes of heavy ball', () => {
    const opt = new SgdMomentumOptimizer();
    opt.configure({ eta: 1e-3, momentum: 0.75 }, oneD, sampler);
    expect(opt.fokkerPlanck().mobility).toBeCloseTo(4e-3, 15);
  });

  it('is bound as "sgd-momentum", declared with definePlugin, η and β documented', () => {
    expectBound(SgdMomentumOptimizer, sgdMomentumInfo, ['eta', 'momentum']);
    expect(sgdMomentumInfo.params.momentum.default).toBe(0.9);
  });
});
