import type { Observable } from 'rxjs';
import { definePlugin, type Frame, type Observer, type ParamsOf, type RunContext } from '@nesslab/kernel';
import { recordedSteps } from '../relative-loss/relative-loss.ts';
import { reduceFrames } from '../chain-group.ts';
import {
  AtStepsAccumulator,
  atStepsResult,
  combineAtSteps,
  scheduleParams,
  type AtStepsPartial,
  type AtStepsResult,
} from '../activation-rate/at-steps.ts';

export const gradientNormInfo = definePlugin({
  kind: 'observer',
  name: 'gradient-norm',
  description:
    "Norm |∇𝓛(θ)|₂ of the full-batch gradient (the landscape's `gradient`, regulariser included), mean and sd over chains at a " +
    'schedule of steps (step 0 plus `points` steps, log- or linearly spaced, in units of `every` steps): how far SGD stays from ' +
    'a critical point. One full-batch gradient (M per-sample gradients) per chain and recorded step.',
  source: '003 Fig. 3c, Remark 18',
  params: {
    ...scheduleParams,
    every: {
      type: 'integer',
      default: 1,
      minimum: 1,
      description:
        "Record only at multiples of `every` steps (the steps of an epoch: WOR SGD's full gradient is smaller at epoch ends, where every sample has been seen once, than mid-epoch)",
    },
  },
  precision: 'float64',
  reads: ['theta', 'previous'],
});

/** 'gradient-norm': |∇𝓛| at recorded steps (003 Fig. 3c: it stays large after SGD reaches its steady state). */
export class GradientNormObserver implements Observer<AtStepsPartial, AtStepsResult> {
  private dim = 0;
  private steps: number[] = [];
  private run: RunContext | null = null;

  configure(params: ParamsOf<typeof gradientNormInfo>, run: RunContext): void {
    const { every, points, spacing } = params;
    this.steps = recordedSteps(points, Math.floor(run.steps / every), spacing).map((k) => k * every); // the schedule in units of `every`
    this.dim = run.dim;
    this.run = run;
  }

  attach(frames: Observable<Frame>): Observable<AtStepsPartial> {
    const { dim, steps } = this,
      landscape = this.run?.landscape;
    if (!landscape) throw new Error('gradient-norm: attach before configure');
    return frames.pipe(
      reduceFrames(() => {
        const g = new Float64Array(dim); // one buffer per accumulator, reused at every recorded step
        return new AtStepsAccumulator('gradient-norm', dim, steps, (theta) => {
          landscape.gradient(theta, g);
          let s = 0;
          for (let a = 0; a < dim; a++) s += g[a] * g[a];
          return Math.sqrt(s);
        });
      }),
    );
  }

  combine(parts: AtStepsPartial[]): AtStepsPartial {
    return combineAtSteps('gradient-norm', parts);
  }

  result(part: AtStepsPartial): AtStepsResult {
    return atStepsResult(part);
  }
}
