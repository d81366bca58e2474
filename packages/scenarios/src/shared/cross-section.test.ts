import { describe, expect, it } from 'vitest';
import { circulation, lyapunov, solve } from '@nesslab/kernel';
import {
  boltzmannShape,
  currentArrows,
  decadeContours,
  density,
  ellipseMass,
  marginalCurrent,
  planeGaussian,
  planeMatrix,
  sameArea,
  windowAround,
  type PlaneGaussian,
} from './cross-section.ts';

// A 3-D linear NESS: H and D do not commute, so C = ½η(HΣ − ΣH) ≠ 0 (Eq. 21, 25).
const n = 3,
  eta = 0.1;
const H = Float64Array.from([2, 0.5, 0.2, 0.5, 1, -0.3, 0.2, -0.3, 3]);
const D = Float64Array.from([0.3, 0.1, 0, 0.1, 0.2, 0.05, 0, 0.05, 0.4]);
const sigma = lyapunov(H, D, eta, n),
  C = circulation(H, sigma, eta, n);
const centre = [0.3, -0.2, 0.1],
  zero = [0, 0, 0];

/** Σ⁻¹ by columns (kernel solve), then the 3-D density and current J = −CΣ⁻¹δθ P (Eq. 24). */
const sInv = [0, 1, 2].map((k) =>
  solve(
    sigma,
    n,
    Float64Array.from([0, 1, 2], (i) => (i === k ? 1 : 0)),
  ),
);
const detS =
  sigma[0] * (sigma[4] * sigma[8] - sigma[5] * sigma[7]) -
  sigma[1] * (sigma[3] * sigma[8] - sigma[5] * sigma[6]) +
  sigma[2] * (sigma[3] * sigma[7] - sigma[4] * sigma[6]);
function current3(t: number[]): number[] {
  const d = t.map((v, i) => v - centre[i]);
  const w = [0, 1, 2].map((i) => sInv[0][i] * d[0] + sInv[1][i] * d[1] + sInv[2][i] * d[2]); // Σ⁻¹δθ
  const q = d.reduce((s, v, i) => s + v * w[i], 0),
    p = Math.exp(-q / 2) / Math.sqrt((2 * Math.PI) ** 3 * detS);
  return [0, 1, 2].map((i) => -(C[i * 3] * w[0] + C[i * 3 + 1] * w[1] + C[i * 3 + 2] * w[2]) * p);
}

describe('cross-section theory (004 Fig. 2)', () => {
  it('the marginal current J_S = −C_SS Σ_SS⁻¹ (x − c_S) P_S equals J = −CΣ⁻¹δθ P integrated over the third coordinate', () => {
    // Plane (θ₁, θ₃) with units Θ = (0.5, 2); the integral over θ₂ by Simpson's rule on ±12 sd (2000 intervals):
    // the integrand is smooth and Gaussian, so the quadrature error is far below 1e-9 of the peak current.
    const plane: [number, number] = [0, 2],
      scales: [number, number] = [0.5, 2];
    const g = planeGaussian(centre, sigma, n, plane, zero, scales),
      c = planeMatrix(C, n, plane, scales);
    const half = 12 * Math.sqrt(sigma[4]),
      K = 2000,
      h = (2 * half) / K;
    let peak = 0;
    for (const [ux, uy] of [
      [0.9, -0.4],
      [0.2, 0.3],
      [1.5, 0.5],
      [-0.5, -0.6],
    ]) {
      const x = ux * scales[0],
        y = uy * scales[1];
      const J = [0, 0];
      for (let k = 0; k <= K; k++) {
        const w = k === 0 || k === K ? 1 : k % 2 ? 4 : 2,
          j = current3([x, centre[1] - half + k * h, y]);
        J[0] += (w * h * j[0]) / 3;
        J[1] += (w * h * j[2]) / 3;
      }
      // In plot units J_u = Θ⁻¹ J_x per unit of u-area (×Θ_x Θ_y): J_u,x = J_x Θ_y, J_u,y = J_y Θ_x.
      const Ju = [J[0] * scales[1], J[1] * scales[0]],
        mine = marginalCurrent(g, c, ux, uy);
      peak = Math.max(peak, Math.hypot(...Ju));
      expect(Math.abs(mine[0] - Ju[0])).toBeLessThan(1e-9 * peak + 1e-12);
      expect(Math.abs(mine[1] - Ju[1])).toBeLessThan(1e-9 * peak + 1e-12);
    }
    expect(peak).toBeGreaterThan(1e-3); // a real current, not 0 = 0
  });

  it('the marginal current is divergence-free and circulates about the centre', () => {
    const g = planeGaussian(centre, sigma, n, [0, 1], zero, [1, 1]),
      c = planeMatrix(C, n, [0, 1], [1, 1]);
    const e = 1e-5;
    for (const [x, y] of [
      [0.5, 0.1],
      [0, -0.7],
      [0.8, 0.4],
    ]) {
      const div =
        (marginalCurrent(g, c, x + e, y)[0] -
          marginalCurrent(g, c, x - e, y)[0] +
          marginalCurrent(g, c, x, y + e)[1] -
          marginalCurrent(g, c, x, y - e)[1]) /
        (2 * e);
      expect(Math.abs(div)).toBeLessThan(1e-8); // central differences: O(e²) of the O(1) derivatives
    }
    // Tangential: J·Σ⁻¹(u − c) = 0 along the ellipses, so J runs along the equiprobability lines.
    const arrows = currentArrows(g, c, windowAround(g), 9);
    const si = [g.sigma[3], -g.sigma[1], -g.sigma[2], g.sigma[0]].map(
      (v) => v / (g.sigma[0] * g.sigma[3] - g.sigma[1] * g.sigma[2]),
    );
    for (const a of arrows) {
      const wx = si[0] * (a.x - g.centre[0]) + si[1] * (a.y - g.centre[1]),
        wy = si[2] * (a.x - g.centre[0]) + si[3] * (a.y - g.centre[1]);
      expect(Math.abs(a.dx * wx + a.dy * wy)).toBeLessThan(1e-12 * (1 + Math.hypot(wx, wy)));
    }
    expect(arrows.length).toBeGreaterThan(20);
    expect(Math.max(...arrows.map((a) => Math.hypot(a.dx, a.dy)))).toBeCloseTo(
      (0.8 * 2 * windowAround(g).range) / 9,
      12,
    );
  });

  it('decade contours sit at P_max·10⁻ᵏ, and the 1-σ ellipse holds 1 − e^{−1/2} of the mass', () => {
    const g: PlaneGaussian = { centre: [0.2, -0.1], sigma: [1, 0.6, 0.6, 0.8] },
      peak = density(g, 0.2, -0.1);
    decadeContours(g, [1, 2, 3]).forEach((line, k) => {
      for (const p of line) expect(density(g, p.x, p.y) / peak).toBeCloseTo(10 ** -(k + 1), 12);
    });
    // A histogram of the Gaussian's mass per cell by the one-point midpoint rule: observed = expected up to the midpoint
    // error (w²/24)·|∇²P|/P ~ 3e-4 relative for w = 0.05, ~1e-4 absolute; and on a
    // fine grid (0.05 Θ cells) the cells inside the ellipse hold 1 − e^{−1/2} = 0.3935 within the boundary's O(cell) error.
    const bins = 160,
      range = 4,
      w = (2 * range) / bins,
      edges = Array.from({ length: bins + 1 }, (_, k) => -range + k * w);
    const counts = edges
      .slice(1)
      .map((_, i) =>
        edges.slice(1).map((__, j) => 1e6 * density(g, -range + (i + 0.5) * w, -range + (j + 0.5) * w) * w * w),
      );
    const total = 1e6,
      m = ellipseMass({ xEdges: edges, yEdges: edges, counts, total }, g);
    expect(Math.abs(m.observed - m.expected)).toBeLessThan(5e-4);
    expect(Math.abs(m.expected - (1 - Math.exp(-0.5)))).toBeLessThan(0.005);
  });

  it('Boltzmann shape (H⁻¹)_SS and sameArea: the determinant of the reference, the tilt of H⁻¹', () => {
    const shape = boltzmannShape(H, n, [0, 1], [1, 2]);
    const col0 = solve(H, n, Float64Array.from([1, 0, 0])),
      col1 = solve(H, n, Float64Array.from([0, 1, 0]));
    expect(shape[0]).toBeCloseTo(col0[0], 14);
    expect(shape[1]).toBeCloseTo(col0[1] / 2, 14);
    expect(shape[3]).toBeCloseTo(col1[1] / 4, 14);
    const like = planeMatrix(sigma, n, [0, 1], [1, 2]),
      same = sameArea(shape, like);
    expect(same[0] * same[3] - same[1] * same[2]).toBeCloseTo(like[0] * like[3] - like[1] * like[2], 14);
    expect(same[1] / same[0]).toBeCloseTo(shape[1] / shape[0], 14);
  });

  it('windowAround holds ±4 sd of the cloud and the points asked for', () => {
    const g: PlaneGaussian = { centre: [10, 0], sigma: [0.25, 0, 0, 1] };
    const w = windowAround(g, [[0, 0]]);
    expect(w.offset[0] - w.range).toBeLessThanOrEqual(0);
    expect(w.offset[0] + w.range).toBeGreaterThanOrEqual(12);
    expect(w.offset[1] + w.range).toBeGreaterThanOrEqual(4);
  });
});
