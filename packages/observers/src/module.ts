import { ContainerModule } from 'inversify';
import { bindPlugin } from '@nesslab/kernel';
import { MomentsObserver, momentsInfo } from './moments/moments.ts';
import { CirculationObserver, circulationInfo } from './circulation/circulation.ts';
import { RelativeLossObserver, relativeLossInfo } from './relative-loss/relative-loss.ts';

export default new ContainerModule((options) => {
  bindPlugin(options, MomentsObserver, momentsInfo);
  bindPlugin(options, CirculationObserver, circulationInfo);
  bindPlugin(options, RelativeLossObserver, relativeLossInfo);
});
