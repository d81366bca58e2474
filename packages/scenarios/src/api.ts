// The programmatic API: a packaged scenario by name or definition, resolved exactly as `nesslab run` resolves it,
// run over worker threads, its results returned typed. Nothing is written.
import { availableParallelism } from 'node:os';
import {
  ScenarioError,
  assembleWithPlugins,
  importPluginModules,
  preview,
  resolvePluginSpecifiers,
  scenarioDefinition,
  type Claim,
  type Preset,
  type ScenarioAnalysis,
  type ScenarioDefinition,
  type ScenarioPlan,
} from '@nesslab/kernel';
import { pluginModules } from './plugin-modules.ts';
import { scenariosModule } from './module.ts';
import { resolvePackagedRun, runResolved } from './run.ts';
import { workerPool } from './workers.ts';

export interface RunScenarioOptions<P = Record<string, unknown>> {
  /** 'quick' (default: small, what the tests run) or 'full' (the paper's size). */
  preset?: Preset;
  /** Parameters over the preset's values, checked against the scenario's specs (as `--set` is). */
  set?: Partial<P>;
  /** 0 … 2^53 − 1 (default 1). The results depend on it alone, not on `workers`. */
  seed?: number;
  /**
   * Chain groups run at once, each in a worker thread (default: one per core, `availableParallelism()`); 1 runs in
   * this thread. Without this package's built worker (dist/worker.js) every group runs in this thread.
   */
  workers?: number;
  /**
   * Plugin packages or files (relative to the working folder), each default-exporting a ContainerModule: loaded here
   * (they may bind scenarios, named then by `nameOrDefinition`) and in every worker.
   */
  plugins?: readonly string[];
  /** false: the scenario's log lines and a progress bar per simulation on stderr, as `nesslab run` draws them (default true). */
  quiet?: boolean;
}

/** What `runScenario` returns. */
export interface ScenarioRun<R = Record<string, unknown>> {
  /**
   * The scenario's `analyse` results, as computed (results.json holds them beside scenario, preset, seed, claims,
   * elapsedSeconds, provenance).
   */
  results: R;
  claims: Claim[];
  /** The text files of the output folder `nesslab run` would write: scenario.json, results.json, plots/*.svg, *.vl.json. */
  files: Record<string, string>;
  /** Its binary files: plots/*.png, traces/*.npy. */
  bytes: Record<string, Uint8Array>;
  elapsedSeconds: number;
}

/**
 * Runs a packaged scenario, by definition (its `results` typed from the definition's `analyse`) or by name (nesslab's
 * own scenarios and any the `plugins` bind), with its parameters resolved as `nesslab run` resolves them: the preset
 * over the defaults, `set` over the preset. Bad input (an unknown name, preset or parameter, a value out of range,
 * a seed or worker count that is no integer) throws a ScenarioError naming it before anything runs. The results
 * are bit-identical to `nesslab run <name> --preset … --set … --seed …` (but `elapsedSeconds` and `provenance`, which
 * records `api: 'runScenario'` instead of a command), whatever `workers` is.
 */
export function runScenario<P, S extends ScenarioPlan, A extends ScenarioAnalysis>(
  scenario: ScenarioDefinition<P, S, A>,
  options?: RunScenarioOptions<P>,
): Promise<ScenarioRun<A['results']>>;
export function runScenario(name: string, options?: RunScenarioOptions): Promise<ScenarioRun>;
export async function runScenario(
  nameOrDefinition: string | ScenarioDefinition,
  options: RunScenarioOptions = {},
): Promise<ScenarioRun> {
  const {
    preset = 'quick',
    set = {},
    seed = 1,
    workers = availableParallelism(),
    plugins = [],
    quiet = true,
  } = options;
  if (!Number.isSafeInteger(workers) || workers < 1)
    throw new ScenarioError('workers', `must be an integer ≥ 1, got ${preview(workers)}`);
  const urls = resolvePluginSpecifiers(plugins, process.cwd(), 'plugins');
  const container = assembleWithPlugins(
    [...pluginModules, scenariosModule],
    await importPluginModules(urls, 'plugins'),
    'plugins',
  );
  const scenario =
    typeof nameOrDefinition === 'string'
      ? scenarioDefinition(container, nameOrDefinition, 'scenario')
      : nameOrDefinition;
  if (typeof scenario !== 'object' || scenario === null || typeof scenario.plan !== 'function')
    throw new ScenarioError(
      'scenario',
      `must be a scenario name or a definition (defineScenario), got ${preview(scenario)}`,
    );
  const run = resolvePackagedRun(scenario, { preset, seed, params: set, plugins: urls }, 'set');
  const pool = workers > 1 ? workerPool({ plugins: urls, size: workers }) : undefined;
  try {
    const { results, claims, files, bytes, elapsedSeconds } = await runResolved(container, run, {
      workers,
      quiet,
      origin: { api: 'runScenario' },
      ...(pool ? { runGroup: pool.runGroup } : {}),
    });
    return { results, claims, files, bytes, elapsedSeconds };
  } finally {
    await pool?.close();
  }
}
