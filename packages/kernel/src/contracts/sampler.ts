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
   *
   * 'epoch-permutation': set by a sampler whose `next` is exactly the epoch draw of WOR minibatches, with the state
   * `{ order: Int32Array, batch: number }`, order of length M and batch the position in the epoch, in [0, n] (n =
   * stepsPerEpoch = ⌊M/m⌋; init sets batch = n so that the first call shuffles): if batch = n, first the full
   * Fisher–Yates shuffle for i = M − 1 … 1: j = rng.nextInt(i + 1), swap state.order[i] and state.order[j], and
   * batch = 0; then out[i] = state.order[batch·m + i] for i = 0 … m − 1, and batch += 1. A fused block runner may
   * then draw inline, reading order and batch before a block and writing both back after it (a block may end
   * mid-epoch).
   */
  readonly draw?: 'partial-fisher-yates' | 'epoch-permutation';
}
