import type { Rng } from './rng.ts';

/** Minibatch index streams (docs/science.md §2). One instance serves every chain; per-chain state is a plain object. */
export const Sampler = Symbol.for('nesslab.Sampler');
export interface Sampler<S = unknown> {
  /** m, indices per minibatch. */
  readonly batchSize: number;
  /** n, minibatches per epoch (⌊M/m⌋). */
  readonly stepsPerEpoch: number;
  configure(params: Readonly<Record<string, unknown>>, dataSize: number): void;
  /** Fresh per-chain state. */
  init(rng: Rng): S;
  /** Writes the next minibatch's m indices into out[0..m). Allocates nothing. */
  next(state: S, rng: Rng, out: Int32Array): void;
  /**
   * Set by a sampler whose `next` is exactly the partial Fisher–Yates draw of WR minibatches: for i = 0 … m − 1,
   * j = i + rng.nextInt(M − i), swap state.order[i] and state.order[j], out[i] = state.order[i], where the state is
   * `{ order: Int32Array }` of length M. A landscape's fused block runner (`FusedBlocks`) may then draw inline.
   */
  readonly draw?: 'partial-fisher-yates';
}
