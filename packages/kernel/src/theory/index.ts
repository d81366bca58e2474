// `@nesslab/kernel/theory`: the float64 theory of the papers, for scenarios and analysis scripts (also re-exported from
// the package root for now).
export * from './newton.ts';
export * from './ness.ts';
export * from './wor.ts';
export * from './entropy.ts';
export * from './langevin.ts';
export * from './exact-bias.ts';
