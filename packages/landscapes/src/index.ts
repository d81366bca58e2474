export { TanhRegression, TANH_REGRESSION_DEFAULTS, generateData, tanh, type TanhRegressionParams } from './tanh-regression/tanh-regression.ts';
export { PAPER_X, PAPER_Y } from './tanh-regression/data.ts';
export { tanhRegressionInfo, default as landscapesModule } from './module.ts';
export { TfjsLandscape, type TfjsLandscapeDefinition, type JacobianMode, type HessianMode } from './tfjs/tfjs-landscape.ts';
export { TfjsRegression, tfjsRegressionInfo, tfjsRegressionDefinition, type TfjsRegressionParams } from './tfjs/regression.ts';
export { selectBackend, currentBackend, loadTfjs, BACKEND_ORDER, BACKEND_ENV, type BackendSelection, type TfjsBackendName } from './tfjs/backend.ts';
export { LinearisedRegression, linearisedRegressionInfo, psi, type ExactPosterior } from './linearised-regression/linearised-regression.ts';
export { MnistLinear, mnistLinearInfo, MNIST_LINEAR_DEFAULTS } from './mnist-linear/mnist-linear.ts';
export { loadMnist, poolImages, mnistFile, type MnistData, type MnistSplit } from './mnist-linear/mnist.ts';
