import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { availableParallelism } from 'node:os';
import { DivergenceError, ScenarioError, type GroupJob, type SimulateOptions } from '@nesslab/kernel';

const workerFile = fileURLToPath(new URL('./worker.mjs', import.meta.url));

/** Worker threads for chain groups, when the bundled worker is there (the CLI); else undefined (run in this thread). */
export function workerRunner(): SimulateOptions['runGroup'] | undefined {
  if (!existsSync(workerFile)) return undefined;
  return (job: GroupJob, onProgress: (chainSteps: number) => void) =>
    new Promise<unknown[]>((resolve, reject) => {
      const worker = new Worker(workerFile, { workerData: job });
      worker.on('message', (msg) => {
        if (msg.type === 'progress') onProgress(msg.chainSteps);
        else if (msg.type === 'done') { onProgress(job.chainCount * job.spec.steps); resolve(msg.partials); }
        else if (msg.type === 'error') reject(rebuildError(msg));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => { if (code !== 0) reject(new Error(`worker for chains ${job.chainStart}… exited with code ${code}`)); });
    });
}

function rebuildError(msg: { name: string; message: string; chain?: number; step?: number; field?: string; detail?: string; simulation?: string }): Error {
  if (msg.name === 'DivergenceError') return new DivergenceError(msg.chain!, msg.step!, msg.detail, msg.simulation);
  if (msg.name === 'ScenarioError') return new ScenarioError(msg.field!, msg.message.slice(msg.field!.length + 2));
  return Object.assign(new Error(msg.message), { name: msg.name }); // keeps e.g. 'Superseded'
}

/** Worker count: one per core (at most `chains`). */
export const defaultWorkers = () => Math.max(1, availableParallelism());
