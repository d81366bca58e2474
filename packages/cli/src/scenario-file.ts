import { readFileSync } from 'node:fs';
import type { Container } from 'inversify';
import { ScenarioError, assembleWithPlugins, importPluginModules, resolveParams, resolvePluginSpecifiers, resolveSpec, scenarioDir, type PluginInfo } from '@nesslab/kernel';
import { builtinModules } from './modules.ts';
import { scenarios } from './scenarios/index.ts';
import type { PackagedScenario, Preset } from './scenarios/types.ts';

/** A packaged scenario with its parameters resolved: preset over defaults, file/--set over preset. */
export interface PackagedRun { kind: 'packaged'; scenario: PackagedScenario; preset: Preset; seed: number; params: Record<string, unknown> }
/** A plain simulation spec, resolved. */
export interface SpecRun { kind: 'spec'; spec: ReturnType<typeof resolveSpec> }

export function loadJson(path: string): unknown {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw new ScenarioError(path, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  try { return JSON.parse(text); } catch (e) { throw new ScenarioError(path, `not valid JSON: ${(e as Error).message}`); }
}

export function packagedScenario(name: string): PackagedScenario {
  const s = scenarios[name];
  if (!s) throw new ScenarioError('scenario', `unknown scenario "${name}"; known: ${Object.keys(scenarios).join(', ')} (or a path to a .json file)`);
  return s;
}

/**
 * Resolves what `run`/`validate` were given: a packaged scenario name, a JSON file naming one
 * (`{ "scenario": "regression-ness", "preset": "quick", "seed": 1, "params": { … } }`, as `run` writes
 * it to scenario.json), or a JSON simulation spec.
 */
export async function resolveRun(target: string, flags: { preset?: string; seed?: number; sets?: Record<string, unknown> }): Promise<{ container: Container; run: PackagedRun | SpecRun }> {
  const isFile = target.endsWith('.json');
  const raw = isFile ? loadJson(target) : { scenario: target };
  const field = isFile ? target : 'scenario';
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ScenarioError(field, 'must be a JSON object');
  const obj = raw as Record<string, unknown>;
  // Third-party plugins: package names or files relative to the scenario file, loaded before anything is resolved.
  const plugins = resolvePluginSpecifiers(obj.plugins, isFile ? scenarioDir(target) : process.cwd());
  const container = assembleWithPlugins(builtinModules, await importPluginModules(plugins));
  if (!('scenario' in obj)) {
    const merged = { ...obj, ...(flags.seed !== undefined ? { seed: flags.seed } : {}), ...flags.sets, ...(plugins.length ? { plugins } : {}) };
    return { container, run: { kind: 'spec', spec: resolveSpec(container, merged, 'scenario') } };
  }
  return { container, run: packagedRun(obj, field, flags) };
}

function packagedRun(obj: Record<string, unknown>, field: string, flags: { preset?: string; seed?: number; sets?: Record<string, unknown> }): PackagedRun {
  for (const key of Object.keys(obj)) {
    if (!['scenario', 'preset', 'seed', 'params', 'plugins'].includes(key)) throw new ScenarioError(`${field}.${key}`, 'unknown field; known: scenario, preset, seed, params, plugins');
  }
  const scenario = packagedScenario(String(obj.scenario));
  const preset = (flags.preset ?? obj.preset ?? 'quick') as Preset;
  if (!(preset in scenario.presets)) throw new ScenarioError('preset', `unknown preset "${preset}"; known: ${Object.keys(scenario.presets).join(', ')}`);
  const seed = flags.seed ?? obj.seed ?? 1;
  if (!Number.isSafeInteger(seed) || (seed as number) < 0) throw new ScenarioError('seed', `must be a non-negative integer, got ${JSON.stringify(seed)}`);
  const info: PluginInfo = { kind: 'observer', name: scenario.name, description: scenario.title, params: withPreset(scenario, preset), precision: 'float64' };
  const given = { ...((obj.params as Record<string, unknown>) ?? {}), ...flags.sets };
  const params = resolveParams(info, given, 'params');
  return { kind: 'packaged', scenario, preset, seed: seed as number, params };
}

/** The scenario's parameter specs with the preset's values as defaults. */
export function withPreset(scenario: PackagedScenario, preset: Preset): PackagedScenario['params'] {
  const out: PackagedScenario['params'] = {};
  for (const [k, spec] of Object.entries(scenario.params)) out[k] = k in scenario.presets[preset] ? { ...spec, default: scenario.presets[preset][k] } : spec;
  return out;
}
