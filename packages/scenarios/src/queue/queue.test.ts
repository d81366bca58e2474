// The parts of the queue that need no Redis: URLs (checked, shown without the password), plugins named for other
// machines and found there, the versions a refusal names, and what crosses the queue (exact, errors with their class).
// The queue itself, on a real redis-server with `nesslab worker` processes, is tested in packages/cli/src/queue.test.ts.
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DivergenceError, ScenarioError, type GroupJob } from '@nesslab/kernel';
import { runVersions } from '../units/key.ts';
import { localPlugins, portablePlugins } from './plugins.ts';
import { decodeJob, encodeJob, errorFromReason, errorReason } from './protocol.ts';
import { reason, redisTarget } from './redis.ts';
import { versionDifference } from './queue-worker.ts';

describe('queue: Redis URLs', () => {
  it('shows a URL without user and password, keeps it whole for the client, and refuses what is no Redis URL', () => {
    expect(redisTarget('redis://127.0.0.1:6379', '--queue')).toEqual({
      url: 'redis://127.0.0.1:6379',
      shown: 'redis://127.0.0.1:6379',
    });
    const t = redisTarget('rediss://ann:p%40ss@cache.example:6380/2', '--queue');
    expect(t).toEqual({
      url: 'rediss://ann:p%40ss@cache.example:6380/2',
      shown: 'rediss://cache.example:6380/2',
      secret: 'p@ss',
    });
    expect(redisTarget('redis://host', 'worker').shown).toBe('redis://host:6379');
    expect(reason(t, new Error('WRONGPASS for p@ss and p%40ss'))).toBe('WRONGPASS for *** and ***');
    for (const [url, message] of [
      [undefined, 'worker: needs a Redis URL: redis://host:port[/db]'],
      ['localhost:6379', 'worker: must be a redis:// or rediss:// URL, got "localhost:6379"'],
      ['http://h:1', 'worker: must be a redis:// or rediss:// URL, got "http://h:1"'],
      [
        'redis://:hunter2@h:1/x',
        'worker: the database must be a number (redis://host:port/2), got "redis://:***@h:1/x"',
      ],
      ['redis://h:1?db=2', 'worker: takes no query or fragment: "redis://h:1?db=2"'],
      ['not a url', 'worker: must be a Redis URL redis://host:port[/db], got "not a url"'],
    ] as const) {
      expect(() => redisTarget(url, 'worker')).toThrow(ScenarioError);
      expect(() => redisTarget(url, 'worker')).toThrow(message);
    }
  });
});

describe('queue: plugins on other machines', () => {
  const root = fileURLToPath(new URL('../../../../tmp/', import.meta.url));
  const pkg = (dir: string, version: string) => {
    const p = join(dir, 'node_modules', 'nesslab-queue-unit-probe');
    mkdirSync(join(p, 'lib'), { recursive: true });
    writeFileSync(
      join(p, 'package.json'),
      JSON.stringify({ name: 'nesslab-queue-unit-probe', version, type: 'module', main: 'lib/index.js' }),
    );
    writeFileSync(join(p, 'lib', 'index.js'), 'export default 1;\n');
    return pathToFileURL(join(p, 'lib', 'index.js')).href;
  };

  it('names a packaged plugin by package, finds it by name elsewhere, and a loose file only at its own path', () => {
    mkdirSync(root, { recursive: true });
    const dir = mkdtempSync(join(root, 'queue-plugins-'));
    try {
      const here = pkg(join(dir, 'a'), '1.0.0'),
        there = pkg(join(dir, 'b'), '1.1.0');
      const loose = join(dir, 'loose.js');
      writeFileSync(loose, 'export default 2;\n');
      const portable = portablePlugins([here, pathToFileURL(loose).href, here]);
      expect(portable).toEqual([
        { url: here, package: { name: 'nesslab-queue-unit-probe', version: '1.0.0', path: 'lib/index.js' } },
        { url: pathToFileURL(loose).href },
      ]);
      // Elsewhere: the package by name from the worker's folder (another version: the versions will say so).
      const found = localPlugins(portable, join(dir, 'b'));
      expect(found.get(here)).toBe(there);
      expect(found.get(pathToFileURL(loose).href)).toBe(pathToFileURL(loose).href);
      expect(versionDifference(runVersions([here]), runVersions([there]))).toBe(
        'it was made with nesslab-queue-unit-probe@1.0.0, this worker has nesslab-queue-unit-probe@1.1.0',
      );
      // Not installed by name where the worker runs: the submitter's path, which this machine has.
      expect(localPlugins(portable, dir).get(here)).toBe(here);
      rmSync(join(dir, 'a'), { recursive: true });
      expect(() => localPlugins(portable, dir)).toThrow(
        `the plugin package nesslab-queue-unit-probe is not installed where this worker runs (${dir}); install nesslab-queue-unit-probe@1.0.0 there`,
      );
      rmSync(loose);
      expect(() => localPlugins(portable.slice(1), dir)).toThrow(
        `the plugin file ${loose} is not on this worker's machine`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names what differs between versions', () => {
    const v = { nesslab: '0.1.0', api: '2.0.0', plugins: ['a@1.0.0'] };
    expect(versionDifference(v, { ...v, nesslab: '0.2.0', api: '3.0.0', plugins: [] })).toBe(
      'nesslab 0.1.0 made it, this worker has 0.2.0; plugin API 2.0.0 made it, this worker speaks 3.0.0; ' +
        'it was made with a@1.0.0, this worker has none of them',
    );
  });
});

describe('queue: what crosses it', () => {
  it('carries a unit exactly (NaN, −0, typed arrays), without its SharedArrayBuffer', () => {
    const job = {
      spec: { seed: 3, chains: 4, steps: 10, init: { kind: 'point', theta: new Float64Array([NaN, -0, 1e-310]) } },
      chainStart: 1,
      chainCount: 2,
      reference: [0.1, Infinity],
      stopAfter: new SharedArrayBuffer(8),
    } as unknown as GroupJob;
    const back = decodeJob(encodeJob(job)) as unknown as typeof job & { spec: { init: { theta: Float64Array } } };
    expect(back.stopAfter).toBeUndefined();
    expect(back.reference).toEqual([0.1, Infinity]);
    expect(Object.is(back.spec.init.theta[1], -0)).toBe(true);
    expect([...back.spec.init.theta]).toEqual([NaN, -0, 1e-310]);
  });

  it('carries a unit error as its class, with its fields; anything else as a plain Error naming the unit', () => {
    const d = errorFromReason(errorReason(new DivergenceError(3, 72, 'θ[0] = NaN', 'WOR training')), 'abc');
    expect(d).toBeInstanceOf(DivergenceError);
    expect(d.message).toBe('WOR training: chain 3 diverged at step 72: θ[0] = NaN');
    const s = errorFromReason(errorReason(new ScenarioError('landscape.lambda', 'must be finite')), 'abc');
    expect(s).toBeInstanceOf(ScenarioError);
    expect(s.message).toBe('landscape.lambda: must be finite');
    expect(errorFromReason('job stalled more than allowable limit', 'abc').message).toBe(
      'unit abc failed on a queue worker: job stalled more than allowable limit',
    );
  });
});
