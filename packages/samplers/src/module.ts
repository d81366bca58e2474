import { ContainerModule } from 'inversify';
import { bindPlugin } from '@nesslab/kernel';
import { WithReplacementSampler, withReplacementInfo } from './with-replacement.ts';
import { WithoutReplacementSampler, withoutReplacementInfo } from './without-replacement.ts';
import { FullBatchSampler, fullBatchInfo } from './full-batch.ts';

export default new ContainerModule((options) => {
  bindPlugin(options, WithReplacementSampler, withReplacementInfo);
  bindPlugin(options, WithoutReplacementSampler, withoutReplacementInfo);
  bindPlugin(options, FullBatchSampler, fullBatchInfo);
});
