export * from './dense.ts';
