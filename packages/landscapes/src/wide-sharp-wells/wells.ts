/** The shape of the wide-sharp-wells landscape (002 §"Flat vs. sharp minima"): two Gaussian wells in a weak quadratic bowl. */
export interface WellsShape {
  /** κ of the bowl ½κθ² that keeps chains from drifting off. */
  confinement: number;
  wideCentre: number;
  wideWidth: number;
  wideDepth: number;
  sharpCentre: number;
  sharpWidth: number;
  sharpDepth: number;
}

export const WELLS_DEFAULTS: WellsShape = {
  confinement: 0.2,
  wideCentre: -0.8,
  wideWidth: 0.6,
  wideDepth: 0.5,
  sharpCentre: 0.6,
  sharpWidth: 0.25,
  sharpDepth: 0.6,
};

/** L(θ) = ½κθ² − D_w e^{−(θ−c_w)²/(2s_w²)} − D_s e^{−(θ−c_s)²/(2s_s²)}. */
export function wellsLoss(w: WellsShape, theta: number): number {
  const a = (theta - w.wideCentre) / w.wideWidth,
    b = (theta - w.sharpCentre) / w.sharpWidth;
  return (
    0.5 * w.confinement * theta * theta - w.wideDepth * Math.exp(-0.5 * a * a) - w.sharpDepth * Math.exp(-0.5 * b * b)
  );
}

/** L'(θ). */
export function wellsSlope(w: WellsShape, theta: number): number {
  const a = (theta - w.wideCentre) / w.wideWidth,
    b = (theta - w.sharpCentre) / w.sharpWidth;
  return (
    w.confinement * theta +
    ((w.wideDepth * a) / w.wideWidth) * Math.exp(-0.5 * a * a) +
    ((w.sharpDepth * b) / w.sharpWidth) * Math.exp(-0.5 * b * b)
  );
}

/** L''(θ). */
export function wellsCurvature(w: WellsShape, theta: number): number {
  const a = (theta - w.wideCentre) / w.wideWidth,
    b = (theta - w.sharpCentre) / w.sharpWidth;
  return (
    w.confinement +
    (w.wideDepth / (w.wideWidth * w.wideWidth)) * (1 - a * a) * Math.exp(-0.5 * a * a) +
    (w.sharpDepth / (w.sharpWidth * w.sharpWidth)) * (1 - b * b) * Math.exp(-0.5 * b * b)
  );
}

/** The critical point of L nearest x (Newton in float64, to the last bit). */
export function wellsRoot(w: WellsShape, x: number): number {
  for (let i = 0; i < 200; i++) {
    const next = x - wellsSlope(w, x) / wellsCurvature(w, x);
    if (next === x) break;
    x = next;
  }
  return x;
}

/** Minima (wide, sharp), the barrier top between them, their losses and curvatures (002: L_A, L_B, H_A, H_B). */
export function wellsCriticalPoints(w: WellsShape) {
  const wide = wellsRoot(w, w.wideCentre),
    sharp = wellsRoot(w, w.sharpCentre);
  let top = wide; // the grid maximum of L between the minima, then Newton
  for (let i = 1; i < 1000; i++) {
    const t = wide + ((sharp - wide) * i) / 1000;
    if (wellsLoss(w, t) > wellsLoss(w, top)) top = t;
  }
  const barrier = wellsRoot(w, top);
  const at = (t: number) => ({ theta: t, loss: wellsLoss(w, t), curvature: wellsCurvature(w, t) });
  return { wide: at(wide), sharp: at(sharp), barrier: at(barrier) };
}

/**
 * Stationary occupancy of the continuum limit (002: P ∝ exp(−2L/(nσ²)), T = nσ²/2, n = η/S): log(p_wide/p_sharp) by
 * trapezoid quadrature on either side of `dividing`, and the seed's Gaussian (Laplace) estimate
 * log p_A/p_B = ½ log(H_B/H_A) + (L_B − L_A)/T (002 Eq. 3).
 */
export function wellsOccupancy(w: WellsShape, temperature: number, dividing: number) {
  const c = wellsCriticalPoints(w),
    T = temperature,
    L0 = Math.min(c.wide.loss, c.sharp.loss);
  const reach = Math.sqrt((2 * (1 + 60 * T)) / w.confinement) + Math.abs(w.wideCentre) + Math.abs(w.sharpCentre); // ½κθ² ≫ T beyond
  const h = Math.min(w.wideWidth, w.sharpWidth) / 400;
  const mass = (from: number, to: number) => {
    const n = Math.ceil((to - from) / h),
      dx = (to - from) / n;
    let s = 0;
    for (let i = 0; i <= n; i++)
      s += (i === 0 || i === n ? 0.5 : 1) * Math.exp(-(wellsLoss(w, from + i * dx) - L0) / T);
    return s * dx;
  };
  const [lo, hi] =
    c.wide.theta < c.sharp.theta
      ? [mass(-reach, dividing), mass(dividing, reach)]
      : [mass(dividing, reach), mass(-reach, dividing)];
  const laplace = 0.5 * Math.log(c.sharp.curvature / c.wide.curvature) + (c.sharp.loss - c.wide.loss) / T;
  return { logRatio: Math.log(lo / hi), laplaceLogRatio: laplace };
}
