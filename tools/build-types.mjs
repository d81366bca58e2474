// Builds every package's declarations, dist/types/**/*.d.ts beside its dist/*.js, for consumers outside this
// repository (`types` in each package.json's exports points there). One tsc program over all packages' sources
// (tools/tsconfig.types.json); imports between packages stay bare ('@nesslab/kernel'), and the relative '.ts'
// specifiers of the sources become '.js', as `moduleResolution: nodenext` expects in a published package.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'node_modules/.cache/nesslab-types');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
rmSync(out, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [tsc, '-p', join(root, 'tools/tsconfig.types.json')], { stdio: 'inherit' });
} catch {
  console.error('nesslab build-types: tsc failed (above)');
  process.exit(1);
}

/** './x.ts' → './x.js' in `from '…'`, `import('…')` and `declare module '…'` specifiers that start with a dot. */
const relativeTs = /((?:from|import\(?|module)\s*['"])(\.{1,2}\/[^'"]*?)\.ts(['"])/g;
function rewrite(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) rewrite(path);
    else if (name.endsWith('.d.ts')) writeFileSync(path, readFileSync(path, 'utf8').replace(relativeTs, '$1$2.js$3'));
  }
}
for (const name of readdirSync(out)) {
  const src = join(out, name, 'src');
  rewrite(src);
  const types = join(root, 'packages', name, 'dist/types');
  rmSync(types, { recursive: true, force: true });
  cpSync(src, types, { recursive: true });
}
