// `@nesslab/kernel/data`: the papers' own data that more than one plugin package is built on.
export { PAPER_X, PAPER_Y } from './regression-004.ts';
