import type { Observable } from 'rxjs';
import {
  definePlugin,
  ScenarioError,
  type Frame,
  type Landscape,
  type Observer,
  type ParamsOf,
  type RunContext,
  hasActivationRate,
  type ReluActivation,
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
} from './at-steps.ts';

export const activationRateInfo = definePlugin({
  kind: 'observer',
  name: 'activation-rate',
  description:
    "Activation rate σ̄′ = (1/N_h) Σ_k E_x 1[W_k·x + b_k > 0] (000 Eq. 14), the average over the landscape's M inputs, " +
    'mean and sd over chains at a schedule of steps (step 0 plus `points` steps, log- or linearly spaced). Needs a ' +
    'landscape with `activationRate` (relu-classifier).',
  source: '000 Eq. 14, Fig. 2 (top), 3, 5, 7, 9',
  params: scheduleParams,
  precision: 'float64',
  reads: ['theta', 'previous'],
});

/** 'activation-rate': σ̄′ of 000 Eq. 14 at recorded steps; the landscape computes it (it holds the inputs x_i). */
export class ActivationRateObserver implements Observer<AtStepsPartial, AtStepsResult> {
  private dim = 0;
  private steps: number[] = [];
  private landscape: (Landscape & ReluActivation) | null = null;

  configure(params: ParamsOf<typeof activationRateInfo>, run: RunContext): void {
    this.steps = scheduleFrom(params, run.steps);
    const landscape = run.landscape;
    if (!hasActivationRate(landscape)) {
      throw new ScenarioError(
        'activation-rate',
        'needs a landscape with a ReLU hidden layer that reports its activation rate (ReluActivation, e.g. relu-classifier)',
      );
    }
    this.dim = run.dim;
    this.landscape = landscape;
  }

  attach(frames: Observable<Frame>): Observable<AtStepsPartial> {
    const { dim, steps, landscape } = this;
    if (!landscape) throw new Error('activation-rate: attach before configure');
    return frames.pipe(
      reduceFrames(
        () => new AtStepsAccumulator('activation-rate', dim, steps, (theta) => landscape.activationRate(theta)),
      ),
    );
  }

  combine(parts: AtStepsPartial[]): AtStepsPartial {
    return combineAtSteps('activation-rate', parts);
  }

  result(part: AtStepsPartial): AtStepsResult {
    return atStepsResult(part);
  }
}
