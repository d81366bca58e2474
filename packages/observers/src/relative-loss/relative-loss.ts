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
import { ChainAccumulator, concatChains, reduceFrames, type ChainPart } from '../chain-group.ts';

export type Spacing = 'log' | 'linear';

export const relativeLossInfo = definePlugin({
  kind: 'observer',
  name: 'relative-loss',
  description:
    "Relative loss 𝓛(θ)/𝓛(θ₀) − 1 against the run's reference point θ₀, mean and sd over chains at a schedule of steps " +
    '(step 0 plus `points` steps from 1 to the last, log- or linearly spaced); the full-batch loss is computed only there.',
  source: '004 Fig. 1C',
  params: {
    points: {
      type: 'integer',
      default: 200,
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
  },
  reads: ['theta', 'reference'],
  precision: 'float64',
});

/**
 * The recorded steps: 0, then `points` steps from 1 to `steps` spaced evenly in log(step) or in step,
 * rounded to integers, deduplicated, increasing.
 */
export function recordedSteps(points: number, steps: number, spacing: Spacing): number[] {
  const out = [0];
  if (steps < 1) return out;
  const logLast = Math.log(steps);
  for (let i = 0; i < points; i++) {
    const t = points === 1 ? 1 : i / (points - 1);
    const raw = spacing === 'log' ? Math.exp(t * logLast) : 1 + t * (steps - 1);
    const s = Math.min(steps, Math.max(1, Math.round(raw)));
    if (s > out[out.length - 1]) out.push(s);
  }
  return out;
}

/** Per chain of a chain range: loss[c·K + j] = 𝓛(θ of chain c at step steps[j]) (NaN if the run never got there). */
export interface RelativeLossPartial extends ChainPart {
  steps: number[];
  referenceLoss: number;
  loss: Float64Array;
}

export interface RelativeLossResult {
  steps: number[];
  /** Mean over chains of 𝓛(θ)/𝓛(θ₀) − 1 at each recorded step. */
  mean: number[];
  /** Sample sd over chains (n − 1; NaN with one chain). */
  sd: number[];
  /** 𝓛(θ₀). */
  referenceLoss: number;
  chains: number;
}

class RelativeLossAccumulator extends ChainAccumulator<RelativeLossPartial> {
  private loss = new Float64Array(0);
  private readonly scratch: Float64Array;

  constructor(
    dim: number,
    private readonly landscape: Landscape,
    private readonly steps: number[],
    private readonly referenceLoss: number,
  ) {
    super('relative-loss', dim);
    this.scratch = new Float64Array(dim);
  }

  protected allocate(chains: number): void {
    this.loss = new Float64Array(chains * this.steps.length).fill(NaN);
  }

  protected addBlock(f: Frame): void {
    const steps = this.steps,
      K = steps.length;
    if (f.stepStart === 1 && steps[0] === 0) this.record(f.previous, 0, f.dim, f.chains, 0);
    const end = f.stepStart + f.steps;
    for (let j = lowerBound(steps, f.stepStart); j < K && steps[j] < end; j++) {
      this.record(f.theta, (steps[j] - f.stepStart) * f.dim, f.blockSize * f.dim, f.chains, j);
    }
  }

  /** loss[c·K + j] = 𝓛(source[at + c·stride …]) for every chain; θ is copied into a scratch array, not viewed. */
  private record(source: Float64Array, at: number, stride: number, chains: number, j: number): void {
    const x = this.scratch,
      n = this.dim,
      K = this.steps.length;
    for (let c = 0; c < chains; c++) {
      const o = at + c * stride;
      for (let a = 0; a < n; a++) x[a] = source[o + a];
      this.loss[c * K + j] = this.landscape.loss(x);
    }
  }

  partial(): RelativeLossPartial {
    return {
      dim: this.dim,
      chainStart: this.chainStart,
      chains: this.chains,
      steps: this.steps,
      referenceLoss: this.referenceLoss,
      loss: this.loss,
    };
  }
}

/** First index j with sorted[j] ≥ value. */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0,
    hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** 'relative-loss': 𝓛(θ)/𝓛(θ₀) − 1 at a log- (or linearly) spaced set of steps (004 Fig. 1C). Needs `run.reference`. */
export class RelativeLossObserver implements Observer<RelativeLossPartial, RelativeLossResult> {
  private dim = 0;
  private steps: number[] = [];
  private referenceLoss = NaN;
  private landscape: Landscape | null = null;

  configure(params: ParamsOf<typeof relativeLossInfo>, run: RunContext): void {
    const { points, spacing } = params;
    if (!run.reference) {
      throw new ScenarioError(
        'relative-loss',
        "needs the run's reference point θ₀ (run.reference) for 𝓛(θ)/𝓛(θ₀) − 1; this run has none",
      );
    }
    if (run.reference.length !== run.dim) {
      throw new ScenarioError(
        'relative-loss',
        `run.reference has ${run.reference.length} components, the run has dim ${run.dim}`,
      );
    }
    const referenceLoss = run.landscape.loss(Float64Array.from(run.reference));
    if (!Number.isFinite(referenceLoss) || referenceLoss === 0) {
      throw new ScenarioError(
        'relative-loss',
        `𝓛(θ₀) = ${referenceLoss}: the relative loss needs a finite, non-zero loss at the reference point`,
      );
    }
    this.dim = run.dim;
    this.steps = recordedSteps(points, run.steps, spacing);
    this.referenceLoss = referenceLoss;
    this.landscape = run.landscape;
  }

  attach(frames: Observable<Frame>): Observable<RelativeLossPartial> {
    const { dim, steps, referenceLoss, landscape } = this;
    if (!landscape) throw new Error('relative-loss: attach before configure');
    return frames.pipe(reduceFrames(() => new RelativeLossAccumulator(dim, landscape, steps, referenceLoss)));
  }

  combine(parts: RelativeLossPartial[]): RelativeLossPartial {
    return concatChains('relative-loss', parts, ['loss'], ['steps', 'referenceLoss']);
  }

  result(part: RelativeLossPartial): RelativeLossResult {
    return relativeLossResult(part);
  }

  /** Live: 𝓛/𝓛(θ₀) − 1 at the last recorded step, mean over the chains finished. */
  live(part: RelativeLossPartial): Record<string, number> {
    const r = relativeLossResult(part);
    return { '𝓛/𝓛₀ − 1 (last step)': r.mean[r.mean.length - 1] ?? NaN };
  }

  /** The training curve: mean ± sd over chains of 𝓛/𝓛(θ₀) − 1 against the step. */
  figure(r: RelativeLossResult): Record<string, unknown> {
    const values = r.steps.map((step, j) => ({
      step,
      mean: r.mean[j],
      low: r.mean[j]! - r.sd[j]!,
      high: r.mean[j]! + r.sd[j]!,
    }));
    return {
      title: 'Relative loss, mean ± sd over chains',
      width: 420,
      height: 300,
      data: { values },
      encoding: { x: { field: 'step', type: 'quantitative', title: 'step' } },
      layer: [
        {
          mark: { type: 'area', opacity: 0.2 },
          encoding: { y: { field: 'low', type: 'quantitative' }, y2: { field: 'high' } },
        },
        { mark: { type: 'line' }, encoding: { y: { field: 'mean', type: 'quantitative', title: 'L(θ)/L(θ₀) − 1' } } },
      ],
    };
  }
}

/** Mean and sd (n − 1) over chains, in chain-index order, of 𝓛/𝓛(θ₀) − 1 at each recorded step. */
export function relativeLossResult(part: RelativeLossPartial): RelativeLossResult {
  const K = part.steps.length,
    chains = part.chains,
    L0 = part.referenceLoss;
  const mean: number[] = [],
    sd: number[] = [];
  for (let j = 0; j < K; j++) {
    let sum = 0;
    for (let c = 0; c < chains; c++) sum += part.loss[c * K + j] / L0 - 1;
    const m = sum / chains;
    let ss = 0;
    for (let c = 0; c < chains; c++) {
      const d = part.loss[c * K + j] / L0 - 1 - m;
      ss += d * d;
    }
    mean.push(m);
    sd.push(chains > 1 ? Math.sqrt(ss / (chains - 1)) : NaN);
  }
  return { steps: part.steps.slice(), mean, sd, referenceLoss: L0, chains };
}
