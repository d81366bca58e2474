import {
  ScenarioError,
  Xoshiro128,
  definePlugin,
  effectiveGradientEvaluator,
  type Chain,
  type FokkerPlanck,
  type Landscape,
  type Optimizer,
  type ParamsOf,
  type Sampler,
  hasSampleHessian,
} from '@nesslab/kernel';
import { langevinKick, lmScratchSize } from './langevin-kick.ts';

/**
 * SGWORLD (004 Fig. 5 right): n = M/m WOR SGD steps θ ← θ − η∇L_B(θ) − η∇R(θ), then at the epoch's end
 * θ ← θ + √(2ηn) z and θ ← θ + η∇δ𝓛(θ_start), θ_start = θ at the epoch's start, δ𝓛 = 𝓛̂ − n𝓛 (Eq. 16).
 * The epoch map becomes θ ← θ − ηn∇𝓛 + √(2ηn) z + O(η³): Fokker–Planck in epochs with μ″ = ηI, D″ = ηnI + D̂
 * (Eq. 38), equilibrium at T = n on the corrected 𝓛̂^c = n𝓛, i.e. P^s ∝ e^{−𝓛}, the posterior.
 * ∇δ𝓛 = ∇𝓛̂ − n∇𝓛 with the exact ∇𝓛̂ of the kernel's WOR theory: per-sample Hessians, O(M N²) once per epoch (fine
 * for the small landscapes; `sampleHessian` required). `sgworld-uncorrected` skips it (equilibrium on 𝓛̂ instead).
 *
 * Stability: the first-order correction over-corrects once ηnh is not small: on a quadratic without minibatch noise the
 * corrected epoch propagator is (1 − ηh)ⁿ − η²n(n−1)h²/2, below −1 (divergence) for ηh > 0.079 at n = 20 (uncorrected:
 * ηh < 2). On the linearised regression (h_max ≈ 2.5e4, n = 20) that is η > 3.2e-6.
 * Epochs: `chain.step` counts the steps before this one, so a step with chain.step % n = 0 opens an epoch and one with
 * chain.step % n = n − 1 closes it — the sampler's epochs, checked in `configure` (every n batches a permutation).
 * Scratch per chain: gradient (N), θ_start (N); `sgworld-lm` adds the carried z (N) and a flag (1).
 */
export class SgworldOptimizer implements Optimizer {
  readonly scalarNames: readonly string[] = [];
  protected readonly corrected: boolean = true;
  /** Leimkuhler–Matthews kick √(2ηn)(z_τ + z_{τ+1})/2 instead of √(2ηn)z_τ (docs/science.md §7). */
  protected readonly leimkuhlerMatthews: boolean = false;
  scratchSize = 0;
  private eta = 0;
  private n = 1;
  private sigma = 0;
  private landscape!: Landscape;
  private sampler!: Sampler;
  private effectiveGradient: (theta: Float64Array, eta: number, out: Float64Array) => void = () => {};
  /** Per-thread temporaries of the correction (not chain state): θ_start, ∇𝓛̂, ∇𝓛. */
  private at = new Float64Array(0);
  private hatGrad = new Float64Array(0);
  private grad = new Float64Array(0);

  configure(params: ParamsOf<typeof sgworldInfo>, landscape: Landscape, sampler: Sampler): void {
    this.eta = params.eta;
    this.landscape = landscape;
    this.sampler = sampler;
    this.n = checkWithoutReplacement(sampler, landscape.dataSize);
    this.sigma = Math.sqrt(2 * this.eta * this.n);
    const N = landscape.dim;
    this.scratchSize = 2 * N + (this.leimkuhlerMatthews ? lmScratchSize(N) : 0);
    if (this.corrected) {
      if (!hasSampleHessian(landscape)) {
        throw new ScenarioError(
          'scenario.landscape',
          "SGWORLD's δ𝓛 correction needs per-sample Hessians (sampleHessian), which this landscape lacks; use sgworld-uncorrected",
        );
      }
      this.effectiveGradient = effectiveGradientEvaluator(landscape, sampler.batchSize);
      this.at = new Float64Array(N);
      this.hatGrad = new Float64Array(N);
      this.grad = new Float64Array(N);
    }
  }

  step(chain: Chain): void {
    const theta = chain.theta,
      s = chain.scratch,
      N = theta.length,
      eta = this.eta,
      n = this.n;
    const k = chain.step % n; // position in the epoch
    if (k === 0 && this.corrected) for (let a = 0; a < N; a++) s[N + a] = theta[a]; // θ_{t−n}
    this.sampler.next(chain.samplerState, chain.rng, chain.batch);
    this.landscape.minibatchGradient(theta, chain.batch, this.sampler.batchSize, s); // ∇L_B + ∇R
    for (let a = 0; a < N; a++) theta[a] -= eta * s[a];
    if (k !== n - 1) return;
    langevinKick(theta, chain.rng, this.sigma, this.leimkuhlerMatthews, s, 2 * N); // + √(2ηn) z (Fig. 5)
    if (!this.corrected) return;
    const at = this.at,
      hat = this.hatGrad,
      g = this.grad;
    for (let a = 0; a < N; a++) at[a] = s[N + a];
    this.effectiveGradient(at, eta, hat); // ∇𝓛̂(θ_start), Eq. 16
    this.landscape.gradient(at, g);
    for (let a = 0; a < N; a++) theta[a] += eta * (hat[a] - n * g[a]); // + η∇δ𝓛(θ_{t−n})
  }

  /** 004 Eq. 38, time in epochs: μ″ = ηI, D″ = ηnI + D̂ (D̂ = O(η⁴)): equilibrium at T = n on n𝓛 (corrected) or 𝓛̂. */
  fokkerPlanck(): FokkerPlanck {
    return {
      mobility: this.eta,
      diffusion: 'sgworld: ηnI + D̂ per epoch, D̂ the WOR epoch diffusion (004 Eq. 38; time in epochs)',
      equilibrium: true,
      temperature: this.n,
      landscape: this.corrected
        ? '𝓛̂^c = n𝓛 (time in epochs): P^s ∝ e^{−n𝓛/n} = e^{−𝓛}, centred at θ₀'
        : '𝓛̂ = n𝓛 + δ𝓛 (004 Eq. 16, time in epochs): P^s ∝ e^{−𝓛̂/n}, centred at θ̂₀ = argmin 𝓛̂, not θ₀',
    };
  }
}

/** SGWORLD without the δ𝓛 correction (the green curve of 004 Fig. 6). */
export class SgworldUncorrectedOptimizer extends SgworldOptimizer {
  protected override readonly corrected: boolean = false;
}

/** Corrected SGWORLD with the Leimkuhler–Matthews kick (beyond the paper, docs/science.md §7). */
export class SgworldLmOptimizer extends SgworldOptimizer {
  protected override readonly leimkuhlerMatthews: boolean = true;
}

/**
 * n = M/m, after checking that the sampler is without-replacement-like: m | M, n = stepsPerEpoch, and every epoch of
 * n batches (from a fresh per-chain state) is a permutation of 0..M−1 — probed on 4 epochs with a throwaway stream.
 */
export function checkWithoutReplacement(sampler: Sampler, M: number): number {
  const m = sampler.batchSize,
    n = sampler.stepsPerEpoch;
  if (M % m !== 0 || n * m !== M) {
    throw new ScenarioError(
      'scenario.sampler.params.batchSize',
      `SGWORLD needs n = M/m epochs of whole batches: m = ${m} must divide M = ${M} (and the sampler's n = ${n} equal M/m)`,
    );
  }
  const rng = Xoshiro128.fromSeed(1),
    state = sampler.init(rng),
    batch = new Int32Array(m),
    seen = new Int32Array(M);
  for (let epoch = 1; epoch <= 4; epoch++) {
    for (let t = 0; t < n; t++) {
      sampler.next(state, rng, batch);
      for (let k = 0; k < m; k++) {
        const i = batch[k];
        if (!(i >= 0 && i < M) || seen[i] === epoch) {
          throw new ScenarioError(
            'scenario.sampler',
            `SGWORLD needs a without-replacement sampler (each index exactly once per epoch of n = ${n} batches of m = ${m}); this one gave index ${i} twice within an epoch`,
          );
        }
        seen[i] = epoch;
      }
    }
  }
  return n;
}

const eta = {
  type: 'number',
  description: 'η, learning rate (the kick is √(2ηn) z per epoch)',
  default: 1e-6,
  exclusiveMinimum: 0,
} as const;
const needs = 'Needs a without-replacement sampler with m | M.';

export const sgworldInfo = definePlugin({
  kind: 'optimizer',
  name: 'sgworld',
  description:
    "SGWORLD: n = M/m WOR SGD steps, then θ ← θ + √(2ηn) z and the correction θ ← θ + η∇δ𝓛(θ at the epoch's start), " +
    `δ𝓛 = 𝓛̂ − n𝓛 (exact, per-sample Hessians: O(M N²) per epoch). Samples e^{−𝓛} with D″ = ηnI + D̂ (Eq. 38). ${needs}`,
  source: '004 Fig. 5 (right), Eq. 16, 38',
  params: { eta },
  precision: 'float64',
});

export const sgworldUncorrectedInfo = definePlugin({
  kind: 'optimizer',
  name: 'sgworld-uncorrected',
  description: `SGWORLD without the δ𝓛 correction (004 Fig. 6, green): samples e^{−𝓛̂/n}, centred at θ̂₀ = argmin 𝓛̂. ${needs}`,
  source: '004 Fig. 5 (right) without its last line, Fig. 6',
  params: { eta },
  precision: 'float64',
});

export const sgworldLmInfo = definePlugin({
  kind: 'optimizer',
  name: 'sgworld-lm',
  description:
    'Corrected SGWORLD with a Leimkuhler–Matthews kick √(2ηn)(z_τ + z_{τ+1})/2, each z shared by consecutive epochs: ' +
    `the Euler kick's O(ηnh) error in Σ is gone, KL falls like η⁴ (beyond the paper, docs/science.md §7). ${needs}`,
  source: '004 Fig. 5 (right), Eq. 16, 38; Leimkuhler–Matthews kick (docs/science.md §7)',
  params: { eta },
  precision: 'float64',
});
