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
}

/** What `Observer.files` returns. */
export interface ObserverFiles {
  files: Record<string, Uint8Array | string>;
  summary: unknown;
}
