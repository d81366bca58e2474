import { STYBLINSKI_TANG as ST, styblinskiTang1d } from './styblinski-tang.ts';

/**
 * Theorem 3.1 of 001 (GD + white noise, one escape path): the mean escape time in continuous time t = η·steps,
 * τ = 2π √(|det H_b| / det H_a) / |H_be| · exp(ΔL/D); `detRatio` = det H_b / det H_a.
 */
export function kramersEscapeTime(detRatio: number, hbe: number, barrier: number, diffusion: number): number {
  return ((2 * Math.PI * Math.sqrt(Math.abs(detRatio))) / Math.abs(hbe)) * Math.exp(barrier / diffusion);
}

/**
 * Exact mean first-passage time of dx = −V'(x)dt + √(2D)dW from `start` to `exit` > start, reflected at `lower` < start:
 * τ = (1/D) ∫_start^exit dy e^{V(y)/D} ∫_lower^y e^{−V(z)/D} dz (Gardiner §5.2.7), by the trapezoidal rule in float64 on
 * one uniform grid with `start` a node; the exponents are shifted by V(start) and max V so that nothing overflows.
 */
export function meanFirstPassageTime(potential: (x: number) => number, start: number, exit: number, diffusion: number, lower: number, intervals = 200_000): number {
  const h = (exit - start) / intervals, n0 = Math.ceil((start - lower) / h), n = n0 + intervals;
  const V0 = potential(start);
  let Vmax = -Infinity;
  for (let i = n0; i <= n; i++) Vmax = Math.max(Vmax, potential(start + (i - n0) * h));
  let inner = 0, outer = 0, prevOuter = 0, prevIn = 0;
  for (let i = 0; i <= n; i++) {
    const x = start + (i - n0) * h, V = potential(x);
    const eIn = Math.exp(-(V - V0) / diffusion);
    if (i > 0) inner += 0.5 * h * (prevIn + eIn); // ∫_lower^x e^{−(V−V0)/D}
    prevIn = eIn;
    if (i >= n0) {
      const f = Math.exp((V - Vmax) / diffusion) * inner;
      if (i > n0) outer += 0.5 * h * (prevOuter + f);
      prevOuter = f;
    }
  }
  return (outer * Math.exp((Vmax - V0) / diffusion)) / diffusion;
}

/** Escape of GD + white noise from the global minimum of `dim`-D Styblinski–Tang with sharpness k, in continuous time. */
export interface StyblinskiTangEscape {
  /** Theorem 3.1 for ONE saddle (one coordinate at b, the others at a): 2π/√(H_a|H_b|) · e^{ΔL/D}, H = k f₁''. */
  kramersOnePath: number;
  /** Theorem 3.1 with Rule 1 over the `dim` equivalent saddles (SCIENCE.md §7): kramersOnePath / dim. */
  kramers: number;
  /** Exact 1-D mean first-passage time from a to the box's edge (a + halfWidth√k in x = √kθ), continuous time. */
  exactOneCoordinate: number;
  /** exactOneCoordinate / dim: the coordinates are independent, and each passage is exponential to O(e^{−ΔL/D}). */
  exact: number;
}

/**
 * 001 Theorem 3.1 on 𝓛 = f(√kθ): the Hessians are diagonal, det H_b / det H_a = f₁''(b)/f₁''(a), H_be = k f₁''(b), so one path
 * gives 2π/(k√(f₁''(a)|f₁''(b)|)) e^{ΔL/D}. In x = √kθ, s = kt the dynamics is the k = 1 one: every time scales as 1/k.
 * `halfWidth` is the box half-width in θ units; the box's far side is assumed unreachable (true for halfWidth√k > 3).
 */
export function styblinskiTangEscape(dim: number, sharpness: number, diffusion: number, halfWidth: number): StyblinskiTangEscape {
  const k = sharpness, Ha = k * ST.curvatureA, Hb = k * ST.curvatureB;
  const kramersOnePath = kramersEscapeTime(Hb / Ha, Hb, ST.barrier, diffusion); // det H_b/det H_a = H_b/H_a: the other N − 1 factors cancel
  const exit = ST.a + halfWidth * Math.sqrt(k), lower = ST.a - 3; // 𝓛(a − 3) − 𝓛(a) ≈ 120: reflecting there changes nothing for D ≲ 10
  const exactOneCoordinate = meanFirstPassageTime(styblinskiTang1d, ST.a, exit, diffusion, lower) / k;
  return { kramersOnePath, kramers: kramersOnePath / dim, exactOneCoordinate, exact: exactOneCoordinate / dim };
}
