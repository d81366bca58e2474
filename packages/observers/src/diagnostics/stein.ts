// The kernel Stein discrepancy (Gorham & Mackey 2017, "Measuring sample quality with kernels", ICML): with the Langevin
// Stein operator of a density p and a kernel k, the Stein kernel
//   k₀(x, y) = s(x)·s(y) k(x, y) + s(x)·∇_y k(x, y) + s(y)·∇_x k(x, y) + Σ_j ∂²k/∂x_j∂y_j,   s = ∇ log p,
// and the discrepancy of the equally weighted points x₁ … x_n is KSD = √((1/n²) Σ_{i,i′} k₀(x_i, x_i′)) (their closed
// form: the ℓ₂ norm over coordinates of √(Σ_{i,i′} k₀ʲ(x_i, x_i′))/n). With the inverse multiquadric kernel
// k(x, y) = (c² + ‖x − y‖²)^β, β ∈ (−1, 0) (their recommended c = 1, β = −½), which detects non-convergence, and
// r = x − y, u = c² + ‖r‖²: ∇_x k = 2β u^(β−1) r = −∇_y k and Σ_j ∂²k/∂x_j∂y_j = −2βd u^(β−1) − 4β(β − 1)‖r‖² u^(β−2), so
//   k₀(x, y) = u^β s(x)·s(y) − 2β u^(β−1) (s(x) − s(y))·r − 2βd u^(β−1) − 4β(β − 1)‖r‖² u^(β−2).

/** The IMQ Stein kernel k₀(x_i, x_j) of points[i·d …] and points[j·d …] with their scores. */
export function imqSteinKernel(
  points: Float64Array,
  scores: Float64Array,
  i: number,
  j: number,
  d: number,
  c: number,
  beta: number,
): number {
  let r2 = 0,
    ss = 0,
    sr = 0;
  for (let a = 0; a < d; a++) {
    const r = points[i * d + a] - points[j * d + a];
    r2 += r * r;
    ss += scores[i * d + a] * scores[j * d + a];
    sr += (scores[i * d + a] - scores[j * d + a]) * r;
  }
  const u = c * c + r2,
    ub = Math.pow(u, beta);
  return ub * ss - (2 * beta * ub * sr) / u - (2 * beta * d * ub) / u - (4 * beta * (beta - 1) * r2 * ub) / (u * u);
}

/**
 * KSD of n equally weighted points (points[i·d + a], scores[i·d + a] = ∇ log p at point i) with the IMQ kernel: the
 * V-statistic √((1/n²) Σ_{i,i′} k₀(x_i, x_i′)), summed as the diagonal plus twice the pairs i < i′, row by row.
 * O(n² d); NaN for n = 0.
 */
export function imqKernelSteinDiscrepancy(
  points: Float64Array,
  scores: Float64Array,
  n: number,
  d: number,
  c: number,
  beta: number,
): number {
  if (n === 0) return NaN;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    let row = 0;
    for (let j = i + 1; j < n; j++) row += imqSteinKernel(points, scores, i, j, d, c, beta);
    sum += imqSteinKernel(points, scores, i, i, d, c, beta) + 2 * row;
  }
  return Math.sqrt(Math.max(0, sum) / (n * n));
}
