// Worker-thread entry: loads the run's plugins, runs one chain group and posts its observers' partials back.
import { parentPort, workerData } from 'node:worker_threads';
import { assembleWithPlugins, importPluginModules, runGroupHere, type GroupJob } from '@nesslab/kernel';
import { pluginModules } from './modules.ts';

const job = workerData as GroupJob;
let lastPost = 0;
const progress = (chainSteps: number) => {
  const now = Date.now();
  if (now - lastPost > 100) { lastPost = now; parentPort!.postMessage({ type: 'progress', chainSteps }); }
};

importPluginModules(job.spec.plugins ?? [])
  .then((plugins) => runGroupHere(assembleWithPlugins(pluginModules, plugins), job, progress))
  .then((partials) => parentPort!.postMessage({ type: 'done', partials }))
  .catch((e: Error & { chain?: number; step?: number; field?: string; detail?: string; simulation?: string }) =>
    parentPort!.postMessage({ type: 'error', name: e.name, message: e.message, chain: e.chain, step: e.step, field: e.field, detail: e.detail, simulation: e.simulation }));
