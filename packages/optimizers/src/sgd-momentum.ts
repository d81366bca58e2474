import { definePlugin, type ParamsOf } from '@nesslab/kernel';
import { heavyBallAffine } from './affine.ts';
import { composedOptimizer, minibatchGradient } from './compose.ts';
import { heavyBallStep } from './parts.ts';

export const sgdMomentumInfo = definePlugin({
  kind: 'optimizer',
  name: 'sgd-momentum',
  description:
    'SGD with heavy-ball momentum: v ← βv − η∇𝓛_B(θ), θ ← θ + v (v = 0 at the start). On slow modes (ηh ≪ (1 − β)²) ' +
    'it is SGD with step η/(1 − β). Affine on a quadratic: x = (θ, v).',
  source: 'Polyak 1964 (heavy ball); 004 Eq. 12 for ∇𝓛_B',
  params: {
    eta: { type: 'number', description: 'η, learning rate', default: 1e-7, exclusiveMinimum: 0 },
    momentum: { type: 'number', description: 'β, momentum (< 1)', default: 0.9, minimum: 0, maximum: 0.999 },
  },
  precision: 'float64',
});

/**
 * Heavy ball (Polyak 1964): v ← βv − η(∇L_B(θ) + ∇R(θ)), θ ← θ + v, the minibatch from the sampler, v = 0 at the
 * chain's start. Fokker–Planck (slow modes, ηh ≪ (1 − β)²): SGD with the step η/(1 − β), μ = η/(1 − β) and the
 * minibatch D of Eq. 14 at that step. State per chain: the gradient (N), the velocity (N).
 */
export const SgdMomentumOptimizer = composedOptimizer(
  (params: ParamsOf<typeof sgdMomentumInfo>, landscape, sampler) => ({
    gradient: minibatchGradient(landscape, sampler),
    update: heavyBallStep(params.eta, params.momentum, 0, landscape.dim),
    fokkerPlanck: {
      mobility: params.eta / (1 - params.momentum),
      diffusion: 'minibatch: D of Eq. 14 at the effective step η/(1 − β) (slow modes)',
    },
    affineStep: (Hbar, gbar) => heavyBallAffine(params.eta, 1 - params.momentum, 0, Hbar, gbar), // x = (θ, v)
  }),
);
export type SgdMomentumOptimizer = InstanceType<typeof SgdMomentumOptimizer>;
