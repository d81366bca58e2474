// `nx g @nesslab/tools:scenario <name> [--directory <dir>] [--packageName <pkg>]`: scaffolds a third-party packaged
// scenario package (one scenario written with defineScenario, one ContainerModule binding it with bindScenario, a test
// that runs its quick preset through @nesslab/scenarios' runner, an example scenario file, an esbuild build). Plain
// CommonJS so that Nx loads it without a TypeScript transpiler.
'use strict';

const path = require('node:path');
const { formatFiles, generateFiles, joinPathFragments, names, readJson } = require('@nx/devkit');

/** Same rule as the kernel's bindScenario and defineScenario. */
const KEBAB = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Versions the generated package.json pins when the workspace does not say (the root package.json's at the time of writing). */
const FALLBACK = {
  esbuild: '^0.28.2',
  vitest: '^4.1.12',
  '@types/node': '^20.19.0',
  typescript: '~5.9.3',
  nesslab: '0.1.0',
};

function readJsonOr(tree, file, fallback) {
  try {
    return tree.exists(file) ? readJson(tree, file) : fallback;
  } catch {
    return fallback;
  }
}

/** The version of the workspace package packages/<dir>, or the fallback. */
const workspaceVersion = (tree, dir) =>
  readJsonOr(tree, `packages/${dir}/package.json`, {}).version ?? FALLBACK.nesslab;

/** Options → template variables; throws one message naming the bad option. */
function normalizeOptions(tree, options) {
  const raw = String(options.name ?? '').trim();
  if (!raw) throw new Error('scenario: --name is required (kebab-case, e.g. wr-trace)');
  const name = names(raw).fileName;
  if (!KEBAB.test(name)) throw new Error(`scenario: --name must be kebab-case (letters, digits, dashes), got "${raw}"`);
  // A name already bound by nesslab's own scenarios would be refused when the package loads (a name clash).
  if (tree.exists(joinPathFragments('packages/scenarios/src', name)))
    throw new Error(
      `scenario: "${name}" is the name of a built-in scenario (packages/scenarios/src/${name}); pick another --name`,
    );
  const directory = joinPathFragments(
    options.directory ? String(options.directory) : joinPathFragments('plugins', name),
  );
  if (directory.startsWith('..') || path.isAbsolute(directory))
    throw new Error(`scenario: --directory must be a path inside the workspace, got "${options.directory}"`);
  const packageName = options.packageName ? String(options.packageName) : `nesslab-scenario-${name}`;
  if (!/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/.test(packageName))
    throw new Error(`scenario: --packageName is not a valid npm package name: "${packageName}"`);
  const root = readJsonOr(tree, 'package.json', {});
  const dev = { ...(root.dependencies ?? {}), ...(root.devDependencies ?? {}) };
  const n = names(name);
  return {
    name,
    className: n.className,
    propertyName: n.propertyName,
    packageName,
    directory,
    kernelVersion: workspaceVersion(tree, 'kernel'),
    scenariosVersion: workspaceVersion(tree, 'scenarios'),
    landscapesVersion: workspaceVersion(tree, 'landscapes'),
    samplersVersion: workspaceVersion(tree, 'samplers'),
    optimizersVersion: workspaceVersion(tree, 'optimizers'),
    observersVersion: workspaceVersion(tree, 'observers'),
    cliVersion: workspaceVersion(tree, 'cli'),
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

async function scenarioGenerator(tree, options) {
  const vars = normalizeOptions(tree, options);
  if (tree.exists(joinPathFragments(vars.directory, 'package.json'))) {
    throw new Error(`scenario: ${vars.directory}/package.json already exists; pick another --directory`);
  }
  generateFiles(tree, path.join(__dirname, 'files'), vars.directory, { ...vars, tmpl: '' });
  if (prettierInstalled(tree)) await formatFiles(tree);
  return () => {
    console.log(
      `\nNext: cd ${vars.directory} && npm run build && npm test && npm run scenario\n` +
        `Run it from a scenario file: { "plugins": ["${vars.packageName}"], "scenario": "${vars.name}", "preset": "quick" }\n`,
    );
  };
}

module.exports = scenarioGenerator;
module.exports.default = scenarioGenerator;
module.exports.scenarioGenerator = scenarioGenerator;
module.exports.normalizeOptions = normalizeOptions;
