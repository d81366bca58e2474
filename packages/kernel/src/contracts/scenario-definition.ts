// A packaged scenario as a contribution: what it simulates (plan), what it concludes (analyse), what it draws
// (figures). Scenario packages bind each definition under this token in their ContainerModule, the way plugin
// packages bind plugins; the CLI and the programmatic API find them with `getAll(ScenarioDefinition)`.
import type { Container } from 'inversify';
import type { ParamSpec } from './plugin-info.ts';
import type { Landscape } from './landscape.ts';
import type { PluginRef } from './scenario.ts';

/** One checked claim of a scenario: a measured quantity compared with what theory expects. */
export interface Claim {
  id: string;
  statement: string;
  measured: number | string;
  expected: number | string;
  tolerance: number | string;
  holds: boolean;
}

export type Preset = 'quick' | 'full';

/** One simulation a scenario asks for: a spec (plain JSON, as in a scenario file) under a label that names it in errors. */
export interface SimulationRequest {
  label: string;
  spec: Record<string, unknown>;
  /** θ₀, when the scenario computed it already (the run skips Newton). */
  reference?: Float64Array;
  /** Theory lines for the live view (`--live`): by observer name, then by the name of one of its `live` values. */
  theory?: Record<string, Record<string, number>>;
}

/** What `plan` returns: the simulations, in the order they run, plus whatever `analyse` needs of the planning. */
export interface ScenarioPlan {
  simulations: readonly SimulationRequest[];
}

/** Observer results of one simulation, by observer name (a repeated name gets `#k`), as `simulate` returns them. */
export interface SimulationOutcome {
  spec: Record<string, unknown>;
  reference?: number[];
  runtime?: Record<string, unknown>;
  observers: Record<string, unknown>;
  /** Wall-clock seconds the simulation stepped (its checks were made before the first simulation). */
  seconds?: number;
}

/** What a scenario's steps may use. */
export interface ScenarioContext {
  container: Container;
  seed: number;
  preset: Preset;
  /**
   * A landscape of this run's container for the scenario's own theory (θ₀, H₀, the NESS theory), exactly as a spec would
   * get it: params resolved and checked against its info (errors name `field`), prepared, configured with the seed.
   * (Samplers, optimizers and observers only make sense inside a simulation: ask for them in a spec.)
   */
  plugin(kind: 'landscape', ref: PluginRef | string, field?: string): Promise<Landscape>;
  log(line: string): void;
}

/** What `analyse` returns: the results.json fields (beside scenario, preset, seed, claims) and the claims. */
export interface ScenarioAnalysis {
  results: Record<string, unknown>;
  claims: Claim[];
}

/**
 * A packaged scenario. `plan` decides every simulation up front (from the params and any theory it computes), so a
 * run can check them all before the first step and split them into units; `analyse` turns their outcomes (in the
 * plan's order) into numbers and claims; `figures` draws (Vega-Lite specs by file name, rendered to plots/<name>.svg).
 */
export const ScenarioDefinition = Symbol.for('nesslab.ScenarioDefinition');
export interface ScenarioDefinition<
  P = Record<string, unknown>,
  S extends ScenarioPlan = ScenarioPlan,
  A extends ScenarioAnalysis = ScenarioAnalysis,
> {
  readonly name: string;
  readonly title: string;
  /** What it reproduces, with the paper and figure. */
  readonly reproduces: string;
  readonly params: Readonly<Record<string, ParamSpec>>;
  /** Values that differ from the params' defaults in each preset (`full` is the paper's size). */
  readonly presets: Readonly<Record<Preset, Readonly<Record<string, unknown>>>>;
  /** Claim ids with a one-line statement each (`describe` lists them; `claim(id, …)` builds from them). */
  readonly claims: Readonly<Record<string, string>>;
  plan(params: P, ctx: ScenarioContext): S | Promise<S>;
  analyse(params: P, outcomes: readonly SimulationOutcome[], plan: S, ctx: ScenarioContext): A | Promise<A>;
  figures?(params: P, analysis: A, plan: S, outcomes: readonly SimulationOutcome[]): Record<string, unknown>;
}
