import { ScenarioError, definePlugin, findMinimum, type Landscape, type ParamsOf } from '@nesslab/kernel';
import { controlVariateAffine, startControlVariateAffine } from './affine.ts';
import { composedOptimizer, eulerKick, gradientStep, type GradientEstimator } from './compose.ts';
import { controlVariateGradient, startControlVariateGradient, type AnchorState } from './parts.ts';
import { scheduleParams, stepSchedule } from './schedule.ts';

export const sgldCvInfo = definePlugin({
  kind: 'optimizer',
  name: 'sgld-cv',
  description:
    'SGLD with a control variate: the gradient ∇𝓛(θ̂) + ∇L_B(θ) − ∇L_B(θ̂) (one minibatch at both points, θ̂ fixed, ' +
    '∇𝓛(θ̂) computed once), then θ ← θ − η·grad + √(2η) z. Its minibatch noise vanishes at θ = θ̂: D = O(η²|θ − θ̂|²). ' +
    "θ̂: 'reference', the landscape's Newton minimum found in configure (optimizers are not given the run's θ₀; " +
    "the same θ₀ wherever the minimum is unique), or 'start', each chain's first θ. Affine on a quadratic: x = θ " +
    "('reference') or (θ, θ̂) ('start').",
  source:
    'Baker, Fearnhead, Fox & Nemeth 2019, Statistics and Computing, "Control variates for stochastic gradient MCMC", ' +
    'SGLD-CV; 004 Fig. 5 (SGLD); Zhang et al. 2020, Eq. 1 (cyclical schedule)',
  params: {
    eta: {
      type: 'number',
      description: 'η, learning rate (the kick is √(2η) z per step)',
      default: 1e-6,
      exclusiveMinimum: 0,
    },
    at: {
      type: 'string',
      description:
        "θ̂: 'reference' (the landscape's minimum by Newton, as a run finds θ₀; seed 0 for a random Newton start) " +
        "or 'start' (each chain's θ at its first step)",
      enum: ['reference', 'start'],
      default: 'reference',
    },
    ...scheduleParams,
  },
  precision: 'float64',
});

/**
 * SGLD-CV (Baker et al. 2019): the control-variate gradient ∇𝓛(θ̂) + [∇L_B(θ) + ∇R(θ)] − [∇L_B(θ̂) + ∇R(θ̂)] with one
 * minibatch B at both points (parts.ts), then SGLD's step θ ← θ − η·grad and kick + √(2η) z (N normals a step).
 * θ̂ ('reference'): `findMinimum` in configure, as a run finds θ₀ — from the landscape's Newton start, or its random
 * start drawn with seed 0 (an optimizer sees neither the run's θ₀ nor its seed, so on a landscape with several
 * equivalent minima θ̂ may be another one than the run's θ₀; on a quadratic it is θ₀). ∇𝓛(θ̂) is computed once, then.
 * θ̂ ('start'): each chain's θ at its first step; θ̂ and ∇𝓛(θ̂) are computed then and kept in the chain's state.
 * Under a schedule, η_k in the step and √(2η_k) in the kick. Fokker–Planck as SGLD's (004 Eq. 37): μ = ηI,
 * D′ = ηI + D_cv, D_cv the minibatch diffusion of ∇L_B(θ) − ∇L_B(θ̂) (zero at θ̂); on a quadratic
 * D_cv = (η²/2)Cov_B(H̄(θ − θ̂)). State per chain: the gradient (N); with 'start' also θ̂ (N), ∇𝓛(θ̂) (N), a flag (1).
 */
export const SgldCvOptimizer = composedOptimizer((params: ParamsOf<typeof sgldCvInfo>, landscape, sampler) => {
  const eta = params.eta,
    N = landscape.dim;
  const common = {
    update: gradientStep(eta),
    kick: eulerKick(Math.sqrt(2 * eta)), // + √(2η) z
    schedule: stepSchedule(params),
    fokkerPlanck: {
      mobility: eta,
      diffusion:
        'sgld-cv: ηI + D_cv, D_cv the minibatch diffusion of ∇L_B(θ) − ∇L_B(θ̂), zero at θ̂ (004 Eq. 37 with the ' +
        'control variate); Einstein relation at T = 1 as η → 0',
      equilibrium: true,
      temperature: 1,
    },
  };
  if (params.at === 'start') {
    return {
      ...common,
      gradient: startControlVariateGradient(landscape, sampler),
      // x = (θ, θ̂): ∇𝓛(θ̂) = Hθ̂ + ∇𝓛(0) on the quadratic
      affineStep: (Hbar: Float64Array) => startControlVariateAffine(eta, ...quadratic(landscape), Hbar),
    };
  }
  const anchor = minimum(landscape),
    cv = controlVariateGradient(landscape, sampler, anchor);
  return {
    ...common,
    gradient: cv as GradientEstimator<AnchorState>, // uses only `grad`
    affineStep: (Hbar: Float64Array) => controlVariateAffine(eta, anchor, cv.anchorGradient, Hbar), // x = θ
  };
});
export type SgldCvOptimizer = InstanceType<typeof SgldCvOptimizer>;

/** θ̂ = the landscape's minimum (kernel `findMinimum`, seed 0). */
function minimum(landscape: Landscape): Float64Array {
  try {
    return findMinimum(landscape, 0);
  } catch (e) {
    throw new ScenarioError(
      'scenario.optimizer.params.at',
      `θ̂ = the landscape's minimum, but Newton found none (${(e as Error).message}); use at: 'start'`,
    );
  }
}

/** H (the landscape's Hessian) and ∇𝓛(0): the full quadratic, ∇𝓛(θ) = Hθ + ∇𝓛(0). */
function quadratic(landscape: Landscape): [Float64Array, Float64Array] {
  const N = landscape.dim,
    H = new Float64Array(N * N),
    g0 = new Float64Array(N);
  landscape.hessian(new Float64Array(N), H);
  landscape.gradient(new Float64Array(N), g0);
  return [H, g0];
}
