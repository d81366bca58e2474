import { defineConfig } from 'vitest/config';
// Generator tests run Nx's own code (no workspace sources needed); the end-to-end one builds and tests a generated package.
export default defineConfig({ test: { testTimeout: 180_000 } });
