import { definePlugin, type ParamsOf } from '@nesslab/kernel';
import { composedOptimizer, gradientStep, shiftedGradient } from './compose.ts';

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
 * State per chain: θ + ζz (N), then the gradient there (N).
 */
export const EarthquakeOptimizer = composedOptimizer((params: ParamsOf<typeof earthquakeInfo>, landscape) => ({
  gradient: shiftedGradient(landscape, params.zeta), // ∇𝓛(θ + ζz), Eq. 31
  update: gradientStep(params.eta),
  // 004 Eq. 33–34 with docs/science.md §7's reading: μ = η·H₀², D = ½η²ζ²H₀², an equilibrium at temperature ηζ²/2
  // on 𝓛^quake, whose Hessian is H₀⁻¹ (so Σ = (ηζ²/2)H₀, discrete time (ηζ²/2)H₀(I − ηH₀/2)⁻¹). The drift is
  // −ηH₀δθ = −μ∇𝓛^quake.
  fokkerPlanck: {
    mobility: params.eta,
    mobilityMatrix: 'H₀²',
    diffusion: 'earthquake: ½η²ζ²H₀²',
    equilibrium: true,
    temperature: (params.eta * params.zeta * params.zeta) / 2,
    landscape: '𝓛^quake = 𝓛(θ₀) + ½ δθᵀ H₀⁻¹ δθ (004 Eq. 34): Hessian H₀⁻¹, minimum at θ₀ to O(ζ⁰)',
  },
}));
export type EarthquakeOptimizer = InstanceType<typeof EarthquakeOptimizer>;
