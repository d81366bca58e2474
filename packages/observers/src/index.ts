export { default as observersModule } from './module.ts';
export {
  MomentsObserver,
  momentsInfo,
  momentsResult,
  type MomentsPartial,
  type MomentsResult,
} from './moments/moments.ts';
export { ChainWelford, chanMerge, packedSize } from './moments/welford.ts';
export {
  CirculationObserver,
  circulationInfo,
  circulationResult,
  type CirculationPartial,
  type CirculationResult,
} from './circulation/circulation.ts';
export {
  RelativeLossObserver,
  relativeLossInfo,
  relativeLossResult,
  recordedSteps,
  type RelativeLossPartial,
  type RelativeLossResult,
  type Spacing,
} from './relative-loss/relative-loss.ts';
export {
  EntropyProductionObserver,
  entropyProductionInfo,
  type EntropyPartial,
} from './entropy-production/entropy-production.ts';
export {
  entropyResult,
  dftFit,
  type EntropyResult,
  type EntropyLengthResult,
  type DftFit,
} from './entropy-production/fluctuation.ts';
export { ChainAccumulator, reduceFrames, concatChains, type ChainPart } from './chain-group.ts';
export {
  KlToPosteriorObserver,
  klToPosteriorInfo,
  klResult,
  type KlPartial,
  type KlResult,
} from './kl-to-posterior/kl-to-posterior.ts';
export {
  Marginal2dObserver,
  marginal2dInfo,
  marginal2dResult,
  type Marginal2dPartial,
  type Marginal2dResult,
} from './marginal-2d/marginal-2d.ts';
export {
  EscapeTimeObserver,
  escapeTimeInfo,
  escapeResult,
  type EscapePartial,
  type EscapeResult,
} from './escape-time/escape-time.ts';
export { ActivationRateObserver, activationRateInfo } from './activation-rate/activation-rate.ts';
export { GradientNormObserver, gradientNormInfo } from './gradient-norm/gradient-norm.ts';
export {
  AtStepsAccumulator,
  atStepsResult,
  scheduleParams,
  type AtStepsPartial,
  type AtStepsResult,
} from './activation-rate/at-steps.ts';
export { WeightNormObserver, weightNormInfo } from './weight-norm/weight-norm.ts';
export { GradientVarianceObserver, gradientVarianceInfo } from './gradient-variance/gradient-variance.ts';
export {
  OccupancyObserver,
  occupancyInfo,
  occupancyResult,
  type OccupancyPartial,
  type OccupancyResult,
} from './occupancy/occupancy.ts';
export { FftObserver, fftInfo, fftResult, type FftPartial, type FftResult } from './fft/fft.ts';
export { Radix2Fft, isPowerOfTwo } from './fft/radix2.ts';
export {
  AutocorrelationObserver,
  autocorrelationInfo,
  autocorrelationResult,
  type AutocorrelationPartial,
  type AutocorrelationResult,
} from './autocorrelation/autocorrelation.ts';
export {
  DiffusionSpectrumObserver,
  diffusionSpectrumInfo,
  diffusionSpectrum,
  type DiffusionSpectrumPartial,
  type DiffusionSpectrumResult,
} from './diffusion-spectrum/diffusion-spectrum.ts';
export {
  SgnVsHessianObserver,
  sgnVsHessianInfo,
  sgnVsHessian,
  type SgnVsHessian,
  type SgnVsHessianPartial,
  type SgnVsHessianResult,
} from './sgn-vs-hessian/sgn-vs-hessian.ts';
export { TraceObserver, traceInfo, type TracePartial, type TraceResult } from './trace/trace.ts';
export {
  DiagnosticsObserver,
  diagnosticsInfo,
  type DiagnosticsPartial,
  type DiagnosticsResult,
  type WorstCoordinate,
} from './diagnostics/diagnostics.ts';
export {
  EnsembleDiagnostics,
  effectiveSampleSize,
  nestedRhat,
  normalQuantile,
  potentialScaleReduction,
  rankNormalise,
  type CoordinateDiagnostics,
} from './diagnostics/convergence.ts';
export { imqKernelSteinDiscrepancy, imqSteinKernel } from './diagnostics/stein.ts';
export {
  EntropyEstimateObserver,
  entropyEstimateInfo,
  entropyEstimateResult,
  type EntropyEstimatePartial,
  type EntropyEstimateResult,
} from './entropy-estimate/entropy-estimate.ts';
export { StridedIncrements, type IncrementVisitor } from './shared/strided-increments.ts';
