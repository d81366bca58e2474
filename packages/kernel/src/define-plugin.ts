import type { ParamSpec, PluginInfo } from './contracts/plugin-info.ts';
import { checkValue } from './scenario/params.ts';

/** The plugin API's version: contracts, tokens, Frame layout and PluginInfo. Semver: a major bump breaks plugins. */
export const API_VERSION = '2.2.0';
/** nesslab's own version (every @nesslab/* package of one release has it): part of a unit of work's key. */
export const NESSLAB_VERSION = '0.1.0';

/** The TypeScript type of each ParamSpec `type`, as `resolveParams` checks it (an array's items are not checked). */
interface ParamTypes {
  number: number;
  integer: number;
  string: string;
  boolean: boolean;
  array: readonly unknown[];
}

/** The value of one parameter: its `enum`'s literals when it has one, else the type its `type` names. */
export type ParamValue<S extends ParamSpec> = S extends { enum: readonly (infer E)[] } ? E : ParamTypes[S['type']];

/**
 * A plugin's resolved parameters as `configure` receives them: every key present (`resolveParams` filled the
 * defaults) and of the type, bounds and enum its ParamSpec states. For an info declared with `definePlugin`:
 *   configure(params: ParamsOf<typeof sgdInfo>, …) { this.eta = params.eta; }
 */
export type ParamsOf<I extends PluginInfo> = { readonly [K in keyof I['params']]: ParamValue<I['params'][K]> };

const KINDS = ['landscape', 'sampler', 'optimizer', 'observer'];
const TYPES = ['number', 'integer', 'string', 'boolean', 'array'];

/**
 * Declares a plugin's metadata, checked once at import time: a kebab-case name, a known kind, parameters
 * with a type, a description and a default that passes its own bounds. Stamps `apiVersion`.
 */
export function definePlugin<const T extends PluginInfo>(info: T): T & { apiVersion: string } {
  const where = `plugin "${info.name}"`;
  if (!/^(@[a-z0-9-]+\/)?[a-z0-9]+(-[a-z0-9]+)*$/.test(info.name))
    throw new Error(`${where}: the name must be kebab-case`);
  if (!KINDS.includes(info.kind)) throw new Error(`${where}: kind must be one of ${KINDS.join(', ')}`);
  for (const [key, spec] of Object.entries(info.params)) {
    if (!TYPES.includes(spec.type)) throw new Error(`${where}: params.${key}.type must be one of ${TYPES.join(', ')}`);
    if (!spec.description) throw new Error(`${where}: params.${key} needs a description`);
    if (spec.default !== undefined) {
      try {
        checkValue(spec.default, spec, `params.${key}.default`);
      } catch (e) {
        throw new Error(`${where}: ${(e as Error).message}`);
      }
    }
  }
  return { ...info, apiVersion: info.apiVersion ?? API_VERSION };
}

/** The plugin's parameters as a JSON Schema (draft 2020-12) object, for editors and validators. */
export function paramsJsonSchema(info: PluginInfo): Record<string, unknown> {
  const properties: Record<string, ParamSpec> = {};
  for (const [key, spec] of Object.entries(info.params)) properties[key] = { ...spec };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `${info.kind} ${info.name}`,
    description: info.description,
    type: 'object',
    properties,
    additionalProperties: false,
  };
}
