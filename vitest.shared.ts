import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

/** Every package's vitest config: workspace packages resolve to their TypeScript sources, and rxjs errors fail tests. */
export const sharedConfig = (extra: { testTimeout?: number } = {}) =>
  defineConfig({
    resolve: { conditions: ['@nesslab/source', 'import', 'module', 'node', 'default'] },
    ssr: {
      resolve: {
        conditions: ['@nesslab/source', 'import', 'module', 'node', 'default'],
        externalConditions: ['@nesslab/source'],
      },
    },
    test: { setupFiles: [fileURLToPath(new URL('./packages/kernel/src/testing/setup.ts', import.meta.url))], ...extra },
  });
