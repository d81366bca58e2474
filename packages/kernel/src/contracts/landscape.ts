import type { NessTheory } from '../theory/ness.ts';

/**
 * A loss landscape 𝓛(θ) = L(θ) + R(θ), L = (1/M) Σ_i ℓ_i (docs/science.md notation).
 * Every method writes into a caller's Float64Array and allocates nothing: they run in the hot loop.
 * Gradients point uphill (descent subtracts them).
 */
export const Landscape = Symbol.for('nesslab.Landscape');
export interface Landscape {
  /** N, the number of parameters. Valid after `configure`. */
  readonly dim: number;
  /** M, the number of data points. */
  readonly dataSize: number;
  /** Reads the plugin's parameters (already defaulted and validated by its PluginInfo schema). */
  configure(params: Readonly<Record<string, unknown>>, seed: number): void;
  /** 𝓛(θ) = L(θ) + R(θ). */
  loss(theta: Float64Array): number;
  /** ∇𝓛(θ) = ∇L + ∇R, full batch. */
  gradient(theta: Float64Array, out: Float64Array): void;
  /** ∇L_B(θ) + ∇R(θ) with L_B = (1/m) Σ_{i∈B} ℓ_i, B = batch[0..m): the stochastic gradient SGD descends (004 Eq. 12). */
  minibatchGradient(theta: Float64Array, batch: Int32Array, m: number, out: Float64Array): void;
  /** Row i of out (M×N, row-major) = ∇ℓ_i(θ), the per-sample loss alone (no regulariser: it carries no noise). */
  sampleGradients(theta: Float64Array, out: Float64Array): void;
  /** ∇R(θ). */
  regulariserGradient(theta: Float64Array, out: Float64Array): void;
  /** Hessian of 𝓛 (N×N row-major). */
  hessian(theta: Float64Array, out: Float64Array): void;
  /**
   * ∇²ℓ_i(θ), the N×N (row-major) Hessian of the per-sample loss ℓ_i alone (no regulariser), so that
   * (1/M) Σ_i ∇²ℓ_i + ∇²R = `hessian`. Optional: the WOR theory (theory/wor.ts) needs it for Σ_i ∇²ℓ_i ∇ℓ_i.
   */
  sampleHessian?(theta: Float64Array, i: number, out: Float64Array): void;
  /**
   * Optional fast path of the kernel's `nessTheory` (H₀, D₀, Σ, C of WR SGD at θ₀, Eq. 14, 21–25) that exploits the
   * landscape's structure (mnist-linear: block-diagonal H₀, sparse inputs); it must agree with the generic formulas to
   * round-off. The kernel's `nessTheory` calls it when present.
   */
  nessTheory?(theta0: Float64Array, eta: number, batchSize: number): NessTheory;
  /**
   * Optional fast path of the kernel's `diffusionWR` (D of WR minibatches, Eq. 14, N×N) without the M×N per-sample
   * gradients; it must agree with `diffusionWRFromSamples` to round-off. The kernel's `diffusionWR` calls it when present.
   */
  diffusionWR?(theta: Float64Array, eta: number, batchSize: number): Float64Array;
  /**
   * Named blocks of θ as [start, length] (a two-layer net: { W: [0, N_h·d], b: […], V: […] }), so that observers can
   * measure one block (e.g. |V|₂) without knowing the landscape's class. Optional.
   */
  blocks?(): Readonly<Record<string, readonly [number, number]>>;
  /**
   * For a net with one ReLU hidden layer: the fraction of hidden units with pre-activation Wx + b > 0, averaged over
   * the M inputs (000 Eq. 14). Optional; off the hot loop (observers call it at recorded steps).
   */
  activationRate?(theta: Float64Array): number;
  /** A starting point for chains that start "at random", as the landscape's paper does; draws from `normal`. */
  randomInit?(out: Float64Array, normal: () => number): void;
  /** Where Newton starts to find the minimum θ₀ the landscape's paper works at (optional). */
  minimumStart?(out: Float64Array): void;
  /** Asynchronous set-up before `configure` (e.g. choosing a tfjs backend); awaited once per thread. */
  prepare?(): Promise<void>;
  /** The |∇𝓛| Newton may stop at, when the gradient is computed in less than float64 (e.g. 1e-3 for float32 autodiff). */
  readonly gradientTolerance?: number;
  /** What the landscape chose at run time (e.g. { backend: 'wasm' }), reported in results.json. */
  runtime?(): Record<string, unknown>;
}
