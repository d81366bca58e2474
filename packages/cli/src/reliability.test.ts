// Issue 11, one test per data-loss case and per kind of bad input the CLI used to mishandle, on the bundled CLI as
// users run it. Every refusal is exit 2 with one line `nesslab: <field>: <what>` and leaves the folders as they were.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../dist/nesslab.mjs', import.meta.url));
const nesslab = (args: string[], cwd?: string, env: Record<string, string> = {}) => {
  const r = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    cwd,
    env: { ...process.env, CI: 'true', ...env },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const scratch = () => mkdtempSync(join(tmpdir(), 'nesslab-rel-'));
const spec = {
  seed: 2,
  landscape: { name: 'tanh-regression' },
  sampler: { name: 'with-replacement', params: { batchSize: 10 } },
  optimizer: { name: 'sgd', params: { eta: 1e-7 } },
  observers: [{ name: 'moments' }],
  chains: 3,
  steps: 200,
};
const writeJson = (dir: string, name: string, value: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, typeof value === 'string' ? value : JSON.stringify(value));
  return p;
};
/** Exit 2 and exactly one line naming the field, no stack. */
const refused = (r: { code: number | null; stderr: string }, field: string) => {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).toMatch(/^nesslab: [^\n]+: \S/);
  expect(r.stderr.trimEnd().length).toBeLessThanOrEqual(300);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).toContain(`nesslab: ${field}`);
};
/** Every file under dir with its content, for before/after comparisons. */
const snapshot = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) {
      const p = join(e.parentPath, e.name);
      out[p] = readFileSync(p, 'utf8');
    }
  return out;
};

describe('output safety (issue 11 §1)', () => {
  it('refuses a non-empty folder it did not make: thesis/ch1.tex stays, nothing is written beside it', () => {
    const dir = scratch(),
      file = writeJson(dir, 'my.json', spec);
    mkdirSync(join(dir, 'thesis'));
    writeFileSync(join(dir, 'thesis', 'ch1.tex'), 'x');
    const before = snapshot(dir);
    refused(nesslab(['run', file, '--out', join(dir, 'thesis')]), '--out: ');
    refused(nesslab(['run', file, '--out', join(dir, 'thesis'), '--force']), '--out: ');
    expect(snapshot(dir)).toEqual(before);
    expect(readdirSync(dir).sort()).toEqual(['my.json', 'thesis']);
  });

  it('refuses "", ".", "..", the working folder, its ancestors and / before computing; the folder is untouched', () => {
    const dir = scratch(),
      work = join(dir, 'work');
    mkdirSync(work);
    writeJson(work, 'my.json', spec);
    const before = snapshot(dir);
    for (const out of ['', '.', '..', work, dir, '/', './'])
      refused(nesslab(['run', 'my.json', '--out', out], work), '--out: ');
    expect(snapshot(dir)).toEqual(before);
  });

  it('sanitises the default output name: ...json and ..json stay inside nesslab-out/', () => {
    const dir = scratch();
    writeJson(dir, '...json', spec);
    writeJson(dir, '..json', spec);
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    for (const f of ['...json', '..json']) {
      const r = nesslab(['run', f, '--quiet', '--force'], dir);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(readdirSync(dir).sort()).toEqual(['...json', '..json', 'keep.txt', 'nesslab-out']);
    expect(readdirSync(join(dir, 'nesslab-out'))).toEqual(['scenario']);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('mine');
  });

  it("marks its folders: an earlier result is replaced only with --force, never with a file of the user's inside", () => {
    const dir = scratch(),
      file = writeJson(dir, 'my.json', spec),
      out = join(dir, 'out');
    expect(nesslab(['run', file, '--out', out, '--quiet']).code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, '.nesslab'), 'utf8')).files).toEqual([
      'plots/moments.png',
      'plots/moments.svg',
      'plots/moments.vl.json', // the observer's default figure (Observer.figure)
      'report.html',
      'results.json',
      'scenario.json',
    ]);
    refused(nesslab(['run', file, '--out', out]), '--out: ');
    expect(nesslab(['run', file, '--out', out, '--force', '--quiet', '--seed', '5']).code).toBe(0);
    expect(JSON.parse(readFileSync(join(out, 'scenario.json'), 'utf8')).seed).toBe(5);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const r = nesslab(['run', file, '--out', out, '--force']);
    refused(r, '--out: ');
    expect(r.stderr).toContain('notes.txt was not written by nesslab');
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it('checks --out before computing: a path under a file, or an unwritable parent, fails at once', () => {
    const dir = scratch(),
      file = writeJson(dir, 'my.json', { ...spec, steps: 1e8 }); // a run that would take minutes
    writeFileSync(join(dir, 'a-file'), 'x');
    const started = Date.now();
    refused(nesslab(['run', file, '--out', join(dir, 'a-file', 'out')]), '--out: ');
    refused(nesslab(['run', file, '--out', join(dir, 'a-file')]), '--out: ');
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});

describe('one line per bad input, own keys only (issue 11 §4, §5, §6)', () => {
  it('treats prototype names as unknown names', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty']) {
      refused(nesslab(['describe', name]), 'scenario: unknown scenario');
      refused(nesslab(['validate', name]), 'scenario: unknown scenario');
      refused(nesslab(['run', 'regression-ness', '--preset', name]), 'preset: unknown preset');
      refused(nesslab(['validate', 'regression-ness', '--set', `${name}=1`]), `params.${name}: unknown parameter`);
    }
  });

  it('type-checks every field of a packaged-scenario file', () => {
    const dir = scratch();
    for (const params of [42, [], true, null])
      refused(
        nesslab(['validate', writeJson(dir, 'p.json', { scenario: 'regression-ness', params })]),
        'params: must be an object',
      );
    refused(nesslab(['validate', writeJson(dir, 'p.json', { scenario: 7 })]), 'scenario: must be a string');
    refused(
      nesslab(['validate', writeJson(dir, 'p.json', { scenario: 'regression-ness', preset: ['quick'] })]),
      'preset: must be a string',
    );
    refused(
      nesslab(['validate', writeJson(dir, 'p.json', { scenario: 'regression-ness', seed: -3 })]),
      'seed: must be an integer from 0 to 2^53',
    );
    refused(
      nesslab(['validate', writeJson(dir, 'p.json', { scenario: 'regression-ness', name: {} })]),
      'name: must be a string',
    );
    refused(
      nesslab(['validate', writeJson(dir, 'p.json', { ...spec, description: 3 })]),
      'scenario.description: must be a string',
    );
    refused(
      nesslab([
        'validate',
        writeJson(dir, 'p.json', { ...spec, init: { kind: 'point', theta: [1, 2, 3, 4, 5, 6, 7], extra: 1 } }),
      ]),
      'scenario.init.extra: unknown field',
    );
  });

  it('validate rejects what run rejects before its first step, with the same line', () => {
    const dir = scratch();
    const cases = [
      { ...spec, init: { kind: 'point', theta: [1, 2] } }, // dimension of init.theta
      {
        ...spec,
        init: {
          kind: 'gaussian',
          covariance: [
            [1, 0],
            [0, 1],
          ],
        },
      }, // size of init.covariance
      {
        ...spec,
        init: {
          kind: 'gaussian',
          mean: [0, 0, 0, 0, 0, 0, 0],
          covariance: Array.from({ length: 7 }, (_, i) => Array.from({ length: 7 }, (_, j) => (i === j ? -1 : 0))),
        },
      }, // not PSD
      { ...spec, sampler: { name: 'with-replacement', params: { batchSize: 201 } } }, // batchSize ≤ M = 200
      {
        ...spec,
        sampler: { name: 'with-replacement', params: { batchSize: 10 } },
        optimizer: { name: 'sgworld', params: { eta: 1e-7 } },
      }, // sgworld needs WOR
      { ...spec, chains: 1e9 }, // memory, estimated up front
      { ...spec, landscape: { name: 'tanh-regression', params: { lambda: 1e308 } } }, // overflow names the parameter
    ];
    for (const c of cases) {
      const file = writeJson(dir, 'c.json', c),
        out = join(dir, 'out');
      const v = nesslab(['validate', file]),
        r = nesslab(['run', file, '--out', out]);
      expect(v.code, v.stderr).toBe(2);
      expect(r.stderr).toBe(v.stderr);
      refused(r, 'scenario.');
      expect(existsSync(out)).toBe(false);
    }
    expect(nesslab(['validate', writeJson(dir, 'c.json', { ...spec, chains: 1e9 })]).stderr).toMatch(
      /^nesslab: scenario\.chains: the run would hold about [\d.]+ TB/,
    );
    expect(nesslab(['validate', writeJson(dir, 'c.json', cases[6])]).stderr).toContain(
      'scenario.landscape.params.lambda: ',
    );
    expect(readdirSync(dir)).toEqual(['c.json']);
  });

  it('checks every simulation of a packaged scenario before any steps: a bad third one is refused by validate and run alike', () => {
    const out = join(scratch(), 'out');
    const v = nesslab(['validate', 'regression-ness', '--set', 'trainingChains=1000000000']);
    refused(v, 'WR training curves: scenario.chains: the run would hold about');
    const started = Date.now();
    const r = nesslab(['run', 'regression-ness', '--set', 'trainingChains=1000000000', '--out', out]);
    expect(r.stderr).toBe(v.stderr);
    expect(Date.now() - started).toBeLessThan(20_000); // the two stationary-state runs before it (~10 s) never start
    expect(existsSync(out)).toBe(false);
  });

  it('gives JSON syntax errors (BOM, NaN, Infinity, truncation) as one line with line:column', () => {
    const dir = scratch();
    const text = JSON.stringify(spec, null, 2);
    refused(
      nesslab(['validate', writeJson(dir, 'b.json', `\ufeff${text}`)]),
      `${join(dir, 'b.json')}:1:1: starts with a byte-order mark`,
    );
    refused(
      nesslab(['validate', writeJson(dir, 'n.json', text.replace('1e-7', 'NaN'))]),
      `${join(dir, 'n.json')}:15:14: not valid JSON: NaN is not JSON`,
    );
    refused(
      nesslab(['validate', writeJson(dir, 'i.json', text.replace('"chains": 3', '"chains": Infinity'))]),
      `${join(dir, 'i.json')}:`,
    );
    refused(nesslab(['validate', writeJson(dir, 't.json', text.slice(0, 100))]), `${join(dir, 't.json')}:`);
  });

  it('survives 100 000-deep nesting and 10 MB strings in one short line', () => {
    const dir = scratch();
    const deep = `{"seed": 1, "chains": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    refused(nesslab(['validate', writeJson(dir, 'd.json', deep)]), 'scenario.chains: must be an integer');
    const big = 'x'.repeat(10 * 2 ** 20);
    refused(
      nesslab(['validate', writeJson(dir, 's.json', { ...spec, optimizer: { name: big } })]),
      'scenario.optimizer.name: unknown optimizer',
    );
    refused(nesslab(['validate', writeJson(dir, 'k.json', { ...spec, [big]: 1 })]), 'scenario.xxxx');
  });

  it('accepts only a decimal seed from 0 to 2^53 − 1 and caps --workers', () => {
    for (const seed of ['-1', '1.5', '1e3', '0x10', '', '9007199254740992', 'abc'])
      refused(nesslab(['validate', 'regression-ness', `--seed=${seed}`]), '--seed: ');
    for (const w of ['0', '-1', '1000000', 'x'])
      refused(nesslab(['validate', 'regression-ness', `--workers=${w}`]), '--workers: ');
  });
});

describe('code loading (issue 11 §7)', () => {
  it('never loads @tensorflow/tfjs-node from the working folder', () => {
    const dir = scratch(),
      pkg = join(dir, 'node_modules', '@tensorflow', 'tfjs-node');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({ name: '@tensorflow/tfjs-node', version: '9.9.9', main: 'index.js' }),
    );
    writeFileSync(
      join(pkg, 'index.js'),
      `require('fs').writeFileSync(${JSON.stringify(join(dir, 'PLANTED-CODE-RAN'))}, 'yes');\n`,
    );
    const r = nesslab(['validate', 'tfjs-regression'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'PLANTED-CODE-RAN'))).toBe(false);
  });

  it('puts --set plugins=[…] through the checks of a file\'s "plugins", and validate names what it loaded', () => {
    const dir = scratch(),
      file = writeJson(dir, 's.json', spec);
    writeFileSync(join(dir, 'not-a-module.js'), 'export default 42;\n');
    refused(
      nesslab(['validate', file, '--set', 'plugins=["./nope.js"]'], dir),
      '--set plugins[0]: no file "./nope.js"',
    );
    refused(nesslab(['validate', file, '--set', 'plugins=["./not-a-module.js"]'], dir), '--set plugins[0]: ');
    refused(nesslab(['validate', file, '--set', 'plugins=42'], dir), '--set plugins: must be an array');
    const fixture = fileURLToPath(new URL('./fixtures/last-theta.plugin.js', import.meta.url));
    const ok = nesslab(['validate', file, '--set', `plugins=[${JSON.stringify(fixture)}]`], dir);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('plugins loaded (their code ran): file://');
  });
});

describe('divergence and interruption (issue 11 §3, §8)', () => {
  it('names the sub-simulation and the same earliest chain and step for any worker count', () => {
    const lines = ['1', '2', '3'].map((w) =>
      nesslab(['run', 'escape-white-noise', '--set', 'eta=50', '--workers', w, '--out', join(scratch(), 'o')]),
    );
    for (const r of lines) {
      expect(r.code, r.stderr).toBe(3);
      expect(r.stderr).toMatch(/^nesslab: k = [\d.]+, D = [\d.]+: chain \d+ diverged at step \d+: θ\[\d+\] = /);
      expect(r.stderr).toBe(lines[0]!.stderr);
    }
  });

  it('SIGINT/SIGTERM remove the staging folder and exit 130/143 with one line; a second run into a busy DIR gets exit 2', async () => {
    for (const [signal, code] of [
      ['SIGINT', 130],
      ['SIGTERM', 143],
    ] as const) {
      const dir = scratch(),
        file = writeJson(dir, 'long.json', { ...spec, steps: 1e9 }),
        out = join(dir, 'out');
      const child = spawn(process.execPath, [bin, 'run', file, '--out', out, '--workers', '1'], {
        env: { ...process.env, CI: 'true' },
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      for (let i = 0; i < 300 && !readdirSync(dir).some((n) => n.startsWith('.out.tmp-')); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(readdirSync(dir).some((n) => n.startsWith('.out.tmp-'))).toBe(true);
      const second = nesslab(['run', file, '--out', out]);
      refused(second, '--out: ');
      expect(second.stderr).toContain(`in use by nesslab pid ${child.pid}`);
      child.kill(signal);
      expect(await exited).toBe(code);
      expect(stderr.trim().split('\n').at(-1)).toBe(`nesslab: interrupted by ${signal}; nothing was written to ${out}`);
      expect(readdirSync(dir)).toEqual(['long.json']);
    }
  });
});
