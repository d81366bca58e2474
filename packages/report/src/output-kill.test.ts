// Kill -9 at every step of the output swap, and two processes racing for one output folder. The writer is
// fixtures/output-writer.ts, bundled once with esbuild (files.ts is TypeScript; Node 20 cannot run it as is).
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MARK, openOutput, recoverOutput, type OutputOptions } from './files.ts';
import { tree } from './fixtures/tree.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
let bundleDir: string, writer: string;
beforeAll(async () => {
  bundleDir = mkdtempSync(join(tmpdir(), 'nesslab-writer-'));
  writer = join(bundleDir, 'output-writer.mjs');
  await build({
    absWorkingDir: repoRoot,
    entryPoints: ['packages/report/src/fixtures/output-writer.ts'],
    outfile: writer,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    conditions: ['@nesslab/source'],
    logLevel: 'warning',
    banner: { js: "import { createRequire as __nl_cr } from 'node:module'; const require = __nl_cr(import.meta.url);" },
  });
}, 60_000);
afterAll(() => rmSync(bundleDir, { recursive: true, force: true }));

let root: string, home: string, out: string, opts: OutputOptions;
const children: ChildProcessWithoutNullStreams[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nesslab-kill-'));
  home = mkdtempSync(join(tmpdir(), 'nesslab-kill-home-'));
  out = join(root, 'x');
  opts = { cwd: root, home, force: true };
});
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
  rmSync(home, { recursive: true, force: true });
});

const OLD = { 'a.txt': 'old a', 'plots/p.svg': '<svg>old</svg>' };
const NEW = { 'a.txt': 'new a', 'plots/p.svg': '<svg>new</svg>', 'b.txt': 'new b', 'raw/deep/c.txt': 'new c' };

interface Writer {
  child: ChildProcessWithoutNullStreams;
  stderr: () => string;
  exited: Promise<number | string>;
  waitFor: (text: string) => Promise<void>;
}

/** Starts the fixture writer on `out` with `files`; every wait on it is bounded. */
function startWriter(files: Record<string, string>, env: Record<string, string> = {}): Writer {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('NESSLAB_TEST_')));
  const child = spawn(process.execPath, [writer, out, JSON.stringify(files)], {
    cwd: root,
    env: { ...clean, HOME: home, ...env },
  });
  children.push(child);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | string>((res) => child.on('exit', (code, signal) => res(code ?? signal ?? -1)));
  const waitFor = (text: string) =>
    new Promise<void>((res, rej) => {
      const timer = setTimeout(
        () => rej(new Error(`no ${JSON.stringify(text)} within 10 s; stderr: ${stderr}`)),
        10_000,
      );
      const check = () => {
        if (stderr.includes(text)) (clearTimeout(timer), res());
      };
      child.stderr.on('data', check);
      void exited.then(
        (code) => (
          clearTimeout(timer),
          stderr.includes(text)
            ? res()
            : rej(new Error(`exited ${code} before ${JSON.stringify(text)}; stderr: ${stderr}`))
        ),
      );
      check();
    });
  return { child, stderr: () => stderr, exited, waitFor };
}

/** `promise`, or a rejection after `ms`: every wait on a child process is bounded. */
const within = <T>(promise: Promise<T>, ms = 10_000) =>
  Promise.race([promise, new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`not within ${ms} ms`)), ms))]);

/** The folder holds exactly `files` and a MARK listing exactly them. */
function expectResult(files: Record<string, string> | undefined): void {
  expect(tree(out)).toEqual(files);
  if (files) expect(JSON.parse(readFileSync(join(out, MARK), 'utf8')).files).toEqual(Object.keys(files).sort());
}

const STEPS = ['before-journal', 'after-journal', 'after-old', 'after-new', 'after-cleanup'] as const;
// What DIR must hold after a kill at each step and the recovery: with an earlier result, and on a fresh write.
// Once the journal names a complete staging folder and DIR is gone, recovery finishes the swap.
const AFTER_KILL: Record<(typeof STEPS)[number], { withOld: typeof OLD | typeof NEW; fresh: typeof NEW | undefined }> =
  {
    'before-journal': { withOld: OLD, fresh: undefined },
    'after-journal': { withOld: OLD, fresh: NEW },
    'after-old': { withOld: NEW, fresh: NEW },
    'after-new': { withOld: NEW, fresh: NEW },
    'after-cleanup': { withOld: NEW, fresh: NEW },
  };

describe('kill -9 during the swap', () => {
  it.each(STEPS)(
    'at %s over an earlier result: the next openOutput leaves the complete old or new result and no leftovers',
    async (step) => {
      const first = await openOutput(out, opts);
      await first.commit(OLD);
      const w = startWriter(NEW, { NESSLAB_TEST_SWAP_PAUSE: step });
      await w.waitFor(`PAUSED ${step}`);
      if (step === 'after-old') expect(existsSync(out)).toBe(false); // the pause is where it claims to be
      w.child.kill('SIGKILL');
      expect(await within(w.exited)).toBe('SIGKILL');
      expect(readdirSync(root)).toContain('.x.lock'); // a killed writer leaves its lock behind

      const next = await openOutput(out, opts);
      expectResult(AFTER_KILL[step].withOld);
      await next.abort();
      expectResult(AFTER_KILL[step].withOld);
      expect(readdirSync(root)).toEqual(['x']);
    },
  );

  it.each(STEPS)(
    'at %s on a fresh write: recoverOutput leaves the complete new result or none, and no leftovers',
    async (step) => {
      const w = startWriter(NEW, { NESSLAB_TEST_SWAP_PAUSE: step });
      await w.waitFor(`PAUSED ${step}`);
      w.child.kill('SIGKILL');
      await within(w.exited);
      await recoverOutput(out, opts);
      expectResult(AFTER_KILL[step].fresh);
      expect(readdirSync(root)).toEqual(AFTER_KILL[step].fresh ? ['x'] : []);
    },
  );

  it('after openOutput, before commit: the next run takes the stale lock and removes the staging folder', async () => {
    const first = await openOutput(out, opts);
    await first.commit(OLD);
    const w = startWriter(NEW, { NESSLAB_TEST_OPEN_PAUSE: '1' });
    await w.waitFor('OPENED');
    expect(readdirSync(root).some((n) => /^\.x\.tmp-\d+-[0-9a-f]{12}$/.test(n))).toBe(true);
    w.child.kill('SIGKILL');
    await within(w.exited);
    const next = await openOutput(out, opts);
    await next.commit({ 'z.txt': 'z' });
    expectResult({ 'z.txt': 'z' });
    expect(readdirSync(root)).toEqual(['x']);
  });
});

describe('two writers at once', () => {
  /** Both start together and pause after openOutput: exactly one gets the folder, the other is refused. */
  async function race(): Promise<void> {
    const a = startWriter({ 'who.txt': 'a' }, { NESSLAB_TEST_OPEN_PAUSE: '1' });
    const b = startWriter({ 'who.txt': 'b' }, { NESSLAB_TEST_OPEN_PAUSE: '1' });
    const settled = (w: Writer) =>
      Promise.race([w.waitFor('OPENED').then(() => 'opened' as const), w.exited.then(() => 'exited' as const)]);
    const [ra, rb] = await within(Promise.all([settled(a), settled(b)]));
    expect([ra, rb].sort()).toEqual(['exited', 'opened']);
    const [winner, loser, name] = ra === 'opened' ? [a, b, 'a'] : [b, a, 'b'];
    expect(await within(loser.exited)).toBe(2);
    expect(loser.stderr()).toMatch(
      new RegExp(
        `^nesslab: --out: ${out} is in use by nesslab pid ${winner.child.pid} since \\S+ \\(lock file .*\\.x\\.lock\\)\\n$`,
      ),
    );
    expect(existsSync(out)).toBe(false);

    winner.child.stdin.write('go\n');
    expect(await within(winner.exited)).toBe(0);
    expectResult({ 'who.txt': name });

    const again = startWriter({ 'who.txt': `${name === 'a' ? 'b' : 'a'} again` });
    expect(await within(again.exited)).toBe(0);
    expectResult({ 'who.txt': `${name === 'a' ? 'b' : 'a'} again` });
    expect(readdirSync(root)).toEqual(['x']);
  }

  it('the second gets the in-use error, and succeeds once the first has finished', race);

  it('the same when both find a stale lock of a dead process and race to break it', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid as number;
    writeFileSync(
      join(root, '.x.lock'),
      JSON.stringify({ pid: dead, hostname: hostname(), started: '2020-01-01T00:00:00.000Z', runId: 'dead' }),
    );
    await race();
  });
});
