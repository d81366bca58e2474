import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The CLI as users run it: the esbuild bundle (built by this package's test script before vitest).
const bin = fileURLToPath(new URL('../dist/nesslab.mjs', import.meta.url));
const nesslab = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const scratch = () => mkdtempSync(join(tmpdir(), 'nesslab-cli-'));
const writeJson = (dir: string, name: string, value: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(value));
  return p;
};
const spec = {
  seed: 2,
  landscape: { name: 'tanh-regression' },
  sampler: { name: 'with-replacement', params: { batchSize: 10 } },
  optimizer: { name: 'sgd', params: { eta: 1e-7 } },
  observers: [{ name: 'moments' }],
  chains: 3,
  steps: 500,
};
// A tiny regression-ness: every stage runs, in about a second.
const tiny = [
  '--set',
  'chains=4',
  '--set',
  'steps=2000',
  '--set',
  'burnIn=0',
  '--set',
  'trainingChains=2',
  '--set',
  'trainingSteps=100',
];

describe('nesslab CLI', () => {
  it('prints help, lists scenarios and plugins, describes them', () => {
    expect(nesslab('--help').stdout).toContain('nesslab run <scenario|file.json>');
    const list = nesslab('list');
    expect(list.code).toBe(0);
    for (const name of [
      'regression-ness',
      'tanh-regression',
      'with-replacement',
      'without-replacement',
      'sgd',
      'moments',
      'circulation',
      'relative-loss',
    ])
      expect(list.stdout).toContain(name);
    const d = nesslab('describe', 'regression-ness');
    expect(d.stdout).toContain('wr-sigma-matches-theory');
    expect(d.stdout).toMatch(/eta\s+1e-6\s+\/ 1e-7/);
    expect(nesslab('describe', 'sgd').stdout).toContain('η, learning rate');
  });

  it('validates a good file and refuses a bad one with exit 2, one line naming the field', () => {
    const dir = scratch();
    expect(nesslab('validate', writeJson(dir, 'ok.json', spec)).code).toBe(0);
    const bad = nesslab('validate', writeJson(dir, 'bad.json', { ...spec, optimizer: { name: 'sgdl' } }));
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('scenario.optimizer.name: unknown optimizer "sgdl" (did you mean "sgd"?); known: ');
    expect(bad.stderr).toMatch(/known: [^\n]*\bsgd\b/); // the list names every bound optimizer, sgd among them
  });

  it("names η when it is outside the WOR theory's expansion (ηn·h_max ≪ 1), with exit 2 and no output", () => {
    const out = join(scratch(), 'out');
    const r = nesslab('run', 'regression-ness', '--set', 'eta=1e-3', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('params.eta: the WOR theory (004 App. B–C) expands in ηn·h_max');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses bad input without leaving output behind', () => {
    const dir = scratch(),
      out = join(dir, 'out');
    for (const args of [
      ['run', 'regression-ness', '--set', 'eta=-1'],
      ['run', 'regression-ness', '--set', 'colour=red'],
      ['run', 'no-such-scenario'],
      ['run', 'regression-ness', '--preset', 'huge'],
      ['run', writeJson(dir, 'neg.json', { ...spec, chains: -1 })],
      ['run', join(dir, 'missing.json')],
    ]) {
      const r = nesslab(...args, '--out', out);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(existsSync(out)).toBe(false);
    }
    expect(nesslab('run', 'regression-ness', '--set', 'eta=-1', '--out', out).stderr).toContain(
      'params.eta: must be > 0',
    );
  });

  it('reports a diverging chain with exit 3, naming chain and step, and writes nothing', () => {
    const dir = scratch(),
      out = join(dir, 'out');
    const r = nesslab(
      'run',
      writeJson(dir, 'diverge.json', { ...spec, optimizer: { name: 'sgd', params: { eta: 1 } } }),
      '--out',
      out,
    );
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/chain \d+ diverged at step \d+/);
    expect(existsSync(out)).toBe(false);
  });

  it('runs a simulation spec: scenario.json fully resolved, results.json with the observers', () => {
    const dir = scratch(),
      out = join(dir, 'out');
    const r = nesslab('run', writeJson(dir, 's.json', spec), '--out', out, '--workers', '2');
    expect(r.code, r.stderr).toBe(0);
    const resolved = JSON.parse(readFileSync(join(out, 'scenario.json'), 'utf8'));
    expect(resolved.landscape.params).toMatchObject({ epsilon: 0.1, lambda: 10 });
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.observers.moments.mean).toHaveLength(7);
  });

  it('gives bit-identical results with 1 and 2 workers', () => {
    const dir = scratch(),
      file = writeJson(dir, 's.json', spec);
    const read = (w: string) => {
      nesslab('run', file, '--out', join(dir, w), '--workers', w, '--quiet');
      return JSON.parse(readFileSync(join(dir, w, 'results.json'), 'utf8')).observers;
    };
    expect(read('1')).toEqual(read('2'));
  });

  it('--check exits 4 when a claim does not hold, and still writes the results', () => {
    const dir = scratch(),
      out = join(dir, 'out');
    const r = nesslab('run', 'regression-ness', ...tiny, '--set', 'sigmaTolerance=1e-9', '--check', '--out', out);
    expect(r.code, r.stderr).toBe(4);
    expect(r.stdout).toContain('✗ wr-sigma-matches-theory');
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.claims.find((c: { id: string }) => c.id === 'wr-sigma-matches-theory').holds).toBe(false);
    for (const plot of ['sigma-wr', 'circulation-wr', 'training-curves'])
      expect(readFileSync(join(out, 'plots', `${plot}.svg`), 'utf8')).toMatch(/^<svg/);
  });
});

describe('third-party plugins', () => {
  const repoTmp = () => {
    const d = fileURLToPath(new URL('../../../tmp/', import.meta.url));
    mkdirSync(d, { recursive: true });
    return mkdtempSync(join(d, 'plugins-'));
  };
  const fixture = fileURLToPath(new URL('./fixtures/last-theta.plugin.js', import.meta.url));

  it('loads a local plugin file named relative to the scenario, in every worker, and reports its result', () => {
    const dir = repoTmp(),
      out = join(dir, 'out');
    copyFileSync(fixture, join(dir, 'local-plugin.js'));
    const file = writeJson(dir, 's.json', {
      ...spec,
      plugins: ['./local-plugin.js'],
      observers: [{ name: 'last-theta' }, { name: 'moments' }],
    });
    const r = nesslab('run', file, '--out', out, '--workers', '2');
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results.observers['last-theta']).toHaveLength(3);
    rmSync(dir, { recursive: true });
  });

  it('runs a packaged scenario contributed by a plugin file, named from a scenario file, and validate checks its plan', () => {
    const dir = repoTmp(),
      out = join(dir, 'out');
    copyFileSync(
      fileURLToPath(new URL('./fixtures/toy-scenario.plugin.js', import.meta.url)),
      join(dir, 'toy-scenario.js'),
    );
    const file = writeJson(dir, 'toy.json', {
      plugins: ['./toy-scenario.js'],
      scenario: 'toy-mean',
      params: { chains: 4 },
    });
    expect(nesslab('validate', file).stdout).toMatch(
      /^ok: toy-mean \(quick\); plugins loaded \(their code ran\): file:/,
    );
    const bad = nesslab(
      'validate',
      writeJson(dir, 'bad.json', { plugins: ['./toy-scenario.js'], scenario: 'toy-mean', params: { chains: 1e9 } }),
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^nesslab: toy chains: scenario\.chains: the run would hold about/);
    const r = nesslab('run', file, '--out', out, '--workers', '2', '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(results).toMatchObject({ scenario: 'toy-mean', claims: [{ id: 'mean-is-finite', holds: true }] });
    expect(results.mean).toHaveLength(7);
    expect(nesslab('run', 'toy-mean').stderr).toContain('unknown scenario "toy-mean"'); // only where a file names the plugin
    rmSync(dir, { recursive: true });
  });

  it('refuses a plugin that is missing, or that does not export a ContainerModule, or that clashes, naming it', () => {
    const dir = repoTmp(),
      out = join(dir, 'out');
    writeFileSync(join(dir, 'not-a-module.js'), 'export default 42;\n');
    writeFileSync(
      join(dir, 'clash.js'),
      readFileSync(fixture, 'utf8').replace("name: 'last-theta'", "name: 'moments'"),
    );
    for (const [plugins, message] of [
      [['./nope.js'], 'scenario.plugins[0]: no file "./nope.js"'],
      [
        ['@nobody/nesslab-observer-none'],
        'scenario.plugins[0]: cannot find the package "@nobody/nesslab-observer-none"',
      ],
      [['./not-a-module.js'], 'does not default-export a ContainerModule'],
      [['./clash.js'], 'scenario.plugins[0]: plugin name clash: an observer named "moments" is already bound'],
    ] as const) {
      const r = nesslab('run', writeJson(dir, 's.json', { ...spec, plugins }), '--out', out);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(message);
      expect(existsSync(out)).toBe(false);
    }
    rmSync(dir, { recursive: true });
  });

  it('--version, --help per command, and "did you mean" for a misspelt command, scenario, plugin or parameter', () => {
    expect(nesslab('--version').stdout).toMatch(
      /^nesslab \d+\.\d+\.\d+ \(plugin API \d+\.\d+\.\d+; node \d+\.\d+\.\d+\)\n$/,
    );
    const run = nesslab('run', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^nesslab run <scenario\|file\.json> \[options\]/);
    expect(run.stdout).toContain('--resume');
    expect(nesslab('worker', '--help').stdout).toMatch(/^nesslab worker <redis-url> \[--concurrency N\]/);
    expect(nesslab('sweep', '--help').stdout).toContain('--grid key=v1,v2');
    expect(nesslab('--help').stdout).toContain('nesslab <command> --help');
    const misspelt: [string[], string][] = [
      [['rnu'], 'nesslab: command: unknown command "rnu" (did you mean "run"?); known: '],
      [
        ['run', 'regresion-ness'],
        'nesslab: scenario: unknown scenario "regresion-ness" (did you mean "regression-ness"?)',
      ],
      [
        ['run', 'regression-ness', '--set', 'etaa=1e-7'],
        'unknown parameter of "regression-ness" (did you mean "eta"?)',
      ],
      [['describe', 'earthquak'], 'unknown scenario or plugin "earthquak" (did you mean "earthquake"?)'],
    ];
    for (const [args, line] of misspelt) {
      const r = nesslab(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(line);
    }
    expect(nesslab('run', 'zzzzzzzz').stderr).not.toContain('did you mean'); // nothing close: no guess
  });
});
