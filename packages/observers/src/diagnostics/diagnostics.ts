import type { Observable } from 'rxjs';
import { definePlugin, ScenarioError } from '@nesslab/kernel';
import type { Frame, Observer, ParamsOf, RunContext } from '@nesslab/kernel';
import { ChainAccumulator, concatChains, reduceFrames, type ChainPart } from '../chain-group.ts';
import {
  EnsembleDiagnostics,
  potentialScaleReduction,
  splitChains,
  type CoordinateDiagnostics,
} from './convergence.ts';
import { imqKernelSteinDiscrepancy } from './stein.ts';

export const diagnosticsInfo = definePlugin({
  kind: 'observer',
  name: 'diagnostics',
  description:
    'Ensemble convergence diagnostics of every coordinate of θ, and of the worst one: rank-normalised split-R̂ = max(bulk, folded) ' +
    'and bulk-/tail-ESS (Vehtari et al. 2021), nested R̂ over superchains of consecutive chains (Margossian et al. 2024), and the ' +
    'kernel Stein discrepancy of an evenly thinned subsample to the density ∝ exp(−𝓛/T), with the IMQ kernel (c² + ‖x − y‖²)^β and ' +
    "the landscape's score −∇𝓛/T (Gorham & Mackey 2017). Keeps θ at steps burnIn + k·every, k = 1 … maxSamples, of every chain " +
    '(chains·maxSamples·N doubles, sized up front); the KSD costs kernelSamples full-batch gradients and kernelSamples²·N/2 kernel terms.',
  source:
    'Vehtari, Gelman, Simpson, Carpenter & Bürkner 2021, Bayesian Anal. 16(2) 667–718, §3.2 (Eq. 10–11) and §4; ' +
    'Margossian, Hoffman, Sountsov, Riou-Durand, Vehtari & Gelman 2024, Bayesian Anal., Eq. 4–8; Gorham & Mackey 2017, ICML (IMQ KSD)',
  params: {
    burnIn: { type: 'integer', default: 0, minimum: 0, description: 'Steps 1 … burnIn are not kept.' },
    every: {
      type: 'integer',
      default: 1,
      minimum: 1,
      description:
        'Thinning: keep θ at steps burnIn + every, burnIn + 2·every, … (≈ (steps − burnIn)/maxSamples spans the run).',
    },
    maxSamples: {
      type: 'integer',
      default: 1000,
      minimum: 4,
      description:
        'Draws kept per chain, the first ones (fewer when the run is shorter): chains·maxSamples·N doubles. R̂ needs ≥ 4, ESS ≥ 6.',
    },
    superchains: {
      type: 'integer',
      default: 4,
      minimum: 2,
      description:
        'K, the superchains of nested R̂: chains 0 … M − 1, M … 2M − 1, … with M = ⌊chains/K⌋ (K is lowered to ⌊chains/2⌋ so that ' +
        'each holds ≥ 2 chains; the last chains mod K are left out). The paper starts the chains of a superchain at one point.',
    },
    kernelSamples: {
      type: 'integer',
      default: 200,
      minimum: 0,
      description:
        'n, the draws the KSD uses, evenly spaced over all kept draws taken chain by chain (0: no KSD). Costs n full-batch ' +
        'gradients and n²·N/2 kernel terms.',
    },
    kernelScale: {
      type: 'number',
      default: 1,
      exclusiveMinimum: 0,
      description: 'c of the IMQ kernel (c² + ‖x − y‖²)^β.',
    },
    kernelPower: {
      type: 'number',
      default: -0.5,
      exclusiveMinimum: -1,
      maximum: 0,
      description:
        'β of the IMQ kernel; β ∈ (−1, 0) detects non-convergence (Gorham & Mackey), β = 0 measures ‖mean score‖ only.',
    },
    temperature: {
      type: 'number',
      default: 1,
      exclusiveMinimum: 0,
      description:
        'T of the KSD target ∝ exp(−𝓛/T), score −∇𝓛/T: 1 for the posterior SGLD samples (docs/science.md), D for gd-white-noise.',
    },
  },
  reads: ['theta'],
  precision: 'float64',
});

/** The kept draws of one chain range: draws[(c·N + α)·samples + k], θ_α of chain c at step burnIn + (k + 1)·every. */
export interface DiagnosticsPartial extends ChainPart {
  samples: number;
  draws: Float64Array;
}

/** A statistic's worst value over the coordinates and where (α from 0; −1 when no coordinate has a value). */
export interface WorstCoordinate {
  value: number;
  coordinate: number;
}

export interface DiagnosticsResult {
  chains: number;
  /** Draws per chain, at steps burnIn + k·every, k = 1 … samples. */
  samples: number;
  steps: { first: number; last: number; every: number };
  /** Per coordinate α of θ: max(rhatBulk, rhatTail). */
  rhat: number[];
  rhatBulk: number[];
  rhatTail: number[];
  essBulk: number[];
  essTail: number[];
  nestedRhat: number[];
  /** K and M of nested R̂ (K < 2: no nested R̂). */
  superchains: number;
  chainsPerSuperchain: number;
  /** Largest R̂ and nested R̂, smallest ESS, over the coordinates. */
  worst: { rhat: WorstCoordinate; nestedRhat: WorstCoordinate; essBulk: WorstCoordinate; essTail: WorstCoordinate };
  /** KSD to ∝ exp(−𝓛/T) of `points` kept draws (NaN when kernelSamples = 0). */
  ksd: { value: number; points: number; c: number; beta: number; temperature: number };
}

class DiagnosticsAccumulator extends ChainAccumulator<DiagnosticsPartial> {
  private draws = new Float64Array(0);

  constructor(
    dim: number,
    private readonly burnIn: number,
    private readonly every: number,
    private readonly samples: number,
  ) {
    super('diagnostics', dim);
  }

  protected allocate(chains: number): void {
    this.draws = new Float64Array(chains * this.dim * this.samples);
  }

  protected addBlock(f: Frame): void {
    const N = f.dim,
      T = this.samples,
      draws = this.draws;
    // The first kept step in this block: the smallest burnIn + k·every ≥ stepStart (k ≥ 1).
    for (let k = Math.max(1, Math.ceil((f.stepStart - this.burnIn) / this.every)); k <= T; k++) {
      const s = this.burnIn + k * this.every - f.stepStart;
      if (s >= f.steps) break;
      for (let c = 0; c < f.chains; c++) {
        const from = (c * f.blockSize + s) * N;
        for (let a = 0; a < N; a++) draws[(c * N + a) * T + k - 1] = f.theta[from + a];
      }
    }
  }

  partial(): DiagnosticsPartial {
    const { dim, chainStart, chains, samples, draws } = this;
    return { dim, chainStart, chains, samples, draws };
  }
}

/** Coordinate α's draws of every chain, chain-major (out[c·T + k]). */
function gather(p: DiagnosticsPartial, a: number, out: Float64Array): Float64Array {
  const T = p.samples;
  for (let c = 0; c < p.chains; c++) out.set(p.draws.subarray((c * p.dim + a) * T, (c * p.dim + a + 1) * T), c * T);
  return out;
}

function worst(values: number[], larger: boolean): WorstCoordinate {
  let at = -1;
  for (let a = 0; a < values.length; a++) {
    const v = values[a]!;
    if (!Number.isNaN(v) && (at < 0 || (larger ? v > values[at]! : v < values[at]!))) at = a;
  }
  return { value: at < 0 ? NaN : values[at]!, coordinate: at };
}

/**
 * 'diagnostics': R̂, ESS, nested R̂ per coordinate and the KSD, from the kept draws of every chain, all computed in
 * `result` in chain order, so that any split of the chains into groups gives the same bits.
 */
export class DiagnosticsObserver implements Observer<DiagnosticsPartial, DiagnosticsResult> {
  private params: ParamsOf<typeof diagnosticsInfo> | null = null;
  private run: RunContext | null = null;
  /** Draws kept per chain: maxSamples, or fewer when the run is shorter. */
  private samples = 0;

  configure(params: ParamsOf<typeof diagnosticsInfo>, run: RunContext): void {
    const available = Math.floor((run.steps - params.burnIn) / params.every);
    if (available < 4)
      throw new ScenarioError(
        'diagnostics.params.every',
        `keeps ⌊(steps − burnIn)/every⌋ = ⌊(${run.steps} − ${params.burnIn})/${params.every}⌋ = ${Math.max(0, available)} draws ` +
          'per chain; R̂ needs at least 4: lower burnIn or every',
      );
    this.params = params;
    this.run = run;
    this.samples = Math.min(params.maxSamples, available);
  }

  private configured(): { params: ParamsOf<typeof diagnosticsInfo>; run: RunContext } {
    const { params, run } = this;
    if (!params || !run) throw new Error('diagnostics: configure first');
    return { params, run };
  }

  /** The kept draws (in the groups, and once more when combined), the work arrays of `result`, the KSD's points and scores. */
  memoryBytes(): number {
    const { params, run } = this.configured(),
      { chains, dim } = run,
      samples = this.samples,
      points = Math.min(params.kernelSamples, chains * samples);
    return (
      8 * (2 * chains * samples * dim + chains * samples + (2 * points + 2) * dim) +
      EnsembleDiagnostics.bytes(chains, samples)
    );
  }

  attach(frames: Observable<Frame>): Observable<DiagnosticsPartial> {
    const { params, run } = this.configured(),
      samples = this.samples;
    return frames.pipe(reduceFrames(() => new DiagnosticsAccumulator(run.dim, params.burnIn, params.every, samples)));
  }

  combine(parts: DiagnosticsPartial[]): DiagnosticsPartial {
    return concatChains('diagnostics', parts, ['draws'], ['samples']);
  }

  result(p: DiagnosticsPartial): DiagnosticsResult {
    const { burnIn, every, superchains } = this.configured().params,
      N = p.dim,
      C = p.chains,
      T = p.samples,
      K = Math.min(superchains, Math.floor(C / 2)),
      M = K >= 2 ? Math.floor(C / K) : 0;
    const per: CoordinateDiagnostics[] = [];
    if (C > 0) {
      const work = new EnsembleDiagnostics(C, T, K, M),
        x = new Float64Array(C * T);
      for (let a = 0; a < N; a++) per.push(work.of(gather(p, a, x)));
    }
    const column = (key: keyof CoordinateDiagnostics) => per.map((d) => d[key]);
    const rhat = column('rhat'),
      nestedRhat = column('nestedRhat'),
      essBulk = column('essBulk'),
      essTail = column('essTail');
    return {
      chains: C,
      samples: T,
      steps: { first: burnIn + every, last: burnIn + T * every, every },
      rhat,
      rhatBulk: column('rhatBulk'),
      rhatTail: column('rhatTail'),
      essBulk,
      essTail,
      nestedRhat,
      superchains: K,
      chainsPerSuperchain: M,
      worst: {
        rhat: worst(rhat, true),
        nestedRhat: worst(nestedRhat, true),
        essBulk: worst(essBulk, false),
        essTail: worst(essTail, false),
      },
      ksd: this.steinDiscrepancy(p),
    };
  }

  /** KSD of n draws evenly spaced over the C·T kept draws taken chain by chain (pooled index ⌊i·C·T/n⌋, i < n). */
  private steinDiscrepancy(p: DiagnosticsPartial): DiagnosticsResult['ksd'] {
    const { params, run } = this.configured(),
      { kernelScale: c, kernelPower: beta, temperature } = params,
      N = p.dim,
      T = p.samples,
      total = p.chains * T,
      n = Math.min(params.kernelSamples, total),
      landscape = run.landscape;
    if (n === 0) return { value: NaN, points: 0, c, beta, temperature };
    const points = new Float64Array(n * N),
      scores = new Float64Array(n * N),
      point = new Float64Array(N),
      gradient = new Float64Array(N);
    for (let i = 0; i < n; i++) {
      const j = Math.floor((i * total) / n),
        chain = Math.floor(j / T),
        k = j - chain * T;
      for (let a = 0; a < N; a++) point[a] = points[i * N + a] = p.draws[(chain * N + a) * T + k];
      landscape.gradient(point, gradient);
      for (let a = 0; a < N; a++) scores[i * N + a] = -gradient[a] / temperature; // s = ∇ log p = −∇𝓛/T
    }
    return { value: imqKernelSteinDiscrepancy(points, scores, n, N, c, beta), points: n, c, beta, temperature };
  }

  /** Live: the largest split-R̂ over the coordinates of the chains finished so far, of the raw draws (not rank-normalised). */
  live(p: DiagnosticsPartial): Record<string, number> {
    const T = p.samples,
      h = Math.floor(T / 2),
      x = new Float64Array(p.chains * T),
      split = new Float64Array(2 * p.chains * h);
    let max = NaN;
    for (let a = 0; a < p.dim && p.chains > 0; a++) {
      splitChains(gather(p, a, x), p.chains, T, split);
      const r = potentialScaleReduction(split, 2 * p.chains, h);
      if (Number.isNaN(max) || r > max) max = r;
    }
    return { 'max split-R̂ (raw θ)': max };
  }

  /** R̂ (rank-normalised split, and nested) and bulk-/tail-ESS of each coordinate, with R̂ = 1.01 and the draw count. */
  figure(r: DiagnosticsResult): Record<string, unknown> | undefined {
    const rows = (keys: [string, number[]][]) =>
      keys.flatMap(([measure, values]) =>
        values.flatMap((value, a) => (Number.isFinite(value) ? [{ a: a + 1, measure, value }] : [])),
      );
    const rhat = rows([
        ['split-R̂ (rank-normalised)', r.rhat],
        ['nested R̂', r.nestedRhat],
      ]),
      ess = rows([
        ['bulk-ESS', r.essBulk],
        ['tail-ESS', r.essTail],
      ]);
    if (rhat.length + ess.length === 0) return undefined;
    const N = r.rhat.length,
      width = Math.min(640, Math.max(240, 40 + 14 * N)),
      x = { field: 'a', type: N <= 40 ? 'ordinal' : 'quantitative', title: 'coordinate a of θ' },
      panel = (values: object[], title: string, line: number, log: boolean) => ({
        width,
        height: 200,
        layer: [
          {
            data: { values },
            mark: { type: 'point', filled: true },
            encoding: {
              x,
              y: { field: 'value', type: 'quantitative', title, scale: log ? { type: 'log' } : { zero: false } },
              color: { field: 'measure', type: 'nominal', title: null, legend: { labelLimit: 240 } },
            },
          },
          {
            data: { values: [{ line }] },
            mark: { type: 'rule', color: '#888', strokeDash: [4, 4] },
            encoding: { y: { field: 'line', type: 'quantitative' } },
          },
        ],
      });
    return {
      title: `Convergence of each coordinate: ${r.chains} chains × ${r.samples} draws`,
      vconcat: [
        panel(rhat, 'R̂ (dashed: 1.01)', 1.01, false),
        panel(ess, `ESS (dashed: ${r.chains * r.samples} draws)`, r.chains * r.samples, true),
      ],
      resolve: { scale: { color: 'independent' } },
    };
  }
}
