import type { Observable } from 'rxjs';
import {
  definePlugin,
  ScenarioError,
  type Frame,
  type Landscape,
  type Observer,
  type ParamsOf,
  type RunContext,
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

export const gradientVarianceInfo = definePlugin({
  kind: 'observer',
  name: 'gradient-variance',
  description:
    'Variance of the minibatch gradient averaged over parameters, (1/N) Σ_α Var[∂_α L_B] = (1/N) Σ_α s²_α (M − m)/(m(M − 1)), ' +
    's²_α = (1/M) Σ_i (∂_α ℓ_i − ∂_α L)² over the M samples (exact for m distinct indices drawn uniformly; 000 Eq. 17–18 ' +
    'without the finite-M factor), mean and sd over chains at a schedule of steps. Per-sample gradients are streamed ' +
    '(one-point minibatches, Welford per parameter): M gradient evaluations per recorded point.',
  source: '000 §5 Eq. 17–18, §6 Fig. 2 (middle and bottom rows)',
  params: {
    batchSize: {
      type: 'integer',
      default: 1,
      minimum: 1,
      description: 'm, the minibatch size the variance is for (m = 1: the per-sample variance s²; m = M: 0)',
    },
    ...scheduleParams,
    points: { ...scheduleParams.points, default: 30 },
  },
  precision: 'float64',
  reads: ['theta', 'previous'],
});

/** Streams ∂ℓ_i over i = 1..M through per-parameter Welford sums; returns the mean over α of the population variance s²_α. */
function sampleGradientVariance(
  landscape: Landscape,
  mean: Float64Array,
  m2: Float64Array,
  g: Float64Array,
  one: Int32Array,
) {
  return (theta: Float64Array): number => {
    const n = mean.length,
      M = landscape.dataSize;
    mean.fill(0);
    m2.fill(0);
    for (let i = 0; i < M; i++) {
      one[0] = i;
      landscape.minibatchGradient(theta, one, 1, g); // ∇ℓ_i + ∇R: the constant ∇R drops out of the variance
      for (let a = 0; a < n; a++) {
        const d = g[a] - mean[a];
        mean[a] += d / (i + 1);
        m2[a] += d * (g[a] - mean[a]);
      }
    }
    let s = 0;
    for (let a = 0; a < n; a++) s += m2[a];
    return s / (n * M);
  };
}

/** 'gradient-variance': the minibatch-gradient variance averaged over parameters at recorded steps (000 §6). */
export class GradientVarianceObserver implements Observer<AtStepsPartial, AtStepsResult> {
  private dim = 0;
  private steps: number[] = [];
  private factor = 1;
  private landscape: Landscape | null = null;

  configure(params: ParamsOf<typeof gradientVarianceInfo>, run: RunContext): void {
    this.steps = scheduleFrom(params, run.steps);
    const m = params.batchSize,
      M = run.landscape.dataSize;
    if (m > M)
      throw new ScenarioError(
        'gradient-variance.params.batchSize',
        `must be at most the landscape's M = ${M}, got ${m}`,
      );
    if (M < 2)
      throw new ScenarioError(
        'gradient-variance',
        `needs a landscape with at least two data points, this one has M = ${M}`,
      );
    this.factor = (M - m) / (m * (M - 1)); // Var of the mean of m distinct uniform draws from M values = s²(M − m)/(m(M − 1))
    this.dim = run.dim;
    this.landscape = run.landscape;
  }

  attach(frames: Observable<Frame>): Observable<AtStepsPartial> {
    const { dim, steps, factor, landscape } = this;
    if (!landscape) throw new Error('gradient-variance: attach before configure');
    return frames.pipe(
      reduceFrames(() => {
        const s2 = sampleGradientVariance(
          landscape,
          new Float64Array(dim),
          new Float64Array(dim),
          new Float64Array(dim),
          new Int32Array(1),
        );
        return new AtStepsAccumulator('gradient-variance', dim, steps, (theta) => factor * s2(theta));
      }),
    );
  }

  combine(parts: AtStepsPartial[]): AtStepsPartial {
    return combineAtSteps('gradient-variance', parts);
  }

  result(part: AtStepsPartial): AtStepsResult {
    return atStepsResult(part);
  }
}
