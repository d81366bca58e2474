import { ContainerModule } from 'inversify';
import { bindPlugin } from '@nesslab/kernel';
import { SgdOptimizer, sgdInfo } from './sgd.ts';
import { EarthquakeOptimizer, earthquakeInfo } from './earthquake.ts';
import { SgldLmOptimizer, SgldOptimizer, sgldInfo, sgldLmInfo } from './sgld.ts';
import { GdWhiteNoiseOptimizer, gdWhiteNoiseInfo } from './gd-white-noise.ts';
import {
  SgworldLmOptimizer,
  SgworldOptimizer,
  SgworldUncorrectedOptimizer,
  sgworldInfo,
  sgworldLmInfo,
  sgworldUncorrectedInfo,
} from './sgworld.ts';

export default new ContainerModule((options) => {
  bindPlugin(options, SgdOptimizer, sgdInfo);
  bindPlugin(options, EarthquakeOptimizer, earthquakeInfo);
  bindPlugin(options, SgldOptimizer, sgldInfo);
  bindPlugin(options, SgldLmOptimizer, sgldLmInfo);
  bindPlugin(options, SgworldOptimizer, sgworldInfo);
  bindPlugin(options, SgworldUncorrectedOptimizer, sgworldUncorrectedInfo);
  bindPlugin(options, SgworldLmOptimizer, sgworldLmInfo);
  bindPlugin(options, GdWhiteNoiseOptimizer, gdWhiteNoiseInfo);
});
