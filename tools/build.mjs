// Builds with esbuild: each package's dist/index.js (its public API for code outside this repo, dependencies left
// external; tools/build-types.mjs adds the declarations), and the CLI, its worker, the programmatic API's worker (packages/scenarios/dist/worker.js) and the
// benchmark as single files. Sources resolve through the '@nesslab/source' export condition, so the bundles need no
// package build first.
import { build } from 'esbuild';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// tfjs-core's gradient and chained-op registrations (packages/tfjs/src/core-registrations.ts) are ES modules inside a
// CommonJS package, which Node cannot load from node_modules: bundled even where '@tensorflow/*' is external
// (tfjs-core itself and the backends are loaded at run time with createRequire, never bundled).
const tfjsCoreModules = {
  name: 'tfjs-core-modules',
  setup: (b) =>
    b.onResolve({ filter: /^@tensorflow\/tfjs-core\/dist\/[\w/]+$/ }, (a) => ({
      path: createRequire(a.importer).resolve(`${a.path}.js`),
    })),
};
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  conditions: ['@nesslab/source'],
  plugins: [tfjsCoreModules],
};
const requireShim = {
  js: "import { createRequire as __nl_cr } from 'node:module'; const require = __nl_cr(import.meta.url);",
};
const external = ['@nesslab/*', 'inversify', 'rxjs', '@tensorflow/*', 'vega', 'vega-lite', 'bullmq', 'ioredis'];
const library = (name, entryPoints) => build({ ...common, entryPoints, outdir: `packages/${name}/dist`, external });
await Promise.all([
  library('kernel', {
    index: 'packages/kernel/src/index.ts',
    testing: 'packages/kernel/src/testing/index.ts',
    inversify: 'packages/kernel/src/reexports/inversify.ts',
    rxjs: 'packages/kernel/src/reexports/rxjs.ts',
    theory: 'packages/kernel/src/theory/index.ts',
    linalg: 'packages/kernel/src/linalg/index.ts',
    data: 'packages/kernel/src/data/index.ts',
  }),
  ...['samplers', 'optimizers', 'landscapes', 'tfjs', 'observers', 'report', 'scenarios', 'cli'].map((name) =>
    library(name, { index: `packages/${name}/src/index.ts` }),
  ),
  // The programmatic API's worker thread, one self-contained file beside the scenarios package's dist/index.js
  // (workerRunner finds it there): the kernel and the built-in plugin packages bundled, as the CLI's worker has them.
  build({
    ...common,
    banner: requireShim,
    entryPoints: { worker: 'packages/scenarios/src/worker.ts' },
    outdir: 'packages/scenarios/dist',
    external: ['@tensorflow/tfjs-node'],
  }),
  build({
    ...common,
    banner: requireShim,
    entryPoints: { nesslab: 'packages/cli/src/main.ts', worker: 'packages/cli/src/worker.ts' },
    outdir: 'packages/cli/dist',
    outExtension: { '.js': '.mjs' },
    external: ['@tensorflow/tfjs-node'],
  }),
  build({
    ...common,
    banner: requireShim,
    entryPoints: { bench: 'tools/src/bench.ts' },
    outdir: 'tools/dist',
    outExtension: { '.js': '.mjs' },
    external: ['@tensorflow/tfjs-node'],
  }),
]);
