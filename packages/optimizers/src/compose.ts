import type {
  AffineStepMap,
  CarriedState,
  Chain,
  ChainState,
  FokkerPlanck,
  Landscape,
  Optimizer,
  Rng,
  Sampler,
} from '@nesslab/kernel';

/**
 * Optimizers by composition, as BlackJAX builds its SG-MCMC kernels: a gradient estimator × an update × a noise kick,
 * plus SGWORLD's correction. One step of one chain (k = chain.step mod period, the position in the period):
 *   k = 0:          correction.begin   (θ_start ← θ)
 *   every step:     gradient.estimate  (state.grad ← ∇L_B(θ) + ∇R(θ), or ∇𝓛(θ), or ∇𝓛(θ + ζz))
 *                   update.apply       (θ ← θ − η·grad, or θ ← θ + σz − η·grad, or through a velocity)
 *   k = period − 1: kick.apply         (θ ← θ + σz, Euler or Leimkuhler–Matthews)
 *                   correction.end     (θ ← θ + η∇δ𝓛(θ_start), 004 Eq. 16)
 * Each part names the per-chain arrays it keeps (`layout`: name → length); the chain's state holds them all, made once.
 */

/** Lengths of a part's named per-chain arrays, by name. */
export type StateLayout = Readonly<Record<string, number>>;

/** Every composition keeps the gradient of the step. */
export interface GradientState extends ChainState {
  readonly grad: Float64Array;
}

/** Writes this step's gradient into state.grad; may draw the minibatch or noise from the chain's own stream. */
export interface GradientEstimator<S extends GradientState = GradientState> {
  readonly layout: StateLayout;
  estimate(chain: Chain<unknown, S>): void;
}

/**
 * Moves θ along the gradient (for an Euler–Maruyama step, also by its noise; with momentum, through its velocity).
 * `scale` = η_k/η, this step's factor from the composition's `schedule` (1 without one): a part that follows a
 * schedule takes its step η·scale and its noise √(2η·scale)·z (schedule.ts); one that ignores it runs at η.
 */
export interface Update<S extends ChainState = ChainState> {
  readonly layout?: StateLayout;
  apply(theta: Float64Array, grad: Float64Array, rng: Rng, state: S, scale: number): void;
}

/** The Langevin kick at the end of each period; `scale` as for an Update (its σ becomes σ√scale). */
export interface Kick<S extends ChainState = ChainState> {
  readonly layout: StateLayout;
  apply(theta: Float64Array, rng: Rng, state: S, scale: number): void;
}

/** η_k/η for the step that chain.step = k − 1 counts before it (schedule.ts); computed per step, allocation-free. */
export type StepSchedule = (stepsBefore: number) => number;

/** What `Optimizer.affineStep` returns (the kernel's contract): x′ = A x + b + ξ, ξ ~ N(0, Q), x = (θ, aux state). */
export type AffineStep = AffineStepMap;

/** A correction over one period: `begin` at its first step, `end` after its last step's kick. */
export interface PeriodCorrection<S extends ChainState = ChainState> {
  readonly layout: StateLayout;
  begin(theta: Float64Array, state: S): void;
  end(theta: Float64Array, state: S): void;
}

/**
 * What an optimizer is made of, for one configured landscape and sampler. Each part types the state it reads; the
 * chain's state is all of them (G & U & K & C).
 */
export interface Composition<
  G extends GradientState = GradientState,
  U extends ChainState = ChainState,
  K extends ChainState = ChainState,
  C extends ChainState = ChainState,
> {
  gradient: GradientEstimator<G>;
  update: Update<U>;
  /** Steps per period: the kick and the correction act at a period's end (default 1: every step). */
  period?: number;
  kick?: Kick<K>;
  correction?: PeriodCorrection<C>;
  /** The Fokker–Planck view of the whole (docs/science.md §1). */
  fokkerPlanck: FokkerPlanck;
  /** A step-size schedule (period 1 only); the parts receive its factor as `scale`. Absent: constant. */
  schedule?: StepSchedule;
  /** The step as an affine map on a quadratic landscape (`Optimizer.affineStep`); dropped when `schedule` is set. */
  affineStep?: (Hbar: Float64Array, gbar: Float64Array) => AffineStep;
  /** Says the whole step is plain SGD at η (`Optimizer.plainSgd`: a landscape may fuse it); dropped with a schedule. */
  plainSgd?: { readonly eta: number };
}

/** The optimizer `composedOptimizer` makes: its parts after `configure`, one-argument `step`, its Fokker–Planck view. */
export interface ComposedOptimizer<S extends GradientState = GradientState> extends Optimizer<S> {
  readonly composition: Composition<S, S, S, S>;
  step(chain: Chain<unknown, S>): void;
  fokkerPlanck(): FokkerPlanck;
  /** The composition's `affineStep`, after `configure`; undefined without one or with a schedule (not homogeneous). */
  affineStep?: (Hbar: Float64Array, gbar: Float64Array) => AffineStep;
}

/**
 * An optimizer plugin class from its recipe: `build` runs in `configure` with the plugin's resolved params, the
 * landscape and the sampler, and returns the parts. `bindPlugin(options, composedOptimizer(build), info)`.
 */
export function composedOptimizer<
  P,
  G extends GradientState,
  U extends ChainState = ChainState,
  K extends ChainState = ChainState,
  C extends ChainState = ChainState,
>(
  build: (params: P, landscape: Landscape, sampler: Sampler) => Composition<G, U, K, C>,
): new () => ComposedOptimizer<G & U & K & C> {
  type S = G & U & K & C;
  return class implements ComposedOptimizer<S> {
    readonly scalarNames: readonly string[] = [];
    composition!: Composition<S, S, S, S>;
    private gradient!: GradientEstimator<S>;
    private update!: Update<S>;
    private kick: Kick<S> | undefined;
    private correction: PeriodCorrection<S> | undefined;
    private period = 1;
    private schedule: StepSchedule | undefined;
    private layout: [string, number][] = [];
    affineStep?: (Hbar: Float64Array, gbar: Float64Array) => AffineStep;
    plainSgd?: { readonly eta: number };

    configure(params: Readonly<Record<string, unknown>>, landscape: Landscape, sampler: Sampler): void {
      const c = build(params as P, landscape, sampler);
      this.composition = c;
      this.gradient = c.gradient;
      this.update = c.update;
      this.kick = c.kick;
      this.correction = c.correction;
      this.period = c.period ?? 1;
      this.schedule = c.schedule;
      if (c.schedule !== undefined && this.period !== 1)
        throw new Error('a step-size schedule needs a composition whose kick acts every step (period 1)');
      this.affineStep = c.schedule === undefined ? c.affineStep : undefined;
      this.plainSgd = c.schedule === undefined ? c.plainSgd : undefined;
      this.layout = mergeLayouts([
        c.gradient.layout,
        c.update.layout ?? {},
        c.kick?.layout ?? {},
        c.correction?.layout ?? {},
      ]);
    }

    createState(): S {
      return Object.fromEntries(this.layout.map(([name, length]) => [name, new Float64Array(length)])) as S;
    }

    step(chain: Chain<unknown, S>): void {
      const theta = chain.theta,
        state = chain.state,
        period = this.period;
      // Position in the period (chain.step counts the steps before this one); no division when every step ends one.
      const k = period === 1 ? 0 : chain.step % period;
      if (k === 0 && this.correction !== undefined) this.correction.begin(theta, state);
      const scale = this.schedule === undefined ? 1 : this.schedule(chain.step); // η_k/η
      this.gradient.estimate(chain);
      this.update.apply(theta, state.grad, chain.rng, state, scale);
      if (k !== period - 1) return;
      if (this.kick !== undefined) this.kick.apply(theta, chain.rng, state, scale);
      if (this.correction !== undefined) this.correction.end(theta, state);
    }

    fokkerPlanck(): FokkerPlanck {
      return this.composition.fokkerPlanck;
    }
  };
}

/** The parts' layouts as one; a name two parts share must have one length (both mean the same array). */
function mergeLayouts(layouts: readonly Readonly<Record<string, number>>[]): [string, number][] {
  const merged = new Map<string, number>();
  for (const layout of layouts)
    for (const [name, length] of Object.entries(layout)) {
      const seen = merged.get(name);
      if (seen !== undefined && seen !== length)
        throw new Error(`optimizer state "${name}": two parts ask for lengths ${seen} and ${length}`);
      merged.set(name, length);
    }
  return [...merged];
}

// ---------------------------------------------------------------------------------------------------------------
// Gradient estimators

/** 004 Eq. 12: ∇L_B(θ) + ∇R(θ), the minibatch B drawn by the sampler from the chain's own state and stream. */
export function minibatchGradient(landscape: Landscape, sampler: Sampler): GradientEstimator {
  const m = sampler.batchSize;
  return {
    layout: { grad: landscape.dim },
    estimate(chain) {
      sampler.next(chain.samplerState, chain.rng, chain.batch);
      landscape.minibatchGradient(chain.theta, chain.batch, m, chain.state.grad);
    },
  };
}

/** ∇𝓛(θ), the full batch: no minibatch is drawn (the sampler is ignored; scenarios pair it with 'full-batch'). */
export function fullBatchGradient(landscape: Landscape): GradientEstimator {
  return {
    layout: { grad: landscape.dim },
    estimate(chain) {
      landscape.gradient(chain.theta, chain.state.grad);
    },
  };
}

/** State of the earthquake estimator: θ + ζz, then the gradient there. */
export interface ShiftedState extends GradientState {
  readonly shifted: Float64Array;
}

/** 004 Eq. 31: ∇𝓛(θ + ζz), z ~ N(0, I) fresh every step from the chain's stream, full batch. */
export function shiftedGradient(landscape: Landscape, zeta: number): GradientEstimator<ShiftedState> {
  const N = landscape.dim;
  return {
    layout: { grad: N, shifted: N },
    estimate(chain) {
      const theta = chain.theta,
        shifted = chain.state.shifted,
        rng = chain.rng;
      for (let a = 0; a < N; a++) shifted[a] = theta[a] + zeta * rng.nextNormal();
      landscape.gradient(shifted, chain.state.grad);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Updates

/** θ ← θ − η·grad (004 Eq. 12); η·scale under a schedule. */
export function gradientStep(eta: number): Update {
  return {
    apply(theta, grad, _rng, _state, scale) {
      const e = eta * scale; // = η exactly when scale = 1
      for (let a = 0; a < theta.length; a++) theta[a] -= e * grad[a];
    },
  };
}

/** Euler–Maruyama of dθ = −∇𝓛 dt + σ dW/√dt per coordinate, in one pass: θ ← θ + (σz − η·grad), z fresh (001 §2). */
export function eulerMaruyamaStep(eta: number, sigma: number): Update {
  return {
    apply(theta, grad, rng, _state, scale) {
      const e = eta * scale,
        s = scale === 1 ? sigma : sigma * Math.sqrt(scale);
      for (let a = 0; a < theta.length; a++) theta[a] += s * rng.nextNormal() - e * grad[a];
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Kicks

/** Euler kick θ ← θ + σz, z ~ N(0, I) fresh (004 Fig. 5); σ√scale under a schedule. */
export function eulerKick(sigma: number): Kick {
  return {
    layout: {},
    apply(theta, rng, _state, scale) {
      const s = scale === 1 ? sigma : sigma * Math.sqrt(scale);
      for (let a = 0; a < theta.length; a++) theta[a] += s * rng.nextNormal();
    },
  };
}

/** The Leimkuhler–Matthews kick's carried noise: z for the next kick, and zReady[0] = 1 once z₀ is drawn. */
export interface CarriedNoise extends ChainState {
  readonly z: Float64Array;
  readonly zReady: Float64Array;
}

/**
 * Leimkuhler–Matthews kick (docs/science.md §7): θ ← θ + σ(z_k + z_{k+1})/2, each z shared by two consecutive kicks;
 * z_{k+1} is carried in the chain's state, and the chain's first kick draws z₀ first.
 */
export function leimkuhlerMatthewsKick(sigma: number, dim: number): Kick<CarriedNoise> {
  const half = sigma / 2;
  return {
    layout: { z: dim, zReady: 1 },
    apply(theta, rng, state, scale) {
      const halfK = scale === 1 ? half : half * Math.sqrt(scale), // σ_k/2 under a schedule
        carried = state.z,
        N = theta.length;
      if (state.zReady[0] === 0) {
        for (let a = 0; a < N; a++) carried[a] = rng.nextNormal(); // z₀, once per chain
        state.zReady[0] = 1;
      }
      for (let a = 0; a < N; a++) {
        const z = rng.nextNormal();
        theta[a] += halfK * (carried[a] + z);
        carried[a] = z;
      }
    },
  };
}

/**
 * What the Leimkuhler–Matthews kick carries from one period into the next, for the kernel's `exactStationaryWOR`: z
 * joins θ in the epoch map's state x, and a state made for probing counts z as drawn (zReady = 1).
 */
export const carriedNoise: CarriedState = {
  names: ['z'],
  prepare: (state) => state.zReady!.fill(1),
};

/** A kick for a given σ and dim N: `eulerKick` or `leimkuhlerMatthewsKick`, the variants of SGLD and SGWORLD. */
export type KickRecipe<K extends ChainState = ChainState> = (sigma: number, dim: number) => Kick<K>;
