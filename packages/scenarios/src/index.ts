// The packaged scenarios (one folder each: the scenario, its analysis and figures, its test), their types, and the
// runner that steps them on the engine without the CLI.
export { scenarios } from './catalogue.ts';
export { scenariosModule } from './module.ts';
export type { AnyScenario, Preset } from './types.ts';
export { defineScenario, judge, type AnalyseTools, type ClaimBuilder, type ClaimTest, type ScenarioParams, type ScenarioSource } from './define-scenario.ts';
export { runScenario, validateRun, within, withPreset, type PackagedRun, type RunOptions, type RunOutcome, type SpecRun } from './run.ts';
