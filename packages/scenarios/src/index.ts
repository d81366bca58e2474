// The packaged scenarios (one folder each: the scenario, its analysis and figures, its test), their types, the
// programmatic API (`runScenario`), and the lower-level runner that steps a resolved run on the engine without the CLI.
export {
  scenarios,
  regressionNess,
  earthquakeNess,
  tfjsRegression,
  fluctuationTheorems,
  sgworldVsSgld,
  escapeWhiteNoise,
  escapeSgd,
  sgnHessian,
  threeFactors,
  thermophoresis,
  limitCycles,
  samplerBias,
  entropyEstimators,
} from './catalogue.ts';
export { scenariosModule } from './module.ts';
export { pluginModules } from './plugin-modules.ts';
export type { AnyScenario, Preset } from './types.ts';
export {
  defineScenario,
  judge,
  type AnalyseTools,
  type ClaimBuilder,
  type ClaimTest,
  type ScenarioParams,
  type ScenarioSource,
} from './define-scenario.ts';
export { runScenario, type RunScenarioOptions, type ScenarioRun } from './api.ts';
export {
  resolvePackagedRun,
  runResolved,
  validateRun,
  within,
  withPreset,
  type PackagedRun,
  type RunOptions,
  type RunOutcome,
  type SpecRun,
} from './run.ts';
export {
  defaultWorkers,
  libraryWorkerFile,
  rebuildError,
  serveGroup,
  workerPool,
  workerThreadsStarted,
  type WorkerData,
  type WorkerJob,
  type WorkerPool,
  type WorkerMessage,
} from './workers.ts';
export { canonicalJson, runVersions, unitKey, type RunVersions } from './units/key.ts';
export {
  BUILTIN_PACKAGES,
  gitState,
  reproducible,
  startProvenance,
  type Provenance,
  type RunOrigin,
} from './provenance.ts';
export {
  FolderUnitStore,
  decodeUnit,
  encodeUnit,
  identityOf,
  openUnitFolder,
  removeUnitFolder,
  storedRunner,
  type RunIdentity,
  type UnitFolderMode,
  type UnitStore,
} from './units/store.ts';
export { runIdentity } from './units/resume.ts';
export { unitCounts, secondsOf, type SplitInput } from './units/split.ts';
export {
  checkQueue,
  openQueue,
  releasingStore,
  type QueueRunner,
  type QueueRunnerOptions,
} from './queue/queue-runner.ts';
export { startQueueWorker, type QueueWorker, type QueueWorkerOptions } from './queue/queue-worker.ts';
