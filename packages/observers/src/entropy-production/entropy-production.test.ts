import { describe, expect, it } from 'vitest';
import { circulation as circulationOf, entropyMatrix, lyapunov, toRows, type Landscape } from '@nesslab/kernel';
import { paramsFor, ToyQuadratic } from '@nesslab/kernel/testing';
import { EntropyProductionObserver, entropyProductionInfo } from './entropy-production.ts';
import type { EntropyResult } from './fluctuation.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';
import { linearProcess, stationaryCovariance } from '../synthetic.ts';

const make =
  (tr: Trajectories, params: Record<string, unknown>, landscape: Landscape = fakeLandscape(tr[0][0].length, () => 0)) =>
  () => {
    const o = new EntropyProductionObserver();
    o.configure(
      paramsFor(entropyProductionInfo, params),
      runContext(landscape, tr[0][0].length, tr.length, tr[0].length - 1, new Array(tr[0][0].length).fill(0)),
    );
    return o;
  };
const run = (tr: Trajectories, params: Record<string, unknown>, blockSize = 64, parts = 1): EntropyResult =>
  runObserver(make(tr, params), tr, blockSize, parts);

// A 2-D Gaussian NESS: θ' = Fθ + ξ, F = I − ηH, ⟨ξξᵀ⟩ = 2D (004 Eq. 13: D = ½⟨ξξᵀ⟩), H = diag(5, 1), D not ∝ H.
const eta = 0.01,
  Hd = [5, 1],
  Dm = [
    [1, 0.6],
    [0.6, 0.5],
  ];
const F = [
    [1 - eta * Hd[0], 0],
    [0, 1 - eta * Hd[1]],
  ],
  Q = Dm.map((r) => r.map((x) => 2 * x));
const H = Float64Array.from([Hd[0], 0, 0, Hd[1]]),
  D = Float64Array.from(Dm.flat());
const S = lyapunov(H, D, eta, 2),
  C = circulationOf(H, S, eta, 2);
const theory = { sigma: toRows(S, 2), circulation: toRows(C, 2), diffusion: Dm };
const A = entropyMatrix(S, C, D, 2);
const mul = (X: number[][], Y: number[][]) =>
  X.map((row) => Y[0].map((_, j) => row.reduce((s, x, k) => s + x * Y[k][j], 0)));
const At = [
  [A[0], A[1]],
  [A[2], A[3]],
];

describe('entropy-production (004 Eq. 8, 9, 27, 29)', () => {
  it('sums σ_k = δθ_kᵀΣ⁻¹CD₀⁻¹Δθ_k over consecutive segments of ℓ steps (a square walked about θ₀, by hand)', () => {
    // Σ = D₀ = I, C = cJ: σ_k = c(δx Δy − δy Δx), the area swept about θ₀ = 0 (twice the triangle θ₀, θ_k, θ_{k+1}).
    const c = 0.1,
      I = [
        [1, 0],
        [0, 1],
      ];
    const path = [
      [1, 0],
      [1, 1],
      [-1, 1],
      [-1, -1],
      [1, -1],
      [1, 0],
      [1, 0.5],
    ];
    const byHand = path.slice(0, -1).map(([x, y], k) => c * (x * (path[k + 1][1] - y) - y * (path[k + 1][0] - x)));
    expect(byHand).toEqual([0.1, 0.2, 0.2, 0.2, 0.1, 0.05].map((v) => expect.closeTo(v, 15)));
    const r = run(
      [path],
      {
        sigma: I,
        diffusion: I,
        circulation: [
          [0, c],
          [-c, 0],
        ],
        segmentLengths: [1, 2, 4],
        burnIn: 1,
      },
      3,
    );
    expect(r.theoryRate).toBeCloseTo(2 * c * c, 15); // −tr(C·C) = 2c²
    const [l1, l2, l4] = r.lengths;
    // burnIn = 1 drops the first increment; ℓ = 2 makes 2 segments of the remaining 5 (the 5th step is left open), ℓ = 4 one.
    expect([l1.count, l2.count, l4.count]).toEqual([5, 2, 1]);
    expect(l1.mean).toBeCloseTo(0.75 / 5, 14);
    expect(l2.mean).toBeCloseTo((0.4 + 0.3) / 2, 14);
    expect(l4.mean).toBeCloseTo(0.7, 14);
    expect(l4.rate).toBeCloseTo(0.175, 14);
    expect(l1.expMean).toBeCloseTo(byHand.slice(1).reduce((s, v) => s + Math.exp(-v), 0) / 5, 14);
    for (const l of r.lengths)
      expect(l.histogram.counts.reduce((a, b) => a + b, 0) + l.histogram.underflow + l.histogram.overflow).toBe(
        l.count,
      );
  });

  it('on a Gaussian NESS chain: ⟨σ⟩ and ⟨e^{−σ}⟩ equal their exact discrete-time values, ≈ Eq. 29 and 1, and the DFT slope ≈ 1', () => {
    const chains = 24,
      steps = 20_000,
      burnIn = 1000; // burn-in: 10 relaxation times 1/(η h_min) = 100
    const tr = linearProcess({ F, noiseCovariance: Q, chains, steps, seed: 5 });
    const r = run(tr, { ...theory, burnIn, segmentLengths: [1, 2, 3] }, 500);
    // Exact for this chain at ℓ = 1 (Σ_d its discrete stationary covariance): ⟨σ⟩ = tr(A(F − I)Σ_d), and
    // ⟨e^{−σ}⟩ = det(I + Σ_d M)^{−1/2}, M = A(F − I) + (A(F − I))ᵀ − AQAᵀ (Gaussian integrals over ξ, then δθ).
    const Sd = stationaryCovariance(F, Q),
      FI = F.map((row, i) => row.map((x, j) => x - (i === j ? 1 : 0)));
    const AF = mul(At, FI),
      AQA = mul(mul(At, Q), [
        [At[0][0], At[1][0]],
        [At[0][1], At[1][1]],
      ]);
    const meanExact = mul(AF, Sd).reduce((s, row, i) => s + row[i], 0);
    const M = AF.map((row, i) => row.map((x, j) => x + AF[j][i] - AQA[i][j]));
    const SM = mul(Sd, M),
      expExact = 1 / Math.sqrt((1 + SM[0][0]) * (1 + SM[1][1]) - SM[0][1] * SM[1][0]);
    const [l1, l2, l3] = r.lengths;
    expect(l1.count).toBe(chains * (steps - burnIn));
    // 4.5 chain-spread standard errors (24 chains; |t₂₃| > 4.5 has probability ~2e-4).
    expect(Math.abs(l1.mean - meanExact)).toBeLessThan(4.5 * l1.meanStdError);
    expect(Math.abs(l1.expMean - expExact)).toBeLessThan(4.5 * l1.expStdError);
    expect(l1.meanStdError / l1.mean).toBeLessThan(0.02); // the run resolves ⟨σ⟩ to 2 %
    // The continuous theory is right to O(ηh_max) = 5 %: Eq. 29 and the IFT hold to that order at every ℓ.
    expect(Math.abs(expExact - 1)).toBeLessThan(0.01);
    for (const l of [l1, l2, l3]) {
      expect(Math.abs(l.rate / r.theoryRate - 1), `ℓ = ${l.length}`).toBeLessThan(
        0.05 + (4.5 * l.rateStdError) / r.theoryRate,
      );
      expect(Math.abs(l.expMean - 1), `ℓ = ${l.length}`).toBeLessThan(0.01 + 4.5 * l.expStdError);
      // DFT: slope of ln P(σ)/P(−σ) vs σ is 1 (Eq. 9), within 4.5 fit errors plus the same O(ηh) allowance.
      expect(Math.abs(l.dft.slope - 1), `ℓ = ${l.length}`).toBeLessThan(0.05 + 4.5 * l.dft.slopeStdError);
      expect(l.dft.sigma.length).toBeGreaterThan(10);
    }
  });

  it('is bit-identical whatever the block size and the number of chain groups', () => {
    const tr = linearProcess({ F, noiseCovariance: Q, chains: 7, steps: 600, seed: 9 });
    const params = { ...theory, burnIn: 37, segmentLengths: [1, 3, 5] };
    const reference = run(tr, params, 600, 1);
    for (const [blockSize, parts] of [
      [1, 1],
      [7, 3],
      [64, 7],
      [100, 2],
    ])
      expect(bitDifference(run(tr, params, blockSize, parts), reference)).toBeNull();
  });

  it("computes WR SGD's theory from eta and batchSize, and names bad input", () => {
    // The toy quadratic has H = aI: no circulation (C = 0), hence no entropy production to measure.
    const toy = new ToyQuadratic();
    toy.configure({ curvature: 1 });
    const tr = [
      [
        [0, 0],
        [0.1, 0],
      ],
    ];
    expect(() => make(tr, { eta: 0.1, batchSize: 2 }, toy)()).toThrow('no NESS');
    expect(() => make(tr, {})()).toThrow('entropy-production.params.eta: must be > 0');
    expect(() => make(tr, { eta: 0.1 })()).toThrow('entropy-production.params.batchSize');
    expect(() => make(tr, { ...theory, segmentLengths: [0] })()).toThrow('entropy-production.params.segmentLengths');
    expect(() => make(tr, { ...theory, sigma: [[1, 0]] })()).toThrow(
      'entropy-production.params.sigma: must be 2×2 rows',
    );
  });
});
