import type { Landscape } from './landscape.ts';
import type { Sampler } from './sampler.ts';
import type { Rng } from './rng.ts';

/**
 * An optimizer's per-chain state: named float64 arrays (the gradient, θ at the epoch's start, the carried noise …),
 * made once per chain by `Optimizer.createState`.
 */
export type ChainState = { readonly [name: string]: Float64Array };

/** Everything one chain owns: its parameters, its random stream, its sampler state, its optimizer state. */
export interface Chain<S = unknown, O extends ChainState = ChainState> {
  readonly index: number;
  readonly theta: Float64Array;
  readonly rng: Rng;
  readonly samplerState: S;
  /** The optimizer's state for this chain, as its `createState` made it. */
  readonly state: O;
  readonly batch: Int32Array;
  /** Steps taken so far. */
  step: number;
}

/** Fokker–Planck view of an optimizer (docs/science.md §1), for scenarios that overlay theory. */
export interface FokkerPlanck {
  /** Mobility μ (a scalar times the identity). */
  mobility: number;
  /** Which diffusion matrix applies, by name ('wr-minibatch', 'wor-epoch', …). */
  diffusion: string;
  /**
   * When μ is not a multiple of the identity: the matrix M, in terms of H₀ = ∇²𝓛(θ₀), with μ = mobility·M
   * (earthquake: 'H₀²', so μ = ηH₀², 004 Eq. 33). Absent: μ = mobility·I.
   */
  mobilityMatrix?: string;
  /**
   * True when μ and D satisfy the Einstein relation μ = D/T, so that the stationary state is a Boltzmann
   * distribution ∝ exp(−𝓛_eff/T) with zero probability current (no circulation, C = 0). Absent: not claimed.
   */
  equilibrium?: boolean;
  /** T of that equilibrium (1/β), in the units of the loss (earthquake: ηζ²/2, docs/science.md §7). */
  temperature?: number;
  /**
   * The landscape 𝓛_eff of that equilibrium, in words, when it is not 𝓛 itself (earthquake:
   * 𝓛^quake = 𝓛(θ₀) + ½δθᵀH₀⁻¹δθ, 004 Eq. 34). Absent with `equilibrium`: 𝓛.
   */
  landscape?: string;
}

/**
 * One step on a quadratic landscape as an affine map of the chain's state x = (θ, the optimizer's auxiliary numbers):
 * x′ = A x + b + ξ, ξ ~ N(0, Q); A, Q dim×dim row-major. `IminusA`, when given, is I − A written without cancellation
 * (ηH̄, not 1 − (1 − ηH̄)), so that the stationary moments lose no digits at small η.
 */
export interface AffineStepMap {
  dim: number;
  A: Float64Array;
  b: Float64Array;
  Q: Float64Array;
  IminusA?: Float64Array;
}

/**
 * An update rule over plain Float64Array state (descends the loss).
 * `step` is the hot path: it must not allocate.
 */
export const Optimizer = Symbol.for('nesslab.Optimizer');
export interface Optimizer<O extends ChainState = ChainState> {
  configure(params: Readonly<Record<string, unknown>>, landscape: Landscape, sampler: Sampler): void;
  /**
   * A fresh state for one chain (after `configure`, sized by the landscape): named float64 arrays, made once per chain
   * before its first step, so that `step` allocates nothing and looks nothing up.
   */
  createState(): O;
  /** Names of per-step scalars the optimizer records (written by `step` through `scalars`). */
  readonly scalarNames: readonly string[];
  /** One step of one chain; writes this step's scalars (if any) into scalars[k]. */
  step(chain: Chain<unknown, O>, scalars: Float64Array): void;
  fokkerPlanck?(): FokkerPlanck;
  /**
   * On a quadratic landscape, where the minibatch gradient (with the regulariser) is exactly ∇L_B(θ) = H̄θ − ḡ for the
   * batch's H̄ (N×N, row-major) and ḡ (N): one step as an affine map of the chain's state x = (θ, then `aux` numbers
   * of the optimizer's own state, e.g. the momentum), x′ = A x + b + ξ with ξ ~ N(0, Q) independent of x. A and b
   * must be affine in (H̄, ḡ). Absent: the step is not affine (pSGLD, SGNHT) or carries state across steps that is
   * not in x (sgworld's epoch correction); sgld-lm keeps its carried noise z in x (aux = N), so Q is singular there.
   * It is every step's map once the chain's first step has set what the optimizer starts with (sgld-lm's z₀,
   * sg-baoab's p₀, sgld-cv's θ̂ at 'start'), and that first step applies it too.
   */
  affineStep?(Hbar: Float64Array, gbar: Float64Array): AffineStepMap;
  /**
   * Set (by `configure`) by an optimizer whose `step` is exactly plain SGD at a constant η: sampler.next(samplerState,
   * rng, batch), landscape.minibatchGradient(θ, batch, m, grad), θ[a] −= η·grad[a]; no scalars, no other state. A
   * landscape's fused block runner (`FusedBlocks`) may then take the chain's steps in its place.
   */
  readonly plainSgd?: { readonly eta: number };
}
