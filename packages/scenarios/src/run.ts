// Runs a resolved packaged scenario or a plain simulation spec on the engine, without the CLI: the files of its output
// folder come back as strings, and nothing is written. The programmatic API (api.ts) resolves a run and adds this
// package's worker threads; the CLI adds its own bundled worker threads, the output folder (locking, atomic swap) and
// the claims table on stdout.
import type { Container } from 'inversify';
import {
  DivergenceError,
  ScenarioError,
  configuredLandscape,
  planSimulation,
  preview,
  resolveParams,
  runGroupHere,
  simulate,
  type resolveSpec,
  type PluginInfo,
  type ScenarioContext as DefinitionContext,
  type ParamSpec,
  type SimulationRequest,
  type SimulateOptions,
  type SimulationPlan,
  type SimulationResult,
} from '@nesslab/kernel';
import type { TopLevelSpec } from '@nesslab/report';
import {
  createProgress,
  figureFiles,
  pngUnavailable,
  reportHtml,
  themed,
  type Claim,
  type LiveSink,
  type Progress,
} from '@nesslab/report';
import type { AnyScenario, Preset } from './types.ts';
import { startProvenance, type RunOrigin } from './provenance.ts';
import { storedRunner, type UnitStore } from './units/store.ts';
import type { RunVersions } from './units/key.ts';
import { unitCounts } from './units/split.ts';

/** A packaged scenario with its parameters resolved: preset over defaults, file/--set over preset. */
export interface PackagedRun {
  kind: 'packaged';
  scenario: AnyScenario;
  preset: Preset;
  seed: number;
  params: Record<string, unknown>;
  plugins: string[];
}
/** A plain simulation spec, resolved. */
export interface SpecRun {
  kind: 'spec';
  spec: ReturnType<typeof resolveSpec>;
  plugins: string[];
}

/** The scenario's parameter specs with the preset's values as defaults. */
export function withPreset(scenario: AnyScenario, preset: Preset): Record<string, ParamSpec> {
  const out: Record<string, ParamSpec> = {};
  const values = scenario.presets[preset];
  for (const [k, spec] of Object.entries(scenario.params))
    out[k] = Object.hasOwn(values, k) ? { ...spec, default: values[k] } : spec;
  return out;
}

export interface RunOptions {
  workers: number;
  quiet?: boolean;
  /** A spec run's plan from `validateRun`. */
  plan?: SimulationPlan;
  /** Runs one chain group elsewhere (worker threads: `workerPool`), `workers` groups at a time; absent: here, one at a time. */
  runGroup?: SimulateOptions['runGroup'];
  /**
   * Finished units: each unit (a simulation × a chain group) is looked up here before it runs, and stored when it is
   * computed, so that a run killed at any instant can be resumed where it stopped (bit-identical results).
   */
  units?: { store: UnitStore; versions: RunVersions; onUnit?: (event: 'found' | 'computed') => void };
  /** 'units' (default): each simulation split as split.ts says; 'workers': one chain group per worker (benchmarks). */
  split?: 'units' | 'workers';
  /** The worker count the split is made for (default `workers`): a resumed run keeps its first run's split. */
  splitWorkers?: number;
  /** Who started the run (results.json's provenance): the CLI's `{ command: ['nesslab', 'run', …] }` or `{ api }`. */
  origin?: RunOrigin;
  /** The live view (`--live`): progress, observers' live values and the claims as they come. Read-only. */
  live?: LiveSink;
}
/**
 * What a run produced: the files of its output folder (scenario.json, results.json, plots/*.svg), its claims, and its
 * results as computed: a packaged scenario's `analyse` results (the fields of results.json beside scenario, preset,
 * seed, claims, elapsedSeconds and provenance), a spec's simulation result.
 */
export interface RunOutcome {
  /** Text files by path: scenario.json, results.json, plots/*.svg and *.vl.json, traces/*.csv. */
  files: Record<string, string>;
  /** Binary files by path: plots/*.png, traces/*.npy. */
  bytes: Record<string, Uint8Array>;
  claims: Claim[];
  elapsedSeconds: number;
  results: Record<string, unknown>;
}

/**
 * A packaged run of `scenario`, resolved as `nesslab run` resolves it: the preset's values over the defaults, `params`
 * over the preset (unknown or out-of-range names throw a ScenarioError naming `field`), seed 0 … 2^53 − 1.
 */
export function resolvePackagedRun(
  scenario: AnyScenario,
  given: { preset?: unknown; seed?: unknown; params?: unknown; plugins?: readonly string[] },
  field = 'params',
): PackagedRun {
  const preset = (given.preset === undefined ? 'quick' : given.preset) as Preset;
  if (typeof preset !== 'string' || !Object.hasOwn(scenario.presets, preset))
    throw new ScenarioError(
      'preset',
      `unknown preset ${preview(preset)}; known: ${Object.keys(scenario.presets).join(', ')}`,
    );
  const seed = given.seed === undefined ? 1 : given.seed; // null is not a seed
  if (!Number.isSafeInteger(seed) || (seed as number) < 0)
    throw new ScenarioError('seed', `must be an integer from 0 to 2^53 − 1, got ${preview(seed)}`);
  if (
    given.params !== undefined &&
    (typeof given.params !== 'object' || given.params === null || Array.isArray(given.params))
  ) {
    throw new ScenarioError(field, `must be an object of the scenario's parameters, got ${preview(given.params)}`);
  }
  const info: PluginInfo = {
    kind: 'observer',
    name: scenario.name,
    description: scenario.title,
    params: withPreset(scenario, preset),
    precision: 'float64',
  };
  const params = resolveParams(info, given.params ?? {}, field);
  return { kind: 'packaged', scenario, preset, seed: seed as number, params, plugins: [...(given.plugins ?? [])] };
}

/** A sub-simulation's errors name it: `WOR training curves: chain 3 diverged at step 72: θ[0] = NaN`. */
export function within(label: string | undefined, e: unknown): unknown {
  if (!label) return e;
  if (e instanceof DivergenceError) return e.within(label);
  if (e instanceof ScenarioError) return new ScenarioError(`${label}: ${e.field}`, e.message.slice(e.field.length + 2));
  return e;
}

/**
 * Runs a resolved scenario and returns the files of its output folder; writes nothing itself. Unless `quiet`, the
 * scenario's log lines and a progress bar per simulation go to stderr.
 */
export async function runResolved(
  container: Container,
  run: PackagedRun | SpecRun,
  options: RunOptions,
): Promise<RunOutcome> {
  const started = performance.now();
  const provenance = startProvenance({
    plugins: options.units?.versions ?? [...run.plugins, ...(run.kind === 'spec' ? (run.spec.plugins ?? []) : [])],
    ...(options.origin ? { origin: options.origin } : {}),
  });
  const log = (line: string) => {
    if (!options.quiet) process.stderr.write(`${line}\n`);
  };
  // Every simulation is split into units (split.ts) run `workers` at a time; found in the store, a unit is not run.
  const concurrency = options.runGroup ? options.workers : 1;
  const here: NonNullable<SimulateOptions['runGroup']> = (job, onProgress) => runGroupHere(container, job, onProgress);
  const inner = options.runGroup ?? here;
  const stored = options.units;
  const runGroup = stored ? storedRunner(stored.store, stored.versions, inner, stored.onUnit) : inner;
  const simulateHere = async (
    label: string | undefined,
    spec: unknown,
    extra: { reference?: Float64Array; plan?: SimulationPlan; units?: number; theory?: LiveTheory } = {},
  ): Promise<SimulationResult> => {
    let progress: Progress | undefined;
    const name = label ?? 'simulation',
      live = options.live;
    try {
      const plan =
        extra.plan ??
        (await planSimulation(container, spec, {
          groups: concurrency,
          ...(extra.reference ? { reference: extra.reference } : {}),
        }));
      live?.simulation(name, plan.spec.chains * plan.spec.steps, extra.theory);
      return await simulate(container, spec, {
        plan: {
          ...plan,
          groups:
            options.split === 'workers'
              ? Math.min(plan.spec.chains, concurrency)
              : (extra.units ?? unitCounts([splitInput(plan)], options.splitWorkers ?? options.workers)[0]!),
        },
        concurrency,
        runGroup,
        ...(live ? { onLive: (update) => live.values(name, update) } : {}),
        onProgress:
          options.quiet && !live
            ? undefined
            : (done, total) => {
                live?.progress(name, done, total);
                if (options.quiet) return;
                progress ??= createProgress({ label: name, total });
                progress.update(done);
              },
      });
    } catch (e) {
      throw within(label, e);
    } finally {
      progress?.finish();
    }
  };
  const files: Record<string, string> = {},
    bytes: Record<string, Uint8Array> = {};
  const add = (more: Record<string, string | Uint8Array> = {}) => {
    for (const [path, content] of Object.entries(more))
      if (typeof content === 'string') files[path] = content;
      else bytes[path] = content;
  };
  let claims: Claim[] = [];
  if (run.kind === 'spec') {
    const plan = options.plan ?? (await planSimulation(container, run.spec, { groups: concurrency }));
    const { files: observerFiles, ...result } = await simulateHere(undefined, run.spec, { plan });
    const elapsedSeconds = (performance.now() - started) / 1000;
    files['scenario.json'] = json(run.spec);
    files['results.json'] = json({ ...result, elapsedSeconds, provenance: provenance() });
    add(observerFiles); // e.g. traces/theta.npy (Observer.files)
    // Each observer's default figure (Observer.figure), drawn as a packaged scenario's are.
    const plots: Record<string, unknown> = {};
    plan.parts.observers.forEach((observer, k) => {
      const key = Object.keys(result.observers)[k]!;
      const spec = observer.files ? undefined : observer.figure?.(result.observers[key]);
      if (spec) plots[key.replace(/[^\w.-]+/g, '-')] = themed(spec);
    });
    for (const [name, spec] of Object.entries(plots)) add(await figureFiles(name, spec as TopLevelSpec));
    const s = run.spec;
    files['report.html'] = reportHtml({
      title: `${s.landscape.name} × ${s.optimizer.name} × ${s.sampler.name}`,
      subtitle: `a simulation of ${s.chains} chains × ${s.steps} steps, observed by ${s.observers.map((o) => o.name).join(', ') || 'no observer'}`,
      run: { seed: s.seed, chains: s.chains, steps: s.steps },
      params: run.spec as unknown as Record<string, unknown>,
      claims: [],
      ...provenanceOf(files['results.json']),
      figures: plots,
      files: [...Object.keys(files), ...Object.keys(bytes)].filter((f) => f !== 'report.html').sort(),
    });
    return { files, bytes, claims, elapsedSeconds, results: result as unknown as Record<string, unknown> };
  }
  // plan → every simulation checked before the first step → simulated in the plan's order → analyse → figures.
  const def = run.scenario,
    ctx = definitionContext(container, run, log);
  const plan = await def.plan(run.params, ctx);
  const plans = await planAll(container, plan.simulations, concurrency);
  // Over the whole run: ≈ 1/16 of it per unit.
  const units = unitCounts(plans.map(splitInput), options.splitWorkers ?? options.workers);
  options.live?.plan?.(
    plans.map((p, i) => ({
      label: (plan.simulations[i] as SimulationRequest).label,
      total: p.spec.chains * p.spec.steps,
    })),
  );
  const outcomes: (SimulationResult & { seconds: number })[] = [];
  for (const [i, r] of plan.simulations.entries()) {
    const t0 = performance.now();
    const result = await simulateHere(r.label, r.spec, {
      plan: plans[i]!,
      units: units[i]!,
      ...(r.theory ? { theory: r.theory } : {}),
    });
    outcomes.push({ ...result, seconds: (performance.now() - t0) / 1000 });
  }
  const analysis = await def.analyse(run.params, outcomes, plan, ctx);
  const output = {
    results: analysis.results,
    claims: analysis.claims,
    plots: (def.figures?.(run.params, analysis, plan, outcomes) ?? {}) as Record<string, TopLevelSpec>,
  };
  claims = output.claims;
  options.live?.claims(claims);
  const elapsedSeconds = (performance.now() - started) / 1000;
  files['scenario.json'] = json({
    scenario: run.scenario.name,
    preset: run.preset,
    seed: run.seed,
    params: run.params,
    ...(run.plugins.length ? { plugins: run.plugins } : {}),
  });
  files['results.json'] = json({
    scenario: run.scenario.name,
    preset: run.preset,
    seed: run.seed,
    ...output.results,
    claims,
    elapsedSeconds,
    provenance: provenance(),
  });
  for (const [name, spec] of Object.entries(output.plots)) add(await figureFiles(name, spec));
  files['report.html'] = reportHtml({
    title: def.name,
    subtitle: def.title,
    reproduces: def.reproduces,
    run: { scenario: def.name, preset: run.preset, seed: run.seed },
    params: run.params,
    claims,
    ...provenanceOf(files['results.json']),
    figures: output.plots,
    files: [...Object.keys(files), ...Object.keys(bytes)].filter((f) => f !== 'report.html').sort(),
  });
  const noPng = Object.keys(output.plots).length ? pngUnavailable() : undefined;
  if (noPng) log(`plots/*.png skipped: @resvg/resvg-js did not load here (${noPng}); the SVGs are written`);
  return { files, bytes, claims, elapsedSeconds, results: output.results };
}

/**
 * Everything `run` checks before its first step, without stepping: a spec is planned in full (plugins configured, the
 * start's shape, θ₀, memory); a packaged scenario has its parameters resolved, its own checks run (`plan`), and every
 * simulation of its plan planned in full.
 */
export async function validateRun(
  container: Container,
  run: PackagedRun | SpecRun,
  workers: number,
): Promise<SimulationPlan | undefined> {
  if (run.kind === 'spec') return planSimulation(container, run.spec, { groups: workers });
  const ctx = definitionContext(container, run, () => {});
  await planAll(container, (await run.scenario.plan(run.params, ctx)).simulations, workers);
  return undefined;
}

/** What a definition's steps get: the container, seed, preset, configured landscapes, and the log. */
function definitionContext(container: Container, run: PackagedRun, log: (line: string) => void): DefinitionContext {
  return {
    container,
    seed: run.seed,
    preset: run.preset,
    log,
    plugin: (_kind, ref, field = 'landscape') => configuredLandscape(container, ref, run.seed, field),
  };
}

/** Plans every requested simulation (all checks, memory included), naming the failing one by its label. */
async function planAll(
  container: Container,
  requests: readonly SimulationRequest[],
  groups: number,
): Promise<SimulationPlan[]> {
  const plans: SimulationPlan[] = [];
  for (const r of requests) {
    try {
      plans.push(
        await planSimulation(container, r.spec, { groups, ...(r.reference ? { reference: r.reference } : {}) }),
      );
    } catch (e) {
      throw within(r.label, e);
    }
  }
  return plans;
}

/** What the split needs of a planned simulation. */
const splitInput = (plan: SimulationPlan) => ({
  chains: plan.spec.chains,
  steps: plan.spec.steps,
  dim: plan.parts.landscape.dim,
  batchSize: plan.parts.sampler.batchSize,
});

/** The provenance results.json records, for the report. */
const provenanceOf = (results: string | undefined): { provenance?: Record<string, unknown> } => {
  const p =
    results === undefined ? undefined : (JSON.parse(results) as { provenance?: Record<string, unknown> }).provenance;
  return p ? { provenance: p } : {};
};

/** Theory lines of the live view, by observer and value name. */
type LiveTheory = Record<string, Record<string, number>>;

const json = (value: unknown) =>
  `${JSON.stringify(value, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v), 2)}\n`;
