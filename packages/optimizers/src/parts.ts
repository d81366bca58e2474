import type { Chain, ChainState, Landscape, Rng, Sampler } from '@nesslab/kernel';
import type { GradientEstimator, GradientState, Update } from './compose.ts';

/**
 * More parts for `composedOptimizer` (compose.ts has the first ones): updates with a state of their own (a velocity,
 * a momentum, a thermostat, a preconditioner) and a control-variate gradient estimator. As there, what a chain carries
 * from step to step lives in the arrays the part names in `layout`; every draw comes from the chain's stream; `scale`
 * is the schedule's η_k/η (1 without one): the step becomes η·scale (h·scale) and the noise's variance follows it.
 */

// ---------------------------------------------------------------------------------------------------------------
// Updates with momentum

/** The heavy-ball velocity v. */
export interface Velocity extends ChainState {
  readonly velocity: Float64Array;
}

/**
 * Heavy ball with optional noise, v ← βv − η·grad + σz, θ ← θ + v (v = 0 at the chain's start). σ = 0: SGD with
 * momentum (Polyak 1964), no draws; β = 1 − α, σ = √(2(α − β̂)η): SGHMC's practical form (Chen et al. 2014, Eq. 15).
 */
export function heavyBallStep(eta: number, beta: number, sigma: number, dim: number): Update<Velocity> {
  return {
    layout: { velocity: dim },
    apply(theta, grad, rng, state, scale) {
      const v = state.velocity,
        e = eta * scale,
        s = scale === 1 ? sigma : sigma * Math.sqrt(scale);
      if (sigma === 0) for (let a = 0; a < dim; a++) theta[a] += v[a] = beta * v[a] - e * grad[a];
      else for (let a = 0; a < dim; a++) theta[a] += v[a] = beta * v[a] - e * grad[a] + s * rng.nextNormal();
    },
  };
}

/** A kinetic sampler's momentum p (unit mass), and momentumReady[0] = 1 once p₀ ~ N(0, I) is drawn. */
export interface Momentum extends ChainState {
  readonly momentum: Float64Array;
  readonly momentumReady: Float64Array;
}

/** p₀ ~ N(0, I), the Maxwell distribution at T = 1, drawn at the chain's first step (once). */
function drawMomentum(state: Momentum, rng: Rng, dim: number): void {
  const p = state.momentum;
  for (let a = 0; a < dim; a++) p[a] = rng.nextNormal();
  state.momentumReady[0] = 1;
}

/**
 * BAOAB (Leimkuhler & Matthews 2013, AMRX; their book, 2015) for dθ = p dt, dp = −∇𝓛 dt − γp dt + √(2γ) dW (unit mass,
 * T = 1), time step h, with the step's gradient `grad` = ∇L_B(θ) + ∇R(θ):
 *   B  p ← p − (h/2)∇         A  θ ← θ + (h/2)p         O  p ← e^{−γh}p + √(1 − e^{−2γh}) z
 *   A  θ ← θ + (h/2)p         B  p ← p − (h/2)∇ at the new θ
 * One gradient per step, as usual for BAOAB: the closing B of step k and the opening B of step k + 1 share the gradient
 * at θ_{k+1}, taken on step k + 1's fresh minibatch. So this part applies them together, p ← p − h·grad, at the start of
 * step k + 1, and the momentum it keeps between steps is p⁻, the momentum before the closing half-kick; the θ sequence
 * is exactly BAOAB's. p⁻₀ ~ N(0, I) is drawn at the chain's first step (N normals, once), then N normals per step.
 */
export function baoabStep(h: number, gamma: number, dim: number): Update<Momentum> {
  const c = Math.exp(-gamma * h),
    s = Math.sqrt(-Math.expm1(-2 * gamma * h)); // √(1 − e^{−2γh}), accurate for small γh
  return {
    layout: { momentum: dim, momentumReady: 1 },
    apply(theta, grad, rng, state, scale) {
      if (state.momentumReady[0] === 0) drawMomentum(state, rng, dim);
      const p = state.momentum,
        hk = h * scale,
        half = hk / 2,
        ck = scale === 1 ? c : Math.exp(-gamma * hk),
        sk = scale === 1 ? s : Math.sqrt(-Math.expm1(-2 * gamma * hk));
      for (let a = 0; a < dim; a++) {
        let pa = p[a] - hk * grad[a]; // B (closing, of the step before) + B (opening)
        theta[a] += half * pa; // A
        pa = ck * pa + sk * rng.nextNormal(); // O
        theta[a] += half * pa; // A
        p[a] = pa; // p⁻: the closing B waits for the next step's gradient
      }
    },
  };
}

/** SGNHT's momentum, its flag, and the thermostat ξ (one number). */
export interface Thermostat extends Momentum {
  readonly thermostat: Float64Array;
}

/**
 * The stochastic gradient Nosé–Hoover thermostat (Ding, Fang, Babbush, Chen, Skeel & Neven 2014, Alg. 1), n = dim:
 *   p ← p − ξp h − ∇Ũ(θ) h + √(2A h) z,   θ ← θ + p h,   ξ ← ξ + (pᵀp/n − 1) h,
 * ∇Ũ = grad. At the chain's first step p₀ ~ N(0, I) and ξ₀ = A (the paper's initialisation).
 */
export function noseHooverStep(h: number, A: number, dim: number): Update<Thermostat> {
  const sigma = Math.sqrt(2 * A * h);
  return {
    layout: { momentum: dim, momentumReady: 1, thermostat: 1 },
    apply(theta, grad, rng, state, scale) {
      if (state.momentumReady[0] === 0) {
        drawMomentum(state, rng, dim);
        state.thermostat[0] = A;
      }
      const p = state.momentum,
        hk = h * scale,
        s = scale === 1 ? sigma : Math.sqrt(2 * A * hk),
        damp = 1 - state.thermostat[0] * hk;
      let pp = 0;
      for (let a = 0; a < dim; a++) {
        const pa = (p[a] = damp * p[a] - hk * grad[a] + s * rng.nextNormal());
        theta[a] += pa * hk;
        pp += pa * pa;
      }
      state.thermostat[0] += (pp / dim - 1) * hk;
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Preconditioned Langevin

/** pSGLD's running mean square V of the gradient. */
export interface MeanSquare extends ChainState {
  readonly meanSquare: Float64Array;
}

/**
 * pSGLD (Li, Chen, Carlson & Carin 2016, AAAI, Alg. 1) with the RMSprop preconditioner, ε = eta:
 *   V ← αV + (1 − α) ḡ⊙ḡ,   G = diag(1/(λ + √V)),   θ ← θ − εG·grad + √(2εG) z,
 * ḡ = grad (∇L_B + ∇R, the step's own estimate), V = 0 at the chain's start (updated before its first use). The
 * paper's Γ(θ) = Σ_j ∂G_ij/∂θ_j term is dropped, as the paper does in practice (psgld.ts says what that costs).
 */
export function rmspropLangevinStep(eta: number, alpha: number, lambda: number, dim: number): Update<MeanSquare> {
  return {
    layout: { meanSquare: dim },
    apply(theta, grad, rng, state, scale) {
      const V = state.meanSquare,
        e = eta * scale;
      for (let a = 0; a < dim; a++) {
        const g = grad[a],
          v = (V[a] = alpha * V[a] + (1 - alpha) * g * g),
          G = 1 / (lambda + Math.sqrt(v));
        theta[a] += Math.sqrt(2 * e * G) * rng.nextNormal() - e * G * g;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// A control-variate gradient estimator

/** The anchor θ̂ and ∇𝓛(θ̂) of a chain ('start'), with anchorReady[0] = 1 once they are set. */
export interface AnchorState extends GradientState {
  readonly anchor: Float64Array;
  readonly anchorGradient: Float64Array;
  readonly anchorReady: Float64Array;
}

/**
 * The control-variate gradient of SGLD-CV (Baker, Fearnhead, Fox & Nemeth 2019, Statistics and Computing: SGLD-CV), at a
 * fixed θ̂ (e.g. the landscape's minimum, `findMinimum`):
 *   grad = ∇𝓛(θ̂) + [∇L_B(θ) + ∇R(θ)] − [∇L_B(θ̂) + ∇R(θ̂)] = ∇L(θ̂) + ∇L_B(θ) − ∇L_B(θ̂) + ∇R(θ),
 * one minibatch B (from the sampler and the chain's stream) at both points, ∇𝓛(θ̂) full-batch, computed here once.
 * The minibatch gradient at θ̂ goes through a per-thread temporary (not chain state).
 */
export function controlVariateGradient(
  landscape: Landscape,
  sampler: Sampler,
  anchor: Float64Array,
): GradientEstimator & { readonly anchorGradient: Float64Array } {
  const anchorGradient = new Float64Array(landscape.dim);
  landscape.gradient(anchor, anchorGradient); // ∇𝓛(θ̂), once
  const cv = controlVariate(landscape, sampler);
  return {
    layout: { grad: landscape.dim },
    anchorGradient,
    estimate(chain) {
      cv(chain, anchor, anchorGradient);
    },
  };
}

/**
 * `controlVariateGradient` with θ̂ = the chain's own θ at its first step: θ̂ and ∇𝓛(θ̂) are computed then, once per
 * chain, and kept in its state.
 */
export function startControlVariateGradient(landscape: Landscape, sampler: Sampler): GradientEstimator<AnchorState> {
  const N = landscape.dim,
    cv = controlVariate(landscape, sampler);
  return {
    layout: { grad: N, anchor: N, anchorGradient: N, anchorReady: 1 },
    estimate(chain) {
      const state = chain.state;
      if (state.anchorReady[0] === 0) {
        state.anchor.set(chain.theta); // θ̂ = the chain's start
        landscape.gradient(state.anchor, state.anchorGradient);
        state.anchorReady[0] = 1;
      }
      cv(chain, state.anchor, state.anchorGradient);
    },
  };
}

/** grad ← ∇L_B(θ) + ∇R(θ) − (∇L_B(θ̂) + ∇R(θ̂)) + ∇𝓛(θ̂), B drawn now; one per-thread temporary. */
function controlVariate(
  landscape: Landscape,
  sampler: Sampler,
): (chain: Chain<unknown, GradientState>, anchor: Float64Array, anchorGradient: Float64Array) => void {
  const N = landscape.dim,
    m = sampler.batchSize,
    atAnchor = new Float64Array(N);
  return (chain, anchor, anchorGradient) => {
    const grad = chain.state.grad;
    sampler.next(chain.samplerState, chain.rng, chain.batch);
    landscape.minibatchGradient(chain.theta, chain.batch, m, grad);
    landscape.minibatchGradient(anchor, chain.batch, m, atAnchor);
    for (let a = 0; a < N; a++) grad[a] += anchorGradient[a] - atAnchor[a];
  };
}
