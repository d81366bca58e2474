import { definePlugin, type ParamsOf } from '@nesslab/kernel';
import { baoabAffine } from './affine.ts';
import { composedOptimizer, minibatchGradient } from './compose.ts';
import { baoabStep } from './parts.ts';
import { scheduleParams, stepSchedule } from './schedule.ts';

export const sgBaoabInfo = definePlugin({
  kind: 'optimizer',
  name: 'sg-baoab',
  description:
    'Kinetic Langevin dθ = p dt, dp = −∇𝓛 dt − γp dt + √(2γ) dW (unit mass, T = 1: target ∝ e^{−𝓛}) by the BAOAB ' +
    'splitting with a stochastic gradient: B p ← p − (h/2)∇L_B, A θ ← θ + (h/2)p, O p ← e^{−γh}p + √(1 − e^{−2γh}) z, A, ' +
    "B at the new θ. One gradient per step: the closing B uses the gradient at the new θ on the next step's fresh " +
    "minibatch, shared with that step's opening B. p₀ ~ N(0, I). γh → ∞ gives sgld-lm at η = h²/2. Affine on a " +
    'quadratic: x = (θ, p⁻), p⁻ the momentum before the closing half-kick.',
  source:
    'Leimkuhler & Matthews 2013, AMRX (BAOAB); Leimkuhler & Matthews 2015, Molecular Dynamics (book); Zhang et al. 2020, ' +
    'Eq. 1 (cyclical schedule)',
  params: {
    h: {
      type: 'number',
      description: 'h, the time step (h²/2 plays the role of η)',
      default: 1e-3,
      exclusiveMinimum: 0,
    },
    gamma: { type: 'number', description: 'γ, the friction', default: 1, exclusiveMinimum: 0 },
    ...scheduleParams,
  },
  precision: 'float64',
});

/**
 * Stochastic-gradient BAOAB (Leimkuhler & Matthews 2013): one step of `baoabStep` with the gradient ∇L_B(θ) + ∇R(θ)
 * on the step's fresh minibatch, which serves the previous step's closing half-kick and this step's opening one.
 * With the full gradient on a quadratic the θ marginal is exact for every stable h (BAOAB samples a harmonic
 * oscillator's configurations without error; sg-baoab.test.ts checks it through `affineStep`); the minibatch adds h²C to p's variance a
 * step (C the covariance of ∇L_B), a temperature 1 + hC/(2γ) along C. As γh → ∞ (e^{−γh} = 0) the step is θ′ =
 * θ − (h²/2)∇ + (h/2)(z + z′): sgld-lm at η = h²/2. Under a schedule, h_k = h·(η_k/η) everywhere (kicks, drifts and
 * e^{−γh_k}). Fokker–Planck, overdamped (γ² ≫ the curvature, t = kh): μ = h/γ and D = (h/γ)I per step, plus the
 * minibatch. State per chain: the gradient (N), p⁻ (N) and its flag (1).
 */
export const SgBaoabOptimizer = composedOptimizer((params: ParamsOf<typeof sgBaoabInfo>, landscape, sampler) => {
  const { h, gamma } = params;
  return {
    gradient: minibatchGradient(landscape, sampler),
    update: baoabStep(h, gamma, landscape.dim),
    schedule: stepSchedule(params),
    fokkerPlanck: {
      mobility: h / gamma,
      diffusion:
        'kinetic Langevin (BAOAB), overdamped: (h/γ)I per step, plus the minibatch: h²C added to p per step, ' +
        'C the covariance of ∇L_B (a temperature 1 + hC/(2γ) along C)',
      equilibrium: true,
      temperature: 1,
    },
    affineStep: (Hbar, gbar) => baoabAffine(h, gamma, Hbar, gbar), // x = (θ, p⁻)
  };
});
export type SgBaoabOptimizer = InstanceType<typeof SgBaoabOptimizer>;
