// Builds with esbuild: each package's dist/index.js (its public API for plugins outside this repo, dependencies
// left external), and the CLI, its worker and the benchmark as single files. Sources resolve through the
// '@nesslab/source' export condition, so the bundles need no package build first.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = {
  absWorkingDir: root, bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'warning',
  conditions: ['@nesslab/source'],
};
const requireShim = { js: "import { createRequire as __nl_cr } from 'node:module'; const require = __nl_cr(import.meta.url);" };
const external = ['@nesslab/*', 'inversify', 'rxjs', '@tensorflow/*', 'vega', 'vega-lite'];
const library = (name, entryPoints) => build({ ...common, entryPoints, outdir: `packages/${name}/dist`, external });
await Promise.all([
  library('kernel', { index: 'packages/kernel/src/index.ts', testing: 'packages/kernel/src/testing/index.ts', inversify: 'packages/kernel/src/reexports/inversify.ts', rxjs: 'packages/kernel/src/reexports/rxjs.ts', theory: 'packages/kernel/src/theory/index.ts', linalg: 'packages/kernel/src/linalg/index.ts' }),
  ...['samplers', 'optimizers', 'landscapes', 'observers', 'report', 'scenarios'].map((name) => library(name, { index: `packages/${name}/src/index.ts` })),
  build({ ...common, banner: requireShim, entryPoints: { nesslab: 'packages/cli/src/main.ts', worker: 'packages/cli/src/worker.ts' }, outdir: 'packages/cli/dist', outExtension: { '.js': '.mjs' }, external: ['@tensorflow/tfjs-node'] }),
  build({ ...common, banner: requireShim, entryPoints: { bench: 'tools/src/bench.ts' }, outdir: 'tools/dist', outExtension: { '.js': '.mjs' }, external: ['@tensorflow/tfjs-node'] }),
]);
