// Bundles the CLI, its worker and the benchmark with esbuild (TypeScript sources, one file each).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const common = {
  absWorkingDir: root, bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'warning',
  banner: { js: "import { createRequire as __nl_cr } from 'node:module'; const require = __nl_cr(import.meta.url);" },
};
await Promise.all([
  build({ ...common, entryPoints: { nesslab: 'packages/cli/src/main.ts', worker: 'packages/cli/src/worker.ts' }, outdir: 'packages/cli/dist', outExtension: { '.js': '.mjs' } }),
  build({ ...common, entryPoints: { bench: 'tools/src/bench.ts' }, outdir: 'tools/dist', outExtension: { '.js': '.mjs' } }),
]);
