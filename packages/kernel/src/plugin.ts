import type { ContainerModuleLoadOptions } from 'inversify';
import { PluginInfo, type PluginKind } from './contracts/plugin-info.ts';
import { Landscape } from './contracts/landscape.ts';
import { Sampler } from './contracts/sampler.ts';
import { Optimizer } from './contracts/optimizer.ts';
import { Observer } from './contracts/observer.ts';
import { ScenarioDefinition } from './contracts/scenario-definition.ts';

const tokenOf = { landscape: Landscape, sampler: Sampler, optimizer: Optimizer, observer: Observer } as const;

/**
 * The one binding line of a plugin: its class under the kind's token, named, plus its metadata
 * (unnamed, so that `getAll(PluginInfo)` lists every plugin).
 *   export default new ContainerModule((options) => { bindPlugin(options, SgdOptimizer, sgdInfo); });
 */
export function bindPlugin(options: ContainerModuleLoadOptions, cls: new () => unknown, info: PluginInfo): void {
  const token = tokenOf[info.kind as PluginKind];
  if (!token) throw new Error(`plugin "${info.name}": unknown kind "${info.kind}"`);
  if (options.isBound(token, { name: info.name }))
    throw new Error(
      `plugin name clash: ${/^[aeiou]/.test(info.kind) ? 'an' : 'a'} ${info.kind} named "${info.name}" is already bound`,
    );
  options
    .bind(token)
    .to(cls as new () => object)
    .whenNamed(info.name);
  options.bind(PluginInfo).toConstantValue(info);
}

/**
 * The one binding line of a packaged scenario, in its package's ContainerModule, like a plugin's:
 *   export default new ContainerModule((options) => { bindScenario(options, regressionNess); });
 * Unnamed, so that `getAll(ScenarioDefinition)` lists every scenario; `assembleWithPlugins` refuses a name bound twice.
 */
export function bindScenario(options: ContainerModuleLoadOptions, definition: ScenarioDefinition): void {
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(definition.name))
    throw new Error(`scenario "${definition.name}": the name must be kebab-case`);
  options.bind(ScenarioDefinition).toConstantValue(definition);
}
