// `@nesslab/kernel/linalg`: dense float64 linear algebra (row-major N×N Float64Arrays), for plugins and scenarios (also
// re-exported from the package root for now).
export * from './dense.ts';
