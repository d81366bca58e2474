/**
 * A loss landscape 𝓛(θ) = L(θ) + R(θ), L = (1/M) Σ_i ℓ_i (docs/science.md notation).
 * Every method writes into a caller's Float64Array and allocates nothing: they run in the hot loop.
 * Gradients point uphill (descent subtracts them). What only some landscapes can do (per-sample Hessians, a fast NESS
 * theory, named blocks, a ReLU activation rate, a random or a Newton start) are the small interfaces of
 * capabilities.ts, each with its type guard (`hasSampleHessian(landscape)`).
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
  /** Asynchronous set-up before `configure` (e.g. choosing a tfjs backend); awaited once per thread. */
  prepare?(): Promise<void>;
  /** The |∇𝓛| Newton may stop at, when the gradient is computed in less than float64 (e.g. 1e-3 for float32 autodiff). */
  readonly gradientTolerance?: number;
  /** What the landscape chose at run time (e.g. { backend: 'wasm' }), reported in results.json. */
  runtime?(): Record<string, unknown>;
}
