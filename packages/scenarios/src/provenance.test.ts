import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { API_VERSION, NESSLAB_VERSION } from '@nesslab/kernel';
import { BUILTIN_PACKAGES, gitState, reproducible, startProvenance } from './provenance.ts';
import { runVersions } from './units/key.ts';

const packagesDir = fileURLToPath(new URL('../../', import.meta.url));
const hasGit = spawnSync('git', ['--version']).status === 0;

describe('provenance', () => {
  it('records versions, the machine, start and end, and the command line (a URL password as ***)', async () => {
    const end = startProvenance({
      plugins: [],
      origin: { command: ['nesslab', 'run', 'x', '--queue', 'redis://:s3cret@host:6379', '--queue=rediss://u:p@h/2'] },
    });
    await new Promise((r) => setTimeout(r, 5));
    const p = end();
    expect(p).toMatchObject({
      nesslab: NESSLAB_VERSION,
      pluginApi: API_VERSION,
      node: process.versions.node,
      platform: process.platform,
      arch: process.arch,
      command: ['nesslab', 'run', 'x', '--queue', 'redis://***@host:6379', '--queue=rediss://***@h/2'],
    });
    expect(p.api).toBeUndefined();
    expect(p.cpus).toBeGreaterThanOrEqual(1);
    expect(p.packages).toEqual([...BUILTIN_PACKAGES, '@nesslab/cli'].map((n) => `${n}@${NESSLAB_VERSION}`).sort());
    expect(new Date(p.startedAt).toISOString()).toBe(p.startedAt);
    expect(Date.parse(p.endedAt)).toBeGreaterThan(Date.parse(p.startedAt));
    expect(JSON.stringify(p)).not.toContain('s3cret');
  });

  it('the API records the function instead of a command; a plugin package counts as name@version', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nesslab-provenance-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'nesslab-plugin-x', version: '1.2.3' }));
    writeFileSync(join(dir, 'index.js'), 'export default null;\n');
    const plugin = pathToFileURL(join(dir, 'index.js')).href;
    const p = startProvenance({ plugins: [plugin], origin: { api: 'runScenario' }, cwd: dir })();
    expect(p.api).toBe('runScenario');
    expect(p.command).toBeUndefined();
    expect(p.packages).toContain('nesslab-plugin-x@1.2.3');
    expect(p.packages).not.toContain(`@nesslab/cli@${NESSLAB_VERSION}`);
    expect(p.git).toBeUndefined(); // a temporary folder is no checkout
    // The versions the unit keys are made with give the same list.
    expect(startProvenance({ plugins: runVersions([plugin]), cwd: dir })().packages).toEqual(p.packages);
  });

  it("nesslab's packages are the workspace's, all at NESSLAB_VERSION (they are published together)", () => {
    const manifests = readdirSync(packagesDir).map(
      (d) =>
        JSON.parse(readFileSync(join(packagesDir, d, 'package.json'), 'utf8')) as { name: string; version: string },
    );
    for (const m of manifests) expect(m.version, m.name).toBe(NESSLAB_VERSION);
    expect([...BUILTIN_PACKAGES, '@nesslab/cli'].sort()).toEqual(manifests.map((m) => m.name).sort());
  });

  it.runIf(hasGit)("records the checkout's commit and whether tracked files changed; none outside a checkout", () => {
    const dir = mkdtempSync(join(tmpdir(), 'nesslab-git-'));
    const git = (...args: string[]) =>
      spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: dir, encoding: 'utf8' });
    expect(gitState(dir)).toBeUndefined();
    git('init', '-q');
    expect(gitState(dir)).toBeUndefined(); // no commit yet
    writeFileSync(join(dir, 'a.txt'), 'a\n');
    git('add', 'a.txt');
    git('commit', '-q', '-m', 'a');
    const head = git('rev-parse', 'HEAD').stdout.trim();
    expect(gitState(dir)).toEqual({ commit: head, dirty: false });
    writeFileSync(join(dir, 'untracked.txt'), 'output\n');
    expect(gitState(dir)).toEqual({ commit: head, dirty: false }); // untracked files (output folders) do not count
    writeFileSync(join(dir, 'a.txt'), 'b\n');
    expect(gitState(dir)).toEqual({ commit: head, dirty: true });
    expect(startProvenance({ plugins: [], cwd: dir })().git).toEqual({ commit: head, dirty: true });
    expect(gitState(join(dir, 'missing'))).toBeUndefined();
  });

  it('reproducible drops provenance and elapsedSeconds, keeps the rest, and refuses a file without them', () => {
    const text = JSON.stringify({
      seed: 1,
      claims: [],
      elapsedSeconds: 2.5,
      provenance: startProvenance({ plugins: [] })(),
    });
    expect(reproducible(text)).toEqual({ seed: 1, claims: [] });
    expect(reproducible(JSON.parse(text))).toEqual({ seed: 1, claims: [] });
    expect(() => reproducible({ seed: 1, elapsedSeconds: 1 })).toThrow('results.json: no provenance');
    expect(() => reproducible({ seed: 1, provenance: {} })).toThrow('results.json: no numeric elapsedSeconds');
  });
});
