import { sharedConfig } from '../../vitest.shared.ts';
// CLI tests spawn the built CLI and run small scenarios: allow them time.
export default sharedConfig({ testTimeout: 120_000 });
