import { ContainerModule } from 'inversify';
import { bindPlugin } from '@nesslab/kernel';
import { SgdOptimizer, sgdInfo } from './sgd.ts';

export default new ContainerModule((options) => {
  bindPlugin(options, SgdOptimizer, sgdInfo);
});
