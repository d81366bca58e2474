import type { ParamSpec, PluginInfo } from '../contracts/plugin-info.ts';
import { ScenarioError, didYouMean, keyName, preview } from '../errors.ts';

/** The plugin's parameters with defaults filled in; any unknown, missing or out-of-range value throws naming its field. */
export function resolveParams(info: PluginInfo, given: unknown, field: string): Record<string, unknown> {
  if (given !== undefined && (typeof given !== 'object' || given === null || Array.isArray(given))) {
    throw new ScenarioError(field, 'must be an object of parameters');
  }
  const raw = (given ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(info.params, key)) {
      const names = Object.keys(info.params);
      throw new ScenarioError(
        `${field}.${keyName(key)}`,
        `unknown parameter of "${info.name}"${didYouMean(key, names)}; known: ${names.join(', ') || '(none)'}`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(info.params)) {
    const value = Object.hasOwn(raw, key) ? raw[key] : spec.default;
    if (value === undefined) throw new ScenarioError(`${field}.${key}`, `required (${spec.description})`);
    checkValue(value, spec, `${field}.${key}`);
    out[key] = value;
  }
  return out;
}

export function checkValue(value: unknown, spec: ParamSpec, field: string): void {
  const fail = (why: string) => {
    throw new ScenarioError(field, `${why}, got ${preview(value)}`);
  };
  switch (spec.type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) fail('must be a finite number');
      break;
    case 'integer':
      if (!Number.isSafeInteger(value)) fail('must be an integer');
      break;
    case 'string':
      if (typeof value !== 'string') fail('must be a string');
      break;
    case 'boolean':
      if (typeof value !== 'boolean') fail('must be true or false');
      break;
    case 'array':
      if (!Array.isArray(value)) fail('must be an array');
      break;
  }
  if (spec.enum && !spec.enum.includes(value)) fail(`must be one of ${spec.enum.map((v) => preview(v)).join(', ')}`);
  if (typeof value === 'number') {
    if (spec.minimum !== undefined && value < spec.minimum) fail(`must be ≥ ${spec.minimum}`);
    if (spec.exclusiveMinimum !== undefined && value <= spec.exclusiveMinimum)
      fail(`must be > ${spec.exclusiveMinimum}`);
    if (spec.maximum !== undefined && value > spec.maximum) fail(`must be ≤ ${spec.maximum}`);
  }
}
