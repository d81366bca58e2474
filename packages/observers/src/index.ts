export { default as observersModule } from './module.ts';
export { MomentsObserver, momentsInfo, momentsResult, type MomentsPartial, type MomentsResult } from './moments/moments.ts';
export { ChainWelford, chanMerge, packedSize } from './moments/welford.ts';
export { CirculationObserver, circulationInfo, circulationResult, type CirculationPartial, type CirculationResult } from './circulation/circulation.ts';
export {
  RelativeLossObserver, relativeLossInfo, relativeLossResult, recordedSteps,
  type RelativeLossPartial, type RelativeLossResult, type Spacing,
} from './relative-loss/relative-loss.ts';
export { ChainAccumulator, reduceFrames, concatChains, type ChainPart } from './chain-group.ts';
