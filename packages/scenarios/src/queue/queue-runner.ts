// The submitter's side of a queued run: `openQueue(url)` gives a chain-group runner with the signature of
// workerPool's, whose units are BullMQ jobs on Redis, run by `nesslab worker` processes on any machines.
//  - A unit's job id is its key, so a unit is enqueued once whoever asks; one already there is re-attached: a finished
//    one's result is taken as it is, a waiting or running one is waited for (a submitter killed and run again with
//    --resume does not redo the units finished meanwhile). A failed one left by an earlier submitter is run again.
//  - A unit's result comes back as `encodeUnit(key, partials)` (v8: float64 and typed arrays exact), checked with
//    `decodeUnit`, and resolves the unit once: a unit is never merged twice.
//  - Its error comes back as the class it was thrown as (DivergenceError, ScenarioError), so exit codes stay 3 and 2.
//  - Finished jobs are removed from Redis: with `keepUntilStored`, once the caller says it has stored the unit
//    (`stored(key)`, the CLI calls it right after writing the unit into its unit folder), so that a submitter killed
//    in between finds the result again; otherwise as soon as the unit resolves.
//  - Completion comes through BullMQ's event stream, and a poll every second checks the state of every unit waited
//    for: it catches an event missed, and a unit Redis lost (restarted without persistence), which it enqueues again.
//  - Redis unreachable at the start: a ScenarioError naming the URL within a few seconds. Lost during the run: the
//    clients reconnect; gone for longer than `lostAfterSeconds` (default 60), the run fails with a ScenarioError.
import type { Job, Queue, QueueEvents } from 'bullmq';
import type { Redis } from 'ioredis';
import { ScenarioError, type GroupJob, type SimulateOptions } from '@nesslab/kernel';
import { runVersions, unitKey, type RunVersions } from '../units/key.ts';
import { decodeUnit, type UnitStore } from '../units/store.ts';
import { portablePlugins, type PortablePlugin } from './plugins.ts';
import { QUEUE_FORMAT, encodeJob, errorFromReason, shortKey, type QueuedUnit } from './protocol.ts';
import { QUEUE_NAME, QUEUE_PREFIX, checkReachable, openConnection, reason, redisTarget } from './redis.ts';

export interface QueueRunnerOptions {
  /** The versions the unit keys are made with (as the unit store's); default: `runVersions(plugins)`. */
  versions?: RunVersions;
  /** The run's plugin files (file URLs, its own and its spec's), which the workers load: packages by name. */
  plugins?: readonly string[];
  /** The field bad input and an unreachable Redis are reported under (default '--queue'). */
  field?: string;
  /** Keep a finished unit's job in Redis until `stored(key)` (default: removed as soon as the unit resolves). */
  keepUntilStored?: boolean;
  /** One line at a time about the queue (a lost connection, lost units enqueued again); default: nothing. */
  log?: (line: string) => void;
  /** A run fails when Redis stays unreachable this long during it (default 60). */
  lostAfterSeconds?: number;
}

/** A chain-group runner over a Redis queue. */
export interface QueueRunner {
  /** Runs one unit on whichever `nesslab worker` takes it; the signature of `WorkerPool.runGroup`. */
  runGroup: NonNullable<SimulateOptions['runGroup']>;
  /** With `keepUntilStored`: the caller has stored the unit `key`, so its job leaves Redis. */
  stored(key: string): void;
  /**
   * The caller holds the unit `key` already (found in its store on --resume): a job left in Redis for it (a submitter
   * killed between storing a unit and removing its job) leaves too.
   */
  release(key: string): void;
  /** The URL as messages show it: no user, no password. */
  readonly shown: string;
  /**
   * Waits for the removals under way and closes the connections. Units still waited for stay queued (the workers
   * finish them; a resumed run takes their results) and their promises reject.
   */
  close(): Promise<void>;
}

const WEEK = 7 * 24 * 3600;
const POLL_MS = 1000;

interface Pending {
  key: string;
  job: GroupJob;
  data: QueuedUnit;
  promise: Promise<unknown[]>;
  resolve(partials: unknown[]): void;
  reject(e: unknown): void;
  progress: ((chainSteps: number) => void)[];
  enqueued: boolean;
  settled: boolean;
}

/**
 * Opens the queue on Redis at `url` (redis://[user:pass@]host[:port][/db] or rediss://…). Throws a ScenarioError
 * (field `options.field`, default '--queue') when the URL is no Redis URL or Redis cannot be reached within a few
 * seconds.
 */
export async function openQueue(url: string, options: QueueRunnerOptions = {}): Promise<QueueRunner> {
  const field = options.field ?? '--queue';
  const target = redisTarget(url, field);
  const shown = target.shown,
    log = options.log ?? (() => {}),
    lostAfterMs = (options.lostAfterSeconds ?? 60) * 1000;
  const plugins = [...new Set(options.plugins ?? [])];
  const versions = options.versions ?? runVersions(plugins);
  const portable = portablePlugins(plugins);
  await checkReachable(target, field);

  const { Queue, QueueEvents } = await import('bullmq');
  let downSince: number | undefined,
    downWhy = '';
  let closed = false;
  const connection: Redis = await openConnection(target, 'nesslab-submitter', (state, why) => {
    if (closed) return;
    if (state === 'lost') {
      downSince ??= Date.now();
      downWhy = why ?? '';
      log(`lost ${shown}: ${downWhy}; reconnecting (the run fails after ${lostAfterMs / 1000} s without it)`);
    } else {
      if (downSince !== undefined) log(`reconnected to ${shown}`);
      downSince = undefined;
    }
  });
  const queue: Queue = new Queue(QUEUE_NAME, {
    connection,
    prefix: QUEUE_PREFIX,
    streams: { events: { maxLen: 300 } }, // completed events carry results: keep the stream short (the poll catches a missed one)
  });
  const events: QueueEvents = new QueueEvents(QUEUE_NAME, { connection, prefix: QUEUE_PREFIX });
  queue.on('error', () => {}); // connection errors: the connection's own handler tracks them
  events.on('error', () => {});
  const shutdown = async () => {
    await settleWithin(Promise.allSettled([events.close(), queue.close()]), 3000);
    connection.disconnect();
  };
  try {
    await settleWithin(
      Promise.all([queue.waitUntilReady(), events.waitUntilReady()]),
      5000,
      () => new ScenarioError(field, `cannot reach ${shown}: no answer within 5 s`),
    );
  } catch (e) {
    closed = true;
    await shutdown();
    throw e instanceof ScenarioError ? e : new ScenarioError(field, `cannot reach ${shown}: ${reason(target, e)}`);
  }

  const pending = new Map<string, Pending>();
  const finished = new Set<string>(); // resolved, kept in Redis until stored()
  const removals = new Set<Promise<unknown>>();
  let failure: Error | undefined,
    polling = false,
    polls = 0,
    lonely = false;

  const remove = (key: string) => {
    const p: Promise<unknown> = queue
      .remove(key)
      .catch(() => 0)
      .finally(() => removals.delete(p));
    removals.add(p);
  };
  const decode = (key: string, returnvalue: unknown) =>
    typeof returnvalue === 'string' ? decodeUnit(key, Buffer.from(returnvalue, 'base64')) : undefined;
  const resolveWith = (e: Pending, partials: unknown[]) => {
    if (e.settled) return;
    e.settled = true;
    pending.delete(e.key);
    for (const p of e.progress) p(e.job.chainCount * e.job.spec.steps);
    e.resolve(partials);
    if (options.keepUntilStored) finished.add(e.key);
    else remove(e.key);
  };
  const rejectWith = (e: Pending, err: unknown, removeJob: boolean) => {
    if (e.settled) return;
    e.settled = true;
    pending.delete(e.key);
    e.reject(err);
    if (removeJob) remove(e.key); // a failed unit leaves Redis: a resumed run tries it again
  };
  const completed = (e: Pending, returnvalue: unknown) => {
    const partials = decode(e.key, returnvalue);
    if (partials) resolveWith(e, partials);
    else rejectWith(e, new Error(`unit ${shortKey(e.key)}: the result a queue worker left is unreadable`), true);
  };
  const failed = (e: Pending, reason: unknown) => rejectWith(e, errorFromReason(reason, shortKey(e.key)), true);

  events.on('completed', ({ jobId, returnvalue }: { jobId: string; returnvalue: unknown }) => {
    const e = pending.get(jobId);
    if (e) completed(e, returnvalue);
  });
  events.on('failed', ({ jobId, failedReason }: { jobId: string; failedReason: string }) => {
    const e = pending.get(jobId);
    if (e) failed(e, failedReason);
  });
  events.on('progress', ({ jobId, data }: { jobId: string; data: unknown }) => {
    const e = pending.get(jobId);
    if (e && typeof data === 'number') for (const p of e.progress) p(data);
  });

  const add = async (e: Pending) => {
    await queue.add('unit', e.data, {
      jobId: e.key,
      attempts: 1,
      removeOnComplete: { age: WEEK }, // a result nobody collected leaves Redis after a week
      removeOnFail: { age: WEEK },
    });
    e.enqueued = true;
  };
  /** Re-attaches to the unit's job if there is one; enqueues it otherwise. */
  const attach = async (e: Pending) => {
    const state = await queue.getJobState(e.key);
    if (state === 'completed') {
      const job = (await queue.getJob(e.key)) as Job | undefined;
      const partials = job && decode(e.key, job.returnvalue);
      if (partials) return resolveWith(e, partials);
      await queue.remove(e.key); // unreadable: computed again
    } else if (state === 'failed') {
      await queue.remove(e.key); // left by an earlier submitter: tried again
    } else if (state !== 'unknown') {
      e.enqueued = true; // waiting, running, delayed: taken as it is
      return;
    }
    await add(e);
  };

  /** Every second: Redis gone too long ends the run; each unit waited for is looked at once. */
  const poll = async () => {
    if (downSince !== undefined && Date.now() - downSince > lostAfterMs) {
      failAll(new ScenarioError(field, `lost ${shown} for more than ${lostAfterMs / 1000} s: ${downWhy}`));
      return;
    }
    if (polling || closed) return;
    polling = true;
    try {
      const lost: Pending[] = [];
      for (const e of [...pending.values()]) {
        if (!e.enqueued || e.settled) continue;
        const state = await queue.getJobState(e.key);
        if (e.settled) continue;
        if (state === 'completed' || state === 'failed') {
          const job = (await queue.getJob(e.key)) as Job | undefined;
          if (!job || e.settled) continue;
          if (state === 'completed') completed(e, job.returnvalue);
          else failed(e, job.failedReason);
        } else if (state === 'unknown') lost.push(e);
      }
      // Every 10 s while units wait: say so once when no worker listens (nothing would ever run them).
      if (pending.size && ++polls % 10 === 0) {
        const workers = await queue.getWorkersCount().catch(() => -1); // -1: CLIENT LIST not allowed here
        if (workers === 0 && !lonely)
          log(`no nesslab worker is connected to ${shown}: start one with nesslab worker ${shown}`);
        lonely = workers === 0;
      }
      if (lost.length) {
        log(
          `${shown} lost ${lost.length} queued unit${lost.length === 1 ? '' : 's'} (restarted without persistence?): enqueued again`,
        );
        for (const e of lost) if (!e.settled) await add(e);
      }
    } catch {
      /* Redis away for a moment: the next poll looks again */
    } finally {
      polling = false;
    }
  };
  const timer = setInterval(() => void poll(), POLL_MS);
  timer.unref();

  const failAll = (err: Error) => {
    failure ??= err;
    for (const e of [...pending.values()]) rejectWith(e, err, false);
  };

  const specPortable = new Map<string, PortablePlugin[]>();
  const runGroup = (job: GroupJob, onProgress: (chainSteps: number) => void): Promise<unknown[]> => {
    if (failure) return Promise.reject(failure);
    if (closed) return Promise.reject(new Error('the queue is closed'));
    const key = unitKey(job, versions);
    const known = pending.get(key);
    if (known) {
      known.progress.push(onProgress); // the same unit asked twice: one job, one result for both
      return known.promise;
    }
    const specPlugins = job.spec.plugins ?? [];
    const specKey = JSON.stringify(specPlugins);
    if (!specPortable.has(specKey)) specPortable.set(specKey, portablePlugins(specPlugins));
    let resolve!: (p: unknown[]) => void, reject!: (e: unknown) => void;
    const promise = new Promise<unknown[]>((res, rej) => ((resolve = res), (reject = rej)));
    const end = job.chainStart + job.chainCount - 1;
    const e: Pending = {
      key,
      job,
      data: {
        format: QUEUE_FORMAT,
        job: encodeJob(job),
        versions,
        plugins: portable,
        specPlugins: specPortable.get(specKey)!,
        summary: `chains ${job.chainStart}–${end} of ${job.spec.chains} × ${job.spec.steps} steps, seed ${job.spec.seed}`,
      },
      promise,
      resolve,
      reject,
      progress: [onProgress],
      enqueued: false,
      settled: false,
    };
    pending.set(key, e);
    attach(e).catch((err: unknown) =>
      rejectWith(e, new Error(`could not queue unit ${shortKey(key)} on ${shown}: ${reason(target, err)}`), false),
    );
    return promise;
  };

  return {
    runGroup,
    shown,
    stored(key) {
      if (finished.delete(key)) remove(key);
    },
    release(key) {
      if (!closed && !pending.has(key)) remove(key);
    },
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      for (const e of [...pending.values()]) rejectWith(e, new Error('the queue is closed'), false);
      await settleWithin(Promise.allSettled([...removals]), 3000);
      await shutdown();
    },
  };
}

/**
 * `store`, telling `queue` when a unit is safely stored, so that its job then leaves Redis (a queue opened with
 * `keepUntilStored`). Pass it as `RunOptions.units.store` beside `runGroup: queue.runGroup`.
 */
export function releasingStore(store: UnitStore, queue: QueueRunner): UnitStore {
  return {
    get(key) {
      const found = store.get(key);
      if (found) queue.release(key); // stored by an earlier submitter: its job, if any, leaves Redis
      return found;
    },
    put(key, partials) {
      store.put(key, partials);
      queue.stored(key);
    },
  };
}

/** `promise`, or after `ms` the error `timeout()` makes (undefined: resolves quietly). */
async function settleWithin<T>(promise: Promise<T>, ms: number, timeout?: () => Error): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<undefined>((resolve, reject) => {
        timer = setTimeout(() => (timeout ? reject(timeout()) : resolve(undefined)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** What `validate --queue` checks: the URL parses and Redis answers within seconds, else a ScenarioError naming `field`. */
export async function checkQueue(url: string, field = '--queue'): Promise<void> {
  await checkReachable(redisTarget(url, field), field);
}
