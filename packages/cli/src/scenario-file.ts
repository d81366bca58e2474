import type { Container } from 'inversify';
import {
  ScenarioError,
  scenarioDefinition,
  keyName,
  assembleWithPlugins,
  importPluginModules,
  preview,
  resolvePluginSpecifiers,
  resolveSpec,
  scenarioDir,
} from '@nesslab/kernel';
import { builtinModules } from './modules.ts';
import { resolvePackagedRun, type AnyScenario, type PackagedRun, type SpecRun } from '@nesslab/scenarios';
import { loadJson } from './json-file.ts';

export { loadJson } from './json-file.ts';

/**
 * The packaged scenario `name` among those bound in the container: nesslab's own and any a scenario file's "plugins"
 * brought (own names only: `constructor` or `__proto__` are unknown like any other).
 */
export function packagedScenario(container: Container, name: string): AnyScenario {
  return scenarioDefinition(container, name, 'scenario');
}

const PACKAGED_FIELDS = ['scenario', 'preset', 'seed', 'params', 'plugins', 'name', 'description'];

/**
 * Resolves what `run`/`validate` were given: a packaged scenario name, a JSON file naming one
 * (`{ "scenario": "regression-ness", "preset": "quick", "seed": 1, "params": { … } }`, as `run` writes
 * it to scenario.json), or a JSON simulation spec. Plugins come from the file's `plugins` (relative to the file) and
 * from `--set plugins=[…]` (relative to the working folder), both through the same checks; nothing else is loaded.
 */
export async function resolveRun(
  target: string,
  flags: { preset?: string; seed?: number; sets?: Record<string, unknown> },
): Promise<{ container: Container; run: PackagedRun | SpecRun }> {
  const isFile = target.endsWith('.json');
  const raw = isFile ? loadJson(target) : { scenario: target };
  const field = isFile ? target : 'scenario';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ScenarioError(field, `must be a JSON object, got ${preview(raw)}`);
  const obj = raw as Record<string, unknown>;
  const sets = { ...flags.sets };
  const fromFile = resolvePluginSpecifiers(
    obj.plugins,
    isFile ? scenarioDir(target) : process.cwd(),
    'scenario.plugins',
  );
  const fromSet = Object.hasOwn(sets, 'plugins')
    ? resolvePluginSpecifiers(sets.plugins, process.cwd(), '--set plugins')
    : [];
  delete sets.plugins;
  const plugins = [...fromFile, ...fromSet];
  const modules = [
    ...(await importPluginModules(fromFile, 'scenario.plugins')),
    ...(await importPluginModules(fromSet, '--set plugins')),
  ];
  const container = assembleWithPlugins(builtinModules, modules);
  if (!Object.hasOwn(obj, 'scenario')) {
    if (flags.preset !== undefined)
      throw new ScenarioError('--preset', `only for packaged scenarios; ${preview(target, 80)} is a simulation spec`);
    const merged = {
      ...obj,
      ...(flags.seed !== undefined ? { seed: flags.seed } : {}),
      ...sets,
      ...(plugins.length ? { plugins } : {}),
    };
    if (!plugins.length) delete merged.plugins;
    return { container, run: { kind: 'spec', spec: resolveSpec(container, merged, 'scenario'), plugins } };
  }
  return { container, run: packagedRun(container, obj, flags, sets, plugins) };
}

function packagedRun(
  container: Container,
  obj: Record<string, unknown>,
  flags: { preset?: string; seed?: number },
  sets: Record<string, unknown>,
  plugins: string[],
): PackagedRun {
  for (const key of Object.keys(obj)) {
    if (!PACKAGED_FIELDS.includes(key))
      throw new ScenarioError(`scenario file.${keyName(key)}`, `unknown field; known: ${PACKAGED_FIELDS.join(', ')}`);
  }
  for (const key of ['scenario', 'preset', 'name', 'description']) {
    if (obj[key] !== undefined && typeof obj[key] !== 'string')
      throw new ScenarioError(key, `must be a string, got ${preview(obj[key])}`);
  }
  const scenario = packagedScenario(container, obj.scenario as string);
  // The file's params and --set over the preset, the preset over the defaults: as the programmatic API resolves them
  // (params that are no object are refused there, naming "params").
  const fileParams = obj.params,
    isObject = typeof fileParams === 'object' && fileParams !== null && !Array.isArray(fileParams);
  const given =
    fileParams === undefined
      ? { ...sets }
      : isObject
        ? { ...(fileParams as Record<string, unknown>), ...sets }
        : fileParams;
  return resolvePackagedRun(
    scenario,
    {
      preset: flags.preset ?? obj.preset,
      seed: flags.seed ?? (Object.hasOwn(obj, 'seed') ? obj.seed : undefined),
      params: given,
      plugins,
    },
    'params',
  );
}
