import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assemble, runGroupHere, simulate, ScenarioError, type GroupJob } from '@nesslab/kernel';
import { toyModule, toySpec } from '@nesslab/kernel/testing';
import { canonicalJson, runVersions, unitKey } from './key.ts';
import { FolderUnitStore, decodeUnit, encodeUnit, identityOf, openUnitFolder, storedRunner } from './store.ts';
import { MIN_UNIT_SECONDS, PARAMETER_SAMPLES_PER_SECOND, secondsOf, unitCounts } from './split.ts';

const tmp = () => mkdtempSync(join(tmpdir(), 'nesslab-units-'));

describe('unit split', () => {
  const sim = (seconds: number, chains = 100) => ({
    chains,
    steps: Math.round((seconds * PARAMETER_SAMPLES_PER_SECOND) / (chains * 7 * 10)),
    dim: 7,
    batchSize: 10,
  });
  it('gives about 16 units over a run, by cost, none shorter than a second, at least one per worker', () => {
    const counts = unitCounts([sim(60), sim(20), sim(3), sim(0.1)], 2);
    expect(counts).toEqual([12, 4, 2, 2]); // 16·60/83.1 → 12, 16·20/83.1 → 4 (multiples of 2 workers); 3 s, 0.1 s: 2 workers
    expect(unitCounts([sim(60), sim(20)], 3)).toEqual([12, 6]); // 12 and 4 → 6: whole rounds of 3 workers
    const total = [60, 20, 3, 0.1].reduce((a, b) => a + b);
    // The largest unit is at most about 1/16 of the run (the biggest simulation sets it).
    expect(60 / 12 / total).toBeLessThanOrEqual(1 / 16 + 1e-9);
    for (const [i, s] of [60, 20, 3].entries()) expect(s / counts[i]!).toBeGreaterThanOrEqual(MIN_UNIT_SECONDS);
  });
  it('never splits a chain: one or two very long chains give one unit each', () => {
    expect(unitCounts([sim(1000, 1)], 8)).toEqual([1]);
    expect(unitCounts([sim(1000, 2)], 8)).toEqual([2]);
    expect(secondsOf(sim(1000, 2))).toBeCloseTo(1000, -1);
  });
});

describe('unit keys and the unit store', () => {
  const job: GroupJob = {
    spec: { ...toySpec, seed: 3 } as never,
    chainStart: 4,
    chainCount: 2,
    reference: [0.5, -0.25],
  };
  const versions = runVersions([]);
  it('keys a unit by spec, chain range, θ₀ and versions, whatever the key order of the spec', () => {
    const key = unitKey(job, versions);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const reordered = { ...job, spec: Object.fromEntries(Object.entries(job.spec).reverse()) as never };
    expect(unitKey(reordered, versions)).toBe(key);
    expect(unitKey({ ...job, chainStart: 5 }, versions)).not.toBe(key);
    expect(unitKey({ ...job, reference: [0.5, -0.2500000000000001] }, versions)).not.toBe(key);
    expect(unitKey(job, { ...versions, nesslab: '9.9.9' })).not.toBe(key);
    expect(canonicalJson({ b: Float64Array.of(0.1), a: 1 })).toBe('{"a":1,"b":[0.1]}');
  });

  it('round-trips float64, typed arrays, NaN and −0 exactly, and refuses a unit stored under another key', () => {
    const partials = [
      { sum: Float64Array.of(0.1 + 0.2, -0, Number.MIN_VALUE, NaN, 1e308), n: 3, counts: Int32Array.of(1, -2) },
      [[1 / 3]],
    ];
    const back = decodeUnit('k', encodeUnit('k', partials))!;
    expect(back).toEqual(partials);
    expect(Object.is((back[0] as { sum: Float64Array }).sum[1], -0)).toBe(true);
    expect((back[0] as { sum: Float64Array }).sum).toBeInstanceOf(Float64Array);
    expect(decodeUnit('other', encodeUnit('k', partials))).toBeUndefined();
    expect(decodeUnit('k', Buffer.from('garbage'))).toBeUndefined();
  });

  it('stores each unit whole under its key, and a stored runner computes a unit only once', async () => {
    const dir = tmp();
    try {
      const store = new FolderUnitStore(dir);
      const calls: number[] = [];
      const inner = async (j: GroupJob) => (calls.push(j.chainStart), [{ chainStart: j.chainStart }]);
      const runner = storedRunner(store, versions, inner);
      expect(await runner(job, () => {})).toEqual([{ chainStart: 4 }]);
      let reported = 0;
      expect(await runner(job, (n) => (reported = n))).toEqual([{ chainStart: 4 }]);
      expect(calls).toEqual([4]); // the second time from the store
      expect(reported).toBe(job.chainCount * toySpec.steps);
      expect(readdirSync(dir)).toEqual([`${unitKey(job, versions)}.v8`]); // no temporary file left
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('gives the same results split into 1, 3 or 8 units, run in any order, some of them found in a store', async () => {
    const container = assemble(toyModule),
      spec = { ...toySpec, chains: 8, steps: 300 };
    const plain = await simulate(container, spec, { groups: 1 });
    const dir = tmp();
    try {
      const store = new FolderUnitStore(dir);
      for (const groups of [3, 8, 3]) {
        const reversed = storedRunner(store, versions, async (j, p) => {
          await new Promise((r) => setTimeout(r, (8 - j.chainStart) * 2)); // finish in reverse chain order
          return runGroupHere(container, j, p);
        });
        const r = await simulate(container, spec, { groups, concurrency: groups, runGroup: reversed });
        expect(r.observers).toEqual(plain.observers);
      }
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('opens a unit folder: refuses an interrupted one without resume or force, and another run on resume', () => {
    const dir = tmp(),
      folder = join(dir, '.out.units');
    try {
      const run = identityOf({ scenario: 's', params: { eta: 1e-7, m: 10 } });
      expect(openUnitFolder(folder, run, 'fresh').finished).toBe(0);
      new FolderUnitStore(folder).put('k1', [1]);
      writeFileSync(join(folder, 'k2.v8.tmp-1-ab'), 'half a unit');
      expect(() => openUnitFolder(folder, run, 'fresh')).toThrow(
        new ScenarioError(
          '--resume',
          `${folder} holds 1 finished unit of an interrupted run; add --resume to continue it, or --force to start over`,
        ),
      );
      const other = identityOf({ scenario: 's', params: { eta: 2e-7, m: 10 } });
      expect(() => openUnitFolder(folder, other, 'resume')).toThrow(
        `the interrupted run in ${folder} is another run: params.eta: 1e-7 then, 2e-7 now`,
      );
      expect(openUnitFolder(folder, run, 'resume').finished).toBe(1);
      expect(readdirSync(folder).sort()).toEqual(['.nesslab-units', 'k1.v8']); // the half-written unit is gone
      expect(openUnitFolder(folder, other, 'force').finished).toBe(0);
      expect(readdirSync(folder)).toEqual(['.nesslab-units']);
      writeFileSync(join(dir, 'x'), ''); // a folder of the user's: never removed, even with force
      expect(() => openUnitFolder(dir, run, 'force')).toThrow('is not a unit folder nesslab made');
      expect(readdirSync(dir).sort()).toEqual(['.out.units', 'x']);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
