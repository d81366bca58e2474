import type { Container } from 'inversify';
import { simulate, type SimulationResult } from '@nesslab/kernel';
import { claimsTable, createProgress, renderSvg, writeOutputAtomically, type Claim, type Progress } from './report/index.ts';
import { workerRunner } from './parallel.ts';
import type { PackagedRun, SpecRun } from './scenario-file.ts';
import type { ScenarioContext } from './scenarios/types.ts';

export interface RunOptions { out: string; workers: number; quiet?: boolean }
export interface RunOutcome { claims: Claim[]; elapsedSeconds: number }

/** Runs a resolved scenario and writes scenario.json, results.json and plots/ into `out`, all or nothing. */
export async function runScenario(container: Container, run: PackagedRun | SpecRun, options: RunOptions): Promise<RunOutcome> {
  const started = performance.now();
  const log = (line: string) => { if (!options.quiet) process.stderr.write(`${line}\n`); };
  const runGroup = workerRunner();
  const simulateHere = async (label: string, spec: Record<string, unknown>, extra: { reference?: Float64Array } = {}): Promise<SimulationResult> => {
    let progress: Progress | undefined;
    const result = await simulate(container, spec, {
      ...extra,
      groups: runGroup ? options.workers : 1,
      ...(runGroup ? { runGroup } : {}),
      onProgress: options.quiet ? undefined : (done, total) => { progress ??= createProgress({ label, total }); progress.update(done); },
    });
    progress?.finish();
    return result;
  };
  const files: Record<string, string> = {};
  let claims: Claim[] = [];
  if (run.kind === 'spec') {
    const result = await simulateHere('simulation', run.spec as unknown as Record<string, unknown>);
    const elapsedSeconds = (performance.now() - started) / 1000;
    files['scenario.json'] = json(run.spec);
    files['results.json'] = json({ ...result, elapsedSeconds });
    await writeOutputAtomically(options.out, files);
    return { claims, elapsedSeconds };
  }
  const ctx: ScenarioContext = { container, seed: run.seed, preset: run.preset, simulate: simulateHere, log };
  const output = await run.scenario.run(run.params, ctx);
  claims = output.claims;
  const elapsedSeconds = (performance.now() - started) / 1000;
  files['scenario.json'] = json({ scenario: run.scenario.name, preset: run.preset, seed: run.seed, params: run.params });
  files['results.json'] = json({ scenario: run.scenario.name, preset: run.preset, seed: run.seed, ...output.results, claims, elapsedSeconds });
  for (const [name, spec] of Object.entries(output.plots)) files[`plots/${name}.svg`] = await renderSvg(spec);
  await writeOutputAtomically(options.out, files);
  if (!options.quiet) process.stdout.write(`${claimsTable(claims)}\n`);
  return { claims, elapsedSeconds };
}

const json = (value: unknown) => `${JSON.stringify(value, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v), 2)}\n`;
