// Worker threads for chain groups, both sides of the message protocol: `workerPool` (the calling thread) keeps a
// pool of workers, sends each a chain group at a time and rebuilds their errors; `serveGroup` (the worker's entry)
// loads the run's plugins, runs the groups it is sent and posts their observers' partials back. Two entries use it: this package's dist/worker.js (the programmatic
// API) and the CLI's bundled dist/worker.mjs, each with its own built-in plugin modules.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import type { Container, ContainerModule } from 'inversify';
import {
  DivergenceError,
  ScenarioError,
  assembleWithPlugins,
  importPluginModules,
  runGroupHere,
  type GroupJob,
  type SimulateOptions,
} from '@nesslab/kernel';

/** What a worker thread starts with: the run's plugin file URLs (loaded beside each job's spec's own). */
export interface WorkerData {
  plugins: readonly string[];
}

/** Messages to a worker: one chain group to run (the worker runs one at a time). */
export interface WorkerJob {
  type: 'job';
  id: number;
  job: GroupJob;
}

/** Messages a worker posts back, each naming the job. */
export type WorkerMessage =
  | { type: 'progress'; id: number; chainSteps: number }
  | { type: 'done'; id: number; partials: unknown[] }
  | {
      type: 'error';
      id: number;
      name: string;
      message: string;
      chain?: number;
      step?: number;
      field?: string;
      detail?: string;
      simulation?: string;
    };

let started = 0;
/** How many worker threads the pools of this thread have started so far. */
export const workerThreadsStarted = (): number => started;

/**
 * This package's worker entry, dist/worker.js, found next to this module: beside it when this module is the built
 * dist/index.js, in ../dist/ when it runs from its TypeScript source (tests); undefined when it is not built.
 */
export function libraryWorkerFile(): string | undefined {
  for (const rel of ['./worker.js', '../dist/worker.js']) {
    const file = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(file)) return file;
  }
  return undefined;
}

/** Runs chain groups on a fixed set of worker threads; `close` ends them (call it when the run is over). */
export interface WorkerPool {
  runGroup: NonNullable<SimulateOptions['runGroup']>;
  /** Worker threads at most (each runs one group at a time). */
  readonly size: number;
  close(): Promise<void>;
}

interface PoolThread {
  worker: Worker;
  busy?: {
    id: number;
    job: GroupJob;
    resolve(p: unknown[]): void;
    reject(e: unknown): void;
    onProgress(n: number): void;
  };
}

/**
 * A pool of `size` worker threads running `file` (default: this package's dist/worker.js; the CLI passes its own
 * bundled worker), started as groups arrive and kept for the next ones, so that a run split into many units pays the
 * start of a thread (loading the bundle and the plugins) once per thread, not once per unit. Groups beyond `size` wait
 * for a free thread, in the order given. `plugins` (file URLs, as `resolvePluginSpecifiers` gives them) are loaded in
 * every worker besides each spec's own. Undefined when the worker file is not there (not built): the caller then runs
 * every group in its own thread, with the same results.
 */
export function workerPool(options: {
  file?: string;
  plugins?: readonly string[];
  size: number;
}): WorkerPool | undefined {
  const file = options.file ?? libraryWorkerFile();
  if (file === undefined || !existsSync(file)) return undefined;
  const plugins = [...(options.plugins ?? [])],
    size = Math.max(1, options.size);
  const threads: PoolThread[] = [];
  const waiting: {
    id: number;
    job: GroupJob;
    resolve(p: unknown[]): void;
    reject(e: unknown): void;
    onProgress(n: number): void;
  }[] = [];
  let nextId = 0,
    closed = false;

  const settle = (t: PoolThread) => {
    t.busy = undefined;
    const next = waiting.shift();
    if (next) dispatch(t, next);
  };
  const dispatch = (t: PoolThread, task: NonNullable<PoolThread['busy']>) => {
    t.busy = task;
    // The job's stopAfter (a SharedArrayBuffer) is shared with the worker, not copied: groups stop past a divergence.
    t.worker.postMessage({ type: 'job', id: task.id, job: task.job } satisfies WorkerJob);
  };
  const spawn = (): PoolThread => {
    const t: PoolThread = { worker: new Worker(file, { workerData: { plugins } satisfies WorkerData }) };
    started++;
    t.worker.on('message', (msg: WorkerMessage) => {
      const task = t.busy;
      if (!task || msg.id !== task.id) return;
      if (msg.type === 'progress') task.onProgress(msg.chainSteps);
      else if (msg.type === 'done') {
        task.onProgress(task.job.chainCount * task.job.spec.steps);
        settle(t);
        task.resolve(msg.partials);
      } else {
        settle(t);
        task.reject(rebuildError(msg));
      }
    });
    const lost = (e: Error) => {
      threads.splice(threads.indexOf(t), 1);
      const task = t.busy;
      t.busy = undefined;
      if (task) task.reject(e);
      // Whoever waits gets a fresh thread.
      const next = waiting.shift();
      if (next && !closed) dispatch(spawnTracked(), next);
    };
    t.worker.on('error', lost);
    t.worker.on('exit', (code) => {
      if (threads.includes(t)) lost(new Error(`a worker thread exited with code ${code}`));
    });
    return t;
  };
  const spawnTracked = () => {
    const t = spawn();
    threads.push(t);
    return t;
  };

  const runGroup = (job: GroupJob, onProgress: (chainSteps: number) => void) =>
    new Promise<unknown[]>((resolve, reject) => {
      if (closed) return reject(new Error('the worker pool is closed'));
      const task = { id: nextId++, job, resolve, reject, onProgress };
      const idle = threads.find((t) => !t.busy);
      if (idle) dispatch(idle, task);
      else if (threads.length < size) dispatch(spawnTracked(), task);
      else waiting.push(task);
    });
  return {
    runGroup,
    size,
    async close() {
      closed = true;
      const all = threads.splice(0);
      for (const w of waiting.splice(0)) w.reject(new Error('the worker pool is closed'));
      await Promise.all(all.map((t) => t.worker.terminate()));
    },
  };
}

/** The error a worker reported, as the class it was thrown as (so exit codes and labels work as in one thread). */
export function rebuildError(msg: {
  name: string;
  message: string;
  chain?: number;
  step?: number;
  field?: string;
  detail?: string;
  simulation?: string;
}): Error {
  if (msg.name === 'DivergenceError') return new DivergenceError(msg.chain!, msg.step!, msg.detail, msg.simulation);
  if (msg.name === 'ScenarioError') return new ScenarioError(msg.field!, msg.message.slice(msg.field!.length + 2));
  return Object.assign(new Error(msg.message), { name: msg.name }); // keeps e.g. 'Superseded'
}

/**
 * The worker side: assembles `modules` (the built-in plugin packages) with the run's plugins and each job's spec's own
 * (once per set of plugins), runs the chain groups it is sent one at a time and posts each one's observers' partials
 * (or its error) back. Call it once from a worker entry file.
 */
export function serveGroup(modules: readonly ContainerModule[]): void {
  if (isMainThread || !parentPort) throw new Error('serveGroup runs in a worker thread started by workerPool');
  const port = parentPort,
    { plugins } = workerData as WorkerData;
  const post = (msg: WorkerMessage) => port.postMessage(msg);
  const containers = new Map<string, Promise<Container>>();
  const containerFor = (job: GroupJob) => {
    const urls = [...new Set([...plugins, ...(job.spec.plugins ?? [])])];
    const key = JSON.stringify(urls);
    let c = containers.get(key);
    if (!c) {
      c = importPluginModules(urls).then((loaded) => assembleWithPlugins(modules, loaded));
      containers.set(key, c);
    }
    return c;
  };
  port.on('message', ({ id, job }: WorkerJob) => {
    let lastPost = 0;
    const progress = (chainSteps: number) => {
      const now = Date.now();
      if (now - lastPost > 100) {
        lastPost = now;
        post({ type: 'progress', id, chainSteps });
      }
    };
    containerFor(job)
      .then((container) => runGroupHere(container, job, progress))
      .then((partials) => post({ type: 'done', id, partials }))
      .catch((e: Error & { chain?: number; step?: number; field?: string; detail?: string; simulation?: string }) =>
        post({
          type: 'error',
          id,
          name: e.name,
          message: e.message,
          chain: e.chain,
          step: e.step,
          field: e.field,
          detail: e.detail,
          simulation: e.simulation,
        }),
      );
  });
}

/** Worker count: one per core. */
export const defaultWorkers = (): number => Math.max(1, availableParallelism());
