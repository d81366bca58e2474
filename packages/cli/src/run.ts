// The CLI's side of a run: @nesslab/scenarios' runResolved over the CLI's own bundled worker threads, or over a Redis
// queue (`--queue`: the units go to `nesslab worker` processes), and the claims table on stdout (or, under --json, the
// caller's one JSON object).
import type { Container } from 'inversify';
import { fileURLToPath } from 'node:url';
import { claimsTable } from '@nesslab/report';
import {
  openQueue,
  releasingStore,
  runResolved,
  workerPool,
  type PackagedRun,
  type QueueRunner,
  type RunOptions,
  type RunOutcome,
  type SpecRun,
  type UnitFolderMode,
} from '@nesslab/scenarios';

/** The CLI bundle's worker (dist/worker.mjs beside dist/nesslab.mjs): its plugin modules are the CLI's (modules.ts). */
export const workerFile = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/** What a run or sweep does with an interrupted run's units beside DIR: continue (--resume), start over (--force), or refuse. */
export const unitMode = (flags: { resume?: boolean; force?: boolean }): UnitFolderMode =>
  flags.resume ? 'resume' : flags.force ? 'force' : 'fresh';

/** The line --resume prints before computing. */
export const resumeLine = (finished: number, folder: string): string =>
  finished
    ? `resuming: ${finished} finished unit${finished === 1 ? '' : 's'} found in ${folder}\n`
    : `nothing to resume in ${folder}: running from the start\n`;

/** `--json`: one JSON object, indented, and a newline (typed arrays as arrays). */
export const jsonText = (value: unknown): string =>
  `${JSON.stringify(value, (_k, v: unknown) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v), 2)}\n`;

/**
 * Runs a resolved scenario over the worker threads (when the bundled worker is there), or with `queue` (a Redis URL)
 * over the queue's workers, and returns the files of its output folder; writes nothing itself. With a queue, a unit
 * stored in `units` leaves Redis only once stored: a submitter killed in between takes it from Redis on --resume.
 */
export async function runScenario(
  container: Container,
  run: PackagedRun | SpecRun,
  options: Omit<RunOptions, 'runGroup'> & { queue?: string; json?: boolean },
): Promise<RunOutcome> {
  const { queue: url, json, ...rest } = options;
  let queue: QueueRunner | undefined;
  if (url !== undefined)
    queue = await openQueue(url, {
      plugins: [...run.plugins, ...(run.kind === 'spec' ? (run.spec.plugins ?? []) : [])],
      ...(rest.units ? { versions: rest.units.versions, keepUntilStored: true } : {}),
      log: (line) => process.stderr.write(`queue: ${line}\n`),
    });
  const pool = queue ? undefined : workerPool({ file: workerFile, plugins: run.plugins, size: options.workers });
  const units = queue && rest.units ? { ...rest.units, store: releasingStore(rest.units.store, queue) } : rest.units;
  const runGroup = queue?.runGroup ?? pool?.runGroup;
  let outcome: RunOutcome;
  try {
    outcome = await runResolved(container, run, {
      ...rest,
      ...(units ? { units } : {}),
      ...(runGroup ? { runGroup } : {}),
    });
  } finally {
    await pool?.close();
    await queue?.close();
  }
  if (run.kind === 'packaged' && !options.quiet && !json) process.stdout.write(`${claimsTable(outcome.claims)}\n`);
  return outcome;
}
