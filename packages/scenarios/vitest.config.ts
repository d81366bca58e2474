import { sharedConfig } from '../../vitest.shared.ts';
// Each scenario test runs its quick preset through the built CLI (packages/cli/dist, built by this package's test
// script), several side by side on the same cores: allow them time.
export default sharedConfig({ testTimeout: 120_000 });
