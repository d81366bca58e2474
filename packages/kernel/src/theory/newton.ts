/**
 * θ₀, the minimum the NESS theory expands about (004 §3.3), by safeguarded Newton in float64:
 * Levenberg damping H + λI when H is not positive definite (λ → ∞ is the gradient direction),
 * backtracking (Armijo) on 𝓛, and iterations until |∇𝓛| stops decreasing (the round-off floor).
 */
import type { Landscape } from '../contracts/landscape.ts';
import { cholesky, choleskySolve, norm, symmetrize } from '../linalg/dense.ts';

export interface NewtonOptions {
  /** Throw unless the final |∇𝓛| is below this. Default 1e-10·‖H(θ)‖_F·max(1, |θ|) at the end point. */
  tolerance?: number;
  /** Default 200. */
  maxIterations?: number;
}

export interface NewtonResult {
  theta: Float64Array;
  /** |∇𝓛(θ)| at the returned θ. */
  gradientNorm: number;
  /** Newton iterations taken. */
  iterations: number;
}

/** Levenberg damping while H + λI is not positive definite: start at 1e-8‖H‖ (1e-8 if H = 0), then ×4. */
const bump = (lambda: number, hn: number) => (lambda > 0 ? 4 * lambda : 1e-8 * (hn > 0 ? hn : 1));

export function newtonMinimum(landscape: Landscape, start: Float64Array, opts: NewtonOptions = {}): NewtonResult {
  const n = landscape.dim;
  const maxIterations = opts.maxIterations ?? 200;
  const eps = Number.EPSILON;
  const raw = new Float64Array(n * n);
  const evalAt = (theta: Float64Array) => {
    const g = new Float64Array(n);
    landscape.gradient(theta, g);
    return { theta, f: landscape.loss(theta), g, gn: norm(g) };
  };
  let cur = evalAt(Float64Array.from(start));
  if (!Number.isFinite(cur.f) || !Number.isFinite(cur.gn))
    throw new Error('newtonMinimum: 𝓛 or ∇𝓛 is not finite at the start');
  let best = cur; // lowest |∇𝓛| seen
  let lambda = 0;
  let stall = 0;
  let iterations = 0;
  while (iterations < maxIterations && cur.gn > 0) {
    iterations++;
    landscape.hessian(cur.theta, raw);
    const H = symmetrize(raw, n);
    const hn = norm(H);
    let next: typeof cur | null = null;
    let p: Float64Array | null = null;
    for (let tries = 0; tries < 80 && p === null; tries++) {
      const shifted = Float64Array.from(H);
      for (let i = 0; i < n; i++) shifted[i * n + i] += lambda;
      const L = cholesky(shifted, n);
      if (L === null) lambda = bump(lambda, hn);
      else
        p = choleskySolve(
          L,
          n,
          cur.g.map((v) => -v),
        );
    }
    if (p === null) throw new Error('newtonMinimum: H + λI never became positive definite (non-finite Hessian?)');
    const dir = p;
    const slope = dir.reduce((s, v, i) => s + v * cur.g[i], 0); // < 0: (H + λI)⁻¹ is positive definite
    const pn = norm(dir),
      tn = norm(cur.theta);
    // Halve α until 𝓛 falls (Armijo), or until the step is below the resolution of θ.
    for (let alpha = 1, k = 0; k < 60 && alpha * pn > eps * tn && next === null; alpha /= 2, k++) {
      const trial = evalAt(cur.theta.map((v, i) => v + alpha * dir[i]));
      if (!Number.isFinite(trial.f) || !Number.isFinite(trial.gn)) continue;
      const armijo = trial.f <= cur.f + 1e-4 * alpha * slope;
      // At the round-off floor of 𝓛 the decrease is unresolvable: accept a step that lowers |∇𝓛| without raising 𝓛.
      const flat = trial.f <= cur.f + 1e3 * eps * Math.abs(cur.f) && trial.gn < cur.gn;
      if (armijo || flat) next = trial;
    }
    if (next === null) break; // a descent direction that lowers nothing: the round-off floor
    // Far from θ₀ |∇𝓛| may grow while 𝓛 falls; it is a stall only when 𝓛 no longer falls resolvably either.
    const resolved = next.f < cur.f - 1e3 * eps * Math.abs(cur.f);
    cur = next;
    lambda = lambda < 1e-12 * hn ? 0 : lambda / 10;
    if (cur.gn < best.gn) best = cur;
    stall = cur === best || resolved ? 0 : stall + 1;
    if (stall >= 3) break;
  }
  landscape.hessian(best.theta, raw);
  const H = symmetrize(raw, n);
  const tolerance = opts.tolerance ?? 1e-10 * norm(H) * Math.max(1, norm(best.theta));
  if (!(best.gn <= tolerance)) {
    throw new Error(
      `newtonMinimum: no convergence after ${iterations} iterations: |∇𝓛| = ${best.gn} > tolerance ${tolerance}`,
    );
  }
  if (cholesky(H, n) === null)
    throw new Error(
      `newtonMinimum: converged to a stationary point that is not a minimum (Hessian not positive definite)`,
    );
  return { theta: best.theta, gradientNorm: best.gn, iterations };
}
