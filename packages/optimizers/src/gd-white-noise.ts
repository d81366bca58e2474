import { definePlugin, type ParamsOf } from '@nesslab/kernel';
import { composedOptimizer, eulerMaruyamaStep, fullBatchGradient } from './compose.ts';

export const gdWhiteNoiseInfo = definePlugin({
  kind: 'optimizer',
  name: 'gd-white-noise',
  description:
    'Gradient descent with injected isotropic white noise, θ ← θ − η∇𝓛(θ) + √(2ηD) z, full-batch gradient (the sampler is ' +
    'ignored: use full-batch). Euler–Maruyama of dθ = −∇𝓛 dt + √(2D) dW, t = η·steps: equilibrium ∝ exp(−𝓛/D).',
  source: '001 §2–3, Theorem 3.1 (GD + white noise, "SGLD")',
  params: {
    eta: {
      type: 'number',
      description: 'η, learning rate (the time step: t = η·steps)',
      default: 1e-3,
      exclusiveMinimum: 0,
    },
    diffusion: {
      type: 'number',
      description: 'D, the isotropic diffusion coefficient (temperature) of the injected noise',
      default: 1,
      exclusiveMinimum: 0,
    },
  },
  precision: 'float64',
});

/**
 * GD + white noise, seed 001's "SGLD" for escape (Theorem 3.1): θ ← θ − η∇𝓛(θ) + √(2ηD) z, z ~ N(0, I) fresh every step
 * from the chain's own stream, FULL-BATCH gradient (the sampler is ignored; pair it with 'full-batch').
 * Euler–Maruyama of dθ = −∇𝓛 dt + √(2D) dW with dt = η (001 §2: t = ηT): μ = ηI per step, isotropic diffusion ηD per
 * step, Einstein relation at temperature D, stationary density ∝ exp(−𝓛/D). Escape times in steps are t/η.
 * On a quadratic of curvature h the chain is AR(1) with ρ = 1 − ηh and stationary variance D/(h(1 − ηh/2)).
 *
 * State per chain: the gradient (N).
 */
export const GdWhiteNoiseOptimizer = composedOptimizer((params: ParamsOf<typeof gdWhiteNoiseInfo>, landscape) => ({
  gradient: fullBatchGradient(landscape), // ∇𝓛, full batch
  update: eulerMaruyamaStep(params.eta, Math.sqrt(2 * params.eta * params.diffusion)), // + √(2ηD) z − η∇𝓛
  // Per step μ = ηI and diffusion ηD·I: equilibrium at temperature D on 𝓛 (001 Eq. 2 with D = const, Theorem 3.1).
  fokkerPlanck: {
    mobility: params.eta,
    diffusion: `white noise: ηD·I per step (D = ${params.diffusion}), stationary ∝ exp(−𝓛/D)`,
    equilibrium: true,
    temperature: params.diffusion,
  },
}));
export type GdWhiteNoiseOptimizer = InstanceType<typeof GdWhiteNoiseOptimizer>;
