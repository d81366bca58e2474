import type { Container } from 'inversify';
import type { InitSpec, PluginRef, SimulationSpec } from '../contracts/scenario.ts';
import type { RunContext } from '../contracts/observer.ts';
import type { Landscape } from '../contracts/landscape.ts';
import { pluginInfo, resolvePlugin } from '../container.ts';
import { ScenarioError, keyName, preview } from '../errors.ts';
import { checkValue, resolveParams } from './params.ts';
import { defaultBlockSize } from '../engine/frame-buffer.ts';
import type { SimulationParts } from '../engine/run-chains.ts';

const integer = (min: number) => ({ type: 'integer' as const, description: '', minimum: min });

/**
 * Checks a simulation spec (plain JSON) against the container's plugins and returns it fully
 * resolved: every default filled in, so that the resolved spec alone reproduces the run.
 */
export function resolveSpec(
  container: Container,
  raw: unknown,
  field = 'scenario',
): Required<Omit<SimulationSpec, 'workers' | 'blockSize' | 'plugins'>> &
  Pick<SimulationSpec, 'workers' | 'blockSize' | 'plugins'> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ScenarioError(field, 'must be a JSON object');
  const spec = raw as Record<string, unknown>;
  const known = [
    'seed',
    'landscape',
    'sampler',
    'optimizer',
    'observers',
    'chains',
    'steps',
    'blockSize',
    'init',
    'workers',
    'plugins',
    'name',
    'description',
  ];
  for (const key of Object.keys(spec))
    if (!known.includes(key))
      throw new ScenarioError(`${field}.${keyName(key)}`, `unknown field; known: ${known.join(', ')}`);
  const num = (key: string, min: number, fallback?: number): number => {
    const v = Object.hasOwn(spec, key) ? spec[key] : fallback;
    if (v === undefined) throw new ScenarioError(`${field}.${key}`, 'required');
    checkValue(v, integer(min), `${field}.${key}`);
    return v as number;
  };
  const ref = (
    kind: 'landscape' | 'sampler' | 'optimizer' | 'observer',
    value: unknown,
    at: string,
  ): Required<PluginRef> => {
    if (typeof value === 'string') value = { name: value };
    if (
      typeof value !== 'object' ||
      value === null ||
      Array.isArray(value) ||
      typeof (value as PluginRef).name !== 'string'
    ) {
      throw new ScenarioError(at, `must be { "name": "<${kind}>", "params": { … } }, got ${preview(value)}`);
    }
    const { name, params, ...rest } = value as PluginRef & Record<string, unknown>;
    const extra = Object.keys(rest);
    if (extra.length)
      throw new ScenarioError(`${at}.${keyName(extra[0])}`, 'unknown field; a plugin reference has name and params');
    const info = pluginInfo(container, kind, name, `${at}.name`);
    return { name, params: resolveParams(info, params, `${at}.params`) };
  };
  for (const key of ['name', 'description'] as const) {
    if (spec[key] !== undefined && typeof spec[key] !== 'string')
      throw new ScenarioError(`${field}.${key}`, `must be a string, got ${preview(spec[key])}`);
  }
  if (
    spec.plugins !== undefined &&
    (!Array.isArray(spec.plugins) || !spec.plugins.every((p) => typeof p === 'string' && p.length > 0))
  ) {
    throw new ScenarioError(
      `${field}.plugins`,
      `must be an array of package names or paths, got ${preview(spec.plugins)}`,
    );
  }
  const seed = Object.hasOwn(spec, 'seed') ? spec.seed : 1; // null is not a seed
  if (!Number.isSafeInteger(seed) || (seed as number) < 0)
    throw new ScenarioError(`${field}.seed`, `must be an integer from 0 to 2^53 − 1, got ${preview(seed)}`);
  const chains = num('chains', 1),
    steps = num('steps', 1);
  const landscape = ref('landscape', spec.landscape, `${field}.landscape`);
  const observersRaw = Object.hasOwn(spec, 'observers') ? spec.observers : [];
  if (!Array.isArray(observersRaw))
    throw new ScenarioError(`${field}.observers`, `must be an array of { name, params }, got ${preview(observersRaw)}`);
  return {
    seed: seed as number,
    landscape,
    sampler: ref('sampler', spec.sampler, `${field}.sampler`),
    optimizer: ref('optimizer', spec.optimizer, `${field}.optimizer`),
    observers: observersRaw.map((o, i) => ref('observer', o, `${field}.observers[${i}]`)),
    chains,
    steps,
    ...(spec.blockSize === undefined ? {} : { blockSize: num('blockSize', 1) }), // absent: chosen per chain group
    init: resolveInit(spec.init, `${field}.init`),
    ...(spec.workers === undefined ? {} : { workers: num('workers', 1) }),
    ...(spec.plugins === undefined ? {} : { plugins: spec.plugins as string[] }), // resolved to file URLs by the caller
  };
}

function resolveInit(raw: unknown, field: string): InitSpec {
  if (raw === undefined) return { kind: 'minimum' };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ScenarioError(
      field,
      `must be { "kind": "minimum" | "point" | "random" | "gaussian", … }, got ${preview(raw)}`,
    );
  const init = raw as InitSpec & Record<string, unknown>;
  const fields: Record<string, readonly string[]> = {
    minimum: ['kind'],
    random: ['kind'],
    point: ['kind', 'theta'],
    gaussian: ['kind', 'mean', 'covariance'],
  };
  if (typeof init.kind !== 'string' || !Object.hasOwn(fields, init.kind)) {
    throw new ScenarioError(
      `${field}.kind`,
      `must be "minimum", "point", "random" or "gaussian", got ${preview(init.kind)}`,
    );
  }
  const extra = Object.keys(init).find((k) => !fields[init.kind].includes(k));
  if (extra !== undefined)
    throw new ScenarioError(
      `${field}.${keyName(extra)}`,
      `unknown field of init "${init.kind}"; known: ${fields[init.kind].join(', ')}`,
    );
  const finite = (v: unknown): v is number[] =>
    Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (init.kind === 'minimum' || init.kind === 'random') return { kind: init.kind };
  if (init.kind === 'point') {
    if (!finite(init.theta))
      throw new ScenarioError(`${field}.theta`, `must be an array of finite numbers, got ${preview(init.theta)}`);
    return { kind: 'point', theta: init.theta };
  }
  if (init.mean !== undefined && !finite(init.mean))
    throw new ScenarioError(`${field}.mean`, `must be an array of finite numbers, got ${preview(init.mean)}`);
  const n = init.mean?.length ?? (Array.isArray(init.covariance) ? init.covariance.length : 0);
  if (
    !Array.isArray(init.covariance) ||
    init.covariance.length !== n ||
    !init.covariance.every((row) => finite(row) && row.length === n)
  ) {
    throw new ScenarioError(
      `${field}.covariance`,
      `must be a square array of finite numbers${init.mean ? ` (${n}×${n}, like mean)` : ''}`,
    );
  }
  return { kind: 'gaussian', covariance: init.covariance, ...(init.mean ? { mean: init.mean } : {}) };
}

/**
 * A landscape outside a simulation (a scenario's theory), exactly as a spec would get it: its params resolved and checked
 * against its info (defaults filled, errors naming `field`), its asynchronous set-up awaited, configured with `seed`.
 */
export async function configuredLandscape(
  container: Container,
  ref: PluginRef | string,
  seed: number,
  field = 'landscape',
): Promise<Landscape> {
  const { name, params } = typeof ref === 'string' ? { name: ref, params: undefined } : ref;
  const info = pluginInfo(container, 'landscape', name, `${field}.name`);
  const resolved = resolveParams(info, params, `${field}.params`);
  const landscape = resolvePlugin(container, 'landscape', name, `${field}.name`);
  await landscape.prepare?.();
  wrap(`${field}.params`, () => landscape.configure(resolved, seed));
  return landscape;
}

/** The spec's landscape, prepared (awaits its asynchronous set-up) and configured. */
export async function prepareLandscape(container: Container, spec: SimulationSpec): Promise<Landscape> {
  const landscape = resolvePlugin(container, 'landscape', spec.landscape.name, 'scenario.landscape.name');
  await landscape.prepare?.();
  wrap('scenario.landscape.params', () => landscape.configure(spec.landscape.params ?? {}, spec.seed));
  return landscape;
}

/** Resolves and configures the other plugins of a resolved spec around its prepared landscape. */
export function configureParts(
  container: Container,
  spec: SimulationSpec,
  landscape: Landscape,
  run: Omit<RunContext, 'landscape' | 'dim' | 'chains' | 'steps'>,
): SimulationParts & { context: RunContext } {
  const sampler = resolvePlugin(container, 'sampler', spec.sampler.name, 'scenario.sampler.name');
  wrap('scenario.sampler.params', () => sampler.configure(spec.sampler.params ?? {}, landscape.dataSize));
  const optimizer = resolvePlugin(container, 'optimizer', spec.optimizer.name, 'scenario.optimizer.name');
  wrap('scenario.optimizer.params', () => optimizer.configure(spec.optimizer.params ?? {}, landscape, sampler));
  const context: RunContext = { ...run, landscape, dim: landscape.dim, chains: spec.chains, steps: spec.steps };
  const observers = spec.observers.map((ref, i) => {
    const o = resolvePlugin(container, 'observer', ref.name, `scenario.observers[${i}].name`);
    wrap(`scenario.observers[${i}].params`, () => o.configure(ref.params ?? {}, context));
    return o;
  });
  return { landscape, sampler, optimizer, observers, context };
}

/** A plugin's own complaint about its parameters becomes a ScenarioError naming the field. */
function wrap(field: string, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    throw new ScenarioError(field, (e as Error).message);
  }
}

export function blockSizeFor(spec: SimulationSpec, chainsInGroup: number, dim: number): number {
  return spec.blockSize && spec.blockSize > 0
    ? Math.min(spec.blockSize, spec.steps)
    : defaultBlockSize(chainsInGroup, dim, spec.steps);
}
