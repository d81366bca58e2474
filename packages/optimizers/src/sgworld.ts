import {
  ScenarioError,
  Xoshiro128,
  definePlugin,
  effectiveGradientEvaluator,
  hasSampleHessian,
  type ChainState,
  type Landscape,
  type ParamsOf,
  type Sampler,
} from '@nesslab/kernel';
import {
  composedOptimizer,
  eulerKick,
  gradientStep,
  leimkuhlerMatthewsKick,
  minibatchGradient,
  type KickRecipe,
  type PeriodCorrection,
} from './compose.ts';

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
 * State per chain: the gradient (N), θ_start (N, corrected only); `sgworld-lm`'s kick adds the carried z (N) and its
 * flag (1).
 */
const sgworld = <K extends ChainState, C extends ChainState>(kick: KickRecipe<K>, correction?: CorrectionRecipe<C>) =>
  composedOptimizer((params: ParamsOf<typeof sgworldInfo>, landscape, sampler) => {
    const eta = params.eta,
      n = checkWithoutReplacement(sampler, landscape.dataSize);
    return {
      gradient: minibatchGradient(landscape, sampler), // ∇L_B + ∇R
      update: gradientStep(eta),
      period: n, // the kick and the correction close each epoch of n steps
      kick: kick(Math.sqrt(2 * eta * n), landscape.dim), // + √(2ηn) z (Fig. 5)
      ...(correction ? { correction: correction(landscape, sampler, eta, n) } : {}),
      // 004 Eq. 38, time in epochs: μ″ = ηI, D″ = ηnI + D̂ (D̂ = O(η⁴)): equilibrium at T = n on n𝓛 (corrected) or 𝓛̂.
      fokkerPlanck: {
        mobility: eta,
        diffusion: 'sgworld: ηnI + D̂ per epoch, D̂ the WOR epoch diffusion (004 Eq. 38; time in epochs)',
        equilibrium: true,
        temperature: n,
        landscape: correction
          ? '𝓛̂^c = n𝓛 (time in epochs): P^s ∝ e^{−n𝓛/n} = e^{−𝓛}, centred at θ₀'
          : '𝓛̂ = n𝓛 + δ𝓛 (004 Eq. 16, time in epochs): P^s ∝ e^{−𝓛̂/n}, centred at θ̂₀ = argmin 𝓛̂, not θ₀',
      },
    };
  });

export const SgworldOptimizer = sgworld(eulerKick, deltaLCorrection);
export type SgworldOptimizer = InstanceType<typeof SgworldOptimizer>;
/** SGWORLD without the δ𝓛 correction (the green curve of 004 Fig. 6). */
export const SgworldUncorrectedOptimizer = sgworld(eulerKick);
export type SgworldUncorrectedOptimizer = InstanceType<typeof SgworldUncorrectedOptimizer>;
/** Corrected SGWORLD with the Leimkuhler–Matthews kick (beyond the paper, docs/science.md §7). */
export const SgworldLmOptimizer = sgworld(leimkuhlerMatthewsKick, deltaLCorrection);
export type SgworldLmOptimizer = InstanceType<typeof SgworldLmOptimizer>;

/** A correction over each epoch, for the configured landscape, sampler, η and n. */
type CorrectionRecipe<C extends ChainState> = (
  landscape: Landscape,
  sampler: Sampler,
  eta: number,
  n: number,
) => PeriodCorrection<C>;

/** θ at the epoch's start, kept for the correction. */
export interface EpochStart extends ChainState {
  readonly thetaStart: Float64Array;
}

/**
 * SGWORLD's last line (004 Fig. 5 right, Eq. 16): θ_start ← θ when an epoch opens; when it closes, after the kick,
 * θ ← θ + η∇δ𝓛(θ_start) = θ + η(∇𝓛̂(θ_start) − n∇𝓛(θ_start)), ∇𝓛̂ exact from the per-sample Hessians.
 */
export function deltaLCorrection(
  landscape: Landscape,
  sampler: Sampler,
  eta: number,
  n: number,
): PeriodCorrection<EpochStart> {
  if (!hasSampleHessian(landscape)) {
    throw new ScenarioError(
      'scenario.landscape',
      "SGWORLD's δ𝓛 correction needs per-sample Hessians (sampleHessian), which this landscape lacks; use sgworld-uncorrected",
    );
  }
  const N = landscape.dim,
    effectiveGradient = effectiveGradientEvaluator(landscape, sampler.batchSize);
  // Per-thread temporaries (not chain state): θ_start, ∇𝓛̂, ∇𝓛.
  const at = new Float64Array(N),
    hat = new Float64Array(N),
    g = new Float64Array(N);
  return {
    layout: { thetaStart: N },
    begin(theta, state) {
      state.thetaStart.set(theta); // θ_{t−n}
    },
    end(theta, state) {
      at.set(state.thetaStart);
      effectiveGradient(at, eta, hat); // ∇𝓛̂(θ_start), Eq. 16
      landscape.gradient(at, g);
      for (let a = 0; a < N; a++) theta[a] += eta * (hat[a] - n * g[a]); // + η∇δ𝓛(θ_{t−n})
    },
  };
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
