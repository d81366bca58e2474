// What the package generators (observer, scenario) share: reading the workspace, checking the common options, and
// writing the files. Plain CommonJS so that Nx loads it without a TypeScript transpiler.
'use strict';

const path = require('node:path');
const { formatFiles, generateFiles, joinPathFragments, names, readJson } = require('@nx/devkit');

/** Same rule as the kernel's definePlugin and bindScenario (without the optional @scope/). */
const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/** Tool versions the generated package.json pins when the workspace does not say (the root package.json's at the time of writing). */
const TOOL_FALLBACK = { esbuild: '^0.28.2', vitest: '^4.1.12', '@types/node': '^20.19.0', typescript: '~5.9.3' };

function readJsonOr(tree, file, fallback) {
  try {
    return tree.exists(file) ? readJson(tree, file) : fallback;
  } catch {
    return fallback;
  }
}

/**
 * The options every generator takes → name (kebab-case), directory (inside the workspace), packageName (default
 * `nesslab-<kind>-<name>`), class/property names and the workspace's tool versions; throws one message naming the bad
 * option, prefixed with `kind`.
 */
function commonOptions(tree, options, kind, example) {
  const raw = String(options.name ?? '').trim();
  if (!raw) throw new Error(`${kind}: --name is required (kebab-case, e.g. ${example})`);
  const name = names(raw).fileName;
  if (!KEBAB.test(name)) throw new Error(`${kind}: --name must be kebab-case (letters, digits, dashes), got "${raw}"`);
  const directory = joinPathFragments(
    options.directory ? String(options.directory) : joinPathFragments('plugins', name),
  );
  if (directory.startsWith('..') || path.isAbsolute(directory))
    throw new Error(`${kind}: --directory must be a path inside the workspace, got "${options.directory}"`);
  const packageName = options.packageName ? String(options.packageName) : `nesslab-${kind}-${name}`;
  if (!PACKAGE_NAME.test(packageName))
    throw new Error(`${kind}: --packageName is not a valid npm package name: "${packageName}"`);
  const root = readJsonOr(tree, 'package.json', {});
  const dev = { ...(root.dependencies ?? {}), ...(root.devDependencies ?? {}) };
  const n = names(name);
  return {
    name,
    className: n.className,
    propertyName: n.propertyName,
    packageName,
    directory,
    esbuildVersion: dev.esbuild ?? TOOL_FALLBACK.esbuild,
    vitestVersion: dev.vitest ?? TOOL_FALLBACK.vitest,
    typesNodeVersion: dev['@types/node'] ?? TOOL_FALLBACK['@types/node'],
    typescriptVersion: dev.typescript ?? TOOL_FALLBACK.typescript,
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

/** Writes `filesDir`'s templates into vars.directory (refusing an existing package there), formats them, and returns the closing hint. */
async function scaffold(tree, kind, filesDir, vars, next) {
  if (tree.exists(joinPathFragments(vars.directory, 'package.json'))) {
    throw new Error(`${kind}: ${vars.directory}/package.json already exists; pick another --directory`);
  }
  generateFiles(tree, filesDir, vars.directory, { ...vars, tmpl: '' });
  if (prettierInstalled(tree)) await formatFiles(tree);
  return () => console.log(next);
}

module.exports = { commonOptions, readJsonOr, scaffold };
