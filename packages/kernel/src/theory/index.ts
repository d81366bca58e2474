export * from './newton.ts';
export * from './ness.ts';
