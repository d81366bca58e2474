import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reproducible } from '@nesslab/scenarios';
import { splitList } from './args.ts';
import { parseGrid, planSweep, sweepCsv, sweepPlots, sweepTable, type PointSummary, type SweepPlan } from './sweep.ts';

// The CLI as users run it: the esbuild bundle (built by this package's test script before vitest).
const bin = fileURLToPath(new URL('../dist/nesslab.mjs', import.meta.url));
const nesslab = (...args: string[]) => {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const scratch = () => mkdtempSync(join(tmpdir(), 'nesslab-sweep-'));
const read = (...p: string[]) => readFileSync(join(...p), 'utf8');
// A tiny regression-ness: every stage runs, in well under a second per point.
const tiny = [
  'chains=4',
  'steps=2000',
  'burnIn=0',
  'worSteps=2000',
  'worBurnIn=0',
  'trainingChains=2',
  'trainingSteps=100',
].flatMap((s) => ['--set', s]);

describe('grid parsing and planning', () => {
  it('splits lists at top-level commas and parses values like --set', () => {
    expect(splitList('1e-6,2e-6')).toEqual(['1e-6', '2e-6']);
    expect(splitList('[1,2],[4,8],"a,b"')).toEqual(['[1,2]', '[4,8]', '"a,b"']);
    expect(parseGrid(['eta=1e-6, 2e-6', 'sharpnesses=[1,2],[4]'])).toEqual([
      { key: 'eta', texts: ['1e-6', '2e-6'], values: [1e-6, 2e-6] },
      { key: 'sharpnesses', texts: ['[1,2]', '[4]'], values: [[1, 2], [4]] },
    ]);
  });

  it('plans the cartesian product, first key outermost, each point resolved as run resolves it', async () => {
    const plan = await planSweep('regression-ness', {
      seed: 5,
      sets: { chains: 4 },
      grid: ['eta=1e-6,2e-6', 'batchSize=10,20'],
    });
    expect(plan.points.map((p) => p.name)).toEqual([
      'eta=1e-6,batchSize=10',
      'eta=1e-6,batchSize=20',
      'eta=2e-6,batchSize=10',
      'eta=2e-6,batchSize=20',
    ]);
    expect(plan.points[1]!.run).toMatchObject({
      seed: 5,
      preset: 'quick',
      params: { eta: 1e-6, batchSize: 20, chains: 4, steps: 250000 },
    });
  });

  it('refuses bad grids with one error naming the key (and value)', async () => {
    const plan = (...grid: string[]) => planSweep('regression-ness', { sets: { chains: 4 }, grid });
    await expect(plan()).rejects.toThrow('--grid: give at least one');
    await expect(plan('colour=red,blue')).rejects.toThrow(
      '--grid colour: unknown parameter of "regression-ness"; known: eta, ',
    );
    await expect(plan('eta=1e-6,-1')).rejects.toThrow('--grid eta=-1: params.eta: must be > 0');
    await expect(plan('eta=')).rejects.toThrow('--grid eta: no values');
    await expect(plan('eta=1e-6,,2e-6')).rejects.toThrow('--grid eta: empty value');
    await expect(plan('eta=1e-6,1e-6')).rejects.toThrow('--grid eta: value "1e-6" given twice');
    await expect(plan('chains=2,3')).rejects.toThrow('--grid chains: also given with --set');
    await expect(plan('eta=1e-6', 'eta=2e-6')).rejects.toThrow('--grid eta: given twice');
    const spec = join(scratch(), 'spec.json');
    writeFileSync(
      spec,
      JSON.stringify({
        landscape: { name: 'tanh-regression' },
        sampler: { name: 'with-replacement' },
        optimizer: { name: 'sgd' },
        observers: [{ name: 'moments' }],
        chains: 2,
        steps: 10,
      }),
    );
    await expect(planSweep(spec, { sets: {}, grid: ['chains=2,3'] })).rejects.toThrow(
      'is a simulation spec; sweep runs a packaged scenario',
    );
  });

  it('plots each claim vs the first key with one line per value of the second; table and CSV one row per point', () => {
    const plan = {
      axes: [
        { key: 'eta', texts: ['1e-6', '2e-6'], values: [1e-6, 2e-6] },
        { key: 'batchSize', texts: ['10', '20'], values: [10, 20] },
      ],
    } as SweepPlan;
    const points: PointSummary[] = [
      [0, 0],
      [0, 1],
      [1, 0],
      [1, 1],
    ].map(([i, j]) => ({
      name: `eta=${plan.axes[0]!.texts[i!]},batchSize=${plan.axes[1]!.texts[j!]}`,
      params: {},
      elapsedSeconds: 1,
      grid: { eta: plan.axes[0]!.values[i!], batchSize: plan.axes[1]!.values[j!] },
      labels: { eta: plan.axes[0]!.texts[i!]!, batchSize: plan.axes[1]!.texts[j!]! },
      claims: [
        { id: 'c', statement: 's', measured: 10 * i! + j!, expected: 0, tolerance: 10, holds: 10 * i! + j! <= 10 },
      ],
      results: { r: i! + j! },
    }));
    const plots = sweepPlots(plan, points);
    expect(Object.keys(plots)).toEqual(['claim-c', 'result-r']);
    const rows = (plots['claim-c'] as { data: { values: { series: string; x: number; mean: number }[] } }).data.values;
    expect(rows).toEqual([
      { series: 'batchSize=10', x: 1e-6, mean: 0 },
      { series: 'batchSize=10', x: 2e-6, mean: 10 },
      { series: 'batchSize=20', x: 1e-6, mean: 1 },
      { series: 'batchSize=20', x: 2e-6, mean: 11 },
    ]);
    expect(sweepCsv(plan, points).split('\n')[3]).toBe('"eta=2e-6,batchSize=10",0.000002,10,10,0,true,1,1,');
    expect(sweepTable(plan, points)).toContain('1 of 4 points with a failing claim: eta=2e-6,batchSize=20');
  });
});

describe('nesslab sweep (the bundled CLI)', () => {
  it('gives each point bit-identical to nesslab run --set key=value with the same seed, whatever the workers', () => {
    const dir = scratch(),
      out = join(dir, 'sweep');
    const r = nesslab(
      'sweep',
      'regression-ness',
      '--grid',
      'eta=1e-6,2e-6',
      ...tiny,
      '--seed',
      '3',
      '--workers',
      '2',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/eta\s+theta0-is-minimum/);
    expect(readdirSync(join(out, 'points'))).toEqual(['eta=1e-6', 'eta=2e-6']);
    const sims = readdirSync(join(out, 'points')).map(
      (p) => JSON.parse(read(out, 'points', p, 'results.json')).wr.sigma.simulation,
    );
    expect(sims[0]).not.toEqual(sims[1]); // the grid value reached the simulation
    // The second point is the one at risk (it runs after another in the same process): it must equal a fresh run.
    for (const eta of ['2e-6']) {
      const alone = join(dir, `run-${eta}`),
        point = join(out, 'points', `eta=${eta}`);
      expect(
        nesslab(
          'run',
          'regression-ness',
          ...tiny,
          '--set',
          `eta=${eta}`,
          '--seed',
          '3',
          '--workers',
          '1',
          '--quiet',
          '--out',
          alone,
        ).code,
      ).toBe(0);
      expect(read(point, 'scenario.json')).toBe(read(alone, 'scenario.json'));
      expect(reproducible(read(point, 'results.json'))).toEqual(reproducible(read(alone, 'results.json')));
      expect(readdirSync(join(point, 'plots'))).toEqual(readdirSync(join(alone, 'plots')));
      for (const plot of readdirSync(join(alone, 'plots')))
        expect(read(point, 'plots', plot)).toBe(read(alone, 'plots', plot));
    }
    const sweep = JSON.parse(read(out, 'sweep.json'));
    expect(sweep).toMatchObject({ scenario: 'regression-ness', seed: 3, grid: { eta: [1e-6, 2e-6] } });
    expect(sweep.points.map((p: { params: { eta: number } }) => p.params.eta)).toEqual([1e-6, 2e-6]);
    const csv = read(out, 'sweep.csv').trim().split('\n');
    expect(csv).toHaveLength(3);
    expect(csv[0]).toMatch(/^point,eta,theta0-is-minimum,theta0-is-minimum\.expected,theta0-is-minimum\.holds,/);
    expect(read(out, 'plots', 'claim-wr-sigma-matches-theory.svg')).toMatch(/^<svg/);
  });

  it('--check exits 4 when a claim fails at one point, and still writes everything', () => {
    const dir = scratch(),
      out = join(dir, 'sweep');
    const r = nesslab(
      'sweep',
      'regression-ness',
      '--grid',
      'sigmaTolerance=1e-9,10',
      ...tiny,
      '--check',
      '--quiet',
      '--json',
      '--out',
      out,
    );
    expect(r.code, r.stderr).toBe(4);
    const sweep = JSON.parse(read(out, 'sweep.json'));
    const holds = sweep.points.map(
      (p: { claims: { id: string; holds: boolean }[] }) =>
        p.claims.find((c) => c.id === 'wr-sigma-matches-theory')!.holds,
    );
    expect(holds).toEqual([false, true]);
    // --json: the summary on stdout (even under --quiet), as sweep.json and the folder have it.
    const summary = JSON.parse(r.stdout);
    expect(summary).toMatchObject({ out, scenario: 'regression-ness', preset: 'quick', seed: 1 });
    expect(summary.elapsedSeconds).toBe(sweep.elapsedSeconds);
    expect(summary.points).toEqual(
      sweep.points.map((p: PointSummary) => ({
        name: p.name,
        grid: p.grid,
        claims: p.claims,
        elapsedSeconds: p.elapsedSeconds,
      })),
    );
    const written = readdirSync(out, { recursive: true, encoding: 'utf8' }).filter(
      (f) => f !== '.nesslab' && statSync(join(out, f)).isFile(),
    );
    expect(summary.files).toEqual(written.sort());
    expect(summary.files).toContain('points/sigmaTolerance=10/results.json');
    // One provenance for the sweep, and each point's own; the command is the sweep's.
    expect(sweep.provenance.command.slice(0, 3)).toEqual(['nesslab', 'sweep', 'regression-ness']);
    const point = JSON.parse(read(out, 'points', 'sigmaTolerance=10', 'results.json')).provenance;
    expect(point.command).toEqual(sweep.provenance.command);
    expect(Date.parse(point.startedAt)).toBeGreaterThanOrEqual(Date.parse(sweep.provenance.startedAt));
    expect(Date.parse(point.endedAt)).toBeLessThanOrEqual(Date.parse(sweep.provenance.endedAt));
  });

  it('bad input exits 2 with one line and leaves nothing; a point that diverges is recorded, the others written, exit 3', () => {
    const dir = scratch(),
      out = join(dir, 'sweep');
    for (const args of [['--grid', 'colour=red'], ['--grid', 'eta=1e-6,-1'], ['--grid', 'eta='], []]) {
      const r = nesslab('sweep', 'regression-ness', ...args, '--out', out);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), r.stderr).toHaveLength(1);
    }
    expect(nesslab('run', 'regression-ness', '--grid', 'eta=1', '--out', out).stderr).toContain(
      '--grid: only for nesslab sweep',
    );
    expect(readdirSync(dir)).toEqual([]); // no output, staging folder or lock left behind
    const d = nesslab('sweep', 'regression-ness', '--grid', 'trainingEta=1e-6,1', ...tiny, '--quiet', '--out', out); // the last point fails
    expect(d.code, d.stderr).toBe(3);
    expect(d.stderr).toMatch(/sweep point trainingEta=1 › [^\n]*chain \d+ diverged at step \d+/);
    expect(d.stderr).toContain('1 of 2 points; 1 failed, recorded in sweep.json');
    const sweep = JSON.parse(read(out, 'sweep.json'));
    expect(sweep.points[1]).toMatchObject({ name: 'trainingEta=1', exitCode: 3, claims: [] });
    expect(sweep.points[1].error).toMatch(/^sweep point trainingEta=1 › .*chain \d+ diverged at step \d+: θ\[\d+\] = /);
    expect(sweep.points[0].error).toBeUndefined();
    expect(sweep.points[0].claims.length).toBeGreaterThan(0);
    expect(readdirSync(join(out, 'points'))).toEqual(['trainingEta=1e-6']); // the finished point is kept
    expect(JSON.parse(read(out, 'points', 'trainingEta=1e-6', 'results.json')).claims.length).toBeGreaterThan(0);
    const csv = read(out, 'sweep.csv').trim().split('\n');
    expect(csv[0]).toMatch(/,error$/);
    expect(csv[2]).toMatch(/diverged at step/);
    expect(readdirSync(dir)).toEqual(['sweep']);
  });
});
