// The command as a function, for scripts and tests that drive nesslab in-process: `await cli(['run', 'regression-ness'])`
// returns the exit code, and `exitFor(err)` turns what it throws into the code and the one line the executable prints.
// Declared here rather than re-exported, so that the published types need nothing of @types/node.
import * as command from './cli.ts';

/** Runs one nesslab command (argv without `node nesslab`); resolves to the exit code, throws for `exitFor`. */
export const cli: (argv: string[]) => Promise<number> = command.cli;
/** The exit code (2 bad input, 3 divergence, 1 otherwise) and the one line `nesslab: <field>: <what>` for an error. */
export const exitFor: (err: unknown, debug?: boolean) => { code: number; line: string } = command.exitFor;
/** `nesslab --help`. */
export const HELP: string = command.HELP;
