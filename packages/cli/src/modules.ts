import type { ContainerModule } from 'inversify';
import { assemble } from '@nesslab/kernel';
import { pluginModules as libraryPluginModules, scenariosModule } from '@nesslab/scenarios';

/** The built-in plugin packages, one ContainerModule each (the same list the library's workers use): what a worker thread needs to step chains. */
export const pluginModules: ContainerModule[] = [...libraryPluginModules];

/** The built-in plugin and scenario packages (the command's container). */
export const builtinModules: ContainerModule[] = [...pluginModules, scenariosModule];

export const builtinContainer = () => assemble(...builtinModules);
