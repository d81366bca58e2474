import type { Observable } from 'rxjs';
import {
  definePlugin,
  ScenarioError,
  type Frame,
  type Observer,
  type ParamsOf,
  type RunContext,
} from '@nesslab/kernel';
import { ChainAccumulator, concatChains, reduceFrames, type ChainPart } from '../chain-group.ts';

export const escapeTimeInfo = definePlugin({
  kind: 'observer',
  name: 'escape-time',
  description:
    "Per chain, the first step at which θ leaves the box |θ_d − θ₀,d| ≤ halfWidth around the run's reference point θ₀ " +
    '(and through which coordinate and side). Chains still inside at the end are censored and counted. Escape rate per ' +
    'step γ̂ = escapes / total steps at risk (exponential MLE; = 1/mean(t) of 001 App. C when none is censored), 95 % ' +
    'interval γ̂(1 ± 1.96/√escapes).',
  source: '001 §4, Appendix C (γ̂ and its 95 % interval)',
  params: {
    halfWidth: {
      type: 'number',
      default: 1,
      exclusiveMinimum: 0,
      description:
        "Half-width of the box per coordinate, in the landscape's θ units (001 App. C: 0.05 for networks; rescale by 1/√k with the sharpness)",
    },
  },
  precision: 'float64',
  reads: ['theta', 'previous', 'reference'],
});

/**
 * Per chain of a chain range: escapeStep[c] = first step k with θ_k outside the box (0 if θ₀ of the chain already is),
 * NaN if never; exit[c] = ±(d + 1) for the coordinate d and side of the exit, 0 if never.
 */
export interface EscapePartial extends ChainPart {
  steps: number;
  escapeStep: Float64Array;
  exit: Float64Array;
}

export interface EscapeResult {
  chains: number;
  escaped: number;
  censored: number;
  /** Steps per chain (a censored chain is at risk for all of them). */
  steps: number;
  /** Per chain, in chain order; null when censored. */
  escapeSteps: (number | null)[];
  /** Exponential MLE per step: escaped / (Σ escape steps + censored · steps). */
  rate: number;
  /** 95 % interval γ̂(1 ± 1.96/√escaped) (001 App. C). */
  rateLow: number;
  rateHigh: number;
  /** Relative standard error 1/√escaped of γ̂. */
  rateRelativeError: number;
  /** Mean and standard error of the escape step over the escaped chains (biased low when some are censored). */
  meanEscapeStep: number;
  meanEscapeStepStdError: number;
  /** Exits through coordinate d on the upper (+) and lower (−) side. */
  exitsUpper: number[];
  exitsLower: number[];
}

class EscapeAccumulator extends ChainAccumulator<EscapePartial> {
  private escapeStep = new Float64Array(0);
  private exit = new Float64Array(0);
  /** Chains still inside, so that an escaped chain costs nothing afterwards. */
  private inside = 0;

  constructor(
    dim: number,
    private readonly steps: number,
    private readonly centre: Float64Array,
    private readonly halfWidth: number,
  ) {
    super('escape-time', dim);
  }

  protected allocate(chains: number): void {
    this.escapeStep = new Float64Array(chains).fill(NaN);
    this.exit = new Float64Array(chains);
    this.inside = chains;
  }

  /** ±(d + 1) of the first coordinate outside the box at source[at …], 0 if inside. */
  private outside(source: Float64Array, at: number): number {
    const n = this.dim,
      centre = this.centre,
      w = this.halfWidth;
    for (let d = 0; d < n; d++) {
      const x = source[at + d] - centre[d];
      if (x > w) return d + 1;
      if (x < -w) return -(d + 1);
    }
    return 0;
  }

  protected addBlock(f: Frame): void {
    if (this.inside === 0) return;
    const n = f.dim,
      stride = f.blockSize * n;
    for (let c = 0; c < f.chains; c++) {
      if (!Number.isNaN(this.escapeStep[c])) continue;
      let side = f.stepStart === 1 ? this.outside(f.previous, c * n) : 0;
      let step = 0;
      for (let s = 0; side === 0 && s < f.steps; s++) {
        side = this.outside(f.theta, c * stride + s * n);
        step = f.stepStart + s;
      }
      if (side !== 0) {
        this.escapeStep[c] = step;
        this.exit[c] = side;
        this.inside--;
      }
    }
  }

  partial(): EscapePartial {
    return {
      dim: this.dim,
      chainStart: this.chainStart,
      chains: this.chains,
      steps: this.steps,
      escapeStep: this.escapeStep,
      exit: this.exit,
    };
  }
}

/** 'escape-time': first exit steps from a box around θ₀ and the escape rate (001 §4, App. C). Needs `run.reference`. */
export class EscapeTimeObserver implements Observer<EscapePartial, EscapeResult> {
  private dim = 0;
  private steps = 0;
  private halfWidth = 1;
  private centre = new Float64Array(0);

  configure(params: ParamsOf<typeof escapeTimeInfo>, run: RunContext): void {
    const w = params.halfWidth;
    if (!run.reference)
      throw new ScenarioError(
        'escape-time',
        "needs the run's reference point θ₀ (run.reference), the centre of the box; this run has none",
      );
    if (run.reference.length !== run.dim)
      throw new ScenarioError(
        'escape-time',
        `run.reference has ${run.reference.length} components, the run has dim ${run.dim}`,
      );
    this.dim = run.dim;
    this.steps = run.steps;
    this.halfWidth = w;
    this.centre = Float64Array.from(run.reference);
  }

  attach(frames: Observable<Frame>): Observable<EscapePartial> {
    const { dim, steps, centre, halfWidth } = this;
    return frames.pipe(reduceFrames(() => new EscapeAccumulator(dim, steps, centre, halfWidth)));
  }

  combine(parts: EscapePartial[]): EscapePartial {
    return concatChains('escape-time', parts, ['escapeStep', 'exit'], ['steps']);
  }

  result(part: EscapePartial): EscapeResult {
    return escapeResult(part);
  }

  /** Live: escapes so far and the rate γ̂ per step. */
  live(part: EscapePartial): Record<string, number> {
    const r = escapeResult(part);
    return { escapes: r.escaped, 'γ̂ per step': r.rate };
  }
}

/** γ̂ and the rest, reduced over chains in chain-index order. */
export function escapeResult(part: EscapePartial): EscapeResult {
  const { chains, steps, dim } = part;
  let escaped = 0,
    atRisk = 0,
    sum = 0;
  const exitsUpper = new Array<number>(dim).fill(0),
    exitsLower = new Array<number>(dim).fill(0);
  for (let c = 0; c < chains; c++) {
    const t = part.escapeStep[c];
    if (Number.isNaN(t)) {
      atRisk += steps;
      continue;
    }
    escaped++;
    atRisk += t;
    sum += t;
    const e = part.exit[c];
    if (e > 0) exitsUpper[e - 1]++;
    else exitsLower[-e - 1]++;
  }
  const mean = sum / escaped;
  let ss = 0;
  for (let c = 0; c < chains; c++) {
    const t = part.escapeStep[c];
    if (!Number.isNaN(t)) ss += (t - mean) * (t - mean);
  }
  const rate = escaped / atRisk,
    rel = 1 / Math.sqrt(escaped);
  return {
    chains,
    escaped,
    censored: chains - escaped,
    steps,
    escapeSteps: Array.from(part.escapeStep, (t) => (Number.isNaN(t) ? null : t)),
    rate,
    rateLow: rate * (1 - 1.96 * rel),
    rateHigh: rate * (1 + 1.96 * rel),
    rateRelativeError: rel,
    meanEscapeStep: mean,
    meanEscapeStepStdError: escaped > 1 ? Math.sqrt(ss / (escaped - 1) / escaped) : NaN,
    exitsUpper,
    exitsLower,
  };
}
