import { describe, expect, it } from 'vitest';
import { Xoshiro128, assemble, resolvePlugin, type Sampler } from '@nesslab/kernel';
import { GdWhiteNoiseOptimizer, gdWhiteNoiseInfo, optimizersModule } from './index.ts';
import { FixedOrderSampler, ScriptedRng, makeChain, noiseless, stateLengths } from './langevin-fixtures.ts';

const sampler = new FixedOrderSampler(Int32Array.of(0), 1) as Sampler;
const configured = (landscape: ReturnType<typeof noiseless>, eta: number, diffusion: number) => {
  const opt = new GdWhiteNoiseOptimizer();
  opt.configure({ eta, diffusion }, landscape, sampler);
  return opt;
};

describe('gd-white-noise (001 Theorem 3.1: θ ← θ − η∇𝓛 + √(2ηD) z)', () => {
  it("takes exactly θ − η∇𝓛(θ) + √(2ηD) z with N normals of the chain's stream per step, the full-batch gradient", () => {
    // 𝓛 = ½θᵀAθ, A = [[2, 1], [1, 3]]: ∇𝓛 = Aθ.
    const eta = 0.01,
      D = 3,
      opt = configured(noiseless([2, 1, 1, 3], 1), eta, D);
    expect(stateLengths(opt)).toEqual({ grad: 2 });
    const c = makeChain([0.7, -0.4], opt, Xoshiro128.fromSeed(5), sampler),
      replay = (c.rng as Xoshiro128).clone();
    let t = [0.7, -0.4];
    for (let s = 0; s < 7; s++) {
      opt.step(c);
      const g = [2 * t[0] + t[1], t[0] + 3 * t[1]],
        k = Math.sqrt(2 * eta * D);
      t = t.map((x, a) => x + (k * replay.nextNormal() - eta * g[a]));
      expect([...c.theta]).toEqual(t); // same expression, same order: bit-identical
    }
    let draws = 0;
    const scripted = makeChain([1, 1], opt, new ScriptedRng(() => (draws++, 0)), sampler);
    opt.step(scripted);
    expect(draws).toBe(2);
    expect([...scripted.theta]).toEqual([1 - eta * 3, 1 - eta * 4]); // z = 0: a plain GD step
  });

  it('samples exp(−𝓛/D): on a quadratic the variance along h is D/(h(1 − ηh/2)) (discrete), not D/h, within 4 standard errors', () => {
    // Each direction is AR(1) with ρ = 1 − ηh; the sample variance of n steps has relative standard error
    // √(2(1 + ρ²)/((1 − ρ²)n)): 0.0046 for ηh = 0.4 (ρ = 0.6), 0.0062 for ηh = 0.2, n = 2e5. 4 of them = 0.02 / 0.025,
    // while the continuous D/h is 25 % (ηh = 0.4) and 11 % (ηh = 0.2) away: the test sees the discrete factor.
    const eta = 0.1,
      D = 0.7,
      h = [4, 2],
      n = 200_000,
      opt = configured(noiseless([h[0], 0, 0, h[1]], 1), eta, D);
    const c = makeChain([0, 0], opt, Xoshiro128.fromSeed(11), sampler);
    for (let s = 0; s < 1000; s++) opt.step(c);
    const sum = [0, 0],
      sq = [0, 0];
    let cross = 0;
    for (let s = 0; s < n; s++) {
      opt.step(c);
      for (let a = 0; a < 2; a++) {
        sum[a] += c.theta[a];
        sq[a] += c.theta[a] ** 2;
      }
      cross += c.theta[0] * c.theta[1];
    }
    const variance = sq.map((q, a) => q / n - (sum[a] / n) ** 2);
    h.forEach((x, a) => {
      const want = D / (x * (1 - (eta * x) / 2)),
        rho = 1 - eta * x,
        se = Math.sqrt((2 * (1 + rho * rho)) / ((1 - rho * rho) * n));
      expect(Math.abs(variance[a] / want - 1), `direction ${a}`).toBeLessThan(4 * se);
      expect(Math.abs(variance[a] / (D / x) - 1)).toBeGreaterThan(0.1);
    });
    // Isotropic noise on a diagonal Hessian: no correlation (standard error of the correlation ≈ 1/√(n_eff) ≈ 0.004).
    expect(Math.abs(cross / n / Math.sqrt(variance[0] * variance[1]))).toBeLessThan(0.02);
  });

  it('states its Fokker–Planck view: μ = η, equilibrium at temperature D', () => {
    const fp = configured(noiseless([1], 1), 0.002, 6).fokkerPlanck();
    expect(fp).toMatchObject({ mobility: 0.002, equilibrium: true, temperature: 6 });
    expect(fp.diffusion).toMatch(/exp\(−𝓛\/D\)/);
  });

  it('is bound as gd-white-noise with documented eta and diffusion', () => {
    const c = assemble(optimizersModule);
    expect(resolvePlugin(c, 'optimizer', 'gd-white-noise', 'x')).toBeInstanceOf(GdWhiteNoiseOptimizer);
    expect(Object.keys(gdWhiteNoiseInfo.params).sort()).toEqual(['diffusion', 'eta']);
    expect(gdWhiteNoiseInfo.source).toMatch(/Theorem 3\.1/);
  });
});
