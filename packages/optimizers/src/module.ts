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
import { SgdMomentumOptimizer, sgdMomentumInfo } from './sgd-momentum.ts';
import { SghmcOptimizer, sghmcInfo } from './sghmc.ts';
import { SgBaoabOptimizer, sgBaoabInfo } from './sg-baoab.ts';
import { SgnhtOptimizer, sgnhtInfo } from './sgnht.ts';
import { PsgldOptimizer, psgldInfo } from './psgld.ts';
import { SgldCvOptimizer, sgldCvInfo } from './sgld-cv.ts';

export default new ContainerModule((options) => {
  bindPlugin(options, SgdOptimizer, sgdInfo);
  bindPlugin(options, EarthquakeOptimizer, earthquakeInfo);
  bindPlugin(options, SgldOptimizer, sgldInfo);
  bindPlugin(options, SgldLmOptimizer, sgldLmInfo);
  bindPlugin(options, SgworldOptimizer, sgworldInfo);
  bindPlugin(options, SgworldUncorrectedOptimizer, sgworldUncorrectedInfo);
  bindPlugin(options, SgworldLmOptimizer, sgworldLmInfo);
  bindPlugin(options, GdWhiteNoiseOptimizer, gdWhiteNoiseInfo);
  bindPlugin(options, SgdMomentumOptimizer, sgdMomentumInfo);
  bindPlugin(options, SghmcOptimizer, sghmcInfo);
  bindPlugin(options, SgBaoabOptimizer, sgBaoabInfo);
  bindPlugin(options, SgnhtOptimizer, sgnhtInfo);
  bindPlugin(options, PsgldOptimizer, psgldInfo);
  bindPlugin(options, SgldCvOptimizer, sgldCvInfo);
});
