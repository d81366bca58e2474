// The worker's side of a queued run: a BullMQ Worker that takes units from Redis and runs each on a pool of worker
// threads (`concurrency` threads, and as many units at once). Before it runs a unit it finds the unit's plugins here
// (plugins.ts) and computes the versions itself: a unit made with another nesslab, plugin API or plugin version is
// refused (an UnrecoverableError naming both versions; the submitter's run fails with it), never computed into a
// wrong result. A worker killed mid-unit (kill -9, a machine lost) holds its unit's lock for at most `lockSeconds`;
// the other workers' stalled check (every `stalledSeconds`) then gives the unit to one of them. Closing it (Ctrl-C)
// hands its running units back to the queue at once.
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { ScenarioError, oneLine, preview, type GroupJob } from '@nesslab/kernel';
import { canonicalJson, runVersions, unitKey, type RunVersions } from '../units/key.ts';
import { encodeUnit } from '../units/store.ts';
import { defaultWorkers, libraryWorkerFile, workerPool } from '../workers.ts';
import { localPlugins, type PortablePlugin } from './plugins.ts';
import { QUEUE_FORMAT, decodeJob, errorReason, shortKey, type QueuedUnit } from './protocol.ts';
import { QUEUE_NAME, QUEUE_PREFIX, checkReachable, openConnection, reason, redisTarget } from './redis.ts';

export interface QueueWorkerOptions {
  /** redis://[user:pass@]host[:port][/db] or rediss://… */
  url: string;
  /** Worker threads, and units run at once (default: one per core). */
  concurrency?: number;
  /** The worker-thread entry (default: this package's dist/worker.js; the CLI passes its bundled dist/worker.mjs). */
  workerFile?: string;
  /** Where plugin packages are looked up by name (default: the working folder). */
  cwd?: string;
  /** The field bad input and an unreachable Redis are reported under (default 'worker'). */
  field?: string;
  /** One line per unit started, done, refused or failed, and about the connection; default: nothing. */
  log?: (line: string) => void;
  /** How long a unit stays locked by a worker that stopped answering (default 10). */
  lockSeconds?: number;
  /** How often this worker looks for units whose worker stopped answering (default 5). */
  stalledSeconds?: number;
}

/** A running queue worker. */
export interface QueueWorker {
  /** The URL as messages show it: no user, no password. */
  readonly shown: string;
  readonly concurrency: number;
  /** This worker's name in Redis and in messages: host:pid. */
  readonly name: string;
  /**
   * Stops taking units, hands the running ones back to the queue (another worker starts them at once), ends the
   * threads and closes the connections. Resolves with how many units were handed back.
   */
  close(): Promise<number>;
}

/**
 * Starts a worker on the queue at `url`; resolves once it waits for units. Throws a ScenarioError (field
 * `options.field`, default 'worker') for a bad URL or concurrency, or a Redis that cannot be reached within seconds.
 */
export async function startQueueWorker(options: QueueWorkerOptions): Promise<QueueWorker> {
  const field = options.field ?? 'worker';
  const target = redisTarget(options.url, field);
  const concurrency = options.concurrency ?? defaultWorkers();
  if (!Number.isSafeInteger(concurrency) || concurrency < 1)
    throw new ScenarioError('concurrency', `must be an integer ≥ 1, got ${preview(concurrency)}`);
  const file = options.workerFile ?? libraryWorkerFile();
  if (file === undefined || !existsSync(file))
    throw new Error(`the worker-thread entry ${file ?? 'dist/worker.js'} is not built (npm run prepare)`);
  const log = options.log ?? (() => {}),
    cwd = options.cwd ?? process.cwd(),
    name = `${hostname()}:${process.pid}`;
  await checkReachable(target, field);

  const pool = workerPool({ file, size: concurrency })!;
  const { Worker, UnrecoverableError, WaitingError } = await import('bullmq');
  let closing = false,
    lost = false;
  const connection: Redis = await openConnection(target, 'nesslab-worker', (state, why) => {
    if (closing) return;
    if (state === 'lost') log(`lost ${target.shown}: ${why}; reconnecting`);
    else if (lost) log(`reconnected to ${target.shown}`);
    lost = state === 'lost';
  });

  // This machine's copy of a set of plugins and the versions it makes, found once per set (the threads keep the
  // modules they imported, so the versions are those of the code loaded first).
  const found = new Map<string, { urls: Map<string, string>; versions: RunVersions } | { error: string }>();
  const local = (plugins: PortablePlugin[]) => {
    const k = JSON.stringify(plugins);
    let f = found.get(k);
    if (!f) {
      try {
        const urls = localPlugins(plugins, cwd);
        f = { urls, versions: runVersions([...urls.values()]) };
      } catch (e) {
        f = { error: e instanceof Error ? e.message : String(e) };
      }
      found.set(k, f);
    }
    return f;
  };

  const running = new Set<string>();
  const processor = async (job: Job<QueuedUnit>, token?: string, signal?: AbortSignal): Promise<string> => {
    const key = job.id!,
      short = shortKey(key),
      data = job.data;
    const refuse = (why: string) => {
      log(`unit ${short} refused: ${why}`);
      const refusal = Object.assign(new Error(`the queue worker ${name} refused unit ${short}: ${why}`), {
        name: 'UnitRefused',
      });
      return new UnrecoverableError(errorReason(refusal));
    };
    if (data?.format !== QUEUE_FORMAT)
      throw refuse(
        `its data has layout ${preview(data?.format)}, this worker reads ${QUEUE_FORMAT} (another nesslab?)`,
      );
    let unit: GroupJob;
    try {
      unit = decodeJob(data.job);
    } catch (e) {
      throw refuse(`its data is unreadable here (${oneLine(String(e), 120)}; another Node.js?)`);
    }
    const plugins = local(data.plugins),
      specPlugins = local(data.specPlugins);
    if ('error' in plugins) throw refuse(plugins.error);
    if ('error' in specPlugins) throw refuse(specPlugins.error);
    if (canonicalJson(plugins.versions) !== canonicalJson(data.versions))
      throw refuse(`versions differ: ${versionDifference(data.versions, plugins.versions)}`);
    if (unitKey(unit, plugins.versions) !== key) throw refuse('its key does not match its content');

    // The threads load this machine's copies: the run's plugins and the spec's own, as the spec's plugins.
    const urls = [...new Set([...plugins.urls.values(), ...specPlugins.urls.values()])];
    const here: GroupJob = urls.length ? { ...unit, spec: { ...unit.spec, plugins: urls } } : unit;
    log(`unit ${short} started: ${data.summary}`);
    const t0 = performance.now();
    running.add(key);
    let lastProgress = 0;
    try {
      const partials = await abortable(
        pool.runGroup(here, (chainSteps) => {
          const now = Date.now();
          if (now - lastProgress < 500) return;
          lastProgress = now;
          job.updateProgress(chainSteps).catch(() => {});
        }),
        signal,
      );
      log(`unit ${short} done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      return Buffer.from(encodeUnit(key, partials)).toString('base64');
    } catch (e) {
      if (closing || signal?.aborted) {
        // Closing: the unit goes back to the queue now, for another worker, instead of after its lock expires.
        if (token) await job.moveToWait(token).catch(() => {});
        throw new WaitingError();
      }
      log(`unit ${short} failed: ${oneLine(e instanceof Error ? e.message : String(e), 200)}`);
      throw new UnrecoverableError(errorReason(e));
    } finally {
      running.delete(key);
    }
  };

  const worker: Worker<QueuedUnit, string> = new Worker<QueuedUnit, string>(QUEUE_NAME, processor, {
    connection,
    prefix: QUEUE_PREFIX,
    name,
    concurrency,
    lockDuration: (options.lockSeconds ?? 10) * 1000,
    stalledInterval: (options.stalledSeconds ?? 5) * 1000,
    maxStalledCount: 2, // a unit given back twice; stalling a third time, it fails the run instead of killing more
    autorun: false,
  });
  // Errors while Redis is away are the lost connection, said once; the same error twice is said once.
  let lastError = '';
  worker.on('error', (e) => {
    const why = reason(target, e),
      gone = /Missing (?:key|lock) for job (\w+)/.exec(why);
    const line = gone
      ? `unit ${shortKey(gone[1]!)}: Redis no longer holds it (restarted, or the unit went to another worker): its result here is dropped`
      : `error: ${why}`;
    if (closing || lost || line === lastError) return;
    lastError = line;
    log(line);
  });
  worker.on('stalled', (jobId) => log(`unit ${shortKey(jobId)} stalled (its worker stopped answering): queued again`));
  try {
    await Promise.race([
      worker.waitUntilReady(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('no answer within 5 s')), 5000).unref()),
    ]);
  } catch (e) {
    closing = true;
    await Promise.allSettled([worker.close(true), pool.close()]);
    connection.disconnect();
    throw new ScenarioError(field, `cannot reach ${target.shown}: ${reason(target, e)}`);
  }
  void worker.run().catch((e: unknown) => log(`error: ${reason(target, e)}`));

  return {
    shown: target.shown,
    concurrency,
    name,
    async close() {
      closing = true;
      const handedBack = running.size;
      worker.cancelAllJobs('the worker is closing');
      await Promise.race([worker.close().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      await pool.close();
      connection.disconnect();
      return handedBack;
    },
  };
}

/** `promise`, or a rejection as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Error('cancelled'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** What differs between the versions a unit was made with and this worker's, as one phrase. */
export function versionDifference(unit: RunVersions, here: RunVersions): string {
  const parts: string[] = [];
  if (unit.nesslab !== here.nesslab) parts.push(`nesslab ${unit.nesslab} made it, this worker has ${here.nesslab}`);
  if (unit.api !== here.api) parts.push(`plugin API ${unit.api} made it, this worker speaks ${here.api}`);
  const a = new Set(unit.plugins),
    b = new Set(here.plugins);
  const only = (x: Set<string>, y: Set<string>) => [...x].filter((p) => !y.has(p));
  if (only(a, b).length || only(b, a).length)
    parts.push(
      `it was made with ${only(a, b).join(', ') || 'no other plugin'}, this worker has ${only(b, a).join(', ') || 'none of them'}`,
    );
  return parts.join('; ') || 'the same versions in another order';
}
