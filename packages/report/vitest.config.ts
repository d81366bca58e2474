import { sharedConfig } from '../../vitest.shared.ts';
// output-kill.test.ts bundles a writer with esbuild and kills child processes at every swap step: allow it the
// time it had in the CLI's suite.
export default sharedConfig({ testTimeout: 120_000 });
