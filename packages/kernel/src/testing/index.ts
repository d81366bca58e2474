// Test helpers for plugin authors: `import { toyModule, toySpec } from '@nesslab/kernel/testing'`.
export { toyModule, toySpec, ToyQuadratic, ToySampler, ToySgd, TrajectoryObserver } from './toy.ts';
