// Worker-thread entry: runs one chain group of a simulation and posts its observers' partials back.
import { parentPort, workerData } from 'node:worker_threads';
import { runGroupHere, type GroupJob } from '@nesslab/kernel';
import { builtinContainer } from './modules.ts';

const job = workerData as GroupJob;
let lastPost = 0;
runGroupHere(builtinContainer(), job, (chainSteps) => {
  const now = Date.now();
  if (now - lastPost > 100) { lastPost = now; parentPort!.postMessage({ type: 'progress', chainSteps }); }
})
  .then((partials) => parentPort!.postMessage({ type: 'done', partials }))
  .catch((e: Error) => parentPort!.postMessage({ type: 'error', name: e.name, message: e.message, chain: (e as { chain?: number }).chain, step: (e as { step?: number }).step, field: (e as { field?: string }).field }));
