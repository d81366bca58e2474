import { ScenarioError, definePlugin, type ParamsOf } from '@nesslab/kernel';
import { heavyBallAffine } from './affine.ts';
import { composedOptimizer, minibatchGradient } from './compose.ts';
import { heavyBallStep } from './parts.ts';
import { scheduleParams, stepSchedule } from './schedule.ts';

export const sghmcInfo = definePlugin({
  kind: 'optimizer',
  name: 'sghmc',
  description:
    'SGHMC in its practical form: v ← (1 − α)v − η∇Ũ(θ) + N(0, 2(α − β̂)η), θ ← θ + v, ∇Ũ = ∇L_B + ∇R, v = 0 at the ' +
    "start (Eq. 15 lists θ ← θ + v first, then v's update at the new θ: the same θ chain, v one step behind). " +
    'Samples e^{−𝓛} as η → 0 (v has variance ≈ η/(1 − α/2)); β̂ removes the minibatch noise it estimates. Affine ' +
    'on a quadratic: x = (θ, v).',
  source: 'Chen, Fox & Guestrin 2014, ICML, Eq. 15; Zhang et al. 2020, Eq. 1 (cyclical schedule)',
  params: {
    eta: {
      type: 'number',
      description: 'η = ε²/M, learning rate (the noise is N(0, 2(α − β̂)η) per step)',
      default: 1e-6,
      exclusiveMinimum: 0,
    },
    alpha: {
      type: 'number',
      description: 'α = εC/M, friction per step (momentum 1 − α)',
      default: 0.1,
      exclusiveMinimum: 0,
      maximum: 1,
    },
    betaHat: {
      type: 'number',
      description: 'β̂ = εB̂/(2M) ≥ 0, the estimate of the minibatch noise (< α); 0: none',
      default: 0,
      minimum: 0,
    },
    ...scheduleParams,
  },
  precision: 'float64',
});

/**
 * SGHMC (Chen, Fox & Guestrin 2014, Eq. 15): v ← (1 − α)v − η(∇L_B(θ) + ∇R(θ)) + √(2(α − β̂)η) z, θ ← θ + v, z ~ N(0, I)
 * from the chain's stream (N normals a step), v = 0 at the chain's start. The paper applies Δθ = v before Δv with
 * ∇Ũ at the new θ: written out, θ_{k+1} = θ_k + v_k and v_k = (1 − α)v_{k−1} − η∇Ũ(θ_k) + noise, which is this with v
 * one step behind (the paper's first step moves θ by its v₀ before any gradient).
 * Under a schedule, η_k replaces η in both the gradient term and the noise, N(0, 2(α − β̂)η_k).
 * Fokker–Planck, overdamped (slow modes, ηh ≪ α²): μ = η/α, D = (η/α)(1 − β̂/α)I + D(η/α), D(η/α) the minibatch diffusion
 * of Eq. 14 at the step η/α; the Einstein relation at T = 1 holds when (η/α)(β̂/α)I = D(η/α), and as η → 0 with β̂ = 0.
 * State per chain: the gradient (N), the velocity (N).
 */
export const SghmcOptimizer = composedOptimizer((params: ParamsOf<typeof sghmcInfo>, landscape, sampler) => {
  const { eta, alpha, betaHat } = params;
  if (!(betaHat < alpha))
    throw new ScenarioError(
      'scenario.optimizer.params.betaHat',
      `β̂ = ${betaHat} must be below α = ${alpha} (the injected noise has variance 2(α − β̂)η)`,
    );
  const sigma = Math.sqrt(2 * (alpha - betaHat) * eta);
  return {
    gradient: minibatchGradient(landscape, sampler),
    update: heavyBallStep(eta, 1 - alpha, sigma, landscape.dim),
    schedule: stepSchedule(params),
    fokkerPlanck: {
      mobility: eta / alpha,
      diffusion:
        'sghmc, overdamped: (η/α)(1 − β̂/α)I + D(η/α), D the minibatch diffusion of Eq. 14 at the step η/α; Einstein ' +
        'relation at T = 1 when β̂ accounts for D, and as η → 0',
      equilibrium: true,
      temperature: 1,
    },
    affineStep: (Hbar, gbar) => heavyBallAffine(eta, alpha, sigma, Hbar, gbar), // x = (θ, v)
  };
});
export type SghmcOptimizer = InstanceType<typeof SghmcOptimizer>;
