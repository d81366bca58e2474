/** [the .wat, the generated .ts, the exported constant's name], paths from the repository root (build-wasm.mjs). */
export const MODULES: readonly (readonly [string, string, string])[];
/** wabt's binary for one .wat text, as build-wasm.mjs writes it. */
export function compileWat(name: string, text: string): Promise<Uint8Array>;
/** The generated TypeScript module's text. */
export function tsModule(wat: string, constant: string, bytes: Uint8Array): string;
