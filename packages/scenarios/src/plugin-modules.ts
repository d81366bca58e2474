// The built-in plugin packages, one ContainerModule each: what a worker thread needs to step chains, and (with the
// scenarios module) the container of the programmatic API.
import type { ContainerModule } from 'inversify';
import { landscapesModule } from '@nesslab/landscapes';
import { samplersModule } from '@nesslab/samplers';
import { optimizersModule } from '@nesslab/optimizers';
import { observersModule } from '@nesslab/observers';
import { tfjsModule } from '@nesslab/tfjs';

export const pluginModules: readonly ContainerModule[] = [
  landscapesModule,
  tfjsModule,
  samplersModule,
  optimizersModule,
  observersModule,
];
