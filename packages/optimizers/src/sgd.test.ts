import { describe, expect, it } from 'vitest';
import { Xoshiro128, assemble, resolvePlugin, type Chain, type Landscape, type Sampler } from '@nesslab/kernel';
import { optimizersModule, SgdOptimizer } from './index.ts';

/** ℓ_i = ½ a (θ − x_i)², one dimension, x = (−1, 0, 2, 3): ∇L_B = a(θ − mean of the batch's x). */
const xs = [-1, 0, 2, 3],
  a = 4;
const landscape = {
  dim: 1,
  dataSize: 4,
  minibatchGradient(t: Float64Array, batch: Int32Array, m: number, out: Float64Array) {
    let s = 0;
    for (let k = 0; k < m; k++) s += t[0] - xs[batch[k]];
    out[0] = (a * s) / m;
  },
} as unknown as Landscape;
/** Batches cycle 0, 1, 2, 3, … one index at a time (m = 1). */
const cycling = {
  batchSize: 1,
  stepsPerEpoch: 4,
  init: () => ({ k: 0 }),
  next: (s: { k: number }, _r: unknown, out: Int32Array) => {
    out[0] = s.k++ % 4;
  },
} as unknown as Sampler;

const chain = (theta: number): Chain<unknown, { grad: Float64Array }> => ({
  index: 0,
  theta: Float64Array.of(theta),
  rng: Xoshiro128.fromSeed(1),
  samplerState: cycling.init(Xoshiro128.fromSeed(1)),
  state: { grad: new Float64Array(1) },
  batch: new Int32Array(1),
  step: 0,
});

describe('sgd', () => {
  it("takes θ ← θ − η ∇L_B(θ) with the sampler's batch (004 Eq. 12)", () => {
    const sgd = new SgdOptimizer();
    sgd.configure({ eta: 0.1 }, landscape, cycling);
    const c = chain(1);
    sgd.step(c);
    expect(c.theta[0]).toBe(1 - 0.1 * a * (1 - -1)); // batch {0}: x = −1
    sgd.step(c);
    expect(c.theta[0]).toBeCloseTo(0.2 - 0.1 * a * 0.2, 15); // batch {1}: x = 0
  });

  it('converges to the epoch-cycle fixed point, not to the minimum θ = 1: the WOR effect in one dimension', () => {
    // One epoch maps θ to (1 − ηa)⁴θ + c; the fixed point of the 4-step cycle differs from the mean of x by O(η).
    const eta = 0.05,
      sgd = new SgdOptimizer();
    sgd.configure({ eta }, landscape, cycling);
    const c = chain(0);
    for (let k = 0; k < 4000; k++) sgd.step(c);
    const r = 1 - eta * a;
    let fixed = 0; // iterate the affine epoch map exactly: θ ← rθ + ηa x_k
    for (let e = 0; e < 1000; e++) for (const x of xs) fixed = r * fixed + eta * a * x;
    expect(c.theta[0]).toBeCloseTo(fixed, 12);
    expect(Math.abs(fixed - 1)).toBeGreaterThan(0.1); // displaced from the minimum of L (mean of x = 1)
  });

  it('is bound as "sgd" with its η documented', () => {
    const c = assemble(optimizersModule);
    expect(resolvePlugin(c, 'optimizer', 'sgd', 'optimizer')).toBeInstanceOf(SgdOptimizer);
  });
});
