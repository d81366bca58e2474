import { definePlugin, type ParamsOf, type Rng, type Sampler } from '@nesslab/kernel';
import { checkBatchSize } from './with-replacement.ts';

/** Per-chain state: this epoch's permutation and the next batch's position in it. */
export interface WithoutReplacementState {
  readonly order: Int32Array;
  batch: number;
}

/**
 * WOR minibatches (004 Eq. B1–B2): each epoch a fresh uniform permutation of 0..M−1, cut into
 * n = ⌊M/m⌋ consecutive batches. When m does not divide M, the last M − n·m indices of each epoch's
 * permutation are left out of that epoch (drop-last); since the permutation is fresh every epoch,
 * every point is still used equally often on average.
 */
export class WithoutReplacementSampler implements Sampler<WithoutReplacementState> {
  batchSize = 1;
  stepsPerEpoch = 1;
  /** `next` is the kernel's epoch draw (Sampler.draw): a landscape may fuse it (FusedBlocks). */
  readonly draw = 'epoch-permutation';
  private dataSize = 1;

  configure(params: ParamsOf<typeof withoutReplacementInfo>, dataSize: number): void {
    this.dataSize = dataSize;
    this.batchSize = checkBatchSize(params.batchSize, dataSize);
    this.stepsPerEpoch = Math.floor(dataSize / this.batchSize);
  }

  init(): WithoutReplacementState {
    const order = new Int32Array(this.dataSize);
    for (let i = 0; i < order.length; i++) order[i] = i;
    return { order, batch: this.stepsPerEpoch }; // exhausted: the first call shuffles
  }

  next(state: WithoutReplacementState, rng: Rng, out: Int32Array): void {
    const order = state.order,
      m = this.batchSize;
    if (state.batch === this.stepsPerEpoch) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = rng.nextInt(i + 1);
        const t = order[i];
        order[i] = order[j];
        order[j] = t;
      }
      state.batch = 0;
    }
    const start = state.batch * m;
    for (let i = 0; i < m; i++) out[i] = order[start + i];
    state.batch++;
  }
}

export const withoutReplacementInfo = definePlugin({
  kind: 'sampler',
  name: 'without-replacement',
  description:
    'A fresh permutation every epoch cut into n = ⌊M/m⌋ batches (WOR SGD); if m does not divide M, the M − n·m leftover indices sit out that epoch.',
  source: '004 Eq. B1–B2',
  params: { batchSize: { type: 'integer', description: 'm, indices per minibatch', default: 10, minimum: 1 } },
  precision: 'float64',
});
