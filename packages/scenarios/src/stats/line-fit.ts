/** Weighted line fits and correlations shared by the scenarios (escape rates vs a control variable, KL vs η on log–log axes). */

/** y = c + s·x by least squares with weights w (w = 1/var y); slope standard error 1/√(Σw(x − x̄)²). */
export function weightedLine(x: number[], y: number[], w: number[]) {
  const W = w.reduce((s, v) => s + v, 0),
    mx = x.reduce((s, v, i) => s + w[i] * v, 0) / W,
    my = y.reduce((s, v, i) => s + w[i] * v, 0) / W;
  let sxx = 0,
    sxy = 0;
  x.forEach((v, i) => {
    sxx += w[i] * (v - mx) ** 2;
    sxy += w[i] * (v - mx) * (y[i] - my);
  });
  return { slope: sxy / sxx, intercept: my - (sxy / sxx) * mx, slopeStdError: 1 / Math.sqrt(sxx) };
}

/** Pearson correlation of x and y. */
export function pearson(x: number[], y: number[]): number {
  const n = x.length,
    mx = x.reduce((s, v) => s + v, 0) / n,
    my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** Slope of log KL vs log η by weighted least squares (var(log KL) ≈ (se/KL)²), with its standard error. */
export function fitSlope(etas: number[], kl: number[], se: number[]) {
  const fit = weightedLine(
    etas.map(Math.log),
    kl.map(Math.log),
    kl.map((k, i) => (k / se[i]!) ** 2),
  );
  return { slope: fit.slope, stdError: fit.slopeStdError };
}
