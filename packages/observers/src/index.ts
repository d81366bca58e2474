export { default as observersModule } from './module.ts';
export { MomentsObserver, momentsInfo, momentsResult, type MomentsPartial, type MomentsResult } from './moments/moments.ts';
export { ChainWelford, chanMerge, packedSize } from './moments/welford.ts';
export { CirculationObserver, circulationInfo, circulationResult, type CirculationPartial, type CirculationResult } from './circulation/circulation.ts';
export {
  RelativeLossObserver, relativeLossInfo, relativeLossResult, recordedSteps,
  type RelativeLossPartial, type RelativeLossResult, type Spacing,
} from './relative-loss/relative-loss.ts';
export { EntropyProductionObserver, entropyProductionInfo, type EntropyPartial } from './entropy-production/entropy-production.ts';
export { entropyResult, dftFit, type EntropyResult, type EntropyLengthResult, type DftFit } from './entropy-production/fluctuation.ts';
export { ChainAccumulator, reduceFrames, concatChains, type ChainPart } from './chain-group.ts';
export { KlToPosteriorObserver, klToPosteriorInfo, klResult, type KlPartial, type KlResult } from './kl-to-posterior/kl-to-posterior.ts';
export { Marginal2dObserver, marginal2dInfo, marginal2dResult, type Marginal2dPartial, type Marginal2dResult } from './marginal-2d/marginal-2d.ts';
export { EscapeTimeObserver, escapeTimeInfo, escapeResult, type EscapePartial, type EscapeResult } from './escape-time/escape-time.ts';
