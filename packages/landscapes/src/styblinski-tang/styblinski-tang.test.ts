import { describe, expect, it } from 'vitest';
import { newtonMinimum, Xoshiro128 } from '@nesslab/kernel';
import { STYBLINSKI_TANG as ST, StyblinskiTang, styblinskiTang1d } from './styblinski-tang.ts';
import { kramersEscapeTime, meanFirstPassageTime, styblinskiTangEscape } from './escape-theory.ts';

const make = (params: Record<string, unknown> = {}) => {
  const l = new StyblinskiTang();
  l.configure(params, 0);
  return l;
};
const point = (n: number, seed: number) => {
  const rng = Xoshiro128.fromSeed(seed);
  return Float64Array.from({ length: n }, () => 2 * rng.nextNormal());
};

describe('styblinski-tang landscape (001 §4)', () => {
  it('has the textbook critical points: a = −2.903534, b = 0.156731, c = 2.746803, f(a) = −39.16617 per coordinate', () => {
    // Published values of the Styblinski–Tang function (global minimum −39.16617·N at x = −2.903534); 6–7 digits printed.
    expect(ST.a).toBeCloseTo(-2.903534, 6);
    expect(ST.b).toBeCloseTo(0.156731, 6);
    expect(ST.c).toBeCloseTo(2.746803, 6);
    expect(styblinskiTang1d(ST.a)).toBeCloseTo(-39.16617, 5);
    // Barrier and curvatures that enter Theorem 3.1: f₁''(x) = 6x² − 16.
    expect(ST.barrier).toBeCloseTo(styblinskiTang1d(ST.b) + 39.16617, 4);
    expect(ST.curvatureA).toBeCloseTo(6 * ST.a * ST.a - 16, 12);
    expect(ST.curvatureB).toBeLessThan(0);
  });

  it('defaults: N = 10, k = 1, M = 1; loss = ½Σ(x⁴ − 16x² + 5x) at x = √kθ', () => {
    const l = make(), t = point(10, 1);
    expect([l.dim, l.sharpness, l.dataSize]).toEqual([10, 1, 1]);
    const direct = Array.from(t).reduce((s, x) => s + 0.5 * (x ** 4 - 16 * x ** 2 + 5 * x), 0);
    expect(l.loss(t)).toBeCloseTo(direct, 10);
    const k3 = make({ dim: 10, sharpness: 3 });
    const scaled = t.map((x) => x / Math.sqrt(3));
    expect(Math.abs(k3.loss(scaled) - l.loss(t))).toBeLessThan(1e-12 * Math.abs(l.loss(t)) + 1e-12); // f(√k·θ/√k) = f(θ)
  });

  it('gradient and Hessian match central differences (relative 1e-7), the Hessian scales by k and is diagonal', () => {
    // h = 1e-5 on |θ| ~ 2: truncation h²|f'''|/6 ~ 1e-9 and rounding ε·|f|/h ~ 1e-9 relative to |∇| ~ 10–100.
    for (const k of [1, 2.5]) {
      const l = make({ dim: 5, sharpness: k }), t = point(5, 7), g = new Float64Array(5), H = new Float64Array(25), gp = new Float64Array(5), gm = new Float64Array(5);
      l.gradient(t, g);
      l.hessian(t, H);
      const h = 1e-5;
      for (let d = 0; d < 5; d++) {
        const p = t.slice(), m = t.slice();
        p[d] += h; m[d] -= h;
        expect(Math.abs((l.loss(p) - l.loss(m)) / (2 * h) - g[d])).toBeLessThan(1e-7 * Math.max(1, Math.abs(g[d])));
        l.gradient(p, gp); l.gradient(m, gm);
        for (let e = 0; e < 5; e++) expect(Math.abs((gp[e] - gm[e]) / (2 * h) - H[e * 5 + d])).toBeLessThan(1e-7 * Math.max(1, Math.abs(H[d * 5 + d])));
      }
      const x0 = Math.sqrt(k) * t[0];
      expect(H[0]).toBeCloseTo(k * (6 * x0 * x0 - 16), 10);
    }
  });

  it('M = 1: the minibatch gradient, the one sample gradient and the sample Hessian are the full ones; no regulariser', () => {
    const l = make({ dim: 4, sharpness: 2 }), t = point(4, 3), g = new Float64Array(4), gb = new Float64Array(4), row = new Float64Array(4), r = new Float64Array(4).fill(9);
    const H = new Float64Array(16), Hs = new Float64Array(16);
    l.gradient(t, g);
    l.minibatchGradient(t, Int32Array.of(0), 1, gb);
    l.sampleGradients(t, row);
    l.regulariserGradient(t, r);
    l.hessian(t, H);
    l.sampleHessian(t, 0, Hs);
    expect([...gb]).toEqual([...g]);
    expect([...row]).toEqual([...g]);
    expect([...r]).toEqual([0, 0, 0, 0]);
    expect([...Hs]).toEqual([...H]);
    expect(() => l.sampleHessian(t, 1, Hs)).toThrow(/outside \[0, 1\)/);
  });

  it('minimumStart is the global minimum a/√k: Newton does not move it, the gradient vanishes, H = k f₁\'\'(a) I', () => {
    const l = make({ dim: 10, sharpness: 4 }), t = new Float64Array(10), g = new Float64Array(10);
    l.minimumStart(t);
    expect(t.every((x) => x === ST.a / 2)).toBe(true);
    l.gradient(t, g);
    expect(Math.max(...g.map(Math.abs))).toBeLessThan(1e-12);
    const theta0 = newtonMinimum(l, t).theta;
    expect(Math.max(...theta0.map((x, d) => Math.abs(x - t[d])))).toBeLessThan(1e-14);
  });

  it('refuses bad parameters, naming the field', () => {
    expect(() => make({ dim: 0 })).toThrow('scenario.landscape.params.dim: must be an integer ≥ 1');
    expect(() => make({ dim: 2.5 })).toThrow('scenario.landscape.params.dim');
    expect(() => make({ sharpness: 0 })).toThrow('scenario.landscape.params.sharpness: must be a number > 0');
  });
});

describe('escape theory (001 Theorem 3.1, exact 1-D mean first-passage time)', () => {
  it('the quadrature is exact for free diffusion: τ = ((exit − lower)² − (start − lower)²)/(2D)', () => {
    // V = 0, reflecting at `lower`: the textbook result. Trapezoidal error on a quadratic integrand is O(h²) ~ 1e-10 here.
    const tau = meanFirstPassageTime(() => 0, 1, 3, 0.5, -1, 20_000);
    expect(tau).toBeCloseTo((16 - 4) / (2 * 0.5), 6);
  });

  it('Theorem 3.1 for the 10 equivalent saddles: 2π/√(H_a|H_b|)·e^{ΔL/D}/10, and ∝ 1/k', () => {
    const D = 6, one = styblinskiTangEscape(10, 1, D, ST.b - ST.a + 1), two = styblinskiTangEscape(10, 2, D, (ST.b - ST.a + 1) / Math.SQRT2);
    const byHand = ((2 * Math.PI) / Math.sqrt(ST.curvatureA * -ST.curvatureB)) * Math.exp(ST.barrier / D) / 10;
    expect(one.kramers / byHand - 1).toBeLessThan(1e-14);
    expect(one.kramersOnePath).toBeCloseTo(10 * one.kramers, 10);
    expect(kramersEscapeTime(2, 1, 0, 1)).toBeCloseTo(2 * Math.PI * Math.SQRT2, 14);
    // Sharpness k only rescales time (x = √kθ, s = kt): both theories halve exactly at k = 2 with the box scaled by 1/√k.
    expect(two.kramers / one.kramers).toBeCloseTo(0.5, 12);
    expect(two.exact / one.exact).toBeCloseTo(0.5, 8);
  });

  it('exact 1-D passage to b + 1 agrees with Theorem 3.1 within 1.5 % for ΔL/D from 5 to 10 (SCIENCE.md §7), → 1 as D → 0', () => {
    // The Kramers corrections are O(D/ΔL) (≈ +1.1 % per unit of D at small D, then turning over: +1.9 % at D = 2,
    // +0.2 % at 6, −0.7 % at 8); the box edge b + 1 sits ≥ 1.4 √(D/|H_b|) past the saddle for D ≤ 8, so the passage
    // time to it is the full Kramers time up to those corrections.
    const w = ST.b - ST.a + 1;
    for (const D of [4, 5, 6, 7, 8]) {
      const r = styblinskiTangEscape(10, 1, D, w);
      expect(Math.abs(r.exact / r.kramers - 1), `D = ${D}`).toBeLessThan(0.015);
    }
    // Low temperature: the relative correction falls linearly with D (0.56 % at D = 0.5, 0.28 % at 0.25).
    const ratio = (D: number) => { const r = styblinskiTangEscape(10, 1, D, w); return r.exact / r.kramers - 1; };
    expect(Math.abs(ratio(0.25))).toBeLessThan(0.004);
    expect(ratio(0.5) / ratio(0.25)).toBeCloseTo(2, 1);
  });
});
