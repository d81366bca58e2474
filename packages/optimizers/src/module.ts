import { ContainerModule } from 'inversify';
import { bindPlugin } from '@nesslab/kernel';
import { SgdOptimizer, sgdInfo } from './sgd.ts';
import { EarthquakeOptimizer, earthquakeInfo } from './earthquake.ts';

export default new ContainerModule((options) => {
  bindPlugin(options, SgdOptimizer, sgdInfo);
  bindPlugin(options, EarthquakeOptimizer, earthquakeInfo);
});
