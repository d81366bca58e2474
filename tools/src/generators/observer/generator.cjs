// `nx g @nesslab/tools:observer <name> [--directory <dir>] [--packageName <pkg>]`: scaffolds a third-party
// observer package (one class + its PluginInfo, one ContainerModule, a test on the kernel's toy scenario,
// an esbuild build). Plain CommonJS so that Nx loads it without a TypeScript transpiler.
'use strict';

const path = require('node:path');
const { commonOptions, readJsonOr, scaffold } = require('../shared.cjs');

/** The kernel's version and API_VERSION when the workspace does not say: this repository's own kernel's. */
const FALLBACK = { kernel: '0.1.0', apiVersion: repositoryApiVersion() ?? '2.2.0' };

/** API_VERSION of the kernel beside this generator (packages/kernel/src/define-plugin.ts), if this is a checkout. */
function repositoryApiVersion() {
  try {
    const text = require('node:fs').readFileSync(
      path.join(__dirname, '../../../../packages/kernel/src/define-plugin.ts'),
      'utf-8',
    );
    return /API_VERSION\s*=\s*'([^']+)'/.exec(text)?.[1];
  } catch {
    return undefined;
  }
}

/** The kernel's API_VERSION, read from its source when the tree has it. */
function kernelApiVersion(tree) {
  const file = 'packages/kernel/src/define-plugin.ts';
  if (!tree.exists(file)) return FALLBACK.apiVersion;
  const m = /API_VERSION\s*=\s*'([^']+)'/.exec(tree.read(file, 'utf-8'));
  return m ? m[1] : FALLBACK.apiVersion;
}

/** Options → template variables; throws one message naming the bad option. */
function normalizeOptions(tree, options) {
  return {
    ...commonOptions(tree, options, 'observer', 'max-abs-theta'),
    apiVersion: kernelApiVersion(tree),
    kernelVersion: readJsonOr(tree, 'packages/kernel/package.json', {}).version ?? FALLBACK.kernel,
  };
}

async function observerGenerator(tree, options) {
  const vars = normalizeOptions(tree, options);
  return scaffold(
    tree,
    'observer',
    path.join(__dirname, 'files'),
    vars,
    `\nNext: cd ${vars.directory} && npm run build && npm test\n` +
      `Use it from a scenario: "plugins": ["${vars.packageName}"], "observers": [{ "name": "${vars.name}" }]\n`,
  );
}

module.exports = observerGenerator;
module.exports.default = observerGenerator;
module.exports.observerGenerator = observerGenerator;
module.exports.normalizeOptions = normalizeOptions;
