#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
const bundle = fileURLToPath(new URL('../dist/nesslab.mjs', import.meta.url));
if (!existsSync(bundle)) {
  console.error('nesslab: the CLI is not built yet; run `npm run prepare` (npm ci does it for you)');
  process.exit(1);
}
await import(bundle);
