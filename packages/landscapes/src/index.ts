export {
  TanhRegression,
  TANH_REGRESSION_DEFAULTS,
  generateData,
  tanh,
  type TanhRegressionParams,
} from './tanh-regression/tanh-regression.ts';
export { PAPER_X, PAPER_Y } from './tanh-regression/data.ts';
export { tanhRegressionInfo, default as landscapesModule } from './module.ts';
export {
  LinearisedRegression,
  linearisedRegressionInfo,
  psi,
  type ExactPosterior,
} from './linearised-regression/linearised-regression.ts';
export { MnistLinear, mnistLinearInfo, MNIST_LINEAR_DEFAULTS } from './mnist-linear/mnist-linear.ts';
export { loadMnist, poolImages, mnistFile, type MnistData, type MnistSplit } from './mnist-linear/mnist.ts';
export {
  blockDiffusionWOR,
  blockEffectiveGradient,
  blockEffectiveHessian,
  blockEffectiveLoss,
  blockEffectiveMinimum,
  blockWorTheory,
  mnistLinearSamples,
  mnistWorTheory,
  type BlockDiffusionWOROptions,
  type BlockWorTheory,
  type LinearSamples,
} from './mnist-linear/mnist-wor-theory.ts';
export type { SparseSamples } from './mnist-linear/mnist-theory.ts';
export {
  StyblinskiTang,
  styblinskiTangInfo,
  styblinskiTang1d,
  STYBLINSKI_TANG,
} from './styblinski-tang/styblinski-tang.ts';
export {
  kramersEscapeTime,
  meanExitTime,
  meanFirstPassageTime,
  sgdBoxEscape,
  SIEGMUND_BETA,
  styblinskiTangEscape,
  type StyblinskiTangEscape,
} from './styblinski-tang/escape-theory.ts';
export {
  ReluClassifier,
  reluClassifierInfo,
  generateData as generateReluClassifierData,
  type InputDistribution,
} from './relu-classifier/relu-classifier.ts';
export { WideSharpWells, wideSharpWellsInfo } from './wide-sharp-wells/wide-sharp-wells.ts';
export {
  WELLS_DEFAULTS,
  wellsCriticalPoints,
  wellsOccupancy,
  wellsLoss,
  wellsSlope,
  wellsCurvature,
  type WellsShape,
} from './wide-sharp-wells/wells.ts';
export {
  MnistFc,
  MnistSmallFc,
  MnistTinyFc,
  mnistSmallFcInfo,
  mnistTinyFcInfo,
  MNIST_SMALL_FC,
  MNIST_TINY_FC,
  type MnistFcShape,
} from './mnist-fc/mnist-fc.ts';
