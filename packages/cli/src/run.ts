// The CLI's side of a run: @nesslab/scenarios' runScenario over the worker threads, and the claims table on stdout.
import type { Container } from 'inversify';
import { claimsTable } from '@nesslab/report';
import { runScenario as runOnEngine, type PackagedRun, type RunOptions, type RunOutcome, type SpecRun } from '@nesslab/scenarios';
import { workerRunner } from './parallel.ts';

/** Runs a resolved scenario over the worker threads (when the bundled worker is there) and returns the files of its output folder; writes nothing itself. */
export async function runScenario(container: Container, run: PackagedRun | SpecRun, options: Omit<RunOptions, 'runGroup'>): Promise<RunOutcome> {
  const runGroup = workerRunner();
  const outcome = await runOnEngine(container, run, { ...options, ...(runGroup ? { runGroup } : {}) });
  if (run.kind === 'packaged' && !options.quiet) process.stdout.write(`${claimsTable(outcome.claims)}\n`);
  return outcome;
}
