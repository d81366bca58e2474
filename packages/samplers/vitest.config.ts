import { defineConfig } from 'vitest/config';
export default defineConfig({ test: { setupFiles: ['../kernel/src/testing/setup.ts'] } });
