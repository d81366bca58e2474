import { defineConfig } from 'vitest/config';
// CLI tests spawn the built CLI and run small scenarios: allow them time.
export default defineConfig({ test: { setupFiles: ['../kernel/src/testing/setup.ts'], testTimeout: 120_000 } });
