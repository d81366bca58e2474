import { describe, expect, it } from 'vitest';
import { assemble } from '../container.ts';
import { simulate } from './simulate.ts';
import { toyModule, toySpec } from '../testing/toy.ts';

const container = assemble(toyModule);
// One step at η = 1e-12 moves θ by ~1e-12: the recorded θ₁ is the initial draw to that precision.
const starts = async (init: unknown, chains: number, groups = 1) => {
  const rows = (
    await simulate(
      container,
      { ...toySpec, chains, steps: 1, optimizer: { name: 'toy-sgd', params: { eta: 1e-12 } }, init },
      { groups },
    )
  ).observers.trajectory as number[][];
  return rows.map((r) => [r[0], r[1]]);
};

describe("init { kind: 'gaussian' }: θ ~ N(mean, covariance) per chain from its own stream", () => {
  it('has the requested mean and covariance', async () => {
    const mean = [0.5, -2],
      cov = [
        [4, 1.2],
        [1.2, 0.9],
      ],
      K = 4000;
    const x = await starts({ kind: 'gaussian', mean, covariance: cov }, K);
    const m = [0, 1].map((a) => x.reduce((s, r) => s + r[a], 0) / K);
    const c = (a: number, b: number) => x.reduce((s, r) => s + (r[a] - m[a]) * (r[b] - m[b]), 0) / (K - 1);
    // 4 standard errors: of a mean √(Σ_aa/K); of a covariance √((Σ_aa Σ_bb + Σ_ab²)/K) (Gaussian sample).
    for (const a of [0, 1]) expect(Math.abs(m[a] - mean[a])).toBeLessThan(4 * Math.sqrt(cov[a][a] / K));
    for (const [a, b] of [
      [0, 0],
      [0, 1],
      [1, 1],
    ]) {
      expect(Math.abs(c(a, b) - cov[a][b]), `Σ_${a}${b}`).toBeLessThan(
        4 * Math.sqrt((cov[a][a] * cov[b][b] + cov[a][b] ** 2) / K),
      );
    }
  });

  it('is bit-identical whatever the number of chain groups, and allows a semi-definite covariance', async () => {
    const init = {
      kind: 'gaussian',
      mean: [1, 2],
      covariance: [
        [1, 2],
        [2, 4],
      ],
    }; // rank 1: θ₁ − 1 = (θ₀ − 1)·2
    const one = await starts(init, 9);
    expect(await starts(init, 9, 4)).toEqual(one);
    for (const [t0, t1] of one) expect(t1 - 2).toBeCloseTo(2 * (t0 - 1), 9);
  });

  it('rejects a bad covariance naming the field', async () => {
    await expect(starts({ kind: 'gaussian', mean: [0, 0], covariance: [[1, 0]] }, 2)).rejects.toThrow(
      'scenario.init.covariance: must be a square array',
    );
    await expect(
      starts(
        {
          kind: 'gaussian',
          mean: [0, 0],
          covariance: [
            [1, 2],
            [2, 1],
          ],
        },
        2,
      ),
    ).rejects.toThrow('scenario.init.covariance: is not positive semi-definite');
    await expect(
      starts(
        {
          kind: 'gaussian',
          mean: [0, 'a'],
          covariance: [
            [1, 0],
            [0, 1],
          ],
        },
        2,
      ),
    ).rejects.toThrow('scenario.init.mean: must be an array of finite numbers');
  });
});
