import { describe, expect, expectTypeOf, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioError } from '@nesslab/kernel';
import {
  libraryWorkerFile,
  regressionNess,
  reproducible,
  runScenario,
  workerThreadsStarted,
  type ScenarioRun,
} from './index.ts';

// The programmatic API against the built CLI (this package's test script builds both first): regression-ness with
// tiny sizes, seed 3, in this thread (workers 1) and over this package's own worker (dist/worker.js, workers 2).
const set = { chains: 4, steps: 2000, burnIn: 0, worSteps: 2000, worBurnIn: 0, trainingChains: 2, trainingSteps: 100 };
const bin = fileURLToPath(new URL('../../cli/dist/nesslab.mjs', import.meta.url));

describe('runScenario (programmatic API)', () => {
  it('gives results.json bit-identical to `nesslab run … --seed 3` with 1 and 2 workers, the 2 over worker threads', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nesslab-api-')),
      out = join(dir, 'cli');
    const sets = Object.entries(set).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
    const cli = spawnSync(
      process.execPath,
      [bin, 'run', 'regression-ness', ...sets, '--seed', '3', '--quiet', '--out', out],
      { encoding: 'utf8' },
    );
    expect(cli.status, cli.stderr).toBe(0);
    const expected = reproducible(readFileSync(join(out, 'results.json'), 'utf8'));

    const before = workerThreadsStarted();
    const one = await runScenario('regression-ness', { seed: 3, set, workers: 1 });
    expect(workerThreadsStarted()).toBe(before); // one worker: every group in this thread

    // This package's worker, found beside its module (src → ../dist/worker.js), not the CLI's bundle.
    expect(libraryWorkerFile()).toBe(fileURLToPath(new URL('../dist/worker.js', import.meta.url)));
    expect(existsSync(libraryWorkerFile()!)).toBe(true);
    const two = await runScenario(regressionNess, { seed: 3, set, workers: 2 });
    expect(workerThreadsStarted() - before).toBe(2); // one pool of 2 threads for the 4 simulations × 2 chain groups

    for (const run of [one, two]) {
      expect(reproducible(run.files['results.json']!)).toEqual(expected);
      expect(JSON.parse(run.files['results.json']!).provenance).toMatchObject({ api: 'runScenario' });
      expect(run.files['scenario.json']).toBe(readFileSync(join(out, 'scenario.json'), 'utf8'));
      const figures = [
        'circulation-wr',
        'cross-section-wor',
        'cross-section-wr',
        'sigma-wor',
        'sigma-wr',
        'training-curves',
      ];
      expect(Object.keys(run.files).sort()).toEqual([
        ...figures.flatMap((f) => [`plots/${f}.svg`, `plots/${f}.vl.json`]),
        'report.html',
        'results.json',
        'scenario.json',
      ]);
      expect(Object.keys(run.bytes).sort()).toEqual(figures.map((f) => `plots/${f}.png`));
      for (const f of figures) {
        expect(run.files[`plots/${f}.svg`], f).toBe(readFileSync(join(out, 'plots', `${f}.svg`), 'utf8'));
        expect(Buffer.from(run.bytes[`plots/${f}.png`]!).equals(readFileSync(join(out, 'plots', `${f}.png`))), f).toBe(
          true,
        );
      }
      expect(run.claims).toEqual(expected.claims);
      expect(run.elapsedSeconds).toBeGreaterThan(0);
    }
    // `results` are the analysis as computed: results.json holds them (typed arrays as arrays) beside the run's fields.
    const fields = JSON.parse(
      JSON.stringify(two.results, (_k, v) => (ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v)),
    );
    expect({ ...expected, ...fields }).toEqual(expected);
    expect(two.results.theta0).toEqual(expected.theta0);
    rmSync(dir, { recursive: true });
  });

  it('types results from the definition passed, and set from its params', () => {
    const byDefinition = () => runScenario(regressionNess, { set: { chains: 4 } });
    expectTypeOf<Awaited<ReturnType<typeof byDefinition>>['results']['theta0']>().toEqualTypeOf<number[]>();
    expectTypeOf<Awaited<ReturnType<typeof byDefinition>>['results']['wr']['mean']>().toEqualTypeOf<number[]>();
    const byName = () => runScenario('regression-ness');
    expectTypeOf<Awaited<ReturnType<typeof byName>>>().toEqualTypeOf<ScenarioRun<Record<string, unknown>>>();
    // @ts-expect-error: eta is a number
    void (() => runScenario(regressionNess, { set: { eta: 'fast' } }));
    // @ts-expect-error: no such parameter
    void (() => runScenario(regressionNess, { set: { etaa: 1e-6 } }));
  });

  it('refuses bad input before anything runs, naming it, as the CLI does', async () => {
    const started = workerThreadsStarted();
    await expect(runScenario('no-such-scenario')).rejects.toBeInstanceOf(ScenarioError);
    await expect(runScenario('no-such-scenario')).rejects.toThrow(
      /^scenario: unknown scenario "no-such-scenario"; known: .*regression-ness/,
    );
    await expect(runScenario('regression-ness', { set: { etaa: 1 } })).rejects.toThrow(
      /^set\.etaa: unknown parameter of "regression-ness"/,
    );
    await expect(runScenario('regression-ness', { set: { chains: 1 } })).rejects.toThrow(/^set\.chains: must be ≥ 2/);
    await expect(runScenario('regression-ness', { preset: 'huge' as 'quick' })).rejects.toThrow(
      /^preset: unknown preset "huge"; known: full, quick/,
    );
    await expect(runScenario('regression-ness', { seed: -1 })).rejects.toThrow(/^seed: must be an integer from 0/);
    await expect(runScenario('regression-ness', { workers: 0 })).rejects.toThrow(/^workers: must be an integer ≥ 1/);
    await expect(runScenario('regression-ness', { plugins: ['./no-such-plugin.js'] })).rejects.toThrow(
      /^plugins\[0\]: no file "\.\/no-such-plugin\.js"/,
    );
    expect(workerThreadsStarted()).toBe(started);
  });
});
