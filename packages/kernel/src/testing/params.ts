import type { PluginInfo } from '../contracts/plugin-info.ts';
import type { ParamsOf } from '../define-plugin.ts';
import { resolveParams } from '../scenario/params.ts';

/**
 * A plugin's params as the kernel hands them to `configure`: `given` checked against the info and every default
 * filled in by `resolveParams`, so that a test configures a plugin exactly as a run does. Errors name
 * `<plugin name>.params.<key>` unless `field` says otherwise.
 *   sampler.configure(paramsFor(withReplacementInfo, { batchSize: 5 }), 20);
 */
export function paramsFor<const I extends PluginInfo>(
  info: I,
  given: { readonly [K in keyof I['params']]?: unknown } = {},
  field = `${info.name}.params`,
): ParamsOf<I> {
  return resolveParams(info, given, field) as ParamsOf<I>;
}
