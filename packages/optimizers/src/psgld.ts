import { definePlugin, type ParamsOf } from '@nesslab/kernel';
import { composedOptimizer, minibatchGradient } from './compose.ts';
import { rmspropLangevinStep } from './parts.ts';
import { scheduleParams, stepSchedule } from './schedule.ts';

export const psgldInfo = definePlugin({
  kind: 'optimizer',
  name: 'psgld',
  description:
    'Preconditioned SGLD with the RMSprop preconditioner: V ← αV + (1 − α) ḡ⊙ḡ, G = diag(1/(λ + √V)), ' +
    'θ ← θ − εG∇Ũ + N(0, 2εG), ḡ = ∇Ũ = ∇L_B + ∇R, V = 0 at the start. The Γ(θ) = ∇·G correction term is dropped, as ' +
    'the paper does in practice: unbiased only while V averages over many relaxation times ((1 − α) ≪ εG·h); as ' +
    'ε → 0 at fixed α, G follows θ and the bias is O(1). Not affine (G depends on ḡ), so no affineStep.',
  source:
    'Li, Chen, Carlson & Carin 2016, AAAI, Alg. 1 (ε here is their ε/2); Zhang et al. 2020, Eq. 1 (cyclical schedule)',
  params: {
    eta: {
      type: 'number',
      description: 'ε, the step (the noise is N(0, 2εG))',
      default: 1e-6,
      exclusiveMinimum: 0,
    },
    alpha: {
      type: 'number',
      description: "α, RMSprop's decay of the mean square V",
      default: 0.99,
      minimum: 0,
      maximum: 0.999999,
    },
    lambda: {
      type: 'number',
      description: 'λ, the floor of the preconditioner G = 1/(λ + √V)',
      default: 1e-5,
      exclusiveMinimum: 0,
    },
    ...scheduleParams,
  },
  precision: 'float64',
});

/**
 * pSGLD (Li et al. 2016, Alg. 1, with their ε/2 written ε): per coordinate V ← αV + (1 − α)ḡ², G = 1/(λ + √V),
 * θ ← θ − εG ḡ + √(2εG) z, ḡ = ∇L_B(θ) + ∇R(θ) (the paper's ḡ is the mean likelihood gradient; here the step's own
 * estimate, regulariser included), N normals a step. Γ(θ), the drift that makes εG a proper Riemannian Langevin
 * mobility, is dropped as in the paper's experiments; G then also depends on the chain's past through V, so the step
 * is neither affine nor Markov in θ alone (no affineStep). Under a schedule ε_k = ε·(η_k/η) in the drift and the noise.
 * Fokker–Planck with V frozen: μ = εG, D = εG plus the minibatch at step εG; the Einstein relation at T = 1 holds as
 * ε → 0 where G is constant (Γ = 0), i.e. while V averages over many relaxation times: (1 − α) ≪ εG·h, h the
 * curvature. When V instead follows the chain (ε → 0 at fixed α), G becomes a function of θ and, without Γ, the law
 * tends to ∝ e^{−𝓛}/G in 1-D (Itô): an O(1) bias that a smaller step does not remove. On a 1-D Gaussian with
 * ε = 0.01 (psgld.test.ts): Var θ is 28 % high at α = 0.99, within 2 % at α = 0.9999.
 * State per chain: the gradient (N), V (N).
 */
export const PsgldOptimizer = composedOptimizer((params: ParamsOf<typeof psgldInfo>, landscape, sampler) => ({
  gradient: minibatchGradient(landscape, sampler),
  update: rmspropLangevinStep(params.eta, params.alpha, params.lambda, landscape.dim),
  schedule: stepSchedule(params),
  fokkerPlanck: {
    mobility: params.eta,
    mobilityMatrix: 'G = diag(1/(λ + √V)), V the running mean square of ∇L_B (RMSprop)',
    diffusion:
      'psgld: εG per step plus the minibatch D at the step εG; Γ(θ) dropped: biased unless V averages over many ' +
      'relaxation times ((1 − α) ≪ εG·h)',
    equilibrium: true,
    temperature: 1,
  },
}));
export type PsgldOptimizer = InstanceType<typeof PsgldOptimizer>;
