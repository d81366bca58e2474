// The sampled series of 003 Fig. 3, shared by `fft` and `autocorrelation`: states every `every` steps (one epoch)
// after burnIn, θ_{burnIn + j·every}, j = 0 … W, and per weight the W increments x_j = θ_{k_{j+1}} − θ_{k_j}
// (or the W states j = 1 … W). Every weight of every chain is stored: chains × N × W doubles.
import { ScenarioError, type Frame, type ParamSpec, type RunContext } from '@nesslab/kernel';
import { ChainAccumulator, type ChainPart } from '../chain-group.ts';

/** Largest stored window over the whole run, chains × N × W doubles: 2^27 doubles = 1 GiB. */
export const MAX_WINDOW_DOUBLES = 2 ** 27;

export const windowParams = {
  every: {
    type: 'integer',
    default: 1,
    minimum: 1,
    description: 'Steps per epoch: a state is sampled every `every` steps (003 Fig. 3 samples once per epoch)',
  },
  burnIn: {
    type: 'integer',
    default: 0,
    minimum: 0,
    description: 'The first sampled state is θ after step burnIn (0: the initial state)',
  },
  window: {
    type: 'integer',
    default: 256,
    minimum: 2,
    description:
      'W, the sampled increments per weight; the run needs burnIn + every·W steps. Memory: chains·N·W doubles (≤ 2^27)',
  },
} as const satisfies Record<string, ParamSpec>;

export interface WindowSettings {
  every: number;
  burnIn: number;
  window: number;
}

/** Reads the resolved every / burnIn / window, checks that the run is long enough and the window fits in memory. */
export function windowSettings(name: string, params: Readonly<WindowSettings>, run: RunContext): WindowSettings {
  const { every, burnIn, window } = params;
  if (burnIn + every * window > run.steps) {
    throw new ScenarioError(
      `${name}.params.window`,
      `needs burnIn + every·window = ${burnIn} + ${every}·${window} = ${burnIn + every * window} steps, the run has ${run.steps}`,
    );
  }
  const doubles = run.chains * run.dim * window;
  if (doubles > MAX_WINDOW_DOUBLES) {
    throw new ScenarioError(
      `${name}.params.window`,
      `stores chains·N·window = ${run.chains}·${run.dim}·${window} = ${doubles} doubles (${(doubles / 2 ** 27).toFixed(1)} GiB); at most 2^27 (1 GiB): lower window, chains or N`,
    );
  }
  return { every, burnIn, window };
}

/**
 * Fills series[(c·N + α)·W + j] for the chains of one frame stream; the subclass reduces the full window in `partial`.
 * `states`: store θ_{k_{j+1}} itself instead of the increment.
 */
export abstract class EpochWindowAccumulator<P extends ChainPart> extends ChainAccumulator<P> {
  protected series = new Float64Array(0);
  private last = new Float64Array(0);
  private sampled = 0;
  private nextSample: number;

  constructor(
    name: string,
    dim: number,
    protected readonly settings: WindowSettings,
    private readonly states = false,
  ) {
    super(name, dim);
    this.nextSample = settings.burnIn;
  }

  protected allocate(chains: number): void {
    this.series = new Float64Array(chains * this.dim * this.settings.window);
    this.last = new Float64Array(chains * this.dim);
    this.allocateReduction(chains);
  }

  protected abstract allocateReduction(chains: number): void;

  protected addBlock(f: Frame): void {
    const n = f.dim,
      W = this.settings.window,
      lastStep = f.stepStart + f.steps - 1;
    const series = this.series,
      last = this.last;
    // A sampled step before this block was read in an earlier one, so k ≥ stepStart − 1 (the block's `previous`).
    while (this.sampled <= W && this.nextSample <= lastStep) {
      const k = this.nextSample,
        j = this.sampled - 1;
      const fromPrevious = k === f.stepStart - 1;
      for (let c = 0; c < f.chains; c++) {
        const src = fromPrevious ? f.previous : f.theta;
        const at = fromPrevious ? c * n : (c * f.blockSize + (k - f.stepStart)) * n;
        for (let a = 0; a < n; a++) {
          const x = src[at + a],
            i = c * n + a;
          if (j >= 0) series[i * W + j] = this.states ? x : x - last[i]; // x_j = θ_{k_{j+1}} − θ_{k_j}
          last[i] = x;
        }
      }
      this.sampled++;
      this.nextSample += this.settings.every;
    }
  }

  /** Throws unless all W + 1 states were seen (configure checked the run length; a short stream is a bug). */
  protected checkFull(): void {
    if (this.chains > 0 && this.sampled <= this.settings.window) {
      throw new Error(
        `${this.name}: the frames ended after ${this.sampled} of the ${this.settings.window + 1} sampled states`,
      );
    }
  }
}
