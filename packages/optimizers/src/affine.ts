import type { AffineStep } from './compose.ts';

/**
 * The affine step maps x′ = A x + b + ξ, ξ ~ N(0, Q), of the optimizers on a quadratic landscape, where the step's
 * gradient is ∇L_B(θ) = H̄θ − ḡ (`Optimizer.affineStep`). x = (θ, then the optimizer's own state); matrices row-major.
 * Each builder names its x and writes the update of the part it mirrors; the tests hold each against the real step.
 * Each writes K = I − A (`IminusA`) block by block and takes A = I − K, so that a solver of (I − A)μ = b loses no digits
 * when η is small.
 */

/** A map on a state of `dim` numbers, all zero, to fill through K = I − A (`IminusA`), then `finish`. */
function zero(dim: number): AffineStep & { IminusA: Float64Array } {
  const z = () => new Float64Array(dim * dim);
  return { dim, A: z(), b: new Float64Array(dim), Q: z(), IminusA: z() };
}

/** A = I − K, from the K = I − A the builder wrote (K itself has no cancellation: ηH̄, not 1 − (1 − ηH̄)). */
function finish(s: AffineStep & { IminusA: Float64Array }): AffineStep {
  const d = s.dim;
  for (let k = 0; k < d * d; k++) s.A[k] = (k % (d + 1) === 0 ? 1 : 0) - s.IminusA[k];
  return s;
}

/** M[r0 + i, c0 + j] += f·K[i, j] for i, j < N, K an N×N matrix (row-major), or the identity when K is absent. */
function addBlock(M: Float64Array, dim: number, r0: number, c0: number, N: number, f: number, K?: Float64Array): void {
  for (let i = 0; i < N; i++) {
    if (K === undefined) M[(r0 + i) * dim + c0 + i] += f;
    else for (let j = 0; j < N; j++) M[(r0 + i) * dim + c0 + j] += f * K[i * N + j];
  }
}

/** v[r0 + i] += f·u[i]. */
function addVector(v: Float64Array, r0: number, f: number, u: Float64Array): void {
  for (let i = 0; i < u.length; i++) v[r0 + i] += f * u[i];
}

/**
 * x = θ: θ′ = θ − η(H̄θ − ḡ) + √q z, i.e. A = I − ηH̄, b = ηḡ, Q = qI: SGD (q = 0), SGLD with an Euler kick (q = 2η).
 */
export function gradientStepAffine(eta: number, q: number, Hbar: Float64Array, gbar: Float64Array): AffineStep {
  const N = gbar.length,
    s = zero(N);
  addBlock(s.IminusA, N, 0, 0, N, eta, Hbar);
  addVector(s.b, 0, eta, gbar);
  addBlock(s.Q, N, 0, 0, N, q);
  return finish(s);
}

/**
 * x = (θ, z), z the Leimkuhler–Matthews kick's carried noise, σ = √(2η): θ′ = θ − η(H̄θ − ḡ) + (σ/2)(z + z′), z′ = the
 * fresh draw. A = [[I − ηH̄, (σ/2)I], [0, 0]], b = (ηḡ, 0), ξ = ((σ/2)z′, z′): Q = [[(σ²/4)I, (σ/2)I], [(σ/2)I, I]]
 * (singular: z′ is both).
 */
export function leimkuhlerMatthewsAffine(eta: number, Hbar: Float64Array, gbar: Float64Array): AffineStep {
  const N = gbar.length,
    d = 2 * N,
    half = Math.sqrt(2 * eta) / 2,
    s = zero(d);
  addBlock(s.IminusA, d, 0, 0, N, eta, Hbar);
  addBlock(s.IminusA, d, 0, N, N, -half);
  addBlock(s.IminusA, d, N, N, N, 1);
  addVector(s.b, 0, eta, gbar);
  addBlock(s.Q, d, 0, 0, N, half * half);
  addBlock(s.Q, d, 0, N, N, half);
  addBlock(s.Q, d, N, 0, N, half);
  addBlock(s.Q, d, N, N, N, 1);
  return finish(s);
}

/**
 * x = (θ, v): v′ = βv − η(H̄θ − ḡ) + σz, θ′ = θ + v′ (`heavyBallStep`). A = [[I − ηH̄, βI], [−ηH̄, βI]], b = (ηḡ, ηḡ),
 * ξ = (σz, σz): Q = σ²[[I, I], [I, I]]. `friction` = 1 − β, given exactly (SGHMC's α).
 */
export function heavyBallAffine(
  eta: number,
  friction: number,
  sigma: number,
  Hbar: Float64Array,
  gbar: Float64Array,
): AffineStep {
  const N = gbar.length,
    d = 2 * N,
    s = zero(d);
  for (const r of [0, N]) {
    addBlock(s.IminusA, d, r, 0, N, eta, Hbar);
    addVector(s.b, r, eta, gbar);
    for (const c of [0, N]) addBlock(s.Q, d, r, c, N, sigma * sigma);
  }
  addBlock(s.IminusA, d, 0, N, N, friction - 1); // −β
  addBlock(s.IminusA, d, N, N, N, friction); // 1 − β
  return finish(s);
}

/**
 * x = (θ, p⁻), p⁻ the momentum `baoabStep` keeps (before the closing half-kick), c = e^{−γh}, s = √(1 − c²):
 *   p₁ = p⁻ − h(H̄θ − ḡ),  θ₁ = θ + (h/2)p₁,  p′ = c p₁ + s z,  θ′ = θ₁ + (h/2)p′, so
 *   A = [[I − (h²/2)(1 + c)H̄, (h/2)(1 + c)I], [−c h H̄, cI]],  b = ((h²/2)(1 + c)ḡ, c h ḡ),
 *   ξ = ((h/2)s z, s z): Q = s²[[(h²/4)I, (h/2)I], [(h/2)I, I]].
 */
export function baoabAffine(h: number, gamma: number, Hbar: Float64Array, gbar: Float64Array): AffineStep {
  const N = gbar.length,
    d = 2 * N,
    c = Math.exp(-gamma * h),
    oneMinusC = -Math.expm1(-gamma * h),
    s2 = -Math.expm1(-2 * gamma * h), // s² = 1 − e^{−2γh}
    k = (h * h * (1 + c)) / 2,
    st = zero(d);
  addBlock(st.IminusA, d, 0, 0, N, k, Hbar);
  addBlock(st.IminusA, d, 0, N, N, (-h / 2) * (1 + c));
  addBlock(st.IminusA, d, N, 0, N, c * h, Hbar);
  addBlock(st.IminusA, d, N, N, N, oneMinusC);
  addVector(st.b, 0, k, gbar);
  addVector(st.b, N, c * h, gbar);
  addBlock(st.Q, d, 0, 0, N, (s2 * h * h) / 4);
  addBlock(st.Q, d, 0, N, N, (s2 * h) / 2);
  addBlock(st.Q, d, N, 0, N, (s2 * h) / 2);
  addBlock(st.Q, d, N, N, N, s2);
  return finish(st);
}

/**
 * SGLD-CV at a fixed θ̂, x = θ: the gradient is ∇𝓛(θ̂) + H̄(θ − θ̂) (ḡ cancels), so A = I − ηH̄,
 * b = η(H̄θ̂ − ∇𝓛(θ̂)), Q = 2ηI.
 */
export function controlVariateAffine(
  eta: number,
  anchor: Float64Array,
  anchorGradient: Float64Array,
  Hbar: Float64Array,
): AffineStep {
  const N = anchor.length,
    s = gradientStepAffine(eta, 2 * eta, Hbar, new Float64Array(N));
  addVector(s.b, 0, -eta, anchorGradient);
  for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) s.b[i] += eta * Hbar[i * N + j] * anchor[j];
  return s;
}

/**
 * SGLD-CV with θ̂ = the chain's start, x = (θ, θ̂): on the quadratic ∇𝓛(θ̂) = Hθ̂ + ∇𝓛(0), H the full Hessian, so
 * θ′ = (I − ηH̄)θ − η(H − H̄)θ̂ − η∇𝓛(0) + √(2η)z and θ̂′ = θ̂: A = [[I − ηH̄, −η(H − H̄)], [0, I]], b = (−η∇𝓛(0), 0),
 * Q = [[2ηI, 0], [0, 0]]. θ̂ never mixes (A has N unit eigenvalues): the stationary state is per θ̂.
 */
export function startControlVariateAffine(
  eta: number,
  H: Float64Array,
  gradientAtZero: Float64Array,
  Hbar: Float64Array,
): AffineStep {
  const N = gradientAtZero.length,
    d = 2 * N,
    s = zero(d);
  addBlock(s.IminusA, d, 0, 0, N, eta, Hbar);
  addBlock(s.IminusA, d, 0, N, N, eta, H);
  addBlock(s.IminusA, d, 0, N, N, -eta, Hbar);
  addVector(s.b, 0, -eta, gradientAtZero);
  addBlock(s.Q, d, 0, 0, N, 2 * eta);
  return finish(s);
}
