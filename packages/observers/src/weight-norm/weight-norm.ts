import type { Observable } from 'rxjs';
import {
  definePlugin,
  ScenarioError,
  type Frame,
  type Observer,
  type ParamsOf,
  type RunContext,
  preview,
  hasBlocks,
} from '@nesslab/kernel';
import { reduceFrames } from '../chain-group.ts';
import {
  AtStepsAccumulator,
  atStepsResult,
  combineAtSteps,
  scheduleFrom,
  scheduleParams,
  type AtStepsPartial,
  type AtStepsResult,
} from '../activation-rate/at-steps.ts';

export const weightNormInfo = definePlugin({
  kind: 'observer',
  name: 'weight-norm',
  description:
    "L2 norm |θ_block|₂ of one named parameter block (default V, the second layer: 000's weight norm), mean and sd over " +
    'chains at a schedule of steps (step 0 plus `points` steps, log- or linearly spaced). The block comes from the ' +
    "landscape's `blocks()` (relu-classifier: W, b, V).",
  source: '000 §5 (Eq. 27–28: V² is suppressed), Fig. 4, 6, 8, 10',
  params: {
    block: {
      type: 'string',
      default: 'V',
      description: 'Name of the parameter block whose L2 norm is recorded (relu-classifier: W, b or V)',
    },
    ...scheduleParams,
  },
  precision: 'float64',
  reads: ['theta', 'previous'],
});

/** 'weight-norm': |V|₂ (or another named block's norm) at recorded steps (000 Fig. 4). */
export class WeightNormObserver implements Observer<AtStepsPartial, AtStepsResult> {
  private dim = 0;
  private steps: number[] = [];
  private start = 0;
  private length = 0;

  configure(params: ParamsOf<typeof weightNormInfo>, run: RunContext): void {
    this.steps = scheduleFrom(params, run.steps);
    const block = params.block;
    const landscape = run.landscape;
    if (!hasBlocks(landscape))
      throw new ScenarioError(
        'weight-norm',
        'needs a landscape that names its parameter blocks (NamedBlocks, e.g. relu-classifier)',
      );
    const blocks = landscape.blocks();
    if (!Object.hasOwn(blocks, block)) {
      throw new ScenarioError(
        'weight-norm.params.block',
        `must be one of ${Object.keys(blocks)
          .map((b) => `'${b}'`)
          .join(', ')}, got ${preview(block)}`,
      );
    }
    [this.start, this.length] = blocks[block];
    if (this.start < 0 || this.length < 1 || this.start + this.length > run.dim)
      throw new Error(`weight-norm: block ${block} = [${blocks[block]}] lies outside θ (dim ${run.dim})`);
    this.dim = run.dim;
  }

  attach(frames: Observable<Frame>): Observable<AtStepsPartial> {
    const { dim, steps, start, length } = this;
    const norm = (theta: Float64Array) => {
      let s = 0;
      for (let a = start; a < start + length; a++) s += theta[a] * theta[a];
      return Math.sqrt(s);
    };
    return frames.pipe(reduceFrames(() => new AtStepsAccumulator('weight-norm', dim, steps, norm)));
  }

  combine(parts: AtStepsPartial[]): AtStepsPartial {
    return combineAtSteps('weight-norm', parts);
  }

  result(part: AtStepsPartial): AtStepsResult {
    return atStepsResult(part);
  }
}
