export { default as samplersModule } from './module.ts';
export * from './with-replacement.ts';
export * from './without-replacement.ts';
export * from './full-batch.ts';
