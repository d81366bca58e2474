export { TanhRegression, TANH_REGRESSION_DEFAULTS, generateData, tanh, type TanhRegressionParams } from './tanh-regression/tanh-regression.ts';
export { PAPER_X, PAPER_Y } from './tanh-regression/data.ts';
export { tanhRegressionInfo, default as landscapesModule } from './module.ts';
