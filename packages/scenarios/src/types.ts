import type { Container } from 'inversify';
import type { ParamSpec, ScenarioDefinition, SimulationResult } from '@nesslab/kernel';
import type { Claim, TopLevelSpec } from '@nesslab/report';

export type Preset = 'quick' | 'full';

/** What a packaged scenario gets from its runner (`runScenario`, `validateRun`). */
export interface ScenarioContext {
  container: Container;
  seed: number;
  preset: Preset;
  /** Runs one simulation spec (plain JSON) over the worker threads, with a progress bar labelled `label`. */
  simulate(label: string, spec: Record<string, unknown>, options?: { reference?: Float64Array }): Promise<SimulationResult>;
  log(line: string): void;
}

export interface ScenarioOutput {
  results: Record<string, unknown>;
  claims: Claim[];
  /** File name (without extension) → Vega-Lite spec, rendered to plots/<name>.svg. */
  plots: Record<string, TopLevelSpec>;
}

/** A packaged scenario: parameters with documented defaults, presets, and the claims it checks. */
export interface PackagedScenario {
  name: string;
  title: string;
  /** What it reproduces, with the paper and figure. */
  reproduces: string;
  params: Record<string, ParamSpec>;
  /** Values that differ from the params' defaults in each preset (`full` is the paper's size). */
  presets: Record<Preset, Record<string, unknown>>;
  /** Claim ids with a one-line statement each, for `describe`. */
  claims: Record<string, string>;
  run(params: Record<string, unknown>, ctx: ScenarioContext): Promise<ScenarioOutput>;
}

/** A packaged scenario in either form: a `defineScenario` definition (plan/analyse/figures) or a single `run`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyScenario = PackagedScenario | ScenarioDefinition<any, any, any>;
