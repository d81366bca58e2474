import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ScenarioError, Xoshiro128 } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { TanhRegression, generateData, tanhRegressionInfo } from './tanh-regression.ts';
import { PAPER_X, PAPER_Y } from './data.ts';

const N = 7;
/** θ₀ of the paper's data, from the authors' notebook ("Use Newton's Method", wmin). */
const PAPER_THETA0 = [
  1.2833313725790076, 1.2307473940611995, 0.7045806188690756, -0.5317508554411805, 0.92781446509604,
  -0.9088462496180023, -0.008841779321639548,
];
/** Eigenvalues of the Hessian at θ₀, printed by the same notebook (`eigvals(Hessmin)`). */
const PAPER_H0_EIGENVALUES = [
  55.02366427863232, 58.51554270757967, 397.2543687273366, 1848.5641004652236, 3097.666373263998, 24658.45687004527,
  28317.70872412742,
];

const landscape = (params: Record<string, unknown> = {}): TanhRegression => {
  const l = new TanhRegression();
  l.configure(paramsFor(tanhRegressionInfo, params, 'scenario.landscape.params'), 0);
  return l;
};
const vec = (values: number[]) => Float64Array.from(values);
const maxAbs = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]));
  return s;
};
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i] - b[i]));
  return s;
};
const readColumn = (name: string) =>
  readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map(Number);

/** A few test points: all ones, the paper's θ₀, and two random points of size ~1 (fixed seed). */
function testPoints(): Float64Array[] {
  const rng = Xoshiro128.fromSeed(11);
  const random = () => vec(Array.from({ length: N }, () => rng.nextNormal()));
  return [vec([1, 1, 1, 1, 1, 1, 1]), vec(PAPER_THETA0), random(), random()];
}

/** Eigenvalues of a symmetric matrix (cyclic Jacobi; small N only). */
function symmetricEigenvalues(h: Float64Array, n: number): number[] {
  const a = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => h[i * n + j]));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p][q] * a[p][q];
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (a[p][q] === 0) continue;
        const theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1),
          s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k][p],
            akq = a[k][q];
          a[k][p] = c * akp - s * akq;
          a[k][q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p][k],
            aqk = a[q][k];
          a[p][k] = c * apk - s * aqk;
          a[q][k] = s * apk + c * aqk;
        }
      }
    }
  }
  return a.map((row, i) => row[i]).sort((x, y) => x - y);
}

describe("tanh-regression: the paper's data", () => {
  it('data.ts holds exactly the numbers of x_train.txt and y_train.txt (bit for bit)', () => {
    const x = readColumn('x_train.txt'),
      y = readColumn('y_train.txt');
    expect(x.length).toBe(200);
    expect(PAPER_X.length).toBe(x.length);
    expect(PAPER_Y.length).toBe(y.length);
    for (let i = 0; i < x.length; i++) {
      expect(Object.is(PAPER_X[i], x[i])).toBe(true);
      expect(Object.is(PAPER_Y[i], y[i])).toBe(true);
    }
  });

  it('x_i = −3 + 0.03(i − 1), as §4.1 says (to rounding of the printed decimals)', () => {
    for (let i = 0; i < 200; i++) expect(PAPER_X[i]).toBeCloseTo(-3 + 0.03 * i, 12);
  });

  it("defaults: the paper's data, N = 7, M = 200, ε = 0.1, λ = 10", () => {
    const l = landscape();
    expect(l.dim).toBe(7);
    expect(l.dataSize).toBe(200);
    expect(l.epsilon).toBe(0.1);
    expect(l.lambda).toBe(10);
    expect(Array.from(l.data().x)).toEqual(PAPER_X);
    expect(Array.from(l.data().y)).toEqual(PAPER_Y);
  });
});

describe('tanh-regression: loss and derivatives', () => {
  it('loss equals a direct transcription of Eq. 30 with Math.tanh (relative 1e-13: the private tanh is within ~2 ulp of it)', () => {
    const l = landscape({ epsilon: 0.2, lambda: 3 });
    for (const th of testPoints()) {
      let sum = 0;
      for (let i = 0; i < 200; i++) {
        const f = th[4] * Math.tanh(th[0] * PAPER_X[i] + th[2]) + th[5] * Math.tanh(th[1] * PAPER_X[i] + th[3]) + th[6];
        sum += (200 / (2 * 0.2 * 0.2)) * (PAPER_Y[i] - f) ** 2;
      }
      const expected = sum / 200 + 3 * th.reduce((s, v) => s + v * v, 0);
      expect(Math.abs(l.loss(th) - expected) / expected).toBeLessThan(1e-13);
    }
  });

  it('gradient matches central finite differences of the loss (relative 1e-6)', () => {
    // Central differences with h = 1e-5: truncation h²|∂³𝓛|/6 and rounding ~ε_mach·𝓛/h are both ≲ 1e-9 of
    // max|∇𝓛| at these points (𝓛 ~ 1e3–1e5, |∇𝓛| ~ 1e3–1e5), so 1e-6 leaves a wide margin yet catches any
    // wrong factor or sign. θ₀ is skipped: ∇𝓛 ≈ 0 there, so a relative comparison means nothing.
    const l = landscape();
    const g = new Float64Array(N);
    for (const th of testPoints().filter((_, k) => k !== 1)) {
      l.gradient(th, g);
      const fd = new Float64Array(N),
        h = 1e-5;
      for (let a = 0; a < N; a++) {
        const p = th.slice(),
          q = th.slice();
        p[a] += h;
        q[a] -= h;
        fd[a] = (l.loss(p) - l.loss(q)) / (2 * h);
      }
      expect(maxAbsDiff(g, fd) / maxAbs(g)).toBeLessThan(1e-6);
    }
  });

  it('minibatchGradient over the full batch equals gradient (relative 1e-12)', () => {
    const l = landscape();
    const all = Int32Array.from({ length: 200 }, (_, i) => i);
    const g = new Float64Array(N),
      gb = new Float64Array(N);
    for (const th of testPoints()) {
      l.gradient(th, g);
      l.minibatchGradient(th, all, 200, gb);
      // At θ₀ the gradient cancels to ~1e-12 of its terms; compare on the scale of the terms there.
      const scale = Math.max(maxAbs(g), 1);
      expect(maxAbsDiff(g, gb) / scale).toBeLessThan(1e-12);
    }
  });

  it('minibatchGradient is the batch mean of the sample gradients plus ∇R, and reads only batch[0..m)', () => {
    const l = landscape();
    const th = testPoints()[2];
    const rows = new Float64Array(200 * N),
      gr = new Float64Array(N),
      gb = new Float64Array(N);
    l.sampleGradients(th, rows);
    l.regulariserGradient(th, gr);
    const batch = Int32Array.from([5, 199, 0, 17, 17, 123, 64, 88, 42, 7, /* ignored: */ -1, 100000]);
    const m = 10;
    l.minibatchGradient(th, batch, m, gb);
    const expected = new Float64Array(N);
    for (let k = 0; k < m; k++) for (let a = 0; a < N; a++) expected[a] += rows[batch[k] * N + a] / m;
    for (let a = 0; a < N; a++) expected[a] += gr[a];
    expect(maxAbsDiff(gb, expected) / maxAbs(expected)).toBeLessThan(1e-12);
  });

  it('rows of sampleGradients average, plus ∇R, to gradient; they carry no regulariser (relative 1e-12)', () => {
    const l = landscape();
    const rows = new Float64Array(200 * N),
      gr = new Float64Array(N),
      g = new Float64Array(N);
    for (const th of testPoints()) {
      l.sampleGradients(th, rows);
      l.regulariserGradient(th, gr);
      l.gradient(th, g);
      const mean = new Float64Array(N);
      for (let i = 0; i < 200; i++) for (let a = 0; a < N; a++) mean[a] += rows[i * N + a] / 200;
      const scale = Math.max(maxAbs(g), 1);
      for (let a = 0; a < N; a++) expect(Math.abs(mean[a] + gr[a] - g[a]) / scale).toBeLessThan(1e-12);
      for (let a = 0; a < N; a++) expect(gr[a]).toBe(2 * 10 * th[a]);
    }
    // With y fitted exactly (ℓ_i = 0 for all i) every row vanishes while ∇R does not: rows hold ∇ℓ_i alone.
    const zero = new Float64Array(N);
    l.sampleGradients(zero, rows);
    for (let i = 0; i < 200; i++) expect(rows[i * N + 6]).toBeCloseTo(-(200 / 0.01) * PAPER_Y[i], 6);
  });

  it('hessian matches central differences of the analytic gradient (relative 1e-5) and is exactly symmetric', () => {
    // h = 1e-6: truncation h²|∂⁴𝓛|/6 and rounding ε_mach·|∇𝓛|/h stay ≲ 1e-8 of max|H| (~1e4–1e5); 1e-5 is loose
    // enough for that and far tighter than any missing term (the −r∇²f part alone is ~1e-2 of H at θ₀ and O(1) elsewhere).
    const l = landscape();
    const H = new Float64Array(N * N),
      gp = new Float64Array(N),
      gm = new Float64Array(N);
    for (const th of testPoints()) {
      l.hessian(th, H);
      const h = 1e-6,
        fd = new Float64Array(N * N);
      for (let b = 0; b < N; b++) {
        const p = th.slice(),
          q = th.slice();
        p[b] += h;
        q[b] -= h;
        l.gradient(p, gp);
        l.gradient(q, gm);
        for (let a = 0; a < N; a++) fd[a * N + b] = (gp[a] - gm[a]) / (2 * h);
      }
      expect(maxAbsDiff(H, fd) / maxAbs(H)).toBeLessThan(1e-5);
      for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) expect(H[a * N + b]).toBe(H[b * N + a]);
    }
  });

  it('the −r∇²f terms matter: the Gauss–Newton part alone is off by > 1 % at θ = (1, …, 1), so the 1e-5 check above sees them', () => {
    const l = landscape();
    const th = vec([1, 1, 1, 1, 1, 1, 1]);
    const H = new Float64Array(N * N),
      gn = new Float64Array(N * N);
    l.hessian(th, H);
    for (let i = 0; i < 200; i++) {
      const x = PAPER_X[i],
        t1 = Math.tanh(th[0] * x + th[2]),
        t2 = Math.tanh(th[1] * x + th[3]);
      const s1 = 1 - t1 * t1,
        s2 = 1 - t2 * t2;
      const df = [th[4] * s1 * x, th[5] * s2 * x, th[4] * s1, th[5] * s2, t1, t2, 1];
      for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) gn[a * N + b] += (df[a] * df[b]) / 0.01;
    }
    for (let a = 0; a < N; a++) gn[a * N + a] += 20;
    expect(maxAbsDiff(H, gn) / maxAbs(H)).toBeGreaterThan(1e-2);
  });
});

describe('tanh-regression: sampleHessian (per-sample ∇²ℓ_i, for the WOR theory)', () => {
  it('matches central differences of row i of sampleGradients (relative 1e-6 of max|∇²ℓ_i|) and is exactly symmetric', () => {
    // Every ∇²ℓ_i has the entry (M/ε²)·1·1 = 2e4 (∂²/∂θ₇²), so max|∇²ℓ_i| ≥ 2e4. With h = 1e-6 the rounding of a row of
    // sampleGradients (|∇ℓ_i| ≲ 1e4, so ε_mach·1e4/h ≈ 2e-6) and the truncation h²|∂⁴ℓ_i|/6 (≲ 1e-7) are ≲ 1e-10 of that;
    // 1e-6 leaves room, and a wrong term (e.g. a dropped −r∇²f entry, ≳ 1e-3 of max at these points) fails it.
    const l = landscape();
    const M = l.dataSize;
    const Hi = new Float64Array(N * N),
      rp = new Float64Array(M * N),
      rm = new Float64Array(M * N);
    for (const th of testPoints()) {
      const h = 1e-6;
      const fd = Array.from({ length: M }, () => new Float64Array(N * N));
      for (let b = 0; b < N; b++) {
        const p = th.slice(),
          q = th.slice();
        p[b] += h;
        q[b] -= h;
        l.sampleGradients(p, rp);
        l.sampleGradients(q, rm);
        for (let i = 0; i < M; i++)
          for (let a = 0; a < N; a++) fd[i][a * N + b] = (rp[i * N + a] - rm[i * N + a]) / (2 * h);
      }
      for (const i of [0, 1, 57, 100, 143, 199]) {
        l.sampleHessian(th, i, Hi);
        expect(maxAbs(Hi)).toBeGreaterThanOrEqual(2e4 - 1e-9);
        expect(maxAbsDiff(Hi, fd[i]) / maxAbs(Hi)).toBeLessThan(1e-6);
        for (let a = 0; a < N; a++) for (let b = 0; b < N; b++) expect(Hi[a * N + b]).toBe(Hi[b * N + a]);
      }
    }
  });

  it('(1/M) Σ_i ∇²ℓ_i + 2λI equals hessian (relative 1e-12: the same terms summed in another order)', () => {
    // Both sum the same M per-sample terms; only the order of the scalings differs, so agreement is to rounding (~1e-14
    // of max|H| after 200 terms of alternating sign); 1e-12 allows for that and catches any missing or mis-scaled term.
    for (const params of [{}, { lambda: 0.3, epsilon: 0.25, data: 'generated', dataSize: 37, dataSeed: 4 }]) {
      const l = landscape(params);
      const M = l.dataSize;
      const H = new Float64Array(N * N),
        Hi = new Float64Array(N * N),
        sum = new Float64Array(N * N);
      for (const th of testPoints()) {
        l.hessian(th, H);
        sum.fill(0);
        for (let i = 0; i < M; i++) {
          l.sampleHessian(th, i, Hi);
          for (let k = 0; k < N * N; k++) sum[k] += Hi[k] / M;
        }
        for (let a = 0; a < N; a++) sum[a * N + a] += 2 * l.lambda;
        expect(maxAbsDiff(H, sum) / maxAbs(H)).toBeLessThan(1e-12);
      }
    }
  });

  it('rejects an index outside [0, M)', () => {
    const l = landscape();
    const out = new Float64Array(N * N);
    expect(() => l.sampleHessian(vec(PAPER_THETA0), 200, out)).toThrow(RangeError);
    expect(() => l.sampleHessian(vec(PAPER_THETA0), -1, out)).toThrow(RangeError);
  });
});

describe("tanh-regression: the paper's minimum (authors' notebook)", () => {
  it("∇𝓛 vanishes at the authors' θ₀ (|∂𝓛| < 1e-11, against terms of size ~1e3 that cancel)", () => {
    const l = landscape();
    const g = new Float64Array(N);
    l.gradient(vec(PAPER_THETA0), g);
    // The notebook reports |∂𝓛| ≤ 2e-13 there (we get ≤ 1.3e-13); θ₀ itself is printed to 17 digits, so its own
    // rounding (~1e-16 · H ~ 1e-11 in ∇𝓛 at most) bounds what any implementation can show.
    expect(maxAbs(g)).toBeLessThan(1e-11);
  });

  it("the Hessian at θ₀ has the notebook's eigenvalues (relative 1e-9) and H₇₇ = M/ε² + 2λ = 20020", () => {
    const l = landscape();
    const H = new Float64Array(N * N);
    l.hessian(vec(PAPER_THETA0), H);
    expect(H[6 * N + 6]).toBeCloseTo(20020, 9);
    const ev = symmetricEigenvalues(H, N);
    for (let k = 0; k < N; k++)
      expect(Math.abs(ev[k] - PAPER_H0_EIGENVALUES[k]) / PAPER_H0_EIGENVALUES[k]).toBeLessThan(1e-9);
  });
});

describe('tanh-regression: generated data', () => {
  it('is reproducible from dataSeed, changes with it, and does not depend on the run seed', () => {
    const a = new TanhRegression(),
      b = new TanhRegression(),
      c = new TanhRegression();
    a.configure(paramsFor(tanhRegressionInfo, { data: 'generated', dataSeed: 5 }), 1);
    b.configure(paramsFor(tanhRegressionInfo, { data: 'generated', dataSeed: 5 }), 999);
    c.configure(paramsFor(tanhRegressionInfo, { data: 'generated', dataSeed: 6 }), 1);
    expect(Array.from(a.data().y)).toEqual(Array.from(b.data().y));
    expect(Array.from(a.data().y)).not.toEqual(Array.from(c.data().y));
    const th = vec([1, 1, 1, 1, 1, 1, 1]);
    expect(a.loss(th)).toBe(b.loss(th));
  });

  it("for M = 200 its x are the paper's x bit for bit; for other M, evenly spaced on [−3, 3)", () => {
    const g = generateData(200, 3);
    for (let i = 0; i < 200; i++) expect(Object.is(g.x[i], PAPER_X[i])).toBe(true);
    const h = generateData(1000, 3);
    expect(h.x[0]).toBe(-3);
    expect(h.x[999]).toBeCloseTo(3 - 0.006, 14);
    for (let i = 1; i < 1000; i++) expect(h.x[i] - h.x[i - 1]).toBeCloseTo(0.006, 14);
  });

  it('residuals y − exp(−x²) have mean 0 and sd 0.1 (within 4 standard errors)', () => {
    // With M = 20000 Gaussian residuals: SE of the mean 0.1/√M = 7e-4; the sample sd has relative SE 1/√(2M) = 0.5 %.
    const M = 20000;
    const { x, y } = generateData(M, 123);
    let s = 0,
      s2 = 0;
    for (let i = 0; i < M; i++) {
      const r = y[i] - Math.exp(-x[i] * x[i]);
      s += r;
      s2 += r * r;
    }
    const mean = s / M,
      sd = Math.sqrt(s2 / M - mean * mean);
    expect(Math.abs(mean)).toBeLessThan((4 * 0.1) / Math.sqrt(M));
    expect(Math.abs(sd / 0.1 - 1)).toBeLessThan(4 / Math.sqrt(2 * M));
    // The paper's own draw (M = 200: relative SE of the sd 5 %) is consistent with the same noise.
    let p2 = 0;
    for (let i = 0; i < 200; i++) p2 += (PAPER_Y[i] - Math.exp(-(PAPER_X[i] ** 2))) ** 2;
    expect(Math.abs(Math.sqrt(p2 / 200) / 0.1 - 1)).toBeLessThan(4 / Math.sqrt(400));
  });

  it('configure with dataSize sets M for every method', () => {
    const l = landscape({ data: 'generated', dataSize: 50, dataSeed: 2 });
    expect(l.dataSize).toBe(50);
    const rows = new Float64Array(50 * N),
      g = new Float64Array(N),
      gb = new Float64Array(N);
    const th = testPoints()[2];
    l.sampleGradients(th, rows);
    l.gradient(th, g);
    l.minibatchGradient(
      th,
      Int32Array.from({ length: 50 }, (_, i) => i),
      50,
      gb,
    );
    expect(maxAbsDiff(g, gb) / maxAbs(g)).toBeLessThan(1e-12);
  });
});

describe('tanh-regression: configure', () => {
  it("fills defaults for missing params and accepts the schema's defaults explicitly", () => {
    const a = landscape(),
      b = landscape({ epsilon: 0.1, lambda: 10, data: 'paper', dataSeed: 1, dataSize: 200 });
    const th = vec([1, 1, 1, 1, 1, 1, 1]);
    expect(a.loss(th)).toBe(b.loss(th));
  });

  it('rejects bad values with a ScenarioError naming the field', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ epsilon: 0 }, 'epsilon'],
      [{ epsilon: 'x' }, 'epsilon'],
      [{ lambda: -1 }, 'lambda'],
      [{ data: 'mnist' }, 'data'],
      [{ data: 'generated', dataSeed: -1 }, 'dataSeed'],
      [{ data: 'generated', dataSize: 2.5 }, 'dataSize'],
      [{ dataSize: 100 }, 'dataSize'],
    ];
    for (const [params, field] of bad) {
      expect(() => landscape(params)).toThrow(ScenarioError);
      expect(() => landscape(params)).toThrow(`scenario.landscape.params.${field}`);
    }
  });

  it('epsilon and lambda enter as 1/ε² and λ', () => {
    const th = testPoints()[2];
    const base = landscape({ lambda: 0 }),
      eps = landscape({ lambda: 0, epsilon: 0.2 }),
      reg = landscape({ lambda: 2 });
    expect(eps.loss(th) / base.loss(th)).toBeCloseTo(0.25, 13);
    expect(reg.loss(th) - base.loss(th)).toBeCloseTo(2 * th.reduce((s, v) => s + v * v, 0), 9);
  });
});

describe("tanh-regression: randomInit (the authors' start: U[0,1)⁷ rescaled to |θ| = 0.5)", () => {
  it('gives |θ| = 0.5 with positive components, different per draw', () => {
    const l = landscape(),
      rng = Xoshiro128.fromSeed(3),
      normal = () => rng.nextNormal();
    const a = new Float64Array(N),
      b = new Float64Array(N);
    l.randomInit(a, normal);
    l.randomInit(b, normal);
    expect(Math.hypot(...a)).toBeCloseTo(0.5, 15);
    for (const v of a) expect(v).toBeGreaterThan(0);
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });

  it('has the distribution of rand(7)/|rand(7)|·0.5: first two moments of θ₁ agree with direct uniforms (5 SE)', () => {
    const l = landscape(),
      rng = Xoshiro128.fromSeed(4),
      normal = () => rng.nextNormal();
    const K = 40000,
      th = new Float64Array(N);
    let s = 0,
      s2 = 0,
      t = 0,
      t2 = 0;
    for (let k = 0; k < K; k++) {
      l.randomInit(th, normal);
      s += th[0];
      s2 += th[0] * th[0];
      const u = Array.from({ length: N }, () => rng.nextDouble());
      const v = (0.5 * u[0]) / Math.hypot(...u);
      t += v;
      t2 += v * v;
    }
    const m1 = s / K,
      m2 = t / K;
    const se = Math.sqrt((s2 / K - m1 * m1 + t2 / K - m2 * m2) / K);
    expect(Math.abs(m1 - m2)).toBeLessThan(5 * se);
    // E[θ₁²] = 0.25/7 exactly, by symmetry of the seven components.
    expect(Math.abs(s2 / K - 0.25 / 7)).toBeLessThan(0.002);
  });
});
