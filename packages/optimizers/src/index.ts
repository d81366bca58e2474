export { default as optimizersModule } from './module.ts';
export * from './sgd.ts';
