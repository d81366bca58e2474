// `nx g @nesslab/tools:scenario <name> [--directory <dir>] [--packageName <pkg>]`: scaffolds a third-party packaged
// scenario package (one scenario written with defineScenario, one ContainerModule binding it with bindScenario, a test
// that runs its quick preset through @nesslab/scenarios' runner, an example scenario file, an esbuild build). Plain
// CommonJS so that Nx loads it without a TypeScript transpiler.
'use strict';

const path = require('node:path');
const { joinPathFragments } = require('@nx/devkit');
const { commonOptions, readJsonOr, scaffold } = require('../shared.cjs');

/** The version of the workspace package packages/<dir>, or the one at the time of writing. */
const workspaceVersion = (tree, dir) => readJsonOr(tree, `packages/${dir}/package.json`, {}).version ?? '0.1.0';

/** Options → template variables; throws one message naming the bad option. */
function normalizeOptions(tree, options) {
  const common = commonOptions(tree, options, 'scenario', 'wr-trace');
  // A name already bound by nesslab's own scenarios would be refused when the package loads (a name clash).
  if (tree.exists(joinPathFragments('packages/scenarios/src', common.name)))
    throw new Error(
      `scenario: "${common.name}" is the name of a built-in scenario (packages/scenarios/src/${common.name}); pick another --name`,
    );
  return {
    ...common,
    kernelVersion: workspaceVersion(tree, 'kernel'),
    scenariosVersion: workspaceVersion(tree, 'scenarios'),
    landscapesVersion: workspaceVersion(tree, 'landscapes'),
    samplersVersion: workspaceVersion(tree, 'samplers'),
    optimizersVersion: workspaceVersion(tree, 'optimizers'),
    observersVersion: workspaceVersion(tree, 'observers'),
    cliVersion: workspaceVersion(tree, 'cli'),
  };
}

async function scenarioGenerator(tree, options) {
  const vars = normalizeOptions(tree, options);
  return scaffold(
    tree,
    'scenario',
    path.join(__dirname, 'files'),
    vars,
    `\nNext: cd ${vars.directory} && npm run build && npm test && npm run scenario\n` +
      `Run it from a scenario file: { "plugins": ["${vars.packageName}"], "scenario": "${vars.name}", "preset": "quick" }\n`,
  );
}

module.exports = scenarioGenerator;
module.exports.default = scenarioGenerator;
module.exports.scenarioGenerator = scenarioGenerator;
module.exports.normalizeOptions = normalizeOptions;
