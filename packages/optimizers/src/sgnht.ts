import { definePlugin, type ParamsOf } from '@nesslab/kernel';
import { composedOptimizer, minibatchGradient } from './compose.ts';
import { noseHooverStep } from './parts.ts';
import { scheduleParams, stepSchedule } from './schedule.ts';

export const sgnhtInfo = definePlugin({
  kind: 'optimizer',
  name: 'sgnht',
  description:
    'Stochastic gradient Nosé–Hoover thermostat (Alg. 1): p ← p − ξp h − ∇Ũ(θ) h + √(2Ah) z, θ ← θ + p h, ' +
    'ξ ← ξ + (pᵀp/n − 1) h, ∇Ũ = ∇L_B + ∇R, n = dim; p₀ ~ N(0, I), ξ₀ = A. The thermostat ξ absorbs the unknown ' +
    'minibatch noise, holding the kinetic temperature at 1: samples e^{−𝓛} as h → 0. Not affine (ξp), so no affineStep.',
  source:
    'Ding, Fang, Babbush, Chen, Skeel & Neven 2014, NeurIPS, Alg. 1; Zhang et al. 2020, Eq. 1 (cyclical schedule)',
  params: {
    h: { type: 'number', description: 'h, the step', default: 1e-3, exclusiveMinimum: 0 },
    A: { type: 'number', description: 'A, the injected diffusion (ξ₀ = A)', default: 1, exclusiveMinimum: 0 },
    ...scheduleParams,
  },
  precision: 'float64',
});

/**
 * SGNHT (Ding et al. 2014, Alg. 1), one step of `noseHooverStep` with ∇Ũ = ∇L_B(θ) + ∇R(θ): N normals a step (and p₀,
 * N more, at the chain's first). The step multiplies ξ by p, so it is not affine on a quadratic (no affineStep).
 * Under a schedule, h_k = h·(η_k/η) in all three lines. Fokker–Planck, overdamped (t = kh, ξ held): μ = h/ξ,
 * D = (Ah/ξ²)I plus the minibatch; the thermostat moves ξ until pᵀp/n averages 1, so ξ → A without minibatch noise
 * (μ = h/A, D = (h/A)I: T = 1) and the Einstein relation at T = 1 holds as h → 0 (the paper's invariant measure
 * is e^{−𝓛 − pᵀp/2} times a Gaussian in ξ). State per chain: the gradient (N), p (N), its flag (1), ξ (1).
 */
export const SgnhtOptimizer = composedOptimizer((params: ParamsOf<typeof sgnhtInfo>, landscape, sampler) => ({
  gradient: minibatchGradient(landscape, sampler),
  update: noseHooverStep(params.h, params.A, landscape.dim),
  schedule: stepSchedule(params),
  fokkerPlanck: {
    mobility: params.h / params.A,
    diffusion:
      'sgnht, overdamped with ξ = A: (h/A)I per step plus the minibatch, which the thermostat absorbs by raising ξ ' +
      '(kinetic temperature held at 1)',
    equilibrium: true,
    temperature: 1,
  },
}));
export type SgnhtOptimizer = InstanceType<typeof SgnhtOptimizer>;
