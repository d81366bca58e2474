// Bundles proto-bench.ts (sources through '@nesslab/source') and runs it with the given arguments.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { spawnSync } from 'node:child_process';
const root = fileURLToPath(new URL('../..', import.meta.url));
await build({
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  logLevel: 'warning',
  conditions: ['@nesslab/source'],
  entryPoints: ['tools/wasm-proto/proto-bench.ts'],
  outfile: 'tools/wasm-proto/dist/proto-bench.mjs',
  external: ['@tensorflow/*', 'wabt'],
  banner: { js: "import { createRequire as __nl_cr } from 'node:module'; const require = __nl_cr(import.meta.url);" },
});
const r = spawnSync(process.execPath, ['tools/wasm-proto/dist/proto-bench.mjs', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(r.status ?? 1);
