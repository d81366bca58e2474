/**
 * A block of consecutive steps of a group of chains. The engine owns ONE frame and overwrites it for
 * every block: an observer reads it synchronously inside `next` and copies what it keeps.
 */
export interface Frame {
  /** N. */
  readonly dim: number;
  /** Global index of the first chain in this frame; chains are chainStart … chainStart + chains − 1. */
  readonly chainStart: number;
  readonly chains: number;
  /** Global step index of the block's first state: states are θ after steps stepStart … stepStart + steps − 1 (step 1 is after the first update). */
  stepStart: number;
  /** Steps in this block (the last block may be shorter than the block size). */
  steps: number;
  /** Block size the buffers are laid out for (stride between chains is blockSize·dim). */
  readonly blockSize: number;
  /** theta[((c·blockSize) + s)·dim + α]: chain c (local), step s of the block, component α. */
  readonly theta: Float64Array;
  /** θ of every chain just before the block's first step, [c·dim + α]. */
  readonly previous: Float64Array;
  /** Per-step scalars of the optimizer, name → [c·blockSize + s]. */
  readonly scalars: Readonly<Record<string, Float64Array>>;
}
