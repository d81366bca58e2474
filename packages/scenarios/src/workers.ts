// Worker threads for chain groups, both sides of the message protocol: `workerRunner` (the calling thread) starts one
// worker per chain group and rebuilds its errors; `serveGroup` (the worker's entry) loads the run's plugins, runs the
// group and posts its observers' partials back. Two entries use it: this package's dist/worker.js (the programmatic
// API) and the CLI's bundled dist/worker.mjs, each with its own built-in plugin modules.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import type { ContainerModule } from 'inversify';
import {
  DivergenceError,
  ScenarioError,
  assembleWithPlugins,
  importPluginModules,
  runGroupHere,
  type GroupJob,
  type SimulateOptions,
} from '@nesslab/kernel';

/** What a worker receives: its chain group, and the run's plugin file URLs (loaded beside the spec's own). */
export interface WorkerData {
  job: GroupJob;
  plugins: readonly string[];
}

/** Messages a worker posts back. */
export type WorkerMessage =
  | { type: 'progress'; chainSteps: number }
  | { type: 'done'; partials: unknown[] }
  | {
      type: 'error';
      name: string;
      message: string;
      chain?: number;
      step?: number;
      field?: string;
      detail?: string;
      simulation?: string;
    };

let started = 0;
/** How many worker threads `workerRunner`'s runners have started in this thread so far. */
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

/**
 * A chain-group runner over worker threads, one worker per group, running `file` (default: this package's
 * dist/worker.js; the CLI passes its own bundled worker). `plugins` (file URLs, as `resolvePluginSpecifiers` gives
 * them) are loaded in every worker besides the spec's own. Undefined when the worker file is not there (not built):
 * the caller then runs every group in its own thread, with the same results.
 */
export function workerRunner(
  options: { file?: string; plugins?: readonly string[] } = {},
): SimulateOptions['runGroup'] | undefined {
  const file = options.file ?? libraryWorkerFile();
  if (file === undefined || !existsSync(file)) return undefined;
  const plugins = [...(options.plugins ?? [])];
  return (job: GroupJob, onProgress: (chainSteps: number) => void) =>
    new Promise<unknown[]>((resolve, reject) => {
      // The job's stopAfter (a SharedArrayBuffer) is shared with the worker, not copied: groups stop past a divergence.
      const worker = new Worker(file, { workerData: { job, plugins } satisfies WorkerData });
      started++;
      worker.on('message', (msg: WorkerMessage) => {
        if (msg.type === 'progress') onProgress(msg.chainSteps);
        else if (msg.type === 'done') {
          onProgress(job.chainCount * job.spec.steps);
          resolve(msg.partials);
        } else if (msg.type === 'error') reject(rebuildError(msg));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => {
        if (code !== 0) reject(new Error(`worker for chains ${job.chainStart}… exited with code ${code}`));
      });
    });
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
 * The worker side: assembles `modules` (the built-in plugin packages) with the run's plugins, runs the chain group it
 * was given and posts its observers' partials (or its error) back. Call it once from a worker entry file.
 */
export function serveGroup(modules: readonly ContainerModule[]): void {
  if (isMainThread || !parentPort) throw new Error('serveGroup runs in a worker thread started by workerRunner');
  const port = parentPort,
    { job, plugins } = workerData as WorkerData;
  const post = (msg: WorkerMessage) => port.postMessage(msg);
  let lastPost = 0;
  const progress = (chainSteps: number) => {
    const now = Date.now();
    if (now - lastPost > 100) {
      lastPost = now;
      post({ type: 'progress', chainSteps });
    }
  };
  const urls = [...new Set([...plugins, ...(job.spec.plugins ?? [])])];
  importPluginModules(urls)
    .then((loaded) => runGroupHere(assembleWithPlugins(modules, loaded), job, progress))
    .then((partials) => post({ type: 'done', partials }))
    .catch((e: Error & { chain?: number; step?: number; field?: string; detail?: string; simulation?: string }) =>
      post({
        type: 'error',
        name: e.name,
        message: e.message,
        chain: e.chain,
        step: e.step,
        field: e.field,
        detail: e.detail,
        simulation: e.simulation,
      }),
    );
}

/** Worker count: one per core. */
export const defaultWorkers = (): number => Math.max(1, availableParallelism());
