// Issue 13 §4 on the bundled CLI, with real components: a redis-server of its own (Debian's package; persistence off,
// a password on, 127.0.0.1 only) and `nesslab worker` processes. A queued run whose worker is killed mid-unit, whose
// Redis restarts empty, or whose submitter is killed and resumed, gives results.json byte for byte as a local run
// (elapsedSeconds and provenance aside); an unreachable Redis is exit 2 within seconds; a worker with another plugin
// version refuses the units and the run fails naming both versions. No password is ever printed (results.json too).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScenarioError } from '@nesslab/kernel';
import { openQueue, reproducible } from '@nesslab/scenarios';

const bin = fileURLToPath(new URL('../dist/nesslab.mjs', import.meta.url));
const repoTmp = fileURLToPath(new URL('../../../tmp/', import.meta.url)); // plugins there resolve @nesslab/kernel
const SECRET = 'nesslab-test-Secret-4711';
// regression-ness, tiny: 4 simulations, 8 units of a fraction of a second on the submitter's --workers 2.
const sizes = {
  chains: 4,
  steps: 100_000,
  burnIn: 0,
  worSteps: 100_000,
  worBurnIn: 0,
  trainingChains: 2,
  trainingSteps: 2000,
};
const sets = Object.entries(sizes).flatMap(([k, v]) => ['--set', `${k}=${v}`]);
const run = (out: string, ...more: string[]) => [
  'run',
  'regression-ness',
  ...sets,
  '--seed',
  '11',
  '--out',
  out,
  ...more,
];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const children: ChildProcess[] = [];
const everything: (() => string)[] = []; // every output, checked for the password at the end

/** A child process whose output is kept; `waitFor` polls it (bounded). */
interface Proc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number>;
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpExecArray>;
}
function start(command: string, args: string[], cwd?: string): Proc {
  const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exited = new Promise<number>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? (signal ? -1 : -2))),
  );
  const output = () => text;
  everything.push(output);
  return {
    child,
    output,
    exited,
    async waitFor(pattern, ms = 20_000) {
      for (let t = 0; t < ms; t += 20) {
        const m = pattern.exec(text);
        if (m) return m;
        await sleep(20);
      }
      throw new Error(`no ${pattern} within ${ms} ms in:\n${text}`);
    },
  };
}
const nesslab = (args: string[], cwd?: string) => start(process.execPath, [bin, ...args], cwd);
const nesslabSync = (args: string[], cwd?: string) => {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 60_000 });
  everything.push(() => r.stdout + r.stderr);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, seconds: (performance.now() - t0) / 1000 };
};
/** A worker on `url` with one thread; resolves once it waits for units. */
async function worker(url: string, cwd?: string): Promise<Proc> {
  const w = nesslab(['worker', url, '--concurrency', '1'], cwd);
  await w.waitFor(/nesslab worker: waiting for units on redis:\/\/127\.0\.0\.1:\d+(\/\d+)? \(1 thread\)\n/);
  return w;
}
const started = (w: Proc) => [...w.output().matchAll(/unit (\w+) started/g)].map((m) => m[1]!);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A redis-server of this test's own on a free loopback port, persistence off; fails loudly when not installed. */
async function redisServer(port?: number, password?: string) {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error || found.status !== 0)
    throw new Error(
      'redis-server is not installed: the queue tests need the Debian package redis-server (apt-get install -y redis-server)',
    );
  port ??= await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const server = start('redis-server', [...args, ...(password ? ['--requirepass', password] : [])], repoTmp);
  await server.waitFor(/Ready to accept connections/, 10_000);
  return { port, server };
}
const redisCli = (port: number, ...command: string[]) =>
  spawnSync('redis-cli', ['-p', String(port), '-a', SECRET, '--no-auth-warning', ...command], {
    encoding: 'utf8',
  }).stdout.trim();

/** results.json as text without provenance and elapsedSeconds: the rest must be equal byte for byte. */
const results = (out: string) => JSON.stringify(reproducible(readFileSync(join(out, 'results.json'), 'utf8')), null, 2);
const plots = (out: string) =>
  Object.fromEntries(readdirSync(join(out, 'plots')).map((f) => [f, readFileSync(join(out, 'plots', f), 'utf8')]));

let dir: string, redis: Awaited<ReturnType<typeof redisServer>>, url: string, expected: string, expectedOut: string;
beforeAll(async () => {
  mkdirSync(repoTmp, { recursive: true });
  dir = mkdtempSync(join(repoTmp, 'queue-'));
  redis = await redisServer(undefined, SECRET);
  url = `redis://:${SECRET}@127.0.0.1:${redis.port}`;
  expectedOut = join(dir, 'local');
  const local = nesslabSync(run(expectedOut, '--workers', '1', '--quiet'));
  expect(local.code, local.stderr).toBe(0);
  expected = results(expectedOut);
}, 60_000);

afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const output of everything) expect(output()).not.toContain(SECRET);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('nesslab run --queue and nesslab worker (issue 13 §4)', () => {
  it('an unreachable Redis, a wrong password or a bad URL: exit 2 within seconds naming the URL, nothing written', () => {
    const out = join(dir, 'unreachable');
    for (const [queue, message] of [
      [
        `redis://:${SECRET}@127.0.0.1:${redis.port + 1}`,
        new RegExp(`^nesslab: --queue: cannot reach redis://127\\.0\\.0\\.1:${redis.port + 1}: .*ECONNREFUSED`),
      ],
      [
        `redis://:not-${SECRET}@127.0.0.1:${redis.port}/3`,
        new RegExp(`^nesslab: --queue: cannot reach redis://127\\.0\\.0\\.1:${redis.port}/3: WRONGPASS`),
      ],
      ['http://127.0.0.1:6379', /^nesslab: --queue: must be a redis:\/\/ or rediss:\/\/ URL, got "http:/],
    ] as const) {
      const r = nesslabSync(run(out, '--queue', queue, '--quiet'));
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.seconds).toBeLessThan(8);
    }
    expect(readdirSync(dir).sort()).toEqual(['local']); // no output folder, no unit folder, no staging
    const w = nesslabSync(['worker', `redis://127.0.0.1:${redis.port + 1}`]);
    expect(w.code).toBe(2);
    expect(w.stderr.trim()).toBe(
      `nesslab: worker: cannot reach redis://127.0.0.1:${redis.port + 1}: connect ECONNREFUSED 127.0.0.1:${redis.port + 1}`,
    );
    expect(nesslabSync(['worker', url, '--workers', '2']).stderr.trim()).toBe(
      'nesslab: --workers: not an option of nesslab worker (it takes --concurrency N and --quiet)',
    );
    expect(nesslabSync(['run', 'regression-ness', '--concurrency', '2']).stderr.trim()).toBe(
      'nesslab: --concurrency: only for nesslab worker (run and sweep take --workers N)',
    );
  });

  it('a worker killed mid-unit: another worker runs its unit, results.json is the local run byte for byte', async () => {
    const a = await worker(url),
      b = await worker(url);
    const out = join(dir, 'killed-worker');
    const submitter = nesslab(run(out, '--workers', '2', '--queue', url)); // with progress bars
    // The first worker to start a unit is killed at once: the unit cannot be finished by then.
    const first = await Promise.race([a, b].map(async (w) => (await w.waitFor(/unit (\w+) started/), w)));
    first.child.kill('SIGKILL');
    const [key] = started(first);
    const survivor = first === a ? b : a;
    expect(await submitter.exited, submitter.output()).toBe(0);
    expect(first.output()).not.toMatch(new RegExp(`unit ${key} done`));
    expect(started(survivor)).toContain(key); // the stalled check gave it to the survivor
    expect(survivor.output()).toMatch(new RegExp(`unit ${key} stalled`));
    expect(results(out)).toBe(expected);
    const { command } = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')).provenance;
    expect(command).toContain(`redis://***@127.0.0.1:${redis.port}`); // provenance records the command, no password
    expect(JSON.stringify(command)).not.toContain(SECRET);
    expect(plots(out)).toEqual(plots(expectedOut));
    const jobs = redisCli(redis.port, '--scan', '--pattern', 'nesslab:units:*')
      .split('\n')
      .filter((k) => /:[0-9a-f]{64}(:|$)/.test(k));
    expect(jobs).toEqual([]); // each job left Redis once its unit was stored
    survivor.child.kill('SIGINT'); // graceful: one line, exit 130
    expect(await survivor.exited).toBe(130);
    expect(survivor.output().trim().split('\n').at(-1)).toBe('nesslab: worker interrupted by SIGINT');
  }, 60_000);

  it('Redis restarted empty mid-run: the submitter enqueues the lost units again, same results', async () => {
    // One worker thread for 2 queued units at a time: while it computes the first unit, the second is surely waiting
    // in Redis, so the restart loses both (with two workers both could finish just before the kill).
    const a = await worker(url);
    const out = join(dir, 'redis-restart');
    const submitter = nesslab(run(out, '--workers', '2', '--queue', url, '--quiet'));
    await a.waitFor(/unit \w+ started/);
    redis.server.child.kill('SIGKILL');
    await redis.server.exited;
    redis = await redisServer(redis.port, SECRET); // same port, no data
    expect(await submitter.exited, submitter.output()).toBe(0);
    expect(submitter.output()).toMatch(/queue: redis:\/\/127\.0\.0\.1:\d+ lost \d+ queued units? \(restarted/);
    expect(results(out)).toBe(expected);
    a.child.kill('SIGKILL');
  }, 60_000);

  it('the submitter killed: --resume with the same --queue re-attaches and no unit is computed twice', async () => {
    const a = await worker(url),
      b = await worker(url);
    const out = join(dir, 'killed-submitter'),
      unitFolder = join(dir, '.killed-submitter.units');
    const stored = () => {
      try {
        return readdirSync(unitFolder).filter((f) => f.endsWith('.v8')).length;
      } catch {
        return 0;
      }
    };
    const first = nesslab(run(out, '--workers', '2', '--queue', url, '--quiet'));
    for (let i = 0; i < 1000 && stored() < 2; i++) await sleep(10);
    first.child.kill('SIGKILL');
    await first.exited;
    const kept = stored();
    expect(kept).toBeGreaterThanOrEqual(2);
    // The workers finish what the submitter had queued; those results wait in Redis for it.
    for (
      let i = 0;
      i < 500 &&
      Number(redisCli(redis.port, 'LLEN', 'nesslab:units:wait')) +
        Number(redisCli(redis.port, 'LLEN', 'nesslab:units:active')) >
        0;
      i++
    )
      await sleep(20);
    const waiting = Number(redisCli(redis.port, 'ZCARD', 'nesslab:units:completed'));
    const resumed = nesslabSync(run(out, '--workers', '2', '--queue', url, '--resume', '--quiet'));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(results(out)).toBe(expected);
    await sleep(300); // spawnSync held this thread: let the workers' lines in
    const keys = [...started(a), ...started(b)];
    expect(new Set(keys).size).toBe(keys.length); // each unit computed once, the re-attached ones included
    const [, found, total] = /\((\d+) of (\d+) units from the interrupted run\)/.exec(resumed.stderr)!.map(Number);
    expect(found).toBe(kept);
    expect(keys.length).toBe(total); // every unit computed exactly once over both submitters
    expect(waiting + kept).toBeLessThanOrEqual(total!);
    expect(redisCli(redis.port, 'ZCARD', 'nesslab:units:completed')).toBe('0'); // collected and removed
    a.child.kill('SIGKILL');
    b.child.kill('SIGKILL');
  }, 60_000);

  it('a worker with another version of a plugin package refuses the units; the run fails with exit 1 naming both', async () => {
    const probe = (where: string, version: string) => {
      const pkg = join(dir, where, 'node_modules', 'nesslab-queue-probe');
      mkdirSync(pkg, { recursive: true });
      writeFileSync(
        join(pkg, 'package.json'),
        JSON.stringify({ name: 'nesslab-queue-probe', version, type: 'module', main: 'index.js' }),
      );
      writeFileSync(
        join(pkg, 'index.js'),
        "import { ContainerModule } from '@nesslab/kernel/inversify';\nexport default new ContainerModule(() => {});\n",
      );
      return join(dir, where);
    };
    const here = probe('submitter', '1.0.0'),
      there = probe('elsewhere', '2.0.0');
    const queue = `${url}/1`; // a database of its own: no other worker listens there
    const w = await worker(queue, there);
    const r = nesslabSync(
      run(join(dir, 'refused'), '--set', 'plugins=["nesslab-queue-probe"]', '--queue', queue, '--quiet'),
      here,
    );
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^nesslab: --queue: the queue worker \S+:\d+ refused unit \w+: versions differ: it was made with nesslab-queue-probe@1\.0\.0, this worker has nesslab-queue-probe@2\.0\.0/,
    );
    await w.waitFor(/unit \w+ refused: versions differ/);
    expect(w.output()).not.toMatch(/started/);
    expect(w.child.exitCode).toBe(null); // refusing is no reason to stop
    w.child.kill('SIGTERM');
    expect(await w.exited).toBe(143);
  }, 30_000);

  it('a unit that diverges on a worker: exit 3 with the very line of a local run, nothing written', async () => {
    const file = join(dir, 'diverge.json');
    writeFileSync(
      file,
      JSON.stringify({
        seed: 2,
        landscape: { name: 'tanh-regression' },
        sampler: { name: 'with-replacement', params: { batchSize: 10 } },
        optimizer: { name: 'sgd', params: { eta: 1 } },
        observers: [{ name: 'moments' }],
        chains: 3,
        steps: 500,
      }),
    );
    const queue = `${url}/2`;
    const w = await worker(queue);
    const local = nesslabSync(['run', file, '--out', join(dir, 'diverged-here'), '--workers', '2', '--quiet']);
    const queued = nesslabSync(['run', file, '--out', join(dir, 'diverged'), '--queue', queue, '--quiet']);
    expect(local.code).toBe(3);
    expect(queued.code, queued.stderr).toBe(3);
    expect(queued.stderr).toBe(local.stderr);
    expect(queued.stderr).toMatch(/^nesslab: chain \d+ diverged at step \d+: /);
    expect(readdirSync(dir).filter((f) => f.includes('diverged'))).toEqual([]);
    w.child.kill('SIGKILL');
  }, 30_000);

  it('Redis gone for longer than the run allows: the units waited for fail with a ScenarioError naming the URL', async () => {
    const other = await redisServer();
    const queue = await openQueue(`redis://127.0.0.1:${other.port}`, { lostAfterSeconds: 1 });
    const job = { spec: { chains: 2, steps: 10, seed: 1 }, chainStart: 0, chainCount: 1 } as never;
    const unit = queue.runGroup(job, () => {});
    const failure = unit.catch((e: unknown) => e);
    await sleep(300);
    other.server.child.kill('SIGKILL');
    const t0 = performance.now();
    const e = (await failure) as Error;
    expect(e).toBeInstanceOf(ScenarioError);
    expect(e.message).toMatch(new RegExp(`^--queue: lost redis://127\\.0\\.0\\.1:${other.port} for more than 1 s: `));
    expect(performance.now() - t0).toBeLessThan(5000);
    await expect(queue.runGroup(job, () => {})).rejects.toBe(e);
    const t1 = performance.now();
    await queue.close();
    expect(performance.now() - t1).toBeLessThan(5000);
  }, 20_000);
});
