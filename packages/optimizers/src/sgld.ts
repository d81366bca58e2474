import {
  definePlugin,
  type Chain,
  type FokkerPlanck,
  type Landscape,
  type Optimizer,
  type ParamsOf,
  type Sampler,
} from '@nesslab/kernel';
import { langevinKick, lmScratchSize } from './langevin-kick.ts';

/**
 * SGLD (004 Fig. 5 left, Welling & Teh): an SGD step with the sampler's minibatch (WR in the paper),
 * θ ← θ − η∇L_B(θ) − η∇R(θ), then θ ← θ + √(2η) z every step, z ~ N(0, I) from the chain's stream.
 * Fokker–Planck (Eq. 37): μ′ = ηI, D′ = ηI + D, D the minibatch diffusion of Eq. 14 (O(η²)), so as η → 0 the
 * Einstein relation holds at T = 1: P^s ∝ e^{−𝓛}, the posterior (Eq. 36).
 * On a quadratic without minibatch noise (ℓ_i all equal, curvature h) the chain is AR(1) with ρ = 1 − ηh and its
 * stationary variance is exactly 1/(h(1 − ηh/2)) (Euler kick); 1/h exactly with the Leimkuhler–Matthews kick.
 *
 * Scratch per chain: the gradient (N); `sgld-lm` adds the carried z (N) and a flag (1).
 */
export class SgldOptimizer implements Optimizer {
  readonly scalarNames: readonly string[] = [];
  /** Leimkuhler–Matthews kick √(2η)(z_t + z_{t+1})/2 instead of √(2η)z_t (docs/science.md §7). */
  protected readonly leimkuhlerMatthews: boolean = false;
  scratchSize = 0;
  private eta = 0;
  private sigma = 0;
  private landscape!: Landscape;
  private sampler!: Sampler;

  configure(params: ParamsOf<typeof sgldInfo>, landscape: Landscape, sampler: Sampler): void {
    this.eta = params.eta;
    this.sigma = Math.sqrt(2 * this.eta);
    this.landscape = landscape;
    this.sampler = sampler;
    const N = landscape.dim;
    this.scratchSize = N + (this.leimkuhlerMatthews ? lmScratchSize(N) : 0);
  }

  step(chain: Chain): void {
    const theta = chain.theta,
      g = chain.scratch,
      eta = this.eta;
    this.sampler.next(chain.samplerState, chain.rng, chain.batch);
    this.landscape.minibatchGradient(theta, chain.batch, this.sampler.batchSize, g); // ∇L_B + ∇R
    for (let a = 0; a < theta.length; a++) theta[a] -= eta * g[a];
    langevinKick(theta, chain.rng, this.sigma, this.leimkuhlerMatthews, g, theta.length); // + √(2η) z_t (Fig. 5)
  }

  /** 004 Eq. 37: μ′ = ηI, D′ = ηI + D; the Einstein relation at T = 1 on 𝓛 only as η → 0 (D = O(η²)). */
  fokkerPlanck(): FokkerPlanck {
    return {
      mobility: this.eta,
      diffusion: 'sgld: ηI + D, D the minibatch diffusion of Eq. 14 (004 Eq. 37); Einstein relation at T = 1 as η → 0',
      equilibrium: true,
      temperature: 1,
    };
  }
}

/** SGLD with the Leimkuhler–Matthews kick (beyond the paper, docs/science.md §7). */
export class SgldLmOptimizer extends SgldOptimizer {
  protected override readonly leimkuhlerMatthews: boolean = true;
}

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
  source: '004 Fig. 5 (left), Eq. 37',
  params: { eta },
  precision: 'float64',
});

export const sgldLmInfo = definePlugin({
  kind: 'optimizer',
  name: 'sgld-lm',
  description:
    'SGLD with a Leimkuhler–Matthews kick √(2η)(z_t + z_{t+1})/2, each z shared by consecutive steps: exact stationary ' +
    'variance 1/h on a noiseless quadratic; the minibatch D = O(η²) remains (beyond the paper, docs/science.md §7).',
  source: '004 Fig. 5 (left), Eq. 37; Leimkuhler–Matthews kick (docs/science.md §7)',
  params: { eta },
  precision: 'float64',
});
