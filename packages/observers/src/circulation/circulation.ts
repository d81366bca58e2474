import type { Observable } from 'rxjs';
import {
  definePlugin,
  ScenarioError,
  type Frame,
  type Observer,
  type ParamsOf,
  type RunContext,
} from '@nesslab/kernel';
import { ChainAccumulator, concatChains, meanAndStdError, reduceFrames, type ChainPart } from '../chain-group.ts';
import { AREA_GROUP, GroupedArea } from './grouped-area.ts';

/**
 * From this N on the per-chain sums fold groups of AREA_GROUP increments at once (`GroupedArea`, a blocked rank-k
 * update: ≈ 8× faster at N = 490); below it, one increment at a time (the loop in `addBlock`, the same bits as before).
 */
export const GROUPED_MIN_DIM = 17;

export const circulationInfo = definePlugin({
  kind: 'observer',
  name: 'circulation',
  description:
    'Stochastic area matrix A_αγ of the trajectory about the reference point θ₀, per step (Eq. 26, pre-point δθ_k as printed; ' +
    `summed by groups of ${AREA_GROUP} increments for N ≥ ${GROUPED_MIN_DIM}), ` +
    'and the circulation C = ⟨A⟩/ℓ (Eq. 28), antisymmetric; standard errors from the spread over chains.',
  source: '004 Eq. 26, 28',
  params: {
    burnIn: {
      type: 'integer',
      default: 0,
      minimum: 0,
      description: 'Steps 1 … burnIn are skipped: the first increment counted is θ_burnIn → θ_burnIn+1.',
    },
  },
  reads: ['theta', 'previous', 'reference'],
  precision: 'float64',
});

/** Strict upper triangle (a < b) of an N×N antisymmetric matrix, row-major: (0,1) … (0,N−1) (1,2) … */
export const strictSize = (n: number): number => (n * (n - 1)) / 2;

/**
 * Per chain of a chain range: count[c] increments counted, and
 * sums[c·T + k] = Σ_k [δθ_k,α Δθ_k,γ − δθ_k,γ Δθ_k,α] for the pairs α < γ (T = N(N−1)/2), i.e. 2·A_αγ.
 */
export interface CirculationPartial extends ChainPart {
  count: Float64Array;
  sums: Float64Array;
}

export interface CirculationResult {
  /** C_αγ = Σ_chains A_αγ / Σ_chains ℓ, N×N, antisymmetric (004 Eq. 28). */
  circulation: number[][];
  /** sd over chains of each chain's own A_αγ/ℓ, / √chains (NaN with one chain; 0 on the diagonal). */
  stdError: number[][];
  /** Increments counted, over all chains. */
  count: number;
  chains: number;
}

class CirculationAccumulator extends ChainAccumulator<CirculationPartial> {
  private count: Float64Array = new Float64Array(0);
  private sums: Float64Array = new Float64Array(0);
  private readonly delta: Float64Array;
  private readonly step: Float64Array;
  private grouped: GroupedArea | null = null;

  constructor(
    dim: number,
    private readonly burnIn: number,
    private readonly reference: Float64Array,
  ) {
    super('circulation', dim);
    this.delta = new Float64Array(dim);
    this.step = new Float64Array(dim);
  }

  protected allocate(chains: number): void {
    if (this.dim >= GROUPED_MIN_DIM) {
      this.grouped = new GroupedArea(this.dim, chains, this.reference);
      this.count = this.grouped.count;
      this.sums = this.grouped.sums;
      return;
    }
    this.count = new Float64Array(chains);
    this.sums = new Float64Array(chains * strictSize(this.dim));
  }

  protected addBlock(f: Frame): void {
    const n = f.dim,
      T = strictSize(n),
      stride = f.blockSize * n,
      theta = f.theta,
      previous = f.previous;
    const ref = this.reference,
      d = this.delta,
      D = this.step,
      sums = this.sums;
    // Increment s of the block goes θ_{k} → θ_{k+1}, k + 1 = stepStart + s; counted when k + 1 > burnIn.
    const first = Math.max(0, this.burnIn + 1 - f.stepStart);
    const grouped = this.grouped;
    if (grouped) {
      for (let c = 0; c < f.chains; c++) {
        for (let s = first; s < f.steps; s++) {
          if (s === 0) grouped.add(c, previous, c * n, theta, c * stride);
          else grouped.add(c, theta, c * stride + (s - 1) * n, theta, c * stride + s * n);
        }
      }
      return;
    }
    for (let c = 0; c < f.chains; c++) {
      for (let s = first; s < f.steps; s++) {
        const from = s === 0 ? previous : theta;
        const at = s === 0 ? c * n : c * stride + (s - 1) * n;
        const to = c * stride + s * n;
        for (let a = 0; a < n; a++) {
          const x = from[at + a];
          d[a] = x - ref[a]; // δθ_k = θ_k − θ₀
          D[a] = theta[to + a] - x; // θ_{k+1} − θ_k
        }
        let p = c * T;
        for (let a = 0; a < n; a++) {
          const da = d[a],
            Da = D[a];
          for (let b = a + 1; b < n; b++, p++) sums[p] += da * D[b] - d[b] * Da;
        }
        this.count[c]++;
      }
    }
  }

  /** The end of the stream: the grouped sums first fold each chain's short last group. */
  partial(): CirculationPartial {
    this.grouped?.flush();
    return { dim: this.dim, chainStart: this.chainStart, chains: this.chains, count: this.count, sums: this.sums };
  }
}

/** 'circulation': the area matrix about θ₀ per step → C (004 Eq. 26, 28). Needs `run.reference`. */
export class CirculationObserver implements Observer<CirculationPartial, CirculationResult> {
  private dim = 0;
  private burnIn = 0;
  private reference = new Float64Array(0);

  configure(params: ParamsOf<typeof circulationInfo>, run: RunContext): void {
    this.burnIn = params.burnIn;
    if (!run.reference) {
      throw new ScenarioError(
        'circulation',
        "needs the run's reference point θ₀ (run.reference) to measure δθ = θ − θ₀ from; this run has none",
      );
    }
    if (run.reference.length !== run.dim) {
      throw new ScenarioError(
        'circulation',
        `run.reference has ${run.reference.length} components, the run has dim ${run.dim}`,
      );
    }
    this.dim = run.dim;
    this.reference = Float64Array.from(run.reference);
  }

  attach(frames: Observable<Frame>): Observable<CirculationPartial> {
    const { dim, burnIn, reference } = this;
    return frames.pipe(reduceFrames(() => new CirculationAccumulator(dim, burnIn, reference)));
  }

  combine(parts: CirculationPartial[]): CirculationPartial {
    return concatChains('circulation', parts, ['count', 'sums']);
  }

  result(part: CirculationPartial): CirculationResult {
    return circulationResult(part);
  }

  /** Live: the Frobenius norm ‖C‖ of the circulation so far (004 Eq. 28). */
  live(part: CirculationPartial): Record<string, number> {
    const C = circulationResult(part).circulation;
    return { '‖C‖': Math.sqrt(C.reduce((t, row) => t + row.reduce((u, c) => u + c * c, 0), 0)) };
  }
}

/** C_αγ = ½ Σ_c sums_c / Σ_c count_c, reduced over chains in chain-index order. */
export function circulationResult(part: CirculationPartial): CirculationResult {
  const n = part.dim,
    chains = part.chains,
    T = strictSize(n);
  let count = 0;
  for (let c = 0; c < chains; c++) count += part.count[c];
  const circulation = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const stdError = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let a = 0, p = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++, p++) {
      let sum = 0;
      for (let c = 0; c < chains; c++) sum += part.sums[c * T + p];
      const C = (0.5 * sum) / count;
      const se = meanAndStdError(chains, (c) => (0.5 * part.sums[c * T + p]) / part.count[c]).stdError;
      circulation[a][b] = C;
      circulation[b][a] = -C;
      stdError[a][b] = stdError[b][a] = se;
    }
  }
  return { circulation, stdError, count, chains };
}
