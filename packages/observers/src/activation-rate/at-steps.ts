import type { Frame, ParamSpec } from '@nesslab/kernel';
import { ChainAccumulator, concatChains, type ChainPart } from '../chain-group.ts';
import { recordedSteps, type Spacing } from '../relative-loss/relative-loss.ts';

// Shared by activation-rate, weight-norm and gradient-variance: one scalar of θ per chain at a schedule of steps.

/** The schedule's params, as relative-loss has them. */
export const scheduleParams = {
  points: {
    type: 'integer',
    default: 100,
    minimum: 1,
    description:
      'Recorded steps between step 1 and the last step (plus step 0; duplicates after rounding are dropped).',
  },
  spacing: {
    type: 'string',
    default: 'log',
    enum: ['log', 'linear'],
    description: 'Spacing of the recorded steps: log (for a log step axis) or linear.',
  },
} as const satisfies Record<'points' | 'spacing', ParamSpec>;

/** The recorded steps from the resolved `points` and `spacing` params (relative-loss's `recordedSteps`). */
export function scheduleFrom(params: { readonly points: number; readonly spacing: Spacing }, steps: number): number[] {
  return recordedSteps(params.points, steps, params.spacing);
}

/** Per chain of a chain range: values[c·K + j] = the scalar at θ of chain c at step steps[j] (NaN if never reached). */
export interface AtStepsPartial extends ChainPart {
  steps: number[];
  values: Float64Array;
}

export interface AtStepsResult {
  steps: number[];
  /** Mean over chains, in chain order. */
  mean: number[];
  /** Sample sd over chains (n − 1; NaN with one chain). */
  sd: number[];
  chains: number;
}

/** Records measure(θ) at the scheduled steps; θ is copied into a scratch array (the frame is reused), nothing allocated per block. */
export class AtStepsAccumulator extends ChainAccumulator<AtStepsPartial> {
  private values = new Float64Array(0);
  private readonly scratch: Float64Array;

  constructor(
    name: string,
    dim: number,
    private readonly steps: number[],
    private readonly measure: (theta: Float64Array) => number,
  ) {
    super(name, dim);
    this.scratch = new Float64Array(dim);
  }

  protected allocate(chains: number): void {
    this.values = new Float64Array(chains * this.steps.length).fill(NaN);
  }

  protected addBlock(f: Frame): void {
    const steps = this.steps,
      K = steps.length,
      end = f.stepStart + f.steps;
    if (f.stepStart === 1 && steps[0] === 0) this.record(f.previous, 0, f.dim, f.chains, 0);
    let j = 0;
    while (j < K && steps[j] < f.stepStart) j++;
    for (; j < K && steps[j] < end; j++)
      this.record(f.theta, (steps[j] - f.stepStart) * f.dim, f.blockSize * f.dim, f.chains, j);
  }

  private record(source: Float64Array, at: number, stride: number, chains: number, j: number): void {
    const x = this.scratch,
      n = this.dim,
      K = this.steps.length;
    for (let c = 0; c < chains; c++) {
      const o = at + c * stride;
      for (let a = 0; a < n; a++) x[a] = source[o + a];
      this.values[c * K + j] = this.measure(x);
    }
  }

  partial(): AtStepsPartial {
    return { dim: this.dim, chainStart: this.chainStart, chains: this.chains, steps: this.steps, values: this.values };
  }
}

export const combineAtSteps = (name: string, parts: AtStepsPartial[]): AtStepsPartial =>
  concatChains(name, parts, ['values'], ['steps']);

/** Mean and sd (n − 1) over chains, in chain-index order, at each recorded step. */
export function atStepsResult(part: AtStepsPartial): AtStepsResult {
  const K = part.steps.length,
    chains = part.chains,
    mean: number[] = [],
    sd: number[] = [];
  for (let j = 0; j < K; j++) {
    let sum = 0;
    for (let c = 0; c < chains; c++) sum += part.values[c * K + j];
    const m = sum / chains;
    let ss = 0;
    for (let c = 0; c < chains; c++) ss += (part.values[c * K + j] - m) ** 2;
    mean.push(m);
    sd.push(chains > 1 ? Math.sqrt(ss / (chains - 1)) : NaN);
  }
  return { steps: part.steps.slice(), mean, sd, chains };
}
