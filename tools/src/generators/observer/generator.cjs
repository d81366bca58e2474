// `nx g @nesslab/tools:observer <name> [--directory <dir>] [--packageName <pkg>]`: scaffolds a third-party
// observer package (one class + its PluginInfo, one ContainerModule, a test on the kernel's toy scenario,
// an esbuild build). Plain CommonJS so that Nx loads it without a TypeScript transpiler.
'use strict';

const path = require('node:path');
const { formatFiles, generateFiles, joinPathFragments, names, readJson } = require('@nx/devkit');

/** Same rule as the kernel's definePlugin (without the optional @scope/). */
const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Versions the generated package.json pins when the workspace does not say (the root package.json's at the time of writing). */
const FALLBACK = {
  esbuild: '^0.28.2',
  vitest: '^4.1.12',
  '@types/node': '^20.19.0',
  typescript: '~5.9.3',
  kernel: '0.1.0',
  apiVersion: '1.0.0',
};

function readJsonOr(tree, file, fallback) {
  try {
    return tree.exists(file) ? readJson(tree, file) : fallback;
  } catch {
    return fallback;
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
  const raw = String(options.name ?? '').trim();
  if (!raw) throw new Error('observer: --name is required (kebab-case, e.g. max-abs-theta)');
  const name = names(raw).fileName;
  if (!KEBAB.test(name)) throw new Error(`observer: --name must be kebab-case (letters, digits, dashes), got "${raw}"`);
  const directory = joinPathFragments(
    options.directory ? String(options.directory) : joinPathFragments('plugins', name),
  );
  if (directory.startsWith('..') || path.isAbsolute(directory))
    throw new Error(`observer: --directory must be a path inside the workspace, got "${options.directory}"`);
  const packageName = options.packageName ? String(options.packageName) : `nesslab-observer-${name}`;
  if (!/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(packageName))
    throw new Error(`observer: --packageName is not a valid npm package name: "${packageName}"`);
  const root = readJsonOr(tree, 'package.json', {});
  const dev = { ...(root.dependencies ?? {}), ...(root.devDependencies ?? {}) };
  const kernel = readJsonOr(tree, 'packages/kernel/package.json', {});
  const n = names(name);
  return {
    name,
    className: n.className,
    propertyName: n.propertyName,
    packageName,
    directory,
    apiVersion: kernelApiVersion(tree),
    kernelVersion: kernel.version ?? FALLBACK.kernel,
    esbuildVersion: dev.esbuild ?? FALLBACK.esbuild,
    vitestVersion: dev.vitest ?? FALLBACK.vitest,
    typesNodeVersion: dev['@types/node'] ?? FALLBACK['@types/node'],
    typescriptVersion: dev.typescript ?? FALLBACK.typescript,
  };
}

function prettierInstalled(tree) {
  try {
    require.resolve('prettier', { paths: [tree.root, __dirname] });
    return true;
  } catch {
    return false;
  }
}

async function observerGenerator(tree, options) {
  const vars = normalizeOptions(tree, options);
  if (tree.exists(joinPathFragments(vars.directory, 'package.json'))) {
    throw new Error(`observer: ${vars.directory}/package.json already exists; pick another --directory`);
  }
  generateFiles(tree, path.join(__dirname, 'files'), vars.directory, { ...vars, tmpl: '' });
  if (prettierInstalled(tree)) await formatFiles(tree);
  return () => {
    console.log(
      `\nNext: cd ${vars.directory} && npm run build && npm test\n` +
        `Use it from a scenario: "plugins": ["${vars.packageName}"], "observers": [{ "name": "${vars.name}" }]\n`,
    );
  };
}

module.exports = observerGenerator;
module.exports.default = observerGenerator;
module.exports.observerGenerator = observerGenerator;
module.exports.normalizeOptions = normalizeOptions;
