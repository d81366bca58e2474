// Test helpers for plugin authors: `import { toyModule, toySpec } from '@nesslab/kernel/testing'`.
export {
  toyModule,
  toySpec,
  ToyQuadratic,
  ToySampler,
  ToySgd,
  TrajectoryObserver,
  toyQuadraticInfo,
  toySamplerInfo,
  toySgdInfo,
  trajectoryInfo,
} from './toy.ts';
export { paramsFor } from './params.ts';
