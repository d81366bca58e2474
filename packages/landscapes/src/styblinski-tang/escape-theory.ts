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
export function meanFirstPassageTime(
  potential: (x: number) => number,
  start: number,
  exit: number,
  diffusion: number,
  lower: number,
  intervals = 200_000,
): number {
  const h = (exit - start) / intervals,
    n0 = Math.ceil((start - lower) / h),
    n = n0 + intervals;
  const V0 = potential(start);
  let Vmax = -Infinity;
  for (let i = n0; i <= n; i++) Vmax = Math.max(Vmax, potential(start + (i - n0) * h));
  let inner = 0,
    outer = 0,
    prevOuter = 0,
    prevIn = 0;
  for (let i = 0; i <= n; i++) {
    const x = start + (i - n0) * h,
      V = potential(x);
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
  /** Theorem 3.1 with Rule 1 over the `dim` equivalent saddles (docs/science.md §7): kramersOnePath / dim. */
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
export function styblinskiTangEscape(
  dim: number,
  sharpness: number,
  diffusion: number,
  halfWidth: number,
): StyblinskiTangEscape {
  const k = sharpness,
    Ha = k * ST.curvatureA,
    Hb = k * ST.curvatureB;
  const kramersOnePath = kramersEscapeTime(Hb / Ha, Hb, ST.barrier, diffusion); // det H_b/det H_a = H_b/H_a: the other N − 1 factors cancel
  const exit = ST.a + halfWidth * Math.sqrt(k),
    lower = ST.a - 3; // 𝓛(a − 3) − 𝓛(a) ≈ 120: reflecting there changes nothing for D ≲ 10
  const exactOneCoordinate = meanFirstPassageTime(styblinskiTang1d, ST.a, exit, diffusion, lower) / k;
  return { kramersOnePath, kramers: kramersOnePath / dim, exactOneCoordinate, exact: exactOneCoordinate / dim };
}

/**
 * Exact mean first-passage time of dx = −V'(x)ds + √(2D)dW from `start` out of (lower, upper), both ends absorbing:
 * D T'' − V' T' = −1, T(lower) = T(upper) = 0 (Gardiner §5.2.7), central differences on `intervals` cells (O(h²)), Thomas solve.
 */
export function meanExitTime(
  slope: (x: number) => number,
  start: number,
  lower: number,
  upper: number,
  diffusion: number,
  intervals = 4000,
): number {
  const h = (upper - lower) / intervals,
    n = intervals - 1,
    c = new Float64Array(n),
    rhs = new Float64Array(n);
  let prevC = 0,
    prevR = 0;
  for (let i = 0; i < n; i++) {
    // row i: node x_{i+1}; sub = D/h² + V'/(2h), diag = −2D/h², super = D/h² − V'/(2h)
    const v = slope(lower + (i + 1) * h),
      sub = diffusion / (h * h) + v / (2 * h),
      sup = diffusion / (h * h) - v / (2 * h);
    const m = (-2 * diffusion) / (h * h) - (i > 0 ? sub * prevC : 0);
    c[i] = sup / m;
    rhs[i] = (-1 - (i > 0 ? sub * prevR : 0)) / m;
    prevC = c[i];
    prevR = rhs[i];
  }
  for (let i = n - 2; i >= 0; i--) rhs[i] -= c[i] * rhs[i + 1];
  const at = (start - lower) / h - 1,
    i0 = Math.floor(at),
    f = at - i0;
  const T = (i: number) => (i < 0 || i >= n ? 0 : rhs[i]);
  return (1 - f) * T(i0) + f * T(i0 + 1);
}

/**
 * SGD on the M-point Styblinski–Tang (docs/science.md §7) in x = √kθ, s = ηk·steps: x ← x − ηk f₁'(x) + ηk x̄_B, Var x̄_B = f''(a)/B,
 * so D = ηk f''(a)/(2B) (001 Eq. 7, D = ηH/(2B)), constant. `varianceMatched` multiplies D by 2/(2 − ηk f''(a)), the ratio of
 * the discrete chain's stationary variance to the continuous one at a. `discreteMonitoring` widens the box by βσ on each side,
 * σ = ηk√(f''(a)/B) the noise of one step, β = −ζ(½)/√(2π) ≈ 0.5826: the chain is only seen at whole steps (the
 * Broadie–Glasserman–Kou continuity correction; it multiplies the rate by ≈ e^{−2βσ ΔL/(wD)}, 0.1–0.5 at these settings).
 * Returns the mean escape time in steps from a out of |x_d − a| < halfWidth for `dim` independent coordinates (rate × dim),
 * and the box barrier ΔL = f₁(a + w) − f₁(a) on the saddle side.
 */
export function sgdBoxEscape(
  dim: number,
  sharpness: number,
  eta: number,
  batchSize: number,
  halfWidth: number,
  varianceMatched = true,
  discreteMonitoring = true,
) {
  const u = eta * sharpness,
    h = u * ST.curvatureA;
  const diffusion = ((u * ST.curvatureA) / (2 * batchSize)) * (varianceMatched ? 2 / (2 - h) : 1);
  const slope = (x: number) => 2 * x * x * x - 16 * x + 2.5;
  const w = halfWidth + (discreteMonitoring ? SIEGMUND_BETA * u * Math.sqrt(ST.curvatureA / batchSize) : 0);
  const oneCoordinate = meanExitTime(slope, ST.a, ST.a - w, ST.a + w, diffusion) / u;
  return {
    meanSteps: oneCoordinate / dim,
    diffusion,
    barrier: styblinskiTang1d(ST.a + halfWidth) - styblinskiTang1d(ST.a),
    stepCurvature: h,
    boxHalfWidth: halfWidth,
    monitoredHalfWidth: w,
  };
}

/** β = −ζ(½)/√(2π): the overshoot of a Gaussian random walk over a barrier, in step standard deviations (Siegmund 1985). */
export const SIEGMUND_BETA = 1.4603545088095868 / Math.sqrt(2 * Math.PI);
