import type { Observable } from 'rxjs';
import type { Frame } from './frame.ts';
import type { Landscape } from './landscape.ts';

/** What an observer may know about the run it watches. */
export interface RunContext {
  readonly landscape: Landscape;
  readonly dim: number;
  /** Chains in the whole run (all workers). */
  readonly chains: number;
  /** Steps per chain. */
  readonly steps: number;
  /** The run's reference point (θ₀ when the scenario gives one), for observers measuring displacements. */
  readonly reference?: Float64Array;
  readonly eta?: number;
}

/**
 * Reduces the frame stream to a result. Partial results are per chain group and must be structured-
 * cloneable (plain objects, numbers, typed arrays) so that workers can hand them back; `combine`
 * receives them in chain order, so that one seed gives one bit-identical result whatever the number
 * of workers.
 */
export const Observer = Symbol.for('nesslab.Observer');
export interface Observer<P = unknown, R = unknown> {
  configure(params: Readonly<Record<string, unknown>>, run: RunContext): void;
  /** Emits exactly one partial when the frames complete. */
  attach(frames: Observable<Frame>): Observable<P>;
  combine(parts: P[]): P;
  result(part: P): R;
  /**
   * Bytes this observer will hold for the whole run as configured (all chains, all groups), when it keeps more than
   * a few doubles per chain; the run refuses up front what cannot fit (`scenario.observers[i].params` named). Absent:
   * the engine assumes 2·dim doubles per chain and a dim × dim covariance per group.
   */
  memoryBytes?(): number;
  /**
   * Files the result adds to the run's output folder (path → content, e.g. 'traces/theta.npy'), and what results.json
   * keeps of the result instead of the result itself (say where the files are). Absent: results.json holds the result.
   */
  files?(result: R): ObserverFiles;
  /**
   * Live view (`nesslab run --live`): a few named numbers from the partial merged over the chains finished so far
   * (e.g. `{ 'tr Σ': 0.012 }`). Called in the main thread, in chain order, each time more chains have finished (one
   * unit, ≈ 1/16 of a run), never in the hot loop; it must be cheap and must not change `part`. The run's results do
   * not depend on it.
   */
  live?(part: P): Record<string, number>;
  /**
   * The default figure of a run of a hand-written scenario file: a Vega-Lite spec (plain JSON, with its data inline)
   * of the result, or undefined when there is nothing to draw. nesslab's theme and font are applied when it is drawn.
   */
  figure?(result: R): Record<string, unknown> | undefined;
}

/** What `Observer.files` returns. */
export interface ObserverFiles {
  files: Record<string, Uint8Array | string>;
  summary: unknown;
}
