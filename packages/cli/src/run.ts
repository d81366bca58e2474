// The CLI's side of a run: @nesslab/scenarios' runResolved over the CLI's own bundled worker threads, and the claims
// table on stdout.
import type { Container } from 'inversify';
import { fileURLToPath } from 'node:url';
import { claimsTable } from '@nesslab/report';
import {
  runResolved,
  workerPool,
  type PackagedRun,
  type RunOptions,
  type RunOutcome,
  type SpecRun,
} from '@nesslab/scenarios';

/** The CLI bundle's worker (dist/worker.mjs beside dist/nesslab.mjs): its plugin modules are the CLI's (modules.ts). */
const workerFile = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/** Runs a resolved scenario over the worker threads (when the bundled worker is there) and returns the files of its output folder; writes nothing itself. */
export async function runScenario(
  container: Container,
  run: PackagedRun | SpecRun,
  options: Omit<RunOptions, 'runGroup'>,
): Promise<RunOutcome> {
  const pool = workerPool({ file: workerFile, plugins: run.plugins, size: options.workers });
  let outcome: RunOutcome;
  try {
    outcome = await runResolved(container, run, { ...options, ...(pool ? { runGroup: pool.runGroup } : {}) });
  } finally {
    await pool?.close();
  }
  if (run.kind === 'packaged' && !options.quiet) process.stdout.write(`${claimsTable(outcome.claims)}\n`);
  return outcome;
}
