import type { ContainerModule } from 'inversify';
import { assemble } from '@nesslab/kernel';
import { samplersModule } from '@nesslab/samplers';
import { optimizersModule } from '@nesslab/optimizers';
import { landscapesModule } from '@nesslab/landscapes';
import { observersModule } from '@nesslab/observers';

/** The built-in plugin packages, one ContainerModule each. */
export const builtinModules: ContainerModule[] = [landscapesModule, samplersModule, optimizersModule, observersModule];

export const builtinContainer = () => assemble(...builtinModules);
