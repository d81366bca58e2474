// What some landscapes can do beyond the Landscape contract: one small interface and one type guard per capability,
// so that an observer or a theory asks `hasActivationRate(landscape)` instead of the contract growing an optional
// member per user. A landscape class just implements the methods; nothing is registered.
import type { Landscape } from './landscape.ts';
import type { Chain, Optimizer } from './optimizer.ts';
import type { Sampler } from './sampler.ts';

/** WR SGD's stationary state at θ₀ (004 §3.3, App. A and C). Matrices are N×N row-major. */
export interface NessTheory {
  /** H₀, the Hessian of 𝓛 at θ₀ (symmetrised). */
  hessian: Float64Array;
  /** D₀ = D(θ₀), Eq. 14. */
  diffusion: Float64Array;
  /** Stationary covariance Σ, Eq. 21–23. */
  sigma: Float64Array;
  /** Circulation C, Eq. 25. */
  circulation: Float64Array;
  /** Eigenvalues h_α of H₀, ascending. */
  eigenvalues: Float64Array;
}

/**
 * ∇²ℓ_i(θ), the N×N (row-major) Hessian of the per-sample loss ℓ_i alone (no regulariser), so that
 * (1/M) Σ_i ∇²ℓ_i + ∇²R = `hessian`. The WOR theory (theory/wor.ts, 004 App. B) and `sgworld` need it.
 */
export interface PerSampleHessian {
  sampleHessian(theta: Float64Array, i: number, out: Float64Array): void;
}
export const hasSampleHessian = <L extends Landscape>(l: L): l is L & PerSampleHessian =>
  typeof (l as Partial<PerSampleHessian>).sampleHessian === 'function';

/**
 * A fast path of the kernel's `nessTheory` (H₀, D₀, Σ, C of WR SGD at θ₀, Eq. 14, 21–25) that exploits the landscape's
 * structure (mnist-linear: block-diagonal H₀, sparse inputs); it must agree with the generic formulas to round-off.
 */
export interface NessFastPath {
  nessTheory(theta0: Float64Array, eta: number, batchSize: number): NessTheory;
}
export const hasNessFastPath = <L extends Landscape>(l: L): l is L & NessFastPath =>
  typeof (l as Partial<NessFastPath>).nessTheory === 'function';

/**
 * A fast path of the kernel's `diffusionWR` (D of WR minibatches, Eq. 14, N×N) without the M×N per-sample gradients;
 * it must agree with `diffusionWRFromSamples` to round-off.
 */
export interface DiffusionFastPath {
  diffusionWR(theta: Float64Array, eta: number, batchSize: number): Float64Array;
}
export const hasDiffusionFastPath = <L extends Landscape>(l: L): l is L & DiffusionFastPath =>
  typeof (l as Partial<DiffusionFastPath>).diffusionWR === 'function';

/**
 * Named blocks of θ as [start, length] (a two-layer net: { W: [0, N_h·d], b: […], V: […] }), so that observers can
 * measure one block (e.g. |V|₂, 000 Fig. 4) without knowing the landscape's class.
 */
export interface NamedBlocks {
  blocks(): Readonly<Record<string, readonly [number, number]>>;
}
export const hasBlocks = <L extends Landscape>(l: L): l is L & NamedBlocks =>
  typeof (l as Partial<NamedBlocks>).blocks === 'function';

/**
 * For a net with one ReLU hidden layer: the fraction of hidden units with pre-activation Wx + b > 0, averaged over
 * the M inputs (000 Eq. 14). Off the hot loop (observers call it at recorded steps).
 */
export interface ReluActivation {
  activationRate(theta: Float64Array): number;
}
export const hasActivationRate = <L extends Landscape>(l: L): l is L & ReluActivation =>
  typeof (l as Partial<ReluActivation>).activationRate === 'function';

/** A starting point for chains that start "at random", as the landscape's paper does; draws from `normal`. */
export interface RandomStart {
  randomInit(out: Float64Array, normal: () => number): void;
}
export const hasRandomStart = <L extends Landscape>(l: L): l is L & RandomStart =>
  typeof (l as Partial<RandomStart>).randomInit === 'function';

/** Where Newton starts to find the minimum θ₀ the landscape's paper works at. */
export interface MinimumStart {
  minimumStart(out: Float64Array): void;
}
export const hasMinimumStart = <L extends Landscape>(l: L): l is L & MinimumStart =>
  typeof (l as Partial<MinimumStart>).minimumStart === 'function';

/**
 * Steps one chain a whole block at a time in place of `optimizer.step` (run-chains.ts): the same bits in θ, in the
 * chain's stream and sampler state, and in the frame, as `steps` calls of the optimizer's `step` would leave.
 */
export interface FusedBlockRunner {
  /**
   * Takes `steps` steps of `chain` (advancing chain.step), writing θ after step s to out[offset + s·dim …]. Returns
   * false, having done nothing, when it cannot take this chain (then the engine steps it generically).
   */
  run(chain: Chain, steps: number, out: Float64Array, offset: number): boolean;
}

/**
 * A landscape that can fuse whole blocks of some (sampler, optimizer) pairs (tanh-regression: WR and WOR SGD, declared by
 * `Sampler.draw` and `Optimizer.plainSgd`). Returns undefined for any other pair; it must agree with the generic path
 * bit for bit.
 */
export interface FusedBlocks {
  fusedBlockRunner(sampler: Sampler, optimizer: Optimizer): FusedBlockRunner | undefined;
}
export const hasFusedBlocks = <L extends Landscape>(l: L): l is L & FusedBlocks =>
  typeof (l as Partial<FusedBlocks>).fusedBlockRunner === 'function';
