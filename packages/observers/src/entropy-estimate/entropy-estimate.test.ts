import { describe, expect, it } from 'vitest';
import { paramsFor } from '@nesslab/kernel/testing';
import { EntropyEstimateObserver, entropyEstimateInfo, type EntropyEstimateResult } from './entropy-estimate.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';
import { linearProcess, stationaryCovariance } from '../synthetic.ts';

type M = number[][];
const make = (tr: Trajectories, params: Record<string, unknown>) => () => {
  const o = new EntropyEstimateObserver();
  const n = tr[0][0].length;
  o.configure(
    paramsFor(entropyEstimateInfo, params),
    runContext(
      fakeLandscape(n, () => 0),
      n,
      tr.length,
      tr[0].length - 1,
    ),
  );
  return o;
};
const run = (tr: Trajectories, params: Record<string, unknown>, blockSize = 64, parts = 1): EntropyEstimateResult =>
  runObserver(make(tr, params), tr, blockSize, parts);

const mul = (X: M, Y: M): M => X.map((row) => Y[0].map((_, j) => row.reduce((s, x, k) => s + x * Y[k][j], 0)));
const T = (X: M): M => X[0].map((_, j) => X.map((row) => row[j]));
const inv2 = ([[a, b], [c, d]]: M): M => {
  const det = a * d - b * c;
  return [
    [d / det, -b / det],
    [-c / det, a / det],
  ];
};
const trace = (X: M) => X.reduce((s, row, i) => s + row[i], 0);

/** x with A x = b, Gaussian elimination with partial pivoting on plain arrays (an implementation independent of the observer's). */
function solveNaive(A: M, b: number[]): number[] {
  const n = b.length,
    a = A.map((r, i) => [...r, b[i]]);
  for (let k = 0; k < n; k++) {
    let p = k;
    for (let i = k + 1; i < n; i++) if (Math.abs(a[i][k]) > Math.abs(a[p][k])) p = i;
    [a[k], a[p]] = [a[p], a[k]];
    for (let i = k + 1; i < n; i++) {
      const f = a[i][k] / a[k][k];
      for (let j = k; j <= n; j++) a[i][j] -= f * a[k][j];
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let i = n - 1; i >= 0; i--) {
    let s = a[i][n];
    for (let j = i + 1; j < n; j++) s -= a[i][j] * x[j];
    x[i] = s / a[i][i];
  }
  return x;
}

// A 2-D linear Gaussian chain θ_{t+1} = Aθ_t + ξ, A = I − G with G NOT symmetric (a rotation on top of the relaxation),
// ⟨ξξᵀ⟩ = 2D: the Euler step (Δt = 1) of the Ornstein–Uhlenbeck process dθ = −Gθ dt + √(2D) dW. Its exact entropy
// production rate: Σ from GΣ + ΣGᵀ = 2D, mean local velocity v(θ) = −(G − DΣ⁻¹)θ, and
//   σ = ⟨vᵀD⁻¹v⟩ = tr[(G − DΣ⁻¹)ᵀ D⁻¹ (G − DΣ⁻¹) Σ]
// (the mean total entropy production of overdamped Langevin dynamics with constant D, Seifert, Rep. Prog. Phys. 75,
// 126001 (2012); the same as 004 Eq. 29, −tr(CD⁻¹CΣ⁻¹) with C = GΣ − D, Eq. 24).
const G = [
  [0.01, 0.006],
  [-0.006, 0.004],
];
const D = [
  [1, 0.3],
  [0.3, 0.5],
];
const A = G.map((r, i) => r.map((g, j) => (i === j ? 1 : 0) - g));
const Q = D.map((r) => r.map((x) => 2 * x));

/** Σ with GΣ + ΣGᵀ = 2D for 2 × 2 G (the three unknowns s₁₁, s₁₂, s₂₂ by Cramer's rule). */
function lyapunov2(g: M, d: M): M {
  const [[a, b], [c, e]] = g;
  const m = [
    [2 * a, 2 * b, 0],
    [c, a + e, b],
    [0, 2 * c, 2 * e],
  ];
  const r = [2 * d[0][0], 2 * d[0][1], 2 * d[1][1]];
  const det = (x: M) =>
    x[0][0] * (x[1][1] * x[2][2] - x[1][2] * x[2][1]) -
    x[0][1] * (x[1][0] * x[2][2] - x[1][2] * x[2][0]) +
    x[0][2] * (x[1][0] * x[2][1] - x[1][1] * x[2][0]);
  const s = [0, 1, 2].map((k) => det(m.map((row, i) => row.map((v, j) => (j === k ? r[i] : v)))) / det(m));
  return [
    [s[0], s[1]],
    [s[1], s[2]],
  ];
}
const Sigma = lyapunov2(G, D);
const V = G.map((r, i) => r.map((g, j) => g - mul(D, inv2(Sigma))[i][j])); // G − DΣ⁻¹
const exactRate = trace(mul(mul(mul(T(V), inv2(D)), V), Sigma));
// What the chain itself gives at Δt = 1 (its own Σ_d = AΣ_dAᵀ + 2D): the force estimator's limit at ℓ = 1,
// tr(D⁻¹ŵΣ_d⁻¹ŵᵀ) with ŵ = ⟨Δθ θ_midᵀ⟩ = (AΣ_d − Σ_dAᵀ)/2 — the O(|G|) discretisation of the test itself.
const Sd = stationaryCovariance(A, Q);
const w = mul(A, Sd).map((r, i) => r.map((x, j) => 0.5 * (x - mul(Sd, T(A))[i][j])));
const chainRate = trace(mul(mul(mul(inv2(D), w), inv2(Sd)), T(w)));

describe('entropy-estimate on a 2-D linear Gaussian chain with a known entropy production rate', () => {
  const chains = 8,
    steps = 50_000;
  const tr = linearProcess({ F: A, noiseCovariance: Q, chains, steps, seed: 11, start: [0, 0] });

  it('the exact rate, and the discretisation it is compared with', () => {
    expect(exactRate).toBeCloseTo(0.02032, 4); // rotation 0.006 per step against relaxation 0.004–0.01
    expect(Math.abs(chainRate / exactRate - 1)).toBeLessThan(0.01);
  });

  for (const method of ['tur', 'force'] as const) {
    it(`${method}: the estimate per step equals the exact rate within 4 jackknife standard errors (ℓ = 1)`, () => {
      const r = run(tr, { method, burnIn: 1000 });
      expect(r).toMatchObject({ method, every: 1, chains, increments: chains * (steps - 1000), basisSize: 6 });
      expect(r.bias).toBeCloseTo(2 / r.steps, 15); // N(N − 1)/τ: one rotational field in the 2-D linear basis
      expect(r.rate).toBeCloseTo(r.plugIn - r.bias, 15);
      // The jackknife over 8 chains resolves the rate to ~3 % here (20 seeds of 8 × 25 000 steps: spread 0.044 of the
      // rate, mean jackknife 0.047 for both methods); 4 s.e. + the chain's own O(|G|) offset from the SDE's rate.
      expect(r.stdError / exactRate).toBeLessThan(0.05);
      expect(Math.abs(r.rate - exactRate)).toBeLessThan(4 * r.stdError + Math.abs(chainRate - exactRate));
      if (method === 'force') {
        // The regression recovers the drift −G (per step) and D from the increments alone.
        r.drift!.flat().forEach((a, i) => expect(Math.abs(a + G.flat()[i])).toBeLessThan(1e-3));
        r.diffusion!.flat().forEach((d, i) => expect(Math.abs(d - D.flat()[i])).toBeLessThan(0.01));
      }
    });
  }

  it('both estimators lose entropy production when the chain is seen only every ℓ = 16 steps', () => {
    const tur = run(tr, { method: 'tur', every: 16 }),
      force = run(tr, { method: 'force', every: 16 });
    expect(tur.increments).toBe(chains * Math.floor(steps / 16));
    expect(tur.steps).toBe(tur.increments * 16);
    for (const r of [tur, force]) expect(r.rate).toBeLessThan(exactRate - 3 * r.stdError);
  });
});

describe('entropy-estimate in equilibrium', () => {
  // The plug-in is a quadratic form, positive whatever the data: its excess is ≈ 2/τ per rotational field of the basis,
  // N(N − 1)/τ (estimators.ts; SFI's 2N_b/τ = 12/τ here would push the estimate 10/τ below 0).
  it('G symmetric and D ∝ I (detailed balance): the bias-corrected estimates are 0 within 4 standard errors', () => {
    const Geq = [
        [0.02, 0.005],
        [0.005, 0.01],
      ],
      Aeq = Geq.map((r, i) => r.map((g, j) => (i === j ? 1 : 0) - g));
    const tr = linearProcess({
      F: Aeq,
      noiseCovariance: [
        [1, 0],
        [0, 1],
      ],
      chains: 6,
      steps: 20_000,
      seed: 3,
    });
    for (const method of ['tur', 'force'] as const) {
      const r = run(tr, { method });
      expect(Math.abs(r.rate), method).toBeLessThan(4 * r.stdError);
      expect(r.plugIn).toBeGreaterThan(0);
      expect(r.plugIn * r.steps).toBeLessThan(12); // well below SFI's 2N_b
    }
  });
});

describe('entropy-estimate: the formulas on a short path, against a plain implementation', () => {
  // Two chains of a 2-D walk, with a burn-in and ℓ = 2: the states used are θ₃, θ₅, θ₇, …
  const path = (phase: number) =>
    Array.from({ length: 40 }, (_, k) => [
      Math.cos(0.3 * k + phase) + 0.05 * Math.sin(1.7 * k * k),
      0.5 * Math.sin(0.3 * k + phase) + 0.04 * Math.cos(2.3 * k),
    ]);
  const tr = [path(0), path(1)];
  const burnIn = 3,
    every = 2;
  /** The increments used, pooled over the chains in chain order. */
  const increments = tr.flatMap((chain) => {
    const out: { x: number[]; y: number[] }[] = [];
    for (let k = burnIn; k + every < chain.length; k += every) out.push({ x: chain[k], y: chain[k + every] });
    return out;
  });
  const n = increments.length,
    N = 2,
    ks = N + 1;
  const phi = (x: number[]) => [1, ...x];

  it('tur: (2/ℓ)μ̂ᵀK̂⁻¹μ̂ − N(N − 1)/(nℓ) over the currents Δθ_μ φ_k(θ_mid)', () => {
    const J = increments.map(({ x, y }) => {
      const d = y.map((v, a) => v - x[a]),
        m = phi(y.map((v, a) => (v + x[a]) / 2));
      return d.flatMap((dm) => m.map((mk) => dm * mk));
    });
    const K = N * ks;
    const mean = Array.from({ length: K }, (_, i) => J.reduce((s, j) => s + j[i], 0) / n);
    const cov = Array.from({ length: K }, (_, i) =>
      Array.from({ length: K }, (_, j) => J.reduce((s, v) => s + (v[i] - mean[i]) * (v[j] - mean[j]), 0) / n),
    );
    const x = solveNaive(cov, mean);
    const expected = (2 / every) * mean.reduce((s, m, i) => s + m * x[i], 0) - (N * (N - 1)) / (n * every);
    const r = run(tr, { method: 'tur', burnIn, every }, 5, 2);
    expect(r.increments).toBe(n);
    expect(r.rate).toBeCloseTo(expected, 10);
    expect(Math.abs(r.rate / expected - 1)).toBeLessThan(1e-9);
  });

  it('force: tr(D̂⁻¹W_SΦ⁻¹W_Sᵀ)/(nℓ²) − N(N − 1)/(nℓ), D̂ the residual covariance of the Itô regression over 2ℓ(n − K_s)', () => {
    const Phi = Array.from({ length: ks }, (_, k) =>
      Array.from({ length: ks }, (_, l) => increments.reduce((s, { x }) => s + phi(x)[k] * phi(x)[l], 0)),
    );
    const moment = (at: (x: number[], y: number[]) => number[]) =>
      Array.from({ length: N }, (_, mu) =>
        Array.from({ length: ks }, (_, k) => increments.reduce((s, { x, y }) => s + (y[mu] - x[mu]) * at(x, y)[k], 0)),
      );
    const WI = moment((x) => phi(x)),
      WS = moment((x, y) => phi(x.map((v, a) => (v + y[a]) / 2)));
    const PhiInv = (W: M) => W.map((row) => solveNaive(Phi, row)); // rows of W Φ⁻¹ (Φ symmetric)
    const WIP = PhiInv(WI),
      WSP = PhiInv(WS);
    const dd = Array.from({ length: N }, (_, a) =>
      Array.from({ length: N }, (_, b) => increments.reduce((s, { x, y }) => s + (y[a] - x[a]) * (y[b] - x[b]), 0)),
    );
    const Dhat = dd.map((row, a) =>
      row.map((v, b) => (v - WIP[a].reduce((s, c, k) => s + c * WI[b][k], 0)) / (2 * every * (n - ks))),
    );
    const Vs = WSP.map((row) => WS.map((wrow) => row.reduce((s, c, k) => s + c * wrow[k], 0)));
    const expected = trace(mul(inv2(Dhat), Vs)) / (n * every * every) - (N * (N - 1)) / (n * every);
    const r = run(tr, { method: 'force', burnIn, every }, 5, 2);
    expect(Math.abs(r.rate / expected - 1)).toBeLessThan(1e-9);
    r.diffusion!.flat().forEach((d, i) => expect(d).toBeCloseTo(Dhat.flat()[i], 12));
    // drift A of F(θ) = Aθ + b: the θ-columns of W_IΦ⁻¹ over ℓ
    r.drift!.forEach((row, mu) => row.forEach((a, b) => expect(a).toBeCloseTo(WIP[mu][1 + b] / every, 10)));
  });

  it('the same numbers after moving the whole path by 1000 (each chain is summed about its own first state)', () => {
    const far = tr.map((chain) => chain.map((x) => x.map((v) => v + 1000)));
    for (const method of ['tur', 'force'] as const) {
      const near = run(tr, { method, burnIn, every }),
        moved = run(far, { method, burnIn, every });
      expect(Math.abs(moved.rate / near.rate - 1), method).toBeLessThan(1e-6);
    }
  });
});

describe('entropy-estimate: chain groups and blocks', () => {
  const tr = linearProcess({ F: A, noiseCovariance: Q, chains: 5, steps: 3000, seed: 5 });
  for (const method of ['tur', 'force'] as const) {
    it(`${method}: bit-identical for 1, 2 or 5 chain groups and any block size (with a burn-in and ℓ = 3)`, () => {
      const params = { method, burnIn: 17, every: 3 };
      const one = run(tr, params, 64, 1);
      expect(one.stdError).toBeGreaterThan(0);
      for (const [block, parts] of [
        [7, 2],
        [1000, 5],
        [3, 1],
      ])
        expect(bitDifference(run(tr, params, block, parts), one)).toBeNull();
    });
  }

  it('one chain: no jackknife (NaN standard error); no increment: NaN', () => {
    const r = run([tr[0]], { method: 'force' });
    expect(r.rate).toBeGreaterThan(0);
    expect(r.stdError).toBeNaN();
    const none = run(
      tr.map((c) => c.slice(0, 5)),
      { method: 'tur', burnIn: 10 },
    );
    expect(none.increments).toBe(0);
    expect(none.rate).toBeNaN();
  });
});
