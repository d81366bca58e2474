import { definePlugin, type ParamsOf, type Sampler } from '@nesslab/kernel';

/** Every step uses all M points (m = M): gradient descent. */
export class FullBatchSampler implements Sampler<null> {
  batchSize = 1;
  stepsPerEpoch = 1;

  configure(_params: ParamsOf<typeof fullBatchInfo>, dataSize: number): void {
    this.batchSize = dataSize;
  }

  init(): null {
    return null;
  }

  next(_state: null, _rng: unknown, out: Int32Array): void {
    for (let i = 0; i < this.batchSize; i++) out[i] = i;
  }
}

export const fullBatchInfo = definePlugin({
  kind: 'sampler',
  name: 'full-batch',
  description: 'Every index every step (m = M): full-batch gradient descent.',
  params: {},
  precision: 'float64',
});
