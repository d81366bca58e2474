import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// What a plugin author does, end to end: scaffold with Nx, build, run the package's own test with no edits,
// then load it BY PACKAGE NAME from a scenario in another project and find its result in results.json.
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('nx g @nesslab/tools:observer, end to end', () => {
  it('generates a package that builds, passes its test, and runs from a scenario by name', () => {
    mkdirSync(join(root, 'tmp'), { recursive: true });
    const work = mkdtempSync(join(root, 'tmp', 'generator-'));
    try {
      const pkgDir = join(work, 'ci-probe');
      const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', CI: 'true' };
      execFileSync(
        'npx',
        [
          'nx',
          'g',
          '@nesslab/tools:observer',
          'ci-probe',
          '--directory',
          relative(root, pkgDir),
          '--packageName',
          '@nesslab-e2e/nesslab-observer-ci-probe',
          '--no-interactive',
        ],
        { cwd: root, env, stdio: 'pipe' },
      );
      execFileSync(npm, ['run', 'build'], { cwd: pkgDir, env, stdio: 'pipe' });
      const test = spawnSync(npm, ['test'], { cwd: pkgDir, env, encoding: 'utf8' });
      expect(test.status, test.stdout + test.stderr).toBe(0);

      // Another project that "installed" the package: node_modules/<name> → the generated folder.
      const project = join(work, 'project');
      mkdirSync(join(project, 'node_modules', '@nesslab-e2e'), { recursive: true });
      symlinkSync(pkgDir, join(project, 'node_modules', '@nesslab-e2e', 'nesslab-observer-ci-probe'), 'dir');
      writeFileSync(
        join(project, 'scenario.json'),
        JSON.stringify({
          plugins: ['@nesslab-e2e/nesslab-observer-ci-probe'],
          seed: 4,
          landscape: { name: 'tanh-regression' },
          sampler: { name: 'with-replacement', params: { batchSize: 10 } },
          optimizer: { name: 'sgd', params: { eta: 1e-7 } },
          observers: [{ name: 'ci-probe' }, { name: 'moments' }],
          chains: 4,
          steps: 2000,
        }),
      );
      const run = spawnSync(
        process.execPath,
        [
          join(root, 'packages/cli/dist/nesslab.mjs'),
          'run',
          'scenario.json',
          '--out',
          'out',
          '--workers',
          '2',
          '--quiet',
        ],
        { cwd: project, env, encoding: 'utf8' },
      );
      expect(run.status, run.stderr).toBe(0);
      const results = JSON.parse(readFileSync(join(project, 'out', 'results.json'), 'utf8'));
      // The sample observer's running max |θ_α| is at least the largest |component| of the mean state.
      const maxAbsMean = Math.max(...results.observers.moments.mean.map(Math.abs));
      expect(results.observers['ci-probe'].maxAbsTheta).toBeGreaterThanOrEqual(maxAbsMean);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
