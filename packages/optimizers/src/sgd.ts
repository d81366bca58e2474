import {
  definePlugin,
  type Chain,
  type FokkerPlanck,
  type Landscape,
  type Optimizer,
  type ParamsOf,
  type Sampler,
} from '@nesslab/kernel';

/**
 * Plain SGD (004 Eq. 12): θ ← θ − η(∇L_B(θ) + ∇R(θ)), the minibatch B from the sampler.
 * With WR batches the Fokker–Planck view is μ = ηI and D of Eq. 14; with WOR batches it is the
 * epoch-level 𝓛̂, D̂ of App. B–C.
 */
export class SgdOptimizer implements Optimizer {
  readonly scalarNames: readonly string[] = [];
  scratchSize = 0;
  private eta = 0;
  private landscape!: Landscape;
  private sampler!: Sampler;

  configure(params: ParamsOf<typeof sgdInfo>, landscape: Landscape, sampler: Sampler): void {
    this.eta = params.eta;
    this.landscape = landscape;
    this.sampler = sampler;
    this.scratchSize = landscape.dim;
  }

  step(chain: Chain): void {
    const theta = chain.theta,
      g = chain.scratch,
      eta = this.eta;
    this.sampler.next(chain.samplerState, chain.rng, chain.batch);
    this.landscape.minibatchGradient(theta, chain.batch, this.sampler.batchSize, g);
    for (let a = 0; a < theta.length; a++) theta[a] -= eta * g[a];
  }

  fokkerPlanck(): FokkerPlanck {
    return { mobility: this.eta, diffusion: 'minibatch' };
  }
}

export const sgdInfo = definePlugin({
  kind: 'optimizer',
  name: 'sgd',
  description: 'Stochastic gradient descent θ ← θ − η ∇𝓛_B(θ); WR or WOR according to the sampler.',
  source: '004 Eq. 12, A1, B1',
  params: { eta: { type: 'number', description: 'η, learning rate', default: 1e-7, exclusiveMinimum: 0 } },
  precision: 'float64',
});
