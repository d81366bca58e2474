import type { ContainerModule } from 'inversify';
import { assemble } from '@nesslab/kernel';
import { samplersModule } from '@nesslab/samplers';
import { optimizersModule } from '@nesslab/optimizers';
import { landscapesModule } from '@nesslab/landscapes';
import { observersModule } from '@nesslab/observers';
import { scenariosModule } from '@nesslab/scenarios';

/** The built-in plugin packages, one ContainerModule each: what a worker thread needs to step chains. */
export const pluginModules: ContainerModule[] = [landscapesModule, samplersModule, optimizersModule, observersModule];

/** The built-in plugin and scenario packages (the command's container). */
export const builtinModules: ContainerModule[] = [...pluginModules, scenariosModule];

export const builtinContainer = () => assemble(...builtinModules);
