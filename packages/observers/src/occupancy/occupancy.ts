import type { Observable } from 'rxjs';
import {
  definePlugin,
  ScenarioError,
  type Frame,
  type Observer,
  type ParamsOf,
  type RunContext,
  preview,
} from '@nesslab/kernel';
import { ChainAccumulator, concatChains, reduceFrames, type ChainPart } from '../chain-group.ts';

export const occupancyInfo = definePlugin({
  kind: 'observer',
  name: 'occupancy',
  description:
    'Fraction of steps each chain spends below and above a dividing point θ_d = dividing on one coordinate (two basins), ' +
    'after a burn-in, and the number of committed transitions (from below dividing − margin to above dividing + margin or back). ' +
    'Basin probabilities p = mean over chains of the per-chain fractions, standard error from their spread over the independent ' +
    'chains; log(p_below/p_above) with its delta-method standard error.',
  source: '002 Eq. 3 (p_A/p_B, the relative occupancy of two minima)',
  params: {
    coordinate: {
      type: 'integer',
      default: 0,
      minimum: 0,
      description: 'd, the coordinate of θ that separates the basins',
    },
    dividing: {
      type: 'number',
      default: 0,
      description: 'the dividing point (e.g. the barrier top): basin "below" is θ_d < dividing',
    },
    margin: {
      type: 'number',
      default: 0,
      minimum: 0,
      description: 'a transition counts when θ_d passes dividing ± margin on the far side (0: every crossing)',
    },
    burnIn: {
      type: 'integer',
      default: 0,
      minimum: 0,
      description: 'steps ignored at the start of each chain (relaxation from θ_init)',
    },
  },
  precision: 'float64',
  reads: ['theta'],
});

/** Per chain: steps counted, steps above, committed transitions, and the side (−1 below, +1 above, 0 not yet committed). */
export interface OccupancyPartial extends ChainPart {
  counted: Float64Array;
  above: Float64Array;
  transitions: Float64Array;
  side: Float64Array;
}

export interface OccupancyResult {
  chains: number;
  stepsPerChain: number;
  /** p_below, p_above: means over chains of the per-chain fractions; stdError: their spread / √chains. */
  below: number;
  above: number;
  stdError: number;
  /** log(p_below/p_above) and its delta-method standard error stdError/(p_below p_above). */
  logRatio: number;
  logRatioStdError: number;
  transitions: number;
  minTransitionsPerChain: number;
  fractionsAbove: number[];
}

class OccupancyAccumulator extends ChainAccumulator<OccupancyPartial> {
  private counted = new Float64Array(0);
  private above = new Float64Array(0);
  private transitions = new Float64Array(0);
  private side = new Float64Array(0);

  constructor(
    dim: number,
    private readonly d: number,
    private readonly dividing: number,
    private readonly margin: number,
    private readonly burnIn: number,
  ) {
    super('occupancy', dim);
  }

  protected allocate(chains: number): void {
    this.counted = new Float64Array(chains);
    this.above = new Float64Array(chains);
    this.transitions = new Float64Array(chains);
    this.side = new Float64Array(chains);
  }

  protected addBlock(f: Frame): void {
    const n = f.dim,
      stride = f.blockSize * n,
      first = Math.max(0, this.burnIn + 1 - f.stepStart); // steps > burnIn count
    const lo = this.dividing - this.margin,
      hi = this.dividing + this.margin;
    for (let c = 0; c < f.chains; c++) {
      let above = 0,
        transitions = 0,
        side = this.side[c];
      for (let s = first; s < f.steps; s++) {
        const x = f.theta[c * stride + s * n + this.d];
        if (x >= this.dividing) above++;
        if (x > hi && side !== 1) {
          if (side === -1) transitions++;
          side = 1;
        } else if (x < lo && side !== -1) {
          if (side === 1) transitions++;
          side = -1;
        }
      }
      if (f.steps > first) this.counted[c] += f.steps - first;
      this.above[c] += above;
      this.transitions[c] += transitions;
      this.side[c] = side;
    }
  }

  partial(): OccupancyPartial {
    return {
      dim: this.dim,
      chainStart: this.chainStart,
      chains: this.chains,
      counted: this.counted,
      above: this.above,
      transitions: this.transitions,
      side: this.side,
    };
  }
}

/** 'occupancy': basin occupancy on either side of a dividing point, per chain, and committed transitions (002 Eq. 3). */
export class OccupancyObserver implements Observer<OccupancyPartial, OccupancyResult> {
  private dim = 0;
  private d = 0;
  private dividing = 0;
  private margin = 0;
  private burnIn = 0;

  configure(params: ParamsOf<typeof occupancyInfo>, run: RunContext): void {
    const { coordinate: d, dividing: x, margin: m, burnIn: b } = params;
    if (d >= run.dim)
      throw new ScenarioError(
        'occupancy.params.coordinate',
        `must be an integer in [0, ${run.dim}), got ${preview(d)}`,
      );
    if (b >= run.steps)
      throw new ScenarioError(
        'occupancy.params.burnIn',
        `must be an integer in [0, steps = ${run.steps}), got ${preview(b)}`,
      );
    Object.assign(this, { dim: run.dim, d, dividing: x, margin: m, burnIn: b });
  }

  attach(frames: Observable<Frame>): Observable<OccupancyPartial> {
    const { dim, d, dividing, margin, burnIn } = this;
    return frames.pipe(reduceFrames(() => new OccupancyAccumulator(dim, d, dividing, margin, burnIn)));
  }

  combine(parts: OccupancyPartial[]): OccupancyPartial {
    return concatChains('occupancy', parts, ['counted', 'above', 'transitions', 'side']);
  }

  result(part: OccupancyPartial): OccupancyResult {
    return occupancyResult(part);
  }

  /** Live: log(p_below/p_above) so far. */
  live(part: OccupancyPartial): Record<string, number> {
    return { 'log p_below/p_above': occupancyResult(part).logRatio };
  }
}

/** Means and spreads over chains, reduced in chain-index order. */
export function occupancyResult(part: OccupancyPartial): OccupancyResult {
  const K = part.chains,
    fractions = Array.from(part.above, (a, c) => a / part.counted[c]);
  let mean = 0,
    ss = 0,
    transitions = 0,
    minT = Infinity;
  for (let c = 0; c < K; c++) mean += fractions[c] / K;
  for (let c = 0; c < K; c++) {
    ss += (fractions[c] - mean) ** 2;
    transitions += part.transitions[c];
    minT = Math.min(minT, part.transitions[c]);
  }
  const se = K > 1 ? Math.sqrt(ss / (K - 1) / K) : NaN,
    below = 1 - mean;
  return {
    chains: K,
    stepsPerChain: K > 0 ? part.counted[0] : 0,
    below,
    above: mean,
    stdError: se,
    logRatio: Math.log(below / mean),
    logRatioStdError: se / (below * mean),
    transitions,
    minTransitionsPerChain: minT,
    fractionsAbove: fractions,
  };
}
