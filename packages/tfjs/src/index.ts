export { default as tfjsModule } from './module.ts';
export { TfjsLandscape, type TfjsLandscapeDefinition, type JacobianMode, type HessianMode } from './tfjs-landscape.ts';
export {
  TfjsRegression,
  tfjsRegressionInfo,
  tfjsRegressionDefinition,
  TFJS_REGRESSION_DEFAULTS,
  type TfjsRegressionParams,
} from './regression.ts';
export {
  selectBackend,
  currentBackend,
  loadTfjs,
  BACKEND_ORDER,
  BACKEND_ENV,
  type BackendSelection,
  type TfjsBackendName,
} from './backend.ts';
