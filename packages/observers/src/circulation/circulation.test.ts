import { describe, expect, it } from 'vitest';
import { paramsFor } from '@nesslab/kernel/testing';
import { CirculationObserver, circulationInfo, type CirculationResult } from './circulation.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';
import { linearProcess, stationaryCovariance } from '../synthetic.ts';

const circulation =
  (dim: number, chains: number, steps: number, reference: number[] | undefined, params: Record<string, unknown> = {}) =>
  () => {
    const o = new CirculationObserver();
    o.configure(
      paramsFor(circulationInfo, params),
      runContext(
        fakeLandscape(dim, () => 0),
        dim,
        chains,
        steps,
        reference,
      ),
    );
    return o;
  };
const run = (
  tr: Trajectories,
  reference: number[],
  blockSize: number,
  parts = 1,
  params: Record<string, unknown> = {},
): CirculationResult =>
  runObserver(circulation(tr[0][0].length, tr.length, tr[0].length - 1, reference, params), tr, blockSize, parts);

/** θ_k = centre + r(cos(φ + ωk), sin(φ + ωk)), k = 0 … steps. */
const circle = (centre: number[], r: number, omega: number, phase: number, steps: number) =>
  Array.from({ length: steps + 1 }, (_, k) => [
    centre[0] + r * Math.cos(phase + omega * k),
    centre[1] + r * Math.sin(phase + omega * k),
  ]);

const matmul = (A: number[][], B: number[][]) =>
  A.map((row) => B[0].map((_, j) => row.reduce((s, a, k) => s + a * B[k][j], 0)));
const transpose = (A: number[][]) => A[0].map((_, i) => A.map((row) => row[i]));
/** Rotation by `angle` in the (i, j) plane of R^n. */
const givens = (n: number, i: number, j: number, angle: number) => {
  const G: number[][] = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => (a === b ? 1 : 0)));
  G[i][i] = G[j][j] = Math.cos(angle);
  G[i][j] = -Math.sin(angle);
  G[j][i] = Math.sin(angle);
  return G;
};
const diag = (d: number[]) => d.map((v, i) => d.map((_, j) => (i === j ? v : 0)));

describe('circulation (004 Eq. 26, 28)', () => {
  it('a unit square walked counterclockwise about the reference sweeps area 1: Eq. 26 term by term', () => {
    // δθ from θ₀ = (1, 1): path (1,1) → (2,1) → (2,2) → (1,2) → (1,1). The brackets δθ_k,1 Δθ_2 − δθ_k,2 Δθ_1 are
    // 0, 1, 1, 0: A₁₂ = ½·2 = 1 over ℓ = 4 steps, C₁₂ = 1/4.
    const tr = [
      [
        [1, 1],
        [2, 1],
        [2, 2],
        [1, 2],
        [1, 1],
      ],
    ];
    const r = run(tr, [1, 1], 3);
    expect(r.count).toBe(4);
    expect(r.circulation).toEqual([
      [0, 0.25],
      [-0.25, 0],
    ]);
    expect(r.stdError[0][1]).toBeNaN(); // one chain: no spread to estimate it from
  });

  it('a deterministic rotation θ_k = r(cos ωk, sin ωk) gives C₁₂ = ½ r² sin ω per step (sign = sense of rotation)', () => {
    // ½[x_k(y_{k+1} − y_k) − y_k(x_{k+1} − x_k)] = ½(x_k y_{k+1} − y_k x_{k+1}) = ½ r² sin ω, every step exactly.
    const r0 = 0.3,
      omega = 0.2,
      centre = [3, -2],
      steps = 1000;
    const tr = [0, 1, 2].map((c) => circle(centre, r0, omega, 0.7 * c, steps));
    const expected = 0.5 * r0 * r0 * Math.sin(omega);
    const ccw = run(tr, centre, 64, 1);
    expect(ccw.count).toBe(3 * steps);
    expect(ccw.circulation[0][1]).toBeGreaterThan(0);
    expect(Math.abs(ccw.circulation[0][1] - expected)).toBeLessThan(1e-13);
    expect(ccw.circulation[1][0]).toBe(-ccw.circulation[0][1]);
    expect(ccw.circulation[0][0]).toBe(0);
    expect(ccw.stdError[0][1]).toBeLessThan(1e-14); // every chain the same rate
    // Clockwise: the same magnitude, the opposite sign.
    const cw = run(
      [0, 1, 2].map((c) => circle(centre, r0, -omega, 0.7 * c, steps)),
      centre,
      64,
      1,
    );
    expect(Math.abs(cw.circulation[0][1] + expected)).toBeLessThan(1e-13);
    // Over a closed path the reference point drops out (the extra terms sum to (θ₀ − p) ∧ (θ_end − θ_start) = 0):
    // ω = 2π/100 and 1000 steps are 10 whole turns, and C is the same about the centre and about another point.
    const w = (2 * Math.PI) / 100;
    const turns = [circle(centre, r0, w, 0, 1000)];
    const about = run(turns, centre, 64),
      off = run(turns, [centre[0] + 0.1, centre[1] - 0.05], 64);
    expect(Math.abs(off.circulation[0][1] - about.circulation[0][1])).toBeLessThan(1e-13);
    expect(Math.abs(about.circulation[0][1] - 0.5 * r0 * r0 * Math.sin(w))).toBeLessThan(1e-13);
  });

  it('skips increments up to burnIn: the same as the trajectory cut at step burnIn', () => {
    const tr = linearProcess({
      F: [
        [0.9, 0.1],
        [-0.1, 0.9],
      ],
      noiseCovariance: [
        [1, 0.3],
        [0.3, 0.5],
      ],
      chains: 4,
      steps: 200,
      seed: 2,
      start: [5, 5],
    });
    const cut = tr.map((t) => t.slice(25));
    expect(bitDifference(run(tr, [0, 0], 9, 1, { burnIn: 25 }), run(cut, [0, 0], 9))).toBeNull();
    expect(run(tr, [0, 0], 9, 1, { burnIn: 25 }).count).toBe(4 * 175);
  });

  it('a reversible process (independent AR(1) along rotated axes) gives C ≈ 0 within its standard error', () => {
    // θ' = Fθ + ξ with F = R diag(f) Rᵀ and Cov ξ = R diag(q) Rᵀ: Σ = R diag(q/(1 − f²)) Rᵀ, FΣ symmetric,
    // detailed balance holds, C = ½(ΣFᵀ − FΣ) = 0, while Σ itself has sizable off-diagonal entries.
    const R = matmul(givens(3, 0, 1, 0.6), givens(3, 1, 2, -0.9));
    const F = matmul(matmul(R, diag([0.9, 0.7, 0.5])), transpose(R));
    const Q = matmul(matmul(R, diag([1, 0.5, 2])), transpose(R));
    const tr = linearProcess({ F, noiseCovariance: Q, chains: 24, steps: 4000, seed: 101 });
    const r = run(tr, [0, 0, 0], 500, 1, { burnIn: 100 });
    const S = stationaryCovariance(F, Q);
    for (let a = 0; a < 3; a++) {
      for (let b = a + 1; b < 3; b++) {
        expect(r.stdError[a][b]).toBeGreaterThan(0);
        // Small on the scale of the fluctuations √(Σ_aa Σ_bb) (the per-step area is of that order) …
        expect(r.stdError[a][b]).toBeLessThan(0.02 * Math.sqrt(S[a][a] * S[b][b]));
        // … and zero within 4 standard errors (a correct estimator fails this about once in 10⁴ per element).
        expect(Math.abs(r.circulation[a][b])).toBeLessThan(4 * r.stdError[a][b]);
      }
    }
  });

  it("an SGD-like linear process θ' = (I − ηH)θ + ξ matches C = ½(ΣFᵀ − FΣ) = ½η(HΣ − ΣH) (Eq. 25) within 4 standard errors", () => {
    const eta = 0.1,
      H = [
        [1, 0],
        [0, 3],
      ];
    const F = [
      [1 - eta * H[0][0], 0],
      [0, 1 - eta * H[1][1]],
    ];
    const Q = [
      [1, 0.8],
      [0.8, 1],
    ];
    const S = stationaryCovariance(F, Q);
    const HS = matmul(H, S),
      SH = matmul(S, H);
    const theory = 0.5 * eta * (HS[0][1] - SH[0][1]);
    expect(theory).toBeLessThan(-0.1); // ≈ −0.216: a clear clockwise current
    const tr = linearProcess({ F, noiseCovariance: Q, chains: 32, steps: 5000, seed: 77 });
    const r = run(tr, [0, 0], 1000, 1, { burnIn: 200 });
    expect(Math.abs(r.circulation[0][1] - theory)).toBeLessThan(4 * r.stdError[0][1]);
    expect(r.stdError[0][1]).toBeLessThan(0.1 * Math.abs(theory));
  });

  it('is bit-identical for block sizes 1, 7, 1000 and for one part or three', () => {
    const F = [
      [0.9, 0.05, 0],
      [-0.05, 0.8, 0.02],
      [0, 0, 0.95],
    ];
    const tr = linearProcess({
      F,
      noiseCovariance: [
        [1, 0.2, 0],
        [0.2, 1, 0.1],
        [0, 0.1, 0.3],
      ],
      chains: 7,
      steps: 1500,
      seed: 4,
      start: [1, 1, 1],
    });
    const ref = run(tr, [0.5, -0.25, 0], 1, 1, { burnIn: 13 });
    expect(Number.isFinite(ref.circulation[0][1]) && ref.circulation[0][1] !== 0).toBe(true);
    for (const blockSize of [1, 7, 1000]) {
      for (const parts of [1, 3])
        expect(bitDifference(run(tr, [0.5, -0.25, 0], blockSize, parts, { burnIn: 13 }), ref)).toBeNull();
    }
  });

  it('refuses a run without a reference point, at configure', () => {
    expect(() => circulation(2, 1, 10, undefined)()).toThrow(
      /circulation: needs the run's reference point θ₀ \(run.reference\)/,
    );
    expect(() => circulation(2, 1, 10, [0, 0, 0])()).toThrow('run.reference has 3 components, the run has dim 2');
    expect(() => circulation(2, 1, 10, [0, 0], { burnIn: -2 })()).toThrow('circulation.params.burnIn');
  });
});
