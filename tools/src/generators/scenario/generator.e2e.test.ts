import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// What a scenario author does, end to end: scaffold with Nx, build, run the package's own test and typecheck with no
// edits, run its example scenario file (`npm run scenario`), then load the package BY NAME from a scenario file in
// another project and find the claim in results.json. The generated package lives in tmp/ (ignored) inside the repo, so
// @nesslab/*, esbuild, vitest, tsc and the nesslab command resolve from the root node_modules, as its README says.
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('nx g @nesslab/tools:scenario, end to end', () => {
  it('generates a package that builds, passes its test, and runs from a scenario file by name', () => {
    mkdirSync(join(root, 'tmp'), { recursive: true });
    const work = mkdtempSync(join(root, 'tmp', 'scenario-generator-'));
    try {
      const pkgDir = join(work, 'ci-trace');
      const packageName = '@nesslab-e2e/nesslab-scenario-ci-trace';
      const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true', CI: 'true' };
      execFileSync(
        'npx',
        [
          'nx',
          'g',
          '@nesslab/tools:scenario',
          'ci-trace',
          '--directory',
          relative(root, pkgDir),
          '--packageName',
          packageName,
          '--no-interactive',
        ],
        { cwd: root, env, stdio: 'pipe' },
      );
      execFileSync(npm, ['run', 'build'], { cwd: pkgDir, env, stdio: 'pipe' });
      const test = spawnSync(npm, ['test'], { cwd: pkgDir, env, encoding: 'utf8' });
      expect(test.status, test.stdout + test.stderr).toBe(0);
      expect(test.stdout).toMatch(/Tests\s+.*3 passed/);
      // vitest strips types without checking them: tsc, strict, over the sources as generated.
      const typecheck = spawnSync(npm, ['run', 'typecheck'], { cwd: pkgDir, env, encoding: 'utf8' });
      expect(typecheck.status, typecheck.stdout + typecheck.stderr).toBe(0);

      // The generated example.json, as generated: the package names itself (Node's self-reference through "exports").
      const own = spawnSync(npm, ['run', 'scenario', '--', '--quiet', '--workers', '1'], {
        cwd: pkgDir,
        env,
        encoding: 'utf8',
      });
      expect(own.status, own.stdout + own.stderr).toBe(0);
      const ownResults = JSON.parse(readFileSync(join(pkgDir, 'nesslab-out', 'ci-trace', 'results.json'), 'utf8'));

      // Another project that "installed" the package: node_modules/<name> → the generated folder; its worker threads load
      // the package too.
      const project = join(work, 'project');
      mkdirSync(join(project, 'node_modules', '@nesslab-e2e'), { recursive: true });
      symlinkSync(pkgDir, join(project, 'node_modules', '@nesslab-e2e', 'nesslab-scenario-ci-trace'), 'dir');
      copyFileSync(join(pkgDir, 'example.json'), join(project, 'scenario.json'));
      const run = spawnSync(
        process.execPath,
        [
          join(root, 'packages/cli/dist/nesslab.mjs'),
          'run',
          'scenario.json',
          '--out',
          'out',
          '--check',
          '--workers',
          '2',
          '--quiet',
        ],
        { cwd: project, env, encoding: 'utf8' },
      );
      expect(run.status, run.stderr).toBe(0);
      expect(
        readdirSync(join(project, 'out'))
          .filter((f) => !f.startsWith('.'))
          .sort(),
      ).toEqual(['report.html', 'results.json', 'scenario.json']); // no figures; .nesslab marks the folder
      const scenarioJson = JSON.parse(readFileSync(join(project, 'out', 'scenario.json'), 'utf8'));
      expect(scenarioJson).toMatchObject({ scenario: 'ci-trace', preset: 'quick', seed: 1 });
      expect(scenarioJson.plugins).toEqual([expect.stringMatching(/ci-trace\/dist\/module\.js$/)]);
      const results = JSON.parse(readFileSync(join(project, 'out', 'results.json'), 'utf8'));
      expect(results.claims).toEqual([
        expect.objectContaining({ id: 'trace-sigma-matches-theory', tolerance: 0.1, holds: true }),
      ]);
      expect(Math.abs(results.trace.relativeError)).toBeLessThan(0.1);
      // One seed, one result: 2 worker threads here, 1 in the package's own run.
      expect(results.trace).toEqual(ownResults.trace);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
