import {
  definePlugin,
  type Chain,
  type FokkerPlanck,
  type Landscape,
  type Optimizer,
  type ParamsOf,
  type Sampler,
} from '@nesslab/kernel';

/** The two halves of one chain's scratch: θ + ζz, then ∇𝓛(θ + ζz). */
interface Views {
  shifted: Float64Array;
  grad: Float64Array;
}

/**
 * The earthquake model (004 Eq. 31): θ ← θ − η ∇𝓛(θ + ζz), z ~ N(0, I) drawn afresh every step from the
 * chain's own stream, with the FULL-BATCH gradient `landscape.gradient`: the only noise is the random shift
 * of the landscape's argument. The sampler is ignored (no minibatch is ever drawn); scenarios pair it with
 * 'full-batch', which documents that m = M.
 *
 * Near a minimum θ₀ (Eq. 32–34): δθ ← (I − ηH₀)δθ − ηζH₀z, equilibrium on 𝓛^quake = 𝓛(θ₀) + ½δθᵀH₀⁻¹δθ with
 * μ = ηH₀², D = ½η²ζ²H₀² and temperature ηζ²/2 (the paper's "β = ηζ²/2" is the temperature; docs/science.md §7).
 * Hence Σ = (ηζ²/2)H₀, and for the discrete-time linear map exactly Σ = (ηζ²/2)H₀(I − ηH₀/2)⁻¹; C = 0.
 *
 * Scratch: 2N per chain (θ + ζz, then the gradient). The two views on each chain's scratch are made once per
 * chain and kept in a WeakMap keyed by the scratch buffer, so that `step` allocates nothing.
 */
export class EarthquakeOptimizer implements Optimizer {
  readonly scalarNames: readonly string[] = [];
  scratchSize = 0;
  private eta = 0;
  private zeta = 0;
  private landscape!: Landscape;
  private readonly views = new WeakMap<Float64Array, Views>();

  configure(params: ParamsOf<typeof earthquakeInfo>, landscape: Landscape, _sampler: Sampler): void {
    this.eta = params.eta;
    this.zeta = params.zeta;
    this.landscape = landscape;
    this.scratchSize = 2 * landscape.dim;
  }

  step(chain: Chain): void {
    const theta = chain.theta,
      n = theta.length,
      rng = chain.rng,
      eta = this.eta,
      zeta = this.zeta;
    let v = this.views.get(chain.scratch);
    if (v === undefined) {
      v = { shifted: chain.scratch.subarray(0, n), grad: chain.scratch.subarray(n, 2 * n) };
      this.views.set(chain.scratch, v);
    }
    const shifted = v.shifted,
      g = v.grad;
    for (let a = 0; a < n; a++) shifted[a] = theta[a] + zeta * rng.nextNormal();
    this.landscape.gradient(shifted, g);
    for (let a = 0; a < n; a++) theta[a] -= eta * g[a];
  }

  /**
   * 004 Eq. 33–34 with docs/science.md §7's reading: μ = η·H₀², D = ½η²ζ²H₀², an equilibrium at temperature ηζ²/2
   * on 𝓛^quake, whose Hessian is H₀⁻¹ (so Σ = (ηζ²/2)H₀, discrete time (ηζ²/2)H₀(I − ηH₀/2)⁻¹). The drift is
   * −ηH₀δθ = −μ∇𝓛^quake.
   */
  fokkerPlanck(): FokkerPlanck {
    return {
      mobility: this.eta,
      mobilityMatrix: 'H₀²',
      diffusion: 'earthquake: ½η²ζ²H₀²',
      equilibrium: true,
      temperature: (this.eta * this.zeta * this.zeta) / 2,
      landscape: '𝓛^quake = 𝓛(θ₀) + ½ δθᵀ H₀⁻¹ δθ (004 Eq. 34): Hessian H₀⁻¹, minimum at θ₀ to O(ζ⁰)',
    };
  }
}

export const earthquakeInfo = definePlugin({
  kind: 'optimizer',
  name: 'earthquake',
  description:
    'Earthquake model θ ← θ − η ∇𝓛(θ + ζz), z ~ N(0, I) fresh every step, full-batch gradient (the sampler is ignored: ' +
    'use full-batch). Equilibrium at temperature ηζ²/2 on 𝓛^quake with Hessian H₀⁻¹: Σ = (ηζ²/2)H₀, no circulation.',
  source: '004 Eq. 31–34',
  params: {
    eta: { type: 'number', description: 'η, learning rate', default: 1e-7, exclusiveMinimum: 0 },
    zeta: {
      type: 'number',
      description: "ζ, standard deviation of the random shift of the landscape's argument (004 Fig. 2C: 1e-4)",
      default: 1e-4,
      minimum: 0,
    },
  },
  precision: 'float64',
});
