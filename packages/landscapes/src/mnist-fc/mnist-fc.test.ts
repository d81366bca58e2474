import { describe, expect, it } from 'vitest';
import { ScenarioError, Xoshiro128 } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { MnistFc, MnistSmallFc, MnistTinyFc, mnistSmallFcInfo, mnistTinyFcInfo } from './mnist-fc.ts';

/** A small net over real images: every exact derivative can be checked by finite differences in milliseconds. */
function small(params: Record<string, unknown> = {}) {
  const net = new MnistFc();
  net.configure(paramsFor(mnistTinyFcInfo, { hidden: 3, classes: 3, dataSize: 40, lambda: 0.01, ...params }), 0);
  const rng = Xoshiro128.fromSeed(7),
    theta = new Float64Array(net.dim);
  net.randomInit(theta, () => rng.nextNormal());
  for (let a = 0; a < net.dim; a++) theta[a] *= 3; // larger weights: unequal probabilities and several active units
  return { net, theta };
}

describe('mnist-small-fc / mnist-tiny-fc (003 §IV)', () => {
  it('has the sizes of 003: tiny-fc N = 49·16 + 16 + 16·5 + 5 = 885 on 30000 images of the digits 0–4; small-fc N = 3850 on 60000', () => {
    const tiny = new MnistTinyFc();
    tiny.configure(paramsFor(mnistTinyFcInfo), 0);
    expect([tiny.dim, tiny.dataSize, tiny.hidden, tiny.classes]).toEqual([885, 30000, 16, 5]);
    expect(Math.max(...tiny.labels)).toBe(4);
    expect(tiny.blocks()).toEqual({ W: [0, 784], b: [784, 16], V: [800, 80], c: [880, 5] });
    const smallFc = new MnistSmallFc();
    smallFc.configure(paramsFor(mnistSmallFcInfo), 0);
    expect([smallFc.dim, smallFc.dataSize]).toEqual([3850, 60000]);
  });

  it('every class equally likely at θ = 0: 𝓛 = log K exactly (all logits zero), and ∇_c = mean(p − y) = 1/K − class frequency', () => {
    const { net } = small({ lambda: 0 });
    const zero = new Float64Array(net.dim),
      g = new Float64Array(net.dim);
    expect(net.loss(zero)).toBeCloseTo(Math.log(3), 14);
    net.gradient(zero, g);
    const freq = [0, 1, 2].map((c) => net.labels.filter((y) => y === c).length / net.dataSize);
    const cAt = net.blocks().c[0];
    for (let c = 0; c < 3; c++) expect(g[cAt + c]).toBeCloseTo(1 / 3 - freq[c], 14);
  });

  it('gradient = central differences of the loss (h = 1e-6: truncation O(h²|∂³𝓛|) ~ 1e-12, rounding ε𝓛/h ~ 1e-10)', () => {
    const { net, theta } = small();
    const g = new Float64Array(net.dim),
      t = theta.slice(),
      h = 1e-6;
    net.gradient(theta, g);
    let worst = 0,
      scale = 0;
    for (let a = 0; a < net.dim; a++) {
      t[a] = theta[a] + h;
      const up = net.loss(t);
      t[a] = theta[a] - h;
      const down = net.loss(t);
      t[a] = theta[a];
      worst = Math.max(worst, Math.abs((up - down) / (2 * h) - g[a]));
      scale = Math.max(scale, Math.abs(g[a]));
    }
    expect(worst / scale).toBeLessThan(1e-7);
  });

  it('minibatch over all M samples = full gradient; sample gradients average to ∇L (to round-off)', () => {
    const { net, theta } = small();
    const n = net.dim,
      g = new Float64Array(n),
      gb = new Float64Array(n),
      rows = new Float64Array(net.dataSize * n),
      reg = new Float64Array(n);
    net.gradient(theta, g);
    net.minibatchGradient(
      theta,
      Int32Array.from({ length: net.dataSize }, (_, i) => i),
      net.dataSize,
      gb,
    );
    net.sampleGradients(theta, rows);
    net.regulariserGradient(theta, reg);
    for (let a = 0; a < n; a++) {
      let mean = 0;
      for (let i = 0; i < net.dataSize; i++) mean += rows[i * n + a] / net.dataSize;
      expect(gb[a]).toBeCloseTo(g[a], 14);
      expect(mean + reg[a]).toBeCloseTo(g[a], 14);
    }
  });

  it('Hessian = central differences of the exact gradient (away from ReLU kinks: relu″ = 0), symmetric; sample Hessians average to it', () => {
    const { net, theta } = small();
    const n = net.dim,
      H = new Float64Array(n * n),
      t = theta.slice(),
      up = new Float64Array(n),
      down = new Float64Array(n),
      h = 1e-6;
    net.hessian(theta, H);
    let worst = 0,
      scale = 0;
    for (let a = 0; a < n; a++) {
      t[a] = theta[a] + h;
      net.gradient(t, up);
      t[a] = theta[a] - h;
      net.gradient(t, down);
      t[a] = theta[a];
      for (let b = 0; b < n; b++) {
        worst = Math.max(
          worst,
          Math.abs((up[b] - down[b]) / (2 * h) - H[b * n + a]),
          Math.abs(H[a * n + b] - H[b * n + a]),
        );
        scale = Math.max(scale, Math.abs(H[b * n + a]));
      }
    }
    expect(worst / scale).toBeLessThan(1e-6); // differences of gradients: rounding ε|∇|/h ~ 1e-10 relative, truncation ~ h²
    const sum = new Float64Array(n * n),
      one = new Float64Array(n * n);
    for (let i = 0; i < net.dataSize; i++) {
      net.sampleHessian(theta, i, one);
      for (let k = 0; k < n * n; k++) sum[k] += one[k] / net.dataSize;
    }
    for (let a = 0; a < n; a++) sum[a * n + a] += 2 * net.lambda;
    let diff = 0;
    for (let k = 0; k < n * n; k++) diff = Math.max(diff, Math.abs(sum[k] - H[k]));
    expect(diff / scale).toBeLessThan(1e-13);
  });

  it('random start has the variance of U(±1/√fan_in), 1/(3·fan_in), per layer (885 draws: 5 s.e. of a variance ≈ 5·√(2/n))', () => {
    const net = new MnistTinyFc();
    net.configure(paramsFor(mnistTinyFcInfo, { dataSize: 10 }), 0);
    const rng = Xoshiro128.fromSeed(3),
      theta = new Float64Array(net.dim);
    net.randomInit(theta, () => rng.nextNormal());
    const variance = (from: number, to: number) => {
      let s = 0;
      for (let a = from; a < to; a++) s += theta[a] * theta[a];
      return s / (to - from);
    };
    expect(variance(0, 800) * 3 * 49).toBeGreaterThan(1 - 5 * Math.sqrt(2 / 800));
    expect(variance(0, 800) * 3 * 49).toBeLessThan(1 + 5 * Math.sqrt(2 / 800));
    expect(variance(800, 885) * 3 * 16).toBeGreaterThan(1 - 5 * Math.sqrt(2 / 85));
    expect(variance(800, 885) * 3 * 16).toBeLessThan(1 + 5 * Math.sqrt(2 / 85));
  });

  it('bad input names the field: K > 10, M larger than the images of the chosen digits (MNIST has 30596 of 0–4)', () => {
    const net = new MnistTinyFc(),
      configure = (params: Record<string, unknown>) =>
        net.configure(paramsFor(mnistTinyFcInfo, params, 'scenario.landscape.params'), 0);
    expect(() => configure({ classes: 11 })).toThrow(ScenarioError);
    expect(() => configure({ classes: 11 })).toThrow(/params\.classes/);
    expect(() => configure({ dataSize: 30597 })).toThrow(/params\.dataSize.*30596/);
    expect(() => configure({ lambda: -1 })).toThrow(/params\.lambda/);
  });
});
