import { definePlugin, type ParamsOf, type Rng, type Sampler } from '@nesslab/kernel';

/** Per-chain state: a permutation of 0..M−1 whose first m slots are redrawn every step. */
export interface WithReplacementState {
  readonly order: Int32Array;
}

/**
 * WR minibatches (004 Eq. 12, A1): m distinct indices, uniform over all m-subsets, independent every
 * step, by a partial Fisher–Yates shuffle of the persistent order (uniformity does not depend on it).
 */
export class WithReplacementSampler implements Sampler<WithReplacementState> {
  batchSize = 1;
  stepsPerEpoch = 1;
  /** `next` is the kernel's partial Fisher–Yates draw (Sampler.draw): a landscape may fuse it (FusedBlocks). */
  readonly draw = 'partial-fisher-yates';
  private dataSize = 1;

  configure(params: ParamsOf<typeof withReplacementInfo>, dataSize: number): void {
    this.dataSize = dataSize;
    this.batchSize = checkBatchSize(params.batchSize, dataSize);
    this.stepsPerEpoch = Math.floor(dataSize / this.batchSize);
  }

  init(): WithReplacementState {
    const order = new Int32Array(this.dataSize);
    for (let i = 0; i < order.length; i++) order[i] = i;
    return { order };
  }

  next(state: WithReplacementState, rng: Rng, out: Int32Array): void {
    const order = state.order,
      M = this.dataSize;
    for (let i = 0; i < this.batchSize; i++) {
      const j = i + rng.nextInt(M - i);
      const pick = order[j];
      order[j] = order[i];
      order[i] = pick;
      out[i] = pick;
    }
  }
}

/** m ≤ M: the ParamSpec already holds m to an integer ≥ 1, but only the landscape knows M. */
export function checkBatchSize(m: number, dataSize: number): number {
  if (m > dataSize) throw new RangeError(`batchSize must be an integer in [1, M = ${dataSize}], got ${String(m)}`);
  return m;
}

export const withReplacementInfo = definePlugin({
  kind: 'sampler',
  name: 'with-replacement',
  description: 'm distinct indices drawn uniformly at random, independently every step (WR SGD).',
  source: '004 Eq. 12, A1',
  params: { batchSize: { type: 'integer', description: 'm, indices per minibatch', default: 10, minimum: 1 } },
  precision: 'float64',
});
