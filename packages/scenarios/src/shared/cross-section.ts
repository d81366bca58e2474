// Theory in one plane S = {α, γ} of a Gaussian stationary state, in plot units u = δθ_S/Θ (004 Fig. 2), float64.
//
// Marginal current of a linear NESS. With P = N(c, Σ) and v^s = −CΣ⁻¹δθ (Eq. 24; C antisymmetric, Eq. 25), the
// current is J = v^s P. Integrating over the coordinates outside S, with E[δθ | δθ_S = x] = Σ_{·S} Σ_SS⁻¹ x:
//   J_S(x) = −(CΣ⁻¹)_{S·} ∫ δθ P dθ_{¬S} = −(CΣ⁻¹)_{S·} Σ_{·S} Σ_SS⁻¹ x P_S(x) = −C_SS Σ_SS⁻¹ x P_S(x),
// because (CΣ⁻¹Σ)_SS = C_SS. It is divergence-free (tr(C_SS Σ_SS⁻¹) = 0, Σ_SS⁻¹C_SSΣ_SS⁻¹ antisymmetric): the
// marginal of a NESS is stationary with its own closed current lines. In units u = Θ⁻¹x, Σ and C both become Θ⁻¹·Θ⁻¹.
import { solve } from '@nesslab/kernel';
import { crossSection, subscript as sub, type TopLevelSpec } from '@nesslab/report';

export type Pair = [number, number];
/** Row-major 2×2. */
export type Mat2 = [number, number, number, number];
export interface Point {
  x: number;
  y: number;
}

/** N(centre, sigma) of u = δθ_S/Θ, δθ = θ − θ₀. */
export interface PlaneGaussian {
  centre: Pair;
  sigma: Mat2;
}

/** M_SS in plot units: M_αγ/(Θ_α Θ_γ), from a row-major N×N matrix (Σ or C). */
export function planeMatrix(m: ArrayLike<number>, n: number, plane: Pair, scales: Pair): Mat2 {
  const [a, b] = plane,
    [sa, sb] = scales;
  return [m[a * n + a] / (sa * sa), m[a * n + b] / (sa * sb), m[b * n + a] / (sb * sa), m[b * n + b] / (sb * sb)];
}

/** The marginal in plane S (0-based components) of N(centre, sigma), in units Θ about θ₀ = reference. */
export function planeGaussian(
  centre: ArrayLike<number>,
  sigma: ArrayLike<number>,
  n: number,
  plane: Pair,
  reference: ArrayLike<number>,
  scales: Pair,
): PlaneGaussian {
  const [a, b] = plane;
  return {
    centre: [(centre[a] - reference[a]) / scales[0], (centre[b] - reference[b]) / scales[1]],
    sigma: planeMatrix(sigma, n, plane, scales),
  };
}

/** (H⁻¹)_SS in plot units: the shape of the Boltzmann marginal N(θ₀, T H⁻¹), any T (004 Fig. 2, yellow lines). */
export function boltzmannShape(hessian: Float64Array, n: number, plane: Pair, scales: Pair): Mat2 {
  const column = (k: number) =>
    solve(
      hessian,
      n,
      Float64Array.from({ length: n }, (_, i) => (i === k ? 1 : 0)),
    );
  const ca = column(plane[0]),
    cb = column(plane[1]),
    [sa, sb] = scales;
  const ab = 0.5 * (ca[plane[1]] + cb[plane[0]]);
  return [ca[plane[0]] / (sa * sa), ab / (sa * sb), ab / (sa * sb), cb[plane[1]] / (sb * sb)];
}

const det = (m: Mat2) => m[0] * m[3] - m[1] * m[2];
const inv = (m: Mat2): Mat2 => {
  const d = det(m);
  return [m[3] / d, -m[1] / d, -m[2] / d, m[0] / d];
};

/** `shape` rescaled (T·shape) to the determinant of `like`: same enclosed area per level, so the two sets of lines compare by shape and tilt. */
export function sameArea(shape: Mat2, like: Mat2): Mat2 {
  const t = Math.sqrt(det(like) / det(shape));
  return [t * shape[0], t * shape[1], t * shape[2], t * shape[3]];
}

/** Density of N(c, S) at u. */
export function density(g: PlaneGaussian, x: number, y: number): number {
  const si = inv(g.sigma),
    dx = x - g.centre[0],
    dy = y - g.centre[1];
  const q = dx * (si[0] * dx + si[1] * dy) + dy * (si[2] * dx + si[3] * dy);
  return Math.exp(-q / 2) / (2 * Math.PI * Math.sqrt(det(g.sigma)));
}

/** The ellipse (u − c)ᵀS⁻¹(u − c) = r², closed (first point repeated), c + r L (cos t, sin t) with L Lᵀ = S. */
export function ellipse(g: PlaneGaussian, r: number, points = 96): Point[] {
  const [s11, s12, , s22] = g.sigma,
    l11 = Math.sqrt(s11),
    l21 = s12 / l11,
    l22 = Math.sqrt(s22 - l21 * l21);
  return Array.from({ length: points + 1 }, (_, k) => {
    const t = (2 * Math.PI * k) / points,
      cx = r * Math.cos(t),
      cy = r * Math.sin(t);
    return { x: g.centre[0] + l11 * cx, y: g.centre[1] + l21 * cx + l22 * cy };
  });
}

/** Equiprobability lines P = P_max·10⁻ᵏ, one decade apart (004 Fig. 2): r² = 2k ln 10. */
export function decadeContours(g: PlaneGaussian, decades: readonly number[] = [1, 2, 3]): Point[][] {
  return decades.map((k) => ellipse(g, Math.sqrt(2 * k * Math.LN10)));
}

/** J_S(u) = −C_SS Σ_SS⁻¹ (u − c) P_S(u), the marginal of the linear NESS current (header comment), per unit of time of C. */
export function marginalCurrent(g: PlaneGaussian, c: Mat2, x: number, y: number): Pair {
  const si = inv(g.sigma),
    dx = x - g.centre[0],
    dy = y - g.centre[1],
    p = density(g, x, y);
  const wx = si[0] * dx + si[1] * dy,
    wy = si[2] * dx + si[3] * dy;
  return [-(c[0] * wx + c[1] * wy) * p, -(c[2] * wx + c[3] * wy) * p];
}

export interface Window {
  offset: Pair;
  range: number;
}

/** A square window (centre offset, half-width range) holding c ± sds·sd of `g` along both axes and every point of `include`, 5 % margin. */
export function windowAround(g: PlaneGaussian, include: readonly Pair[] = [], sds = 4): Window {
  const lo: Pair = [g.centre[0] - sds * Math.sqrt(g.sigma[0]), g.centre[1] - sds * Math.sqrt(g.sigma[3])];
  const hi: Pair = [g.centre[0] + sds * Math.sqrt(g.sigma[0]), g.centre[1] + sds * Math.sqrt(g.sigma[3])];
  for (const [x, y] of include) {
    lo[0] = Math.min(lo[0], x);
    lo[1] = Math.min(lo[1], y);
    hi[0] = Math.max(hi[0], x);
    hi[1] = Math.max(hi[1], y);
  }
  return {
    offset: [(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2],
    range: (1.05 * Math.max(hi[0] - lo[0], hi[1] - lo[1])) / 2,
  };
}

/** Arrows of J_S on a grid × grid lattice of the window, where P ≥ floor·P_max; the longest is 0.8 of the lattice spacing. */
export function currentArrows(g: PlaneGaussian, c: Mat2, w: Window, grid = 11, floor = 1e-3) {
  const step = (2 * w.range) / grid,
    peak = density(g, g.centre[0], g.centre[1]),
    raw: { x: number; y: number; jx: number; jy: number }[] = [];
  for (let i = 0; i < grid; i++) {
    for (let j = 0; j < grid; j++) {
      const x = w.offset[0] - w.range + (i + 0.5) * step,
        y = w.offset[1] - w.range + (j + 0.5) * step;
      if (density(g, x, y) < floor * peak) continue;
      const [jx, jy] = marginalCurrent(g, c, x, y);
      raw.push({ x, y, jx, jy });
    }
  }
  const longest = Math.max(...raw.map((a) => Math.hypot(a.jx, a.jy)));
  return raw.map((a) => ({ x: a.x, y: a.y, dx: (0.8 * step * a.jx) / longest, dy: (0.8 * step * a.jy) / longest }));
}

export interface Histogram2d {
  xEdges: number[];
  yEdges: number[];
  counts: number[][];
  total: number;
}

/**
 * Mass of the cells whose centre lies inside the r-σ ellipse of `g`: the histogram's fraction (of all states) and the
 * Gaussian's integral over the same cells (5 × 5 midpoint rule per cell). For the whole ellipse: 1 − e^{−r²/2}.
 */
export function ellipseMass(h: Histogram2d, g: PlaneGaussian, r = 1): { observed: number; expected: number } {
  const si = inv(g.sigma);
  const inside = (x: number, y: number) => {
    const dx = x - g.centre[0],
      dy = y - g.centre[1];
    return dx * (si[0] * dx + si[1] * dy) + dy * (si[2] * dx + si[3] * dy) <= r * r;
  };
  let observed = 0,
    expected = 0;
  for (let i = 0; i + 1 < h.xEdges.length; i++) {
    for (let j = 0; j + 1 < h.yEdges.length; j++) {
      const x0 = h.xEdges[i],
        y0 = h.yEdges[j],
        wx = h.xEdges[i + 1] - x0,
        wy = h.yEdges[j + 1] - y0;
      if (!inside(x0 + wx / 2, y0 + wy / 2)) continue;
      observed += h.counts[i][j] / h.total;
      for (let u = 0; u < 5; u++)
        for (let v = 0; v < 5; v++)
          expected += (density(g, x0 + ((u + 0.5) * wx) / 5, y0 + ((v + 0.5) * wy) / 5) * (wx * wy)) / 25;
    }
  }
  return { observed, expected };
}

/** Centre of mass of the histogram (cell centres), in plot units. */
export function histogramCentroid(h: Histogram2d): Pair {
  let sx = 0,
    sy = 0,
    n = 0;
  for (let i = 0; i + 1 < h.xEdges.length; i++) {
    for (let j = 0; j + 1 < h.yEdges.length; j++) {
      const k = h.counts[i][j];
      sx += (k * (h.xEdges[i] + h.xEdges[i + 1])) / 2;
      sy += (k * (h.yEdges[j] + h.yEdges[j + 1])) / 2;
      n += k;
    }
  }
  return [sx / n, sy / n];
}

export interface PanelInput {
  title: string;
  /** The plane, 1-based (axis titles δθ_α/Θ_α). */
  components: Pair;
  histogram: Histogram2d & { density: number[][] };
  /** The theory's marginal P^s (white lines), the Boltzmann marginal of 𝓛 (yellow lines, same area), and C_SS (arrows) or null (equilibrium). */
  theory: PlaneGaussian;
  boltzmann: PlaneGaussian;
  current: Mat2 | null;
  /** θ̂₀ or another predicted centre, drawn as a white dot. */
  centre?: { name: string; at: Pair };
}

/** One panel of 004 Fig. 2: heat map, decade contours of P^s and of the Boltzmann marginal, the current, θ₀ as a star. */
export function crossSectionPanel(p: PanelInput): TopLevelSpec {
  const [a, b] = p.components;
  const range = (p.histogram.xEdges[p.histogram.xEdges.length - 1] - p.histogram.xEdges[0]) / 2;
  const w: Window = { offset: [p.histogram.xEdges[0] + range, p.histogram.yEdges[0] + range], range };
  return crossSection({
    title: p.title,
    xTitle: `δθ${sub(a)}/Θ${sub(a)}`,
    yTitle: `δθ${sub(b)}/Θ${sub(b)}`,
    densityTitle: 'density (simulation)',
    histogram: p.histogram,
    contours: [
      ...decadeContours(p.theory).map((points) => ({ name: 'theory Pˢ, ×10 between lines', color: '#ffffff', points })),
      ...decadeContours(p.boltzmann).map((points) => ({
        name: 'Boltzmann: levels of ℒ (same area)',
        color: '#ffd21f',
        points,
      })),
    ],
    vectors: p.current ? currentArrows(p.theory, p.current, w) : [],
    dots: [
      { name: 'θ₀, minimum of ℒ', x: 0, y: 0, shape: 'star', color: '#ffd21f' },
      ...(p.centre
        ? [{ name: p.centre.name, x: p.centre.at[0], y: p.centre.at[1], shape: 'circle' as const, color: '#ffffff' }]
        : []),
    ],
  });
}
