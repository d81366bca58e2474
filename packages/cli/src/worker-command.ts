// `nesslab worker <redis-url> [--concurrency N]`: a long-running process that takes units of queued runs
// (`nesslab run … --queue <redis-url>`) from Redis and runs them on worker threads of the CLI bundle. One line when it
// waits for units, one per unit started and done (not under --quiet). Ctrl-C / SIGTERM hand its running units back to
// the queue (another worker starts them at once) and exit 130 / 143 with one line; kill -9 leaves them locked for at
// most 10 s, then another worker's stalled check takes them.
import { ScenarioError, preview } from '@nesslab/kernel';
import { startQueueWorker } from '@nesslab/scenarios';
import { maxWorkers } from './args.ts';
import type { Flags } from './cli.ts';
import { workerFile } from './run.ts';

/** Options `nesslab worker` takes; any other is refused, naming it. */
const WORKER_OPTIONS = new Set(['concurrency', 'quiet']);

/** `--concurrency N`: 1 … maxWorkers(), or undefined (one per core). */
export function parseConcurrency(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  const max = maxWorkers();
  if (!(n >= 1)) throw new ScenarioError('--concurrency', `must be a positive integer, got ${preview(text)}`);
  if (n > max) throw new ScenarioError('--concurrency', `at most ${max} (4 per core, at most 256), got ${n}`);
  return n;
}

/** Runs `nesslab worker` until SIGINT or SIGTERM; resolves to the exit code (130 / 143). */
export async function workerCommand(target: string | undefined, values: Flags): Promise<number> {
  const used = Object.keys(values).filter(
    (k) => (values as Record<string, unknown>)[k] !== undefined && !WORKER_OPTIONS.has(k),
  );
  if (used.length)
    throw new ScenarioError(
      `--${used[0]}`,
      used[0] === 'queue'
        ? 'not an option of nesslab worker: give the Redis URL as its argument (nesslab worker redis://host:port)'
        : 'not an option of nesslab worker (it takes --concurrency N and --quiet)',
    );
  if (target === undefined)
    throw new ScenarioError('worker', 'name the Redis to take units from: nesslab worker redis://host:port');
  const concurrency = parseConcurrency(values.concurrency);
  const say = (line: string) => process.stderr.write(`nesslab worker: ${line}\n`);
  const worker = await startQueueWorker({
    url: target,
    workerFile,
    field: 'worker',
    ...(concurrency ? { concurrency } : {}),
    log: values.quiet ? undefined : say,
  });
  const threads = `${worker.concurrency} thread${worker.concurrency === 1 ? '' : 's'}`;
  say(`waiting for units on ${worker.shown} (${threads})`);
  // Ctrl-C / SIGTERM: the running units go back to the queue, then exit. The command's usual handlers (which exit at
  // once) are replaced while the worker runs; a second signal exits at once.
  return new Promise<number>((resolve) => {
    let stopping = false;
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      process.removeAllListeners(signal);
      process.on(signal, () => {
        if (stopping) process.exit(code);
        stopping = true;
        void worker.close().then(
          (handed) => {
            process.stderr.write(
              `nesslab: worker interrupted by ${signal}${handed ? `; ${handed} running unit${handed === 1 ? '' : 's'} handed back to the queue` : ''}\n`,
            );
            resolve(code);
          },
          () => resolve(code),
        );
      });
    }
  });
}
