import { describe, expect, it } from 'vitest';
import { newtonMinimum, Xoshiro128 } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { STYBLINSKI_TANG as ST, StyblinskiTang, styblinskiTang1d, styblinskiTangInfo } from './styblinski-tang.ts';
import {
  kramersEscapeTime,
  meanExitTime,
  meanFirstPassageTime,
  sgdBoxEscape,
  SIEGMUND_BETA,
  styblinskiTangEscape,
} from './escape-theory.ts';
import { normalQuantile, quantileData } from './data.ts';

const make = (params: Record<string, unknown> = {}) => {
  const l = new StyblinskiTang();
  l.configure(paramsFor(styblinskiTangInfo, params, 'scenario.landscape.params'), 0);
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
    const l = make(),
      t = point(10, 1);
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
      const l = make({ dim: 5, sharpness: k }),
        t = point(5, 7),
        g = new Float64Array(5),
        H = new Float64Array(25),
        gp = new Float64Array(5),
        gm = new Float64Array(5);
      l.gradient(t, g);
      l.hessian(t, H);
      const h = 1e-5;
      for (let d = 0; d < 5; d++) {
        const p = t.slice(),
          m = t.slice();
        p[d] += h;
        m[d] -= h;
        expect(Math.abs((l.loss(p) - l.loss(m)) / (2 * h) - g[d])).toBeLessThan(1e-7 * Math.max(1, Math.abs(g[d])));
        l.gradient(p, gp);
        l.gradient(m, gm);
        for (let e = 0; e < 5; e++)
          expect(Math.abs((gp[e] - gm[e]) / (2 * h) - H[e * 5 + d])).toBeLessThan(
            1e-7 * Math.max(1, Math.abs(H[d * 5 + d])),
          );
      }
      const x0 = Math.sqrt(k) * t[0];
      expect(H[0]).toBeCloseTo(k * (6 * x0 * x0 - 16), 10);
    }
  });

  it('M = 1: the minibatch gradient, the one sample gradient and the sample Hessian are the full ones; no regulariser', () => {
    const l = make({ dim: 4, sharpness: 2 }),
      t = point(4, 3),
      g = new Float64Array(4),
      gb = new Float64Array(4),
      row = new Float64Array(4),
      r = new Float64Array(4).fill(9);
    const H = new Float64Array(16),
      Hs = new Float64Array(16);
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

  it("minimumStart is the global minimum a/√k: Newton does not move it, the gradient vanishes, H = k f₁''(a) I", () => {
    const l = make({ dim: 10, sharpness: 4 }),
      t = new Float64Array(10),
      g = new Float64Array(10);
    l.minimumStart(t);
    expect(t.every((x) => x === ST.a / 2)).toBe(true);
    l.gradient(t, g);
    expect(Math.max(...g.map(Math.abs))).toBeLessThan(1e-12);
    const theta0 = newtonMinimum(l, t).theta;
    expect(Math.max(...theta0.map((x, d) => Math.abs(x - t[d])))).toBeLessThan(1e-14);
  });

  it('refuses bad parameters, naming the field', () => {
    expect(() => make({ dim: 0 })).toThrow('scenario.landscape.params.dim: must be ≥ 1, got 0');
    expect(() => make({ dim: 2.5 })).toThrow('scenario.landscape.params.dim: must be an integer');
    expect(() => make({ sharpness: 0 })).toThrow('scenario.landscape.params.sharpness: must be > 0, got 0');
    expect(() => make({ dataSize: 0 })).toThrow('scenario.landscape.params.dataSize: must be ≥ 1, got 0');
    expect(() => make({ dataSeed: -1 })).toThrow('scenario.landscape.params.dataSeed: must be ≥ 0, got -1');
  });
});

describe("styblinski-tang data points (docs/science.md §7: ℓ_j = f(√kθ) − √k x_j·θ, Cov x_j = f''(a))", () => {
  it('normalQuantile matches published standard normal quantiles to 1e-8 (Acklam: relative error < 1.2e-9)', () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 8);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874040841, 8);
    expect(normalQuantile(1e-6)).toBeCloseTo(-4.753424308822899, 7);
    expect(normalQuantile(0.8413447460685429)).toBeCloseTo(1, 8); // Φ(1)
  });

  it("every coordinate holds the same M quantiles, mean 0 and variance f''(a) exactly; shuffles decorrelate the coordinates", () => {
    const M = 400,
      N = 10,
      x = quantileData(M, N, ST.curvatureA, 5),
      sorted = (d: number) => Array.from({ length: M }, (_, j) => x[j * N + d]).sort((p, q) => p - q);
    const ref = sorted(0);
    for (let d = 0; d < N; d++) {
      expect(sorted(d)).toEqual(ref);
      const col = Array.from({ length: M }, (_, j) => x[j * N + d]),
        mean = col.reduce((s, v) => s + v, 0) / M;
      expect(Math.abs(mean)).toBeLessThan(1e-14);
      expect(col.reduce((s, v) => s + v * v, 0) / M / ST.curvatureA - 1).toBeCloseTo(0, 12);
    }
    // Independent shuffles: each sample correlation is ≈ N(0, 1/M), s.d. 0.05; 45 pairs, 4.5 s.d. keeps a false failure < 1e-3.
    for (let d = 0; d < N; d++)
      for (let e = d + 1; e < N; e++) {
        let c = 0;
        for (let j = 0; j < M; j++) c += x[j * N + d] * x[j * N + e];
        expect(Math.abs(c / M / ST.curvatureA)).toBeLessThan(4.5 / Math.sqrt(M));
      }
    expect([...quantileData(M, N, 1, 5)].map((v) => v * Math.sqrt(ST.curvatureA))).not.toEqual([
      ...quantileData(M, N, ST.curvatureA, 6),
    ]);
    expect([...quantileData(1, 3, 2, 0)]).toEqual([0, 0, 0]);
  });

  it("sample gradients average to ∇𝓛, a minibatch gradient is its rows' mean, sample Hessians are ∇²𝓛; same dataSeed, same data", () => {
    const M = 50,
      N = 4,
      l = make({ dim: N, sharpness: 2, dataSize: M, dataSeed: 3 }),
      t = point(N, 9);
    const rows = new Float64Array(M * N),
      g = new Float64Array(N),
      gb = new Float64Array(N),
      H = new Float64Array(N * N),
      Hs = new Float64Array(N * N);
    l.sampleGradients(t, rows);
    l.gradient(t, g);
    for (let d = 0; d < N; d++) {
      let s = 0;
      for (let j = 0; j < M; j++) s += rows[j * N + d] / M;
      expect(Math.abs(s - g[d])).toBeLessThan(1e-12 * Math.max(1, Math.abs(g[d]))); // summation order only
    }
    const batch = Int32Array.of(7, 7, 31, 0, 49);
    l.minibatchGradient(t, batch, 3, gb); // only the first m = 3 indices count
    for (let d = 0; d < N; d++) expect(gb[d]).toBeCloseTo((2 * rows[7 * N + d] + rows[31 * N + d]) / 3, 12);
    l.hessian(t, H);
    l.sampleHessian(t, M - 1, Hs);
    expect([...Hs]).toEqual([...H]);
    expect(() => l.sampleHessian(t, M, Hs)).toThrow(/outside \[0, 50\)/);
    const again = make({ dim: N, sharpness: 2, dataSize: M, dataSeed: 3 }),
      rows2 = new Float64Array(M * N);
    again.sampleGradients(t, rows2);
    expect([...rows2]).toEqual([...rows]);
  });

  it("at any θ the per-sample gradient covariance is H(a) = k f''(a) I on the diagonal (001 §2: C·B = H at the minimum)", () => {
    const M = 200,
      N = 3,
      k = 3,
      l = make({ dim: N, sharpness: k, dataSize: M, dataSeed: 1 }),
      t = point(N, 4);
    const rows = new Float64Array(M * N),
      g = new Float64Array(N);
    l.sampleGradients(t, rows);
    l.gradient(t, g);
    for (let d = 0; d < N; d++) {
      let v = 0;
      for (let j = 0; j < M; j++) v += (rows[j * N + d] - g[d]) ** 2 / M;
      expect(v / (k * ST.curvatureA) - 1).toBeCloseTo(0, 10); // exact by construction, up to round-off
    }
  });
});

describe('escape theory (001 Theorem 3.1, exact 1-D mean first-passage time)', () => {
  it('the quadrature is exact for free diffusion: τ = ((exit − lower)² − (start − lower)²)/(2D)', () => {
    // V = 0, reflecting at `lower`: the textbook result. Trapezoidal error on a quadratic integrand is O(h²) ~ 1e-10 here.
    const tau = meanFirstPassageTime(() => 0, 1, 3, 0.5, -1, 20_000);
    expect(tau).toBeCloseTo((16 - 4) / (2 * 0.5), 6);
  });

  it('Theorem 3.1 for the 10 equivalent saddles: 2π/√(H_a|H_b|)·e^{ΔL/D}/10, and ∝ 1/k', () => {
    const D = 6,
      one = styblinskiTangEscape(10, 1, D, ST.b - ST.a + 1),
      two = styblinskiTangEscape(10, 2, D, (ST.b - ST.a + 1) / Math.SQRT2);
    const byHand = (((2 * Math.PI) / Math.sqrt(ST.curvatureA * -ST.curvatureB)) * Math.exp(ST.barrier / D)) / 10;
    expect(one.kramers / byHand - 1).toBeLessThan(1e-14);
    expect(one.kramersOnePath).toBeCloseTo(10 * one.kramers, 10);
    expect(kramersEscapeTime(2, 1, 0, 1)).toBeCloseTo(2 * Math.PI * Math.SQRT2, 14);
    // Sharpness k only rescales time (x = √kθ, s = kt): both theories halve exactly at k = 2 with the box scaled by 1/√k.
    expect(two.kramers / one.kramers).toBeCloseTo(0.5, 12);
    expect(two.exact / one.exact).toBeCloseTo(0.5, 8);
  });

  it('exact 1-D passage to b + 1 agrees with Theorem 3.1 within 1.5 % for ΔL/D from 5 to 10 (docs/science.md §7), → 1 as D → 0', () => {
    // The Kramers corrections are O(D/ΔL) (≈ +1.1 % per unit of D at small D, then turning over: +1.9 % at D = 2,
    // +0.2 % at 6, −0.7 % at 8); the box edge b + 1 sits ≥ 1.4 √(D/|H_b|) past the saddle for D ≤ 8, so the passage
    // time to it is the full Kramers time up to those corrections.
    const w = ST.b - ST.a + 1;
    for (const D of [4, 5, 6, 7, 8]) {
      const r = styblinskiTangEscape(10, 1, D, w);
      expect(Math.abs(r.exact / r.kramers - 1), `D = ${D}`).toBeLessThan(0.015);
    }
    // Low temperature: the relative correction falls linearly with D (0.56 % at D = 0.5, 0.28 % at 0.25).
    const ratio = (D: number) => {
      const r = styblinskiTangEscape(10, 1, D, w);
      return r.exact / r.kramers - 1;
    };
    expect(Math.abs(ratio(0.25))).toBeLessThan(0.004);
    expect(ratio(0.5) / ratio(0.25)).toBeCloseTo(2, 1);
  });
});

describe('SGD box escape theory (001 Eq. 7: D = ηH/(2B); two-sided exit time)', () => {
  it('meanExitTime is exact for free diffusion, T = (x − l)(u − x)/(2D), and agrees with the one-sided quadrature', () => {
    // Central differences are exact on T's quadratic; the trapezoidal double integral has O(h²) ~ 1e-8 relative error.
    expect(meanExitTime(() => 0, 0.3, 0, 1, 0.5, 1000)).toBeCloseTo((0.3 * 0.7) / 1, 10);
    // With the lower end 3 units down (𝓛 rises by ~120 there: never reached at D = 0.5), absorbing = reflecting.
    const f1p = (x: number) => 2 * x ** 3 - 16 * x + 2.5;
    const two = meanExitTime(f1p, ST.a, ST.a - 3, ST.a + 1, 0.5, 20_000),
      one = meanFirstPassageTime(styblinskiTang1d, ST.a, ST.a + 1, 0.5, ST.a - 3);
    expect(Math.abs(two / one - 1)).toBeLessThan(1e-4); // O(h²) of both grids, h ≤ 2e-4 on a scale √(D/f'') = 0.12
  });

  it("D = ηk f''(a)/(2B)·2/(2 − ηk f''(a)); the box widens by βσ, σ = ηk√(f''(a)/B); only ηk matters in steps", () => {
    const r = sgdBoxEscape(10, 1, 0.004, 2, 0.15),
      u = 0.004,
      h = u * ST.curvatureA;
    expect(r.diffusion).toBeCloseTo(((u * ST.curvatureA) / 4) * (2 / (2 - h)), 15);
    expect(r.monitoredHalfWidth).toBeCloseTo(0.15 + 0.5825971579 * u * Math.sqrt(ST.curvatureA / 2), 10);
    expect(SIEGMUND_BETA).toBeCloseTo(0.5825971579, 10); // −ζ(½)/√(2π)
    expect(r.barrier).toBeCloseTo(styblinskiTang1d(ST.a + 0.15) - styblinskiTang1d(ST.a), 14);
    // x = √kθ, s = ηk·steps: (k, η) = (2, 0.002) is the same chain as (1, 0.004), step for step.
    expect(sgdBoxEscape(10, 2, 0.002, 2, 0.15).meanSteps).toBeCloseTo(r.meanSteps, 9);
    // N independent coordinates: the rate is N times one coordinate's.
    expect(sgdBoxEscape(1, 1, 0.004, 2, 0.15).meanSteps / r.meanSteps).toBeCloseTo(10, 9);
  });

  it("low temperature: −log(mean time) is linear in B with slope → 2ΔL/(ηk f''(a)) as in 001 Theorem 3.2 (constant D: s = 1)", () => {
    // Without the discrete-chain corrections D = ηH_a/(2B) and ΔL/D = 1.07·B at η = 0.02: at B = 80 (ΔL/D ≈ 85) the slope of
    // log τ per unit B is the exponent's up to the prefactor's −½ log B (τ ∝ e^{ΔL/D}/√(ΔL/D) for a box edge), 1/(2B) = 0.6 %;
    // with that term added back what remains is O((D/ΔL)²) ≲ 0.1 %.
    const eta = 0.02,
      B = 80,
      t = (b: number) => Math.log(sgdBoxEscape(10, 1, eta, b, 0.15, false, false).meanSteps);
    const slope = t(B + 1) - t(B),
      theorem = (2 * (styblinskiTang1d(ST.a + 0.15) - styblinskiTang1d(ST.a))) / (eta * ST.curvatureA);
    expect(Math.abs(slope / theorem - 1)).toBeLessThan(0.01);
    expect(Math.abs((slope + 1 / (2 * B + 1)) / theorem - 1)).toBeLessThan(0.002);
  });
});
