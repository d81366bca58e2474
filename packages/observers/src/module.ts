import { ContainerModule } from 'inversify';
import { bindPlugin } from '@nesslab/kernel';
import { MomentsObserver, momentsInfo } from './moments/moments.ts';
import { CirculationObserver, circulationInfo } from './circulation/circulation.ts';
import { RelativeLossObserver, relativeLossInfo } from './relative-loss/relative-loss.ts';
import { EntropyProductionObserver, entropyProductionInfo } from './entropy-production/entropy-production.ts';
import { KlToPosteriorObserver, klToPosteriorInfo } from './kl-to-posterior/kl-to-posterior.ts';
import { Marginal2dObserver, marginal2dInfo } from './marginal-2d/marginal-2d.ts';
import { EscapeTimeObserver, escapeTimeInfo } from './escape-time/escape-time.ts';

export default new ContainerModule((options) => {
  bindPlugin(options, MomentsObserver, momentsInfo);
  bindPlugin(options, CirculationObserver, circulationInfo);
  bindPlugin(options, RelativeLossObserver, relativeLossInfo);
  bindPlugin(options, EntropyProductionObserver, entropyProductionInfo);
  bindPlugin(options, KlToPosteriorObserver, klToPosteriorInfo);
  bindPlugin(options, Marginal2dObserver, marginal2dInfo);
  bindPlugin(options, EscapeTimeObserver, escapeTimeInfo);
});
