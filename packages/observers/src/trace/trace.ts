import type { Observable } from 'rxjs';
import {
  definePlugin,
  npy,
  type Frame,
  type Observer,
  type ObserverFiles,
  type ParamsOf,
  type RunContext,
} from '@nesslab/kernel';
import { ChainAccumulator, reduceFrames, type ChainPart } from '../chain-group.ts';

export const traceInfo = definePlugin({
  kind: 'observer',
  name: 'trace',
  description:
    'Raw chains for numpy, pandas or ArviZ: θ of the first `chains` chains at steps burnIn + every, burnIn + 2·every, …, ' +
    "written as traces/theta.npy (float64, shape (chains, samples, N), NPY v1.0) and traces/steps.npy (int64); the optimizer's " +
    'per-step scalars at the same steps as traces/scalars.csv. results.json says where they are.',
  source: 'the chains θ_t themselves (no estimator); files in NumPy’s NPY format v1.0',
  params: {
    every: { type: 'integer', default: 100, minimum: 1, description: 'Thinning: keep every `every`-th step.' },
    chains: {
      type: 'integer',
      default: 10,
      minimum: 1,
      description: 'Chains kept, the first ones (fewer when the run has fewer).',
    },
    burnIn: { type: 'integer', default: 0, minimum: 0, description: 'Steps 1 … burnIn are not kept.' },
  },
  reads: ['theta'],
  precision: 'float64',
});

/** The kept chains of one chain range: theta[(c·samples + k)·N + α], scalars[(c·samples + k)·S + j]. */
export interface TracePartial extends ChainPart {
  kept: number;
  samples: number;
  theta: Float64Array;
  scalarNames: string[];
  scalars: Float64Array;
}

export interface TraceResult {
  /** (chains, samples, N). */
  shape: [number, number, number];
  /** The step of each sample (step 1 is the state after the first update). */
  steps: number[];
  theta: Float64Array;
  scalarNames: string[];
  /** [(c·samples + k)·S + j]. */
  scalars: Float64Array;
}

class TraceAccumulator extends ChainAccumulator<TracePartial> {
  private kept = 0;
  private theta = new Float64Array(0);
  private scalarNames: string[] = [];
  private scalars = new Float64Array(0);

  constructor(
    dim: number,
    private readonly keep: number,
    private readonly every: number,
    private readonly burnIn: number,
    private readonly samples: number,
  ) {
    super('trace', dim);
  }

  protected allocate(chains: number): void {
    this.kept = Math.max(0, Math.min(chains, this.keep - this.chainStart));
    this.theta = new Float64Array(this.kept * this.samples * this.dim);
  }

  protected addBlock(f: Frame): void {
    if (this.kept === 0) return;
    if (this.scalars.length === 0 && Object.keys(f.scalars).length) {
      this.scalarNames = Object.keys(f.scalars);
      this.scalars = new Float64Array(this.kept * this.samples * this.scalarNames.length);
    }
    const N = f.dim,
      S = this.scalarNames.length,
      every = this.every,
      burnIn = this.burnIn;
    // The first kept step in this block: the smallest burnIn + k·every ≥ stepStart (k ≥ 1).
    const first = Math.max(1, Math.ceil((f.stepStart - burnIn) / every));
    for (let k = first; ; k++) {
      const step = burnIn + k * every,
        s = step - f.stepStart;
      if (s >= f.steps || k > this.samples) break;
      for (let c = 0; c < this.kept; c++) {
        const from = (c * f.blockSize + s) * N,
          to = (c * this.samples + k - 1) * N;
        for (let a = 0; a < N; a++) this.theta[to + a] = f.theta[from + a];
        for (let j = 0; j < S; j++)
          this.scalars[(c * this.samples + k - 1) * S + j] = f.scalars[this.scalarNames[j]!]![c * f.blockSize + s]!;
      }
    }
  }

  partial(): TracePartial {
    return {
      dim: this.dim,
      chainStart: this.chainStart,
      chains: this.chains,
      kept: this.kept,
      samples: this.samples,
      theta: this.theta,
      scalarNames: this.scalarNames,
      scalars: this.scalars,
    };
  }
}

/**
 * Keeps θ of the first `chains` chains every `every` steps after `burnIn`, per chain in its group, and writes them as
 * .npy files: any split of the chains into groups gives the same bytes.
 */
export class TraceObserver implements Observer<TracePartial, TraceResult> {
  private dim = 0;
  private keep = 0;
  private every = 1;
  private burnIn = 0;
  private samples = 0;

  configure(params: ParamsOf<typeof traceInfo>, run: RunContext): void {
    this.dim = run.dim;
    this.keep = Math.min(params.chains, run.chains);
    this.every = params.every;
    this.burnIn = params.burnIn;
    this.samples = Math.max(0, Math.floor((run.steps - params.burnIn) / params.every));
  }

  memoryBytes(): number {
    return 8 * this.keep * this.samples * (this.dim + 4);
  }

  attach(frames: Observable<Frame>): Observable<TracePartial> {
    return frames.pipe(
      reduceFrames(() => new TraceAccumulator(this.dim, this.keep, this.every, this.burnIn, this.samples)),
    );
  }

  combine(parts: TracePartial[]): TracePartial {
    const live = parts.filter((p) => p.kept > 0);
    if (live.length <= 1) return live[0] ?? parts[0]!;
    const join = (key: 'theta' | 'scalars') => {
      const out = new Float64Array(live.reduce((n, p) => n + p[key].length, 0));
      let at = 0;
      for (const p of live) out.set(p[key], (at += p[key].length) - p[key].length);
      return out;
    };
    return {
      ...live[0]!,
      chains: live.reduce((n, p) => n + p.chains, 0),
      kept: live.reduce((n, p) => n + p.kept, 0),
      theta: join('theta'),
      scalars: join('scalars'),
    };
  }

  result(p: TracePartial): TraceResult {
    return {
      shape: [p.kept, this.samples, this.dim],
      steps: Array.from({ length: this.samples }, (_, k) => this.burnIn + (k + 1) * this.every),
      theta: p.theta,
      scalarNames: p.scalarNames,
      scalars: p.scalars,
    };
  }

  /** traces/theta.npy, traces/steps.npy and (with optimizer scalars) traces/scalars.csv; results.json says where. */
  files(r: TraceResult): ObserverFiles {
    const [chains, samples, N] = r.shape;
    const files: Record<string, Uint8Array | string> = {
      'traces/theta.npy': npy(r.theta, r.shape),
      'traces/steps.npy': npy(
        BigInt64Array.from(r.steps, (s) => BigInt(s)),
        [samples],
      ),
    };
    const S = r.scalarNames.length;
    if (S) {
      const rows = [`chain,step,${r.scalarNames.join(',')}`];
      for (let c = 0; c < chains; c++)
        for (let k = 0; k < samples; k++) {
          const at = (c * samples + k) * S;
          rows.push(`${c},${r.steps[k]},${Array.from(r.scalars.subarray(at, at + S), String).join(',')}`);
        }
      files['traces/scalars.csv'] = `${rows.join('\n')}\n`;
    }
    return {
      files,
      summary: {
        files: Object.keys(files),
        shape: r.shape,
        every: this.every,
        burnIn: this.burnIn,
        ...(S ? { scalars: r.scalarNames } : {}),
        note: `theta.npy: float64 (chains, samples, N) = (${chains}, ${samples}, ${N}); steps.npy: int64 (samples)`,
      },
    };
  }
}
