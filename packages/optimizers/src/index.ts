export { default as optimizersModule } from './module.ts';
export * from './sgd.ts';
export * from './earthquake.ts';
export * from './sgld.ts';
export * from './sgworld.ts';
export * from './gd-white-noise.ts';
export * from './compose.ts';
