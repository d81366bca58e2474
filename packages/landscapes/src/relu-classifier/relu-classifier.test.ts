import { describe, expect, it } from 'vitest';
import { ScenarioError, Xoshiro128 } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { ReluClassifier, generateData, reluClassifierInfo } from './relu-classifier.ts';

const make = (params: Record<string, unknown> = {}) => {
  const l = new ReluClassifier();
  l.configure(paramsFor(reluClassifierInfo, params, 'scenario.landscape.params'), 0);
  return l;
};
const start = (l: ReluClassifier, seed = 3) => {
  const rng = Xoshiro128.fromSeed(seed),
    theta = new Float64Array(l.dim);
  l.randomInit(theta, () => rng.nextNormal());
  return theta;
};
const maxAbs = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]));
  return s;
};
/** Smallest |z_ik| = |W x_i + b| over all inputs and units: the distance to the nearest ReLU kink. */
function kinkDistance(l: ReluClassifier, theta: Float64Array): number {
  const d = l.inputs,
    h = l.hidden,
    bAt = l.blocks().b?.[0] ?? -1;
  let min = Infinity;
  for (let i = 0; i < l.dataSize; i++) {
    for (let k = 0; k < h; k++) {
      let z = bAt >= 0 ? theta[bAt + k] : 0;
      for (let j = 0; j < d; j++) z += theta[k * d + j] * l.x[i * d + j];
      min = Math.min(min, Math.abs(z));
    }
  }
  return min;
}

describe('relu-classifier (000 §4.1, Eq. 13–16, 63–64)', () => {
  it('lays out θ = (W, b, V): N = N_h·d + 2N_h, or N_h·d + N_h without bias', () => {
    const l = make({ inputs: 4, hidden: 3, dataSize: 20 });
    expect(l.dim).toBe(3 * 4 + 3 + 3);
    expect(l.blocks()).toEqual({ W: [0, 12], b: [12, 3], V: [15, 3] });
    const u = make({ inputs: 4, hidden: 3, dataSize: 20, bias: false, distribution: 'uniform' });
    expect(u.dim).toBe(15);
    expect(u.blocks()).toEqual({ W: [0, 12], V: [12, 3] });
    expect(make({ inputs: 100, hidden: 100 }).dim).toBe(10_200);
  });

  it('hand-computed loss and gradient of a 1-input, 2-unit net on one point', () => {
    const l = make({ inputs: 1, hidden: 2, dataSize: 2 });
    l.x.set([2, 0]);
    l.y.set([1, 0]);
    // θ = (W₁, W₂, b₁, b₂, V₁, V₂) = (1, −1, 0.5, 0.5, 2, 3): point 1 has z = (2.5, −1.5), f = 5; point 2 z = (0.5, 0.5), f = 2.5.
    const theta = Float64Array.from([1, -1, 0.5, 0.5, 2, 3]);
    const p1 = 1 / (1 + Math.exp(-5)),
      p2 = 1 / (1 + Math.exp(-2.5));
    expect(l.loss(theta)).toBeCloseTo((Math.log1p(Math.exp(-5)) + Math.log1p(Math.exp(2.5))) / 2, 14);
    const g = new Float64Array(6);
    l.gradient(theta, g);
    const r1 = (p1 - 1) / 2,
      r2 = p2 / 2; // (p − y)/M
    const want = [r1 * 2 * 2 + r2 * 2 * 0, r2 * 3 * 0, r1 * 2 + r2 * 2, r2 * 3, r1 * 2.5 + r2 * 0.5, r2 * 0.5];
    for (let a = 0; a < 6; a++) expect(g[a]).toBeCloseTo(want[a], 14);
    expect(l.activationRate(theta)).toBe(3 / 4); // 3 of the 4 (point, unit) pairs have z > 0
  });

  it('gradient = central finite differences (10×10, both input laws), away from the kinks', () => {
    for (const params of [{ distribution: 'normal' }, { distribution: 'uniform', bias: false }]) {
      const l = make({ ...params, dataSize: 200 }),
        theta = start(l);
      const h = 1e-6;
      // The differences must not cross a kink: a step h in one parameter moves z by at most h·max(1, |x|).
      expect(kinkDistance(l, theta)).toBeGreaterThan(h * (1 + maxAbs(l.x)));
      const g = new Float64Array(l.dim);
      l.gradient(theta, g);
      const t = theta.slice();
      let worst = 0;
      for (let a = 0; a < l.dim; a++) {
        t[a] = theta[a] + h;
        const up = l.loss(t);
        t[a] = theta[a] - h;
        const down = l.loss(t);
        t[a] = theta[a];
        worst = Math.max(worst, Math.abs((up - down) / (2 * h) - g[a]));
      }
      // Central differences: O(h²·L‴) truncation plus ~ε·L/h ≈ 1e-10 round-off; 1e-8 of a gradient of size ~1e-2.
      expect(worst).toBeLessThan(1e-8);
      expect(maxAbs(g)).toBeGreaterThan(1e-4);
    }
  });

  it('Hessian (exact away from kinks) = finite differences of the gradient, symmetric, and (1/M) Σ sampleHessian', () => {
    const l = make({ inputs: 3, hidden: 4, dataSize: 30 }),
      theta = start(l, 5),
      n = l.dim,
      h = 1e-6;
    expect(kinkDistance(l, theta)).toBeGreaterThan(h * (1 + maxAbs(l.x))); // no difference crosses a kink
    const H = new Float64Array(n * n),
      up = new Float64Array(n),
      down = new Float64Array(n),
      t = theta.slice();
    l.hessian(theta, H);
    let worst = 0,
      asym = 0;
    for (let a = 0; a < n; a++) {
      t[a] = theta[a] + h;
      l.gradient(t, up);
      t[a] = theta[a] - h;
      l.gradient(t, down);
      t[a] = theta[a];
      for (let c = 0; c < n; c++) {
        worst = Math.max(worst, Math.abs((up[c] - down[c]) / (2 * h) - H[c * n + a]));
        asym = Math.max(asym, Math.abs(H[a * n + c] - H[c * n + a]));
      }
    }
    expect(worst).toBeLessThan(1e-7); // O(h²) truncation + ε/h round-off ≈ 1e-10; entries are ~0.1
    expect(asym).toBeLessThan(1e-15);
    const sum = new Float64Array(n * n),
      one = new Float64Array(n * n);
    for (let i = 0; i < l.dataSize; i++) {
      l.sampleHessian(theta, i, one);
      for (let e = 0; e < n * n; e++) sum[e] += one[e] / l.dataSize;
    }
    let diff = 0;
    for (let e = 0; e < n * n; e++) diff = Math.max(diff, Math.abs(sum[e] - H[e]));
    expect(diff).toBeLessThan(1e-14);
  });

  it('mean of sampleGradients rows = gradient; a one-point minibatch = its row', () => {
    const l = make({ dataSize: 50 }),
      theta = start(l),
      n = l.dim;
    const rows = new Float64Array(50 * n),
      g = new Float64Array(n),
      one = new Float64Array(n);
    l.sampleGradients(theta, rows);
    l.gradient(theta, g);
    for (let a = 0; a < n; a++) {
      let s = 0;
      for (let i = 0; i < 50; i++) s += rows[i * n + a];
      expect(s / 50).toBeCloseTo(g[a], 15);
    }
    l.minibatchGradient(theta, Int32Array.of(17), 1, one);
    for (let a = 0; a < n; a++) expect(one[a]).toBe(rows[17 * n + a]);
  });

  it('random data reproducible from dataSeed; labels balanced; inputs from the chosen law', () => {
    const [x1, y1] = generateData(4000, 5, 'normal', 9),
      [x2, y2] = generateData(4000, 5, 'normal', 9);
    expect(x1).toEqual(x2);
    expect(y1).toEqual(y2);
    expect(generateData(4000, 5, 'normal', 10)[1]).not.toEqual(y1);
    const ones = y1.reduce((s, v) => s + v, 0);
    expect(y1.every((v) => v === 0 || v === 1)).toBe(true);
    expect(Math.abs(ones / 4000 - 0.5)).toBeLessThan((4 * 0.5) / Math.sqrt(4000)); // 4 binomial standard errors
    const [u] = generateData(4000, 5, 'uniform', 9);
    expect(u.every((v) => v >= 0 && v < 1)).toBe(true);
    const mean = x1.reduce((s, v) => s + v, 0) / x1.length,
      ms = x1.reduce((s, v) => s + v * v, 0) / x1.length;
    expect(Math.abs(mean)).toBeLessThan(4 / Math.sqrt(x1.length)); // 4 standard errors of N(0, 1)
    expect(Math.abs(ms - 1)).toBeLessThan(4 * Math.sqrt(2 / x1.length));
    expect(make({ dataSeed: 9, dataSize: 4000, inputs: 5 }).y).toEqual(y1);
  });

  it('random start has the variance of U(±1/√fan_in); about half the units active at the start (z symmetric)', () => {
    const l = make({ inputs: 100, hidden: 100, dataSize: 100 }),
      theta = start(l, 1);
    const [w0, wn] = l.blocks().W,
      [v0, vn] = l.blocks().V;
    const varW = theta.subarray(w0, w0 + wn).reduce((s, v) => s + v * v, 0) / wn;
    expect(Math.abs(varW * 300 - 1)).toBeLessThan(4 * Math.sqrt(2 / wn)); // 1/(3·100), 4 standard errors
    const varV = theta.subarray(v0, v0 + vn).reduce((s, v) => s + v * v, 0) / vn;
    expect(Math.abs(varV * 300 - 1)).toBeLessThan(4 * Math.sqrt(2 / vn));
    // z = Wx + b is symmetric about 0 for x ~ N(0, I): rate ½; 100 units × 100 inputs, units correlated → loose 0.1.
    expect(Math.abs(l.activationRate(theta) - 0.5)).toBeLessThan(0.1);
  });

  it('refuses bad params naming the field', () => {
    expect(() => make({ hidden: 0 })).toThrow(ScenarioError);
    expect(() => make({ hidden: 0 })).toThrow(/scenario\.landscape\.params\.hidden/);
    expect(() => make({ distribution: 'cauchy' })).toThrow(/params\.distribution/);
    expect(() => make({ bias: 'yes' })).toThrow(/params\.bias/);
    expect(() => make({ dataSize: 1 })).toThrow(/params\.dataSize/);
  });
});
