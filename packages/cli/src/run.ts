import type { Container } from 'inversify';
import { DivergenceError, ScenarioError, planSimulation, simulate, type SimulationPlan, type SimulationResult } from '@nesslab/kernel';
import { claimsTable, createProgress, renderSvg, type Claim, type Progress } from './report/index.ts';
import { workerRunner } from './parallel.ts';
import type { PackagedRun, SpecRun } from './scenario-file.ts';
import type { ScenarioContext } from './scenarios/types.ts';

export interface RunOptions { workers: number; quiet?: boolean; /** A spec run's plan from `validateRun`. */ plan?: SimulationPlan }
/** What a run produced: the files of its output folder (scenario.json, results.json, plots/*.svg) and its claims. */
export interface RunOutcome { files: Record<string, string>; claims: Claim[]; elapsedSeconds: number }

/** A sub-simulation's errors name it: `WOR training curves: chain 3 diverged at step 72: θ[0] = NaN`. */
export function within(label: string | undefined, e: unknown): unknown {
  if (!label) return e;
  if (e instanceof DivergenceError) return e.within(label);
  if (e instanceof ScenarioError) return new ScenarioError(`${label}: ${e.field}`, e.message.slice(e.field.length + 2));
  return e;
}

/** Runs a resolved scenario and returns the files of its output folder; writes nothing itself. */
export async function runScenario(container: Container, run: PackagedRun | SpecRun, options: RunOptions): Promise<RunOutcome> {
  const started = performance.now();
  const log = (line: string) => { if (!options.quiet) process.stderr.write(`${line}\n`); };
  const runGroup = workerRunner();
  const simulateHere = async (label: string | undefined, spec: Record<string, unknown>, extra: { reference?: Float64Array; plan?: SimulationPlan } = {}): Promise<SimulationResult> => {
    let progress: Progress | undefined;
    try {
      return await simulate(container, spec, {
        ...extra,
        groups: runGroup ? options.workers : 1,
        ...(runGroup ? { runGroup } : {}),
        onProgress: options.quiet ? undefined : (done, total) => { progress ??= createProgress({ label: label ?? 'simulation', total }); progress.update(done); },
      });
    } catch (e) {
      throw within(label, e);
    } finally {
      progress?.finish();
    }
  };
  const files: Record<string, string> = {};
  let claims: Claim[] = [];
  if (run.kind === 'spec') {
    const result = await simulateHere(undefined, run.spec as unknown as Record<string, unknown>, options.plan ? { plan: options.plan } : {});
    const elapsedSeconds = (performance.now() - started) / 1000;
    files['scenario.json'] = json(run.spec);
    files['results.json'] = json({ ...result, elapsedSeconds });
    return { files, claims, elapsedSeconds };
  }
  const ctx: ScenarioContext = { container, seed: run.seed, preset: run.preset, simulate: simulateHere, log };
  const output = await run.scenario.run(run.params, ctx);
  claims = output.claims;
  const elapsedSeconds = (performance.now() - started) / 1000;
  files['scenario.json'] = json({ scenario: run.scenario.name, preset: run.preset, seed: run.seed, params: run.params, ...(run.plugins.length ? { plugins: run.plugins } : {}) });
  files['results.json'] = json({ scenario: run.scenario.name, preset: run.preset, seed: run.seed, ...output.results, claims, elapsedSeconds });
  for (const [name, spec] of Object.entries(output.plots)) files[`plots/${name}.svg`] = await renderSvg(spec);
  if (!options.quiet) process.stdout.write(`${claimsTable(claims)}\n`);
  return { files, claims, elapsedSeconds };
}

/** Stops a packaged scenario at its first simulation, once that simulation has been checked. */
class Planned extends Error {}

/**
 * Everything `run` checks before its first step, without stepping: a spec is planned in full (plugins configured, the
 * start's shape, θ₀, memory); a packaged scenario has its parameters resolved, its own checks run, and its first
 * simulation planned. Later simulations of a packaged scenario are planned when the run reaches them (their specs
 * may depend on what the earlier ones measured).
 */
export async function validateRun(container: Container, run: PackagedRun | SpecRun, workers: number): Promise<SimulationPlan | undefined> {
  if (run.kind === 'spec') return planSimulation(container, run.spec, { groups: workers });
  const plan = async (label: string | undefined, spec: Record<string, unknown>, extra: { reference?: Float64Array } = {}): Promise<SimulationResult> => {
    try { await planSimulation(container, spec, { ...extra, groups: workers }); } catch (e) { throw within(label, e); }
    throw new Planned();
  };
  const ctx: ScenarioContext = { container, seed: run.seed, preset: run.preset, simulate: plan, log: () => {} };
  try {
    await run.scenario.run(run.params, ctx);
  } catch (e) {
    if (!(e instanceof Planned)) throw e;
  }
  return undefined;
}

const json = (value: unknown) => `${JSON.stringify(value, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v), 2)}\n`;
