import { definePlugin, type ChainState, type ParamsOf } from '@nesslab/kernel';
import {
  composedOptimizer,
  eulerKick,
  gradientStep,
  leimkuhlerMatthewsKick,
  minibatchGradient,
  type AffineStep,
  type KickRecipe,
} from './compose.ts';
import { gradientStepAffine, leimkuhlerMatthewsAffine } from './affine.ts';
import { scheduleParams, stepSchedule } from './schedule.ts';

const eta = {
  type: 'number',
  description: 'η, learning rate (the kick is √(2η) z per step)',
  default: 1e-6,
  exclusiveMinimum: 0,
} as const;

export const sgldInfo = definePlugin({
  kind: 'optimizer',
  name: 'sgld',
  description:
    "SGLD: an SGD step with the sampler's minibatch (use with-replacement, as the paper), then θ ← θ + √(2η) z every step. " +
    'Samples e^{−𝓛} as η → 0 (D′ = ηI + D, Eq. 37); finite-η bias O(η) from the Euler kick and from D.',
  source: '004 Fig. 5 (left), Eq. 37; Zhang et al. 2020, Eq. 1 (cyclical schedule)',
  params: { eta, ...scheduleParams },
  precision: 'float64',
});

export const sgldLmInfo = definePlugin({
  kind: 'optimizer',
  name: 'sgld-lm',
  description:
    'SGLD with a Leimkuhler–Matthews kick √(2η)(z_t + z_{t+1})/2, each z shared by consecutive steps: exact stationary ' +
    'variance 1/h on a noiseless quadratic; the minibatch D = O(η²) remains (beyond the paper, docs/science.md §7).',
  source: '004 Fig. 5 (left), Eq. 37; Leimkuhler–Matthews kick (docs/science.md §7); Zhang et al. 2020, Eq. 1',
  params: { eta, ...scheduleParams },
  precision: 'float64',
});

/**
 * SGLD (004 Fig. 5 left, Welling & Teh): an SGD step with the sampler's minibatch (WR in the paper),
 * θ ← θ − η∇L_B(θ) − η∇R(θ), then θ ← θ + √(2η) z every step, z ~ N(0, I) from the chain's stream.
 * Fokker–Planck (Eq. 37): μ′ = ηI, D′ = ηI + D, D the minibatch diffusion of Eq. 14 (O(η²)), so as η → 0 the
 * Einstein relation holds at T = 1: P^s ∝ e^{−𝓛}, the posterior (Eq. 36).
 * On a quadratic without minibatch noise (ℓ_i all equal, curvature h) the chain is AR(1) with ρ = 1 − ηh and its
 * stationary variance is exactly 1/(h(1 − ηh/2)) (Euler kick); 1/h exactly with the Leimkuhler–Matthews kick.
 *
 * State per chain: the gradient (N); `sgld-lm`'s kick adds the carried z (N) and its flag (1).
 * Under the cyclical schedule (schedule.ts) the step is η_k and the kick √(2η_k) z (LM: √(2η_k)(z_t + z_{t+1})/2).
 * affineStep: x = θ, Q = 2ηI (Euler); x = (θ, z), z the carried noise (LM; affine.ts).
 */
const sgld = <K extends ChainState>(
  kick: KickRecipe<K>,
  affine: (eta: number, Hbar: Float64Array, gbar: Float64Array) => AffineStep,
) =>
  composedOptimizer((params: ParamsOf<typeof sgldInfo>, landscape, sampler) => ({
    gradient: minibatchGradient(landscape, sampler), // ∇L_B + ∇R
    update: gradientStep(params.eta),
    kick: kick(Math.sqrt(2 * params.eta), landscape.dim), // + √(2η) z_t (Fig. 5)
    schedule: stepSchedule(params),
    affineStep: (Hbar: Float64Array, gbar: Float64Array) => affine(params.eta, Hbar, gbar),
    // 004 Eq. 37: μ′ = ηI, D′ = ηI + D; the Einstein relation at T = 1 on 𝓛 only as η → 0 (D = O(η²)).
    fokkerPlanck: {
      mobility: params.eta,
      diffusion: 'sgld: ηI + D, D the minibatch diffusion of Eq. 14 (004 Eq. 37); Einstein relation at T = 1 as η → 0',
      equilibrium: true,
      temperature: 1,
    },
  }));

export const SgldOptimizer = sgld(eulerKick, (eta, Hbar, gbar) => gradientStepAffine(eta, 2 * eta, Hbar, gbar));
export type SgldOptimizer = InstanceType<typeof SgldOptimizer>;
/** SGLD with the Leimkuhler–Matthews kick √(2η)(z_t + z_{t+1})/2 (beyond the paper, docs/science.md §7). */
export const SgldLmOptimizer = sgld(leimkuhlerMatthewsKick, leimkuhlerMatthewsAffine);
export type SgldLmOptimizer = InstanceType<typeof SgldLmOptimizer>;
