// The layer check (tools/check-layers.mjs) on small fixture workspaces, and on this repository.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = fileURLToPath(new URL('../check-layers.mjs', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));
const check = (root: string) => {
  const r = spawnSync(process.execPath, [script, root], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stderr.split('\n').filter((l) => l !== '') };
};

let root: string;
const write = (path: string, text: string) => {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
};
/** A workspace package packages/<dir> with one scope tag, its dependencies and its source files. */
const pkg = (dir: string, tag: string | null, deps: string[], files: Record<string, string>, extra: object = {}) => {
  const dependencies = Object.fromEntries(deps.map((d) => [d, '0.1.0']));
  write(
    `packages/${dir}/package.json`,
    JSON.stringify({
      name: `@nesslab/${dir}`,
      version: '0.1.0',
      ...(tag ? { nx: { tags: [tag] } } : {}),
      dependencies,
      ...extra,
    }),
  );
  for (const [file, text] of Object.entries(files)) write(`packages/${dir}/${file}`, text);
};
const kernelExports = { exports: { '.': './src/index.ts', './testing': './src/testing.ts' } };

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'check-layers-'));
  write('package.json', JSON.stringify({ name: 'fixture', private: true, workspaces: ['packages/*'] }));
  pkg(
    'kernel',
    'scope:kernel',
    [],
    { 'src/index.ts': 'export const k = 1;\n', 'src/testing.ts': "export { k } from './index.ts';\n" },
    kernelExports,
  );
  // beta: a plugin importing the kernel, as it should.
  pkg('beta', 'scope:plugin', ['@nesslab/kernel'], {
    'src/index.ts': "import { k } from '@nesslab/kernel';\nexport const b = k + 1;\n",
    'src/index.test.ts': "import { k } from '@nesslab/kernel/testing';\nimport('@nesslab/kernel');\n",
  });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('check-layers', () => {
  it('reports a plugin importing another plugin, and passes the plugin importing the kernel', () => {
    pkg('alpha', 'scope:plugin', ['@nesslab/kernel', '@nesslab/beta'], {
      'src/index.ts':
        "// alpha\nimport { k } from '@nesslab/kernel';\nimport { b } from '@nesslab/beta';\nexport const a = k + b;\n",
    });
    const r = check(root);
    expect(r.status).toBe(1);
    expect(r.lines).toEqual([
      'packages/alpha/package.json: @nesslab/alpha (scope:plugin) may not depend on @nesslab/beta (scope:plugin) (dependencies)',
      'packages/alpha/src/index.ts:3: @nesslab/alpha (scope:plugin) may not import @nesslab/beta (scope:plugin)',
      'check-layers: 2 violations of the layer rules (tools/check-layers.mjs, RULES)',
    ]);
    expect(r.stderr).not.toContain('packages/beta');
    expect(r.stdout).toBe('');
  });

  it('passes a clean workspace with a one-line summary', () => {
    pkg('cli', 'scope:cli', ['@nesslab/kernel', '@nesslab/beta'], {
      'src/main.ts': "import '@nesslab/beta';\nexport * from '@nesslab/kernel';\n",
    });
    const r = check(root);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /^check-layers: ok, 3 packages, 5 files, 5 imports of @nesslab\/\* within the layer rules \(\d+ ms\)\n$/,
    );
  });

  it('reports the kernel importing a plugin, leaving the folder, undeclared and unexported imports, a missing tag', () => {
    write(
      'packages/kernel/src/bad.ts',
      [
        "export { b } from '@nesslab/beta';", //                                         1: kernel → plugin
        "import type { X } from '../../beta/src/index.ts';", //                          2: leaves packages/kernel/
        'const m = await import(', //                                                    3: a multi-line dynamic import
        "  '@nesslab/kernel/src/engine.ts');", //                                        4: (reported on line 3)
        "const s = `import { z } from '@nesslab/beta'`; // import '@nesslab/beta'", //   5: text, not imports
        "/* require('@nesslab/beta') */ const r = /import '@nesslab\\/beta'/;", //       6: comment and regex: not imports
      ].join('\n'),
    );
    pkg('gamma', 'scope:plugin', [], {
      'src/index.ts': "import {\n  k,\n} from '@nesslab/kernel';\nimport { q } from '@nesslab/nothing';\n",
    });
    pkg('untagged', null, [], { 'src/index.ts': 'export {};\n' });
    const r = check(root);
    expect(r.status).toBe(1);
    expect(r.lines).toEqual([
      'packages/untagged/package.json: @nesslab/untagged needs exactly one scope tag in "nx": { "tags": [...] }, one of scope:kernel, scope:plugin, scope:scenarios, scope:report, scope:cli, scope:tools (has none)',
      'packages/gamma/src/index.ts:1: @nesslab/gamma imports @nesslab/kernel, but packages/gamma/package.json does not declare @nesslab/kernel in its dependencies',
      'packages/gamma/src/index.ts:4: @nesslab/gamma may not import @nesslab/nothing: @nesslab/nothing is no workspace package',
      'packages/kernel/src/bad.ts:1: @nesslab/kernel (scope:kernel) may not import @nesslab/beta (scope:plugin)',
      'packages/kernel/src/bad.ts:2: @nesslab/kernel may not import ../../beta/src/index.ts: it leaves packages/kernel/ (import a package by its name)',
      `packages/kernel/src/bad.ts:3: @nesslab/kernel may not import @nesslab/kernel/src/engine.ts: @nesslab/kernel's package.json "exports" has no "./src/engine.ts"`,
      'check-layers: 6 violations of the layer rules (tools/check-layers.mjs, RULES)',
    ]);
  });

  it('passes this repository', () => {
    const r = check(repo);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^check-layers: ok, \d+ packages/);
  });
});
