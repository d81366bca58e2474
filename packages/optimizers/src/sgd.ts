import { definePlugin, type ParamsOf } from '@nesslab/kernel';
import { gradientStepAffine } from './affine.ts';
import { composedOptimizer, gradientStep, minibatchGradient } from './compose.ts';

export const sgdInfo = definePlugin({
  kind: 'optimizer',
  name: 'sgd',
  description: 'Stochastic gradient descent θ ← θ − η ∇𝓛_B(θ); WR or WOR according to the sampler.',
  source: '004 Eq. 12, A1, B1',
  params: { eta: { type: 'number', description: 'η, learning rate', default: 1e-7, exclusiveMinimum: 0 } },
  precision: 'float64',
});

/**
 * Plain SGD (004 Eq. 12): θ ← θ − η(∇L_B(θ) + ∇R(θ)), the minibatch B from the sampler.
 * With WR batches the Fokker–Planck view is μ = ηI and D of Eq. 14; with WOR batches it is the
 * epoch-level 𝓛̂, D̂ of App. B–C. State per chain: the gradient (N).
 */
export const SgdOptimizer = composedOptimizer((params: ParamsOf<typeof sgdInfo>, landscape, sampler) => ({
  gradient: minibatchGradient(landscape, sampler),
  update: gradientStep(params.eta),
  fokkerPlanck: { mobility: params.eta, diffusion: 'minibatch' },
  affineStep: (Hbar, gbar) => gradientStepAffine(params.eta, 0, Hbar, gbar), // x = θ: A = I − ηH̄, b = ηḡ, Q = 0
  plainSgd: { eta: params.eta }, // a landscape may fuse whole blocks of it (FusedBlocks: tanh-regression's wasm step)
}));
export type SgdOptimizer = InstanceType<typeof SgdOptimizer>;
