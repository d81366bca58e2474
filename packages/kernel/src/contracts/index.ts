export * from './landscape.ts';
export * from './rng.ts';
export * from './sampler.ts';
export * from './optimizer.ts';
export * from './frame.ts';
export * from './observer.ts';
export * from './plugin-info.ts';
export * from './scenario.ts';
