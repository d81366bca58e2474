import { describe, expect, it } from 'vitest';
import { paramsFor } from '@nesslab/kernel/testing';
import { WideSharpWells, wideSharpWellsInfo } from './wide-sharp-wells.ts';
import { WELLS_DEFAULTS as W, wellsCriticalPoints, wellsOccupancy } from './wells.ts';

const at = (x: number) => new Float64Array([x]);

describe('wide-sharp-wells (002 flat vs. sharp minima, constant noise C = σ²)', () => {
  const l = new WideSharpWells();
  l.configure(paramsFor(wideSharpWellsInfo, { noise: 3, dataSize: 500 }), 0);

  it('gradient and Hessian are the derivatives of the loss (central differences, error O(h²) ≈ 1e-8)', () => {
    const g = new Float64Array(1),
      h = new Float64Array(1),
      d = 1e-4;
    for (const x of [-2, -0.7, 0, 0.3, 0.57, 1.4]) {
      l.gradient(at(x), g);
      l.hessian(at(x), h);
      expect(g[0]).toBeCloseTo((l.loss(at(x + d)) - l.loss(at(x - d))) / (2 * d), 6);
      const gp = new Float64Array(1),
        gm = new Float64Array(1);
      l.gradient(at(x + d), gp);
      l.gradient(at(x - d), gm);
      expect(h[0]).toBeCloseTo((gp[0] - gm[0]) / (2 * d), 5);
    }
  });

  it('per-sample gradients: mean = full gradient, variance = σ² exactly at every θ (002: C = σ²); a minibatch averages its rows', () => {
    const rows = new Float64Array(500),
      g = new Float64Array(1),
      mb = new Float64Array(1);
    for (const x of [-0.7, 0.04, 0.57]) {
      l.sampleGradients(at(x), rows);
      l.gradient(at(x), g);
      const mean = rows.reduce((s, v) => s + v / 500, 0),
        variance = rows.reduce((s, v) => s + (v - mean) ** 2 / 500, 0);
      expect(mean).toBeCloseTo(g[0], 12);
      expect(variance).toBeCloseTo(9, 10); // quantiles rescaled to variance 1 exactly, × σ² = 9
      const batch = new Int32Array([3, 3, 77, 499]);
      l.minibatchGradient(at(x), batch, 4, mb);
      expect(mb[0]).toBeCloseTo((rows[3] * 2 + rows[77] + rows[499]) / 4, 12);
    }
  });

  it('defaults: a wide minimum, a sharper and deeper one, a barrier between (the 002 set-up where η/S decides)', () => {
    const c = wellsCriticalPoints(W);
    expect(c.wide.theta).toBeLessThan(c.barrier.theta);
    expect(c.barrier.theta).toBeLessThan(c.sharp.theta);
    expect(c.sharp.curvature / c.wide.curvature).toBeGreaterThan(5); // ≈ 6.0: √ ratio ≈ 2.45 favours the wide minimum at high T
    expect(c.sharp.loss).toBeLessThan(c.wide.loss); // the sharp one is deeper by ≈ 0.156: it wins at low T
    expect(c.barrier.curvature).toBeLessThan(0);
  });

  it('the quadrature occupancy tends to 002 Eq. 3 (Gaussian wells) as T → 0, with an O(T) error', () => {
    const c = wellsCriticalPoints(W),
      gap = (T: number) => {
        const o = wellsOccupancy(W, T, c.barrier.theta);
        return o.logRatio - o.laplaceLogRatio;
      };
    // Laplace's first correction is linear in T: halving T halves the gap (0.56 at T = 0.02 → 0.01: the O(T²) term; at
    // T = 0.005 → 0.0025 that term is 4× smaller, so the ratio must sit within ±0.02 of ½)
    expect(Math.abs(gap(0.0025) / gap(0.005) - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(gap(0.0025))).toBeLessThan(0.01);
    // T → ∞ is not reached (the bowl takes over); at T = 0.3 the Laplace estimate is off by ~0.27, which is why the scenario uses quadrature
  });

  it('bad parameters name the field', () => {
    const w = new WideSharpWells(),
      configure = (params: Record<string, unknown>) =>
        w.configure(paramsFor(wideSharpWellsInfo, params, 'scenario.landscape.params'), 0);
    expect(() => configure({ sharpWidth: 0 })).toThrow(/params\.sharpWidth/);
    expect(() => configure({ noise: -1 })).toThrow(/params\.noise/);
    expect(() => configure({ dataSize: 1.5 })).toThrow(/params\.dataSize/);
    expect(() => configure({ sharpDepth: 1e-6 })).toThrow(/no wide and sharp minimum/);
  });
});
