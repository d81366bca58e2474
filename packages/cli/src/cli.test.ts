import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reproducible } from '@nesslab/scenarios';

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

describe('--json (list, describe, validate, and the run summary)', () => {
  const json = (...args: string[]) => {
    const r = nesslab(...args, '--json');
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout);
  };
  /** The files under `dir`, as paths relative to it, without nesslab's mark. */
  const filesUnder = (dir: string) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f !== '.nesslab' && statSync(join(dir, f)).isFile())
      .sort();
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' });
  const commit = head.status === 0 ? head.stdout.trim() : undefined; // the tests' checkout, if they run in one

  it('list and describe: one JSON object holding what the text shows', () => {
    for (const command of ['list', 'describe', 'validate', 'run', 'sweep'])
      expect(nesslab(command, '--help').stdout, command).toContain('--json');
    const list = json('list');
    expect(Object.keys(list)).toEqual(['scenarios', 'plugins']);
    expect(list.scenarios.map((s: { name: string }) => s.name)).toContain('regression-ness');
    expect(list.plugins).toContainEqual(expect.objectContaining({ kind: 'optimizer', name: 'sgd' }));
    const rows = [
      ...list.scenarios.map((s: { name: string; title: string }) => `  ${s.name.padEnd(24)} ${s.title}`),
      ...list.plugins.map((p: { name: string; description: string }) => `  ${p.name.padEnd(24)} ${p.description}`),
    ];
    const text = nesslab('list').stdout.split('\n');
    expect(text.filter((l) => l.startsWith('  ')).sort()).toEqual(rows.sort());

    const ness = json('describe', 'regression-ness');
    expect(ness).toMatchObject({
      kind: 'scenario',
      name: 'regression-ness',
      params: { eta: { type: 'number', quick: 1e-6, full: 1e-7, exclusiveMinimum: 0 } },
    });
    const nessText = nesslab('describe', 'regression-ness').stdout;
    expect(nessText.startsWith(`${ness.name}: ${ness.title}\n\nReproduces: ${ness.reproduces}\n`)).toBe(true);
    expect(Object.keys(ness.claims)).toContain('wr-sigma-matches-theory');
    for (const [id, statement] of Object.entries(ness.claims))
      expect(nessText).toContain(`  ${id.padEnd(32)} ${statement}`);
    const lines = nessText.split('\n');
    for (const [k, p] of Object.entries(ness.params as Record<string, { description: string }>))
      expect(
        lines.some((l) => l.startsWith(`  ${k.padEnd(21)} `) && l.includes(p.description)),
        k,
      ).toBe(true);

    const sgd = json('describe', 'sgd');
    expect(sgd).toMatchObject({
      kind: 'optimizer',
      name: 'sgd',
      precision: 'float64',
      params: { eta: { type: 'number', default: 1e-7, description: 'η, learning rate' } },
    });
    const sgdText = nesslab('describe', 'sgd').stdout;
    expect(sgdText.split('\n').slice(0, 3)).toEqual([
      `${sgd.name} (${sgd.kind}, ${sgd.precision})`,
      `  ${sgd.description}`,
      `  implements: ${sgd.source}`,
    ]);
  });

  it('validate: what was checked, resolved, as one JSON object', () => {
    const dir = scratch(),
      file = writeJson(dir, 'ok.json', spec);
    expect(json('validate', file)).toEqual({ ok: true, kind: 'spec', chains: 3, steps: 500, seed: 2, plugins: [] });
    expect(nesslab('validate', file).stdout).toBe('ok: simulation of 3 chains × 500 steps; no plugin files loaded\n');
    const ness = json('validate', 'regression-ness', '--set', 'chains=6');
    expect(ness).toMatchObject({ ok: true, kind: 'packaged', scenario: 'regression-ness', preset: 'quick', seed: 1 });
    expect(ness.params).toMatchObject({ chains: 6, eta: 1e-6 });
    expect(nesslab('validate', 'regression-ness', '--set', 'chains=6').stdout).toBe(
      `ok: ${ness.scenario} (${ness.preset}); no plugin files loaded\n`,
    );
  });

  it('run: out, claims, elapsedSeconds and the files written, not the table; results.json gets its provenance', () => {
    const dir = scratch(),
      out = join(dir, 'out');
    const args = ['run', 'regression-ness', ...tiny, '--seed', '3', '--out', out, '--json'];
    const r = nesslab(...args);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout); // stdout holds the object alone: no claims table
    expect(Object.keys(summary)).toEqual(['out', 'scenario', 'preset', 'seed', 'claims', 'elapsedSeconds', 'files']);
    expect(summary).toMatchObject({ out, scenario: 'regression-ness', preset: 'quick', seed: 3 });
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    expect(summary.claims).toEqual(results.claims);
    expect(summary.claims.length).toBeGreaterThan(0);
    expect(summary.elapsedSeconds).toBe(results.elapsedSeconds);
    expect(summary.files).toEqual(filesUnder(out));
    expect(summary.files).toEqual(expect.arrayContaining(['results.json', 'scenario.json', 'plots/sigma-wr.svg']));
    expect(r.stderr).toContain(`wrote ${out}/ in ${summary.elapsedSeconds.toFixed(1)} s`); // progress stays on stderr

    // The text form: its table shows the same claims, and the results are the same but for provenance and time.
    const text = nesslab('run', 'regression-ness', ...tiny, '--seed', '3', '--out', join(dir, 'text'));
    expect(text.code, text.stderr).toBe(0);
    for (const c of summary.claims)
      expect(text.stdout).toMatch(new RegExp(`^${c.id}\\s.*\\s${c.holds ? '✓' : '✗'}$`, 'm')); // id … holds
    expect(reproducible(readFileSync(join(dir, 'text', 'results.json'), 'utf8'))).toEqual(reproducible(results));

    const p = results.provenance;
    expect(p.command).toEqual(['nesslab', ...args]);
    expect(p).toMatchObject({
      nesslab: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      pluginApi: expect.stringMatching(/^\d+\.\d+\.\d+$/),
      node: process.versions.node,
      platform: process.platform,
      arch: process.arch,
    });
    expect(p.cpus).toBeGreaterThanOrEqual(1);
    expect(p.packages).toEqual(expect.arrayContaining([`@nesslab/cli@${p.nesslab}`, `@nesslab/kernel@${p.nesslab}`]));
    expect(Date.parse(p.endedAt) - Date.parse(p.startedAt)).toBeGreaterThanOrEqual(0);
    expect(p.git?.commit).toBe(commit);
    if (commit) expect(p.git.dirty).toBeTypeOf('boolean');

    const quiet = nesslab('run', writeJson(dir, 's.json', spec), '--out', join(dir, 'spec'), '--json', '--quiet');
    expect(quiet.code, quiet.stderr).toBe(0);
    const s = JSON.parse(quiet.stdout); // --quiet drops progress, not the summary
    expect(s).toMatchObject({ out: join(dir, 'spec'), claims: [] });
    expect(s.files).toEqual(filesUnder(join(dir, 'spec')));
    expect(JSON.parse(readFileSync(join(dir, 'spec', 'results.json'), 'utf8')).provenance.command).toContain('--quiet');
  });

  it('bad input under --json: still exit 2 and one line on stderr, nothing on stdout', () => {
    const dir = scratch();
    for (const [args, line] of [
      [['run', 'regression-ness', '--set', 'eta=-1', '--out', join(dir, 'o')], 'nesslab: params.eta: must be > 0'],
      [['describe', 'earthquak'], 'nesslab: scenario: unknown scenario or plugin "earthquak"'],
      [['validate', writeJson(dir, 'bad.json', { ...spec, chains: -1 })], 'nesslab: scenario.chains: '],
      [['list', 'x'], 'nesslab: list: takes no argument'],
      [['worker', 'redis://127.0.0.1:1'], 'nesslab: --json: not an option of nesslab worker'],
      [['sweep', 'regression-ness', '--grid', 'colour=red', '--out', join(dir, 'o')], 'nesslab: --grid colour: '],
    ] as const) {
      const r = nesslab(...args, '--json');
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toContain(line);
    }
    expect(readdirSync(dir)).toEqual(['bad.json']);
  });
});
