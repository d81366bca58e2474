import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ScenarioError } from '@nesslab/kernel';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MARK, openOutput, openOutputs, recoverOutput, type OutputOptions } from './files.ts';
import { tree } from './fixtures/tree.ts';

// Every test works inside its own temporary root: `cwd` and `home` passed to openOutput point into it, so no
// test can ever operate on the real working folder, the real home folder or '/'.
let root: string, cwd: string, home: string, opts: OutputOptions;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'nesslab-files-'));
  cwd = join(root, 'work', 'here');
  home = join(root, 'home', 'me');
  mkdirSync(cwd, { recursive: true });
  mkdirSync(home, { recursive: true });
  opts = { cwd, home };
});
afterEach(() => {
  for (const o of openOutputs()) o.abortSync();
  rmSync(root, { recursive: true, force: true });
});

/** The ScenarioError a refusal carries: field '--out', one line, at most 300 characters. */
async function refusal(promise: Promise<unknown>): Promise<ScenarioError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ScenarioError);
  const e = err as ScenarioError;
  expect(e.field).toBe('--out');
  expect(e.message).toMatch(/^--out: /);
  expect(e.message).not.toMatch(/[\n\r]/);
  expect(e.message.length).toBeLessThanOrEqual(300);
  return e;
}

const write = async (out: string, files: Record<string, string | Uint8Array>, options: OutputOptions = opts) => {
  const o = await openOutput(out, options);
  await o.commit(files);
};
/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid as number;
const lockText = (pid: number, host = hostname()) =>
  JSON.stringify({ pid, hostname: host, started: '2020-01-01T00:00:00.000Z', runId: 'r' });

describe('openOutput: refused places', () => {
  it.each([
    ['', /"" is empty/],
    ['.', /"\." is the current folder; name a new folder for the results$/],
    ['..', /"\.\." is above the current folder/],
    ['sub/..', /is the current folder/],
    ['/', /"\/" is the filesystem root/],
  ])('refuses %j and touches nothing', async (outDir, message) => {
    const before = readdirSync(root, { recursive: true });
    expect((await refusal(openOutput(outDir, opts))).message).toMatch(message);
    expect(readdirSync(root, { recursive: true })).toEqual(before);
  });

  it('refuses the current folder and its ancestors, written absolutely', async () => {
    expect((await refusal(openOutput(cwd, opts))).message).toMatch(/is the current folder/);
    expect((await refusal(openOutput(join(root, 'work'), opts))).message).toMatch(/is above the current folder/);
    expect((await refusal(openOutput(root, { ...opts, force: true }))).message).toMatch(/is above the current folder/);
  });

  it('refuses the home folder and its ancestors', async () => {
    expect((await refusal(openOutput(home, opts))).message).toMatch(/is your home folder/);
    expect((await refusal(openOutput(join(root, 'home'), opts))).message).toMatch(/is above your home folder/);
  });

  it('sees the current folder through a symbolic link', async () => {
    symlinkSync(cwd, join(root, 'alias'));
    const e = await refusal(openOutput(cwd, { ...opts, cwd: join(root, 'alias') }));
    expect(e.message).toMatch(/is the current folder/);
  });

  it('refuses an output folder that is a symbolic link, without following it', async () => {
    const real = join(root, 'real');
    await write(real, { 'a.txt': 'a' });
    symlinkSync(real, join(root, 'link'));
    const e = await refusal(openOutput(join(root, 'link'), { ...opts, force: true }));
    expect(e.message).toMatch(/link is a symbolic link; nesslab does not follow it/);
    expect(tree(real)).toEqual({ 'a.txt': 'a' });
  });

  it('refuses a path that goes through a file, creating nothing', async () => {
    writeFileSync(join(root, 'f.txt'), 'f');
    const e = await refusal(openOutput(join(root, 'f.txt', 'deeper', 'out'), opts));
    expect(e.message).toBe(`--out: ${join(root, 'f.txt')} is a file, not a folder`);
    expect(readdirSync(root).sort()).toEqual(['f.txt', 'home', 'work']);
  });

  it('refuses a folder name too long for the working names beside it', async () => {
    const e = await refusal(openOutput('é'.repeat(101), opts));
    expect(e.message).toMatch(/^--out: "é+…é+" ends in a name of 202 bytes; nesslab needs it at most 200 bytes long$/);
    const o = await openOutput('é'.repeat(100), opts);
    await o.commit({ 'a.txt': 'a' });
    expect(tree(join(cwd, 'é'.repeat(100)))).toEqual({ 'a.txt': 'a' });
  });

  it('refuses an output folder that is a file', async () => {
    writeFileSync(join(root, 'out'), 'a file');
    expect((await refusal(openOutput(join(root, 'out'), { ...opts, force: true }))).message).toMatch(
      /out is a file, not a folder$/,
    );
    expect(readFileSync(join(root, 'out'), 'utf8')).toBe('a file');
  });

  it('refuses a parent it cannot write in, with the errno code', async () => {
    if (process.getuid?.() === 0) {
      // As root, chmod 555 does not bind. sysfs refuses new files even to root, so /sys is the read-only
      // parent here (the refusal comes before anything could be written).
      if (process.platform !== 'linux' || !existsSync('/sys/kernel')) return;
      const e = await refusal(openOutput('/sys/nesslab-test-out', opts));
      expect(e.message).toMatch(/^--out: cannot write in \/sys \((EACCES|EPERM|EROFS)\)$/);
      expect(existsSync('/sys/.nesslab-test-out.lock')).toBe(false);
      return;
    }
    const ro = join(root, 'ro');
    mkdirSync(ro);
    chmodSync(ro, 0o555);
    try {
      const e = await refusal(openOutput(join(ro, 'out'), opts));
      expect(e.message).toBe(`--out: cannot write in ${ro} (EACCES)`);
      expect(readdirSync(ro)).toEqual([]);
    } finally {
      chmodSync(ro, 0o755);
    }
  });

  it('elides long paths in the middle', async () => {
    const long = join(root, ...Array.from({ length: 5 }, (_, i) => `${i}`.repeat(120)), 'out');
    mkdirSync(long, { recursive: true });
    writeFileSync(join(long, 'mine.txt'), 'mine');
    const e = await refusal(openOutput(long, opts));
    expect(e.message).toMatch(/^--out: \/.*….*out is not empty and was not made by nesslab; nothing was written$/);
    const longBase = join(root, 'b'.repeat(200));
    writeFileSync(join(root, `.${'b'.repeat(200)}.lock`), lockText(deadPid(), `${'h'.repeat(200)}\nnewline`));
    expect((await refusal(openOutput(longBase, opts))).message).toMatch(
      /^--out: \/.*…b+ is in use by nesslab pid \d+ on h+…h*\\u000anewline since 2020-\S+ \(lock file \.b+…b+\.lock\)$/,
    );
  });
});

describe('openOutput + commit', () => {
  it('writes every file and the MARK, with subfolders and missing parents created, and leaves nothing beside it', async () => {
    const out = join(root, 'deep', 'er', 'run-1');
    const o = await openOutput(out, { ...opts, runId: 'run-42' });
    expect(o.target).toBe(out);
    expect(o.staging).toMatch(/[\\/]\.run-1\.tmp-\d+-[0-9a-f]{12}$/);
    expect(readdirSync(join(root, 'deep', 'er')).sort()).toEqual(
      [`.run-1.lock`, o.staging.split(/[\\/]/).pop()].sort(),
    );
    expect(openOutputs()).toEqual([o]);
    await o.commit({
      'summary.json': '{"ok":true}',
      'plots/sigma.svg': '<svg/>',
      'raw/a/b.bin': new Uint8Array([65, 66]),
    });
    expect(tree(out)).toEqual({ 'summary.json': '{"ok":true}', 'plots/sigma.svg': '<svg/>', 'raw/a/b.bin': 'AB' });
    const mark = JSON.parse(readFileSync(join(out, MARK), 'utf8'));
    expect(mark).toMatchObject({
      nesslab: expect.any(String),
      runId: 'run-42',
      files: ['plots/sigma.svg', 'raw/a/b.bin', 'summary.json'],
    });
    expect(Number.isNaN(Date.parse(mark.created))).toBe(false);
    expect(readdirSync(join(root, 'deep', 'er'))).toEqual(['run-1']);
    expect(openOutputs()).toEqual([]);
  });

  it('refuses a non-empty folder nesslab did not make (thesis/ch1.tex), even with force, and creates nothing beside it', async () => {
    const thesis = join(root, 'thesis');
    mkdirSync(thesis);
    writeFileSync(join(thesis, 'ch1.tex'), '\\chapter{One}');
    for (const force of [false, true]) {
      const e = await refusal(openOutput(thesis, { ...opts, force }));
      expect(e.message).toBe(`--out: ${thesis} is not empty and was not made by nesslab; nothing was written`);
    }
    expect(tree(thesis)).toEqual({ 'ch1.tex': '\\chapter{One}' });
    expect(readdirSync(root).sort()).toEqual(['home', 'thesis', 'work']);
  });

  it('replaces an empty folder (nothing in it can be lost)', async () => {
    const out = join(root, 'out');
    mkdirSync(out);
    await write(out, { 'a.txt': 'a' });
    expect(tree(out)).toEqual({ 'a.txt': 'a' });
  });

  it('refuses an earlier result without force, and replaces it as a whole with force', async () => {
    const out = join(root, 'out');
    await write(out, { 'old.txt': 'old', 'plots/old.svg': '<svg/>' }, { ...opts, runId: 'first' });
    const e = await refusal(openOutput(out, opts));
    expect(e.message).toMatch(
      new RegExp(
        `^--out: ${out} holds an earlier nesslab result \\(run first, \\d{4}-.+Z\\); pass --force to replace it$`,
      ),
    );
    expect(tree(out)).toEqual({ 'old.txt': 'old', 'plots/old.svg': '<svg/>' });
    await write(out, { 'new.txt': 'new' }, { ...opts, force: true });
    expect(tree(out)).toEqual({ 'new.txt': 'new' });
    expect(readdirSync(root).sort()).toEqual(['home', 'out', 'work']);
  });

  it.each([
    ['a file', 'notes.txt', (out: string) => writeFileSync(join(out, 'notes.txt'), 'my notes')],
    [
      'a folder',
      'extra',
      (out: string) => (mkdirSync(join(out, 'extra')), writeFileSync(join(out, 'extra', 'x'), 'x')),
    ],
    [
      'a file in a nesslab folder',
      'plots/mine.svg',
      (out: string) => writeFileSync(join(out, 'plots', 'mine.svg'), 'mine'),
    ],
  ])('refuses, even with force, an earlier result to which the user added %s', async (_what, stray, add) => {
    const out = join(root, 'out');
    await write(out, { 'a.txt': 'a', 'plots/p.svg': 'p' });
    add(out);
    const before = tree(out);
    const e = await refusal(openOutput(out, { ...opts, force: true }));
    expect(e.message).toBe(
      `--out: ${join(out, stray)} was not written by nesslab; move it away or choose another --out`,
    );
    expect(tree(out)).toEqual(before);
    expect(readdirSync(root).sort()).toEqual(['home', 'out', 'work']);
  });

  it("refuses at commit a folder the user filled while nesslab computed: keeps the user's file, and the results beside it", async () => {
    const out = join(root, 'out');
    const o = await openOutput(out, { ...opts, runId: 'r1' });
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    const e = await refusal(o.commit({ 'a.txt': 'a' }));
    expect(e.message).toMatch(/is not empty and was not made by nesslab; the new results are kept in .*out-kept-r1$/);
    expect(tree(out)).toEqual({ 'notes.txt': 'mine' });
    expect(tree(join(root, 'out-kept-r1'))).toEqual({ 'a.txt': 'a' });
    expect(JSON.parse(readFileSync(join(root, 'out-kept-r1', MARK), 'utf8')).files).toEqual(['a.txt']);
    expect(readdirSync(root).sort()).toEqual(['home', 'out', 'out-kept-r1', 'work']);
  });

  it('abort removes the staging folder and the lock and never touches the folder; it is idempotent', async () => {
    const out = join(root, 'out');
    await write(out, { 'a.txt': 'a' });
    const o = await openOutput(out, { ...opts, force: true });
    expect(existsSync(o.staging)).toBe(true);
    await o.abort();
    await o.abort();
    o.abortSync();
    expect(readdirSync(root).sort()).toEqual(['home', 'out', 'work']);
    expect(tree(out)).toEqual({ 'a.txt': 'a' });
    expect(openOutputs()).toEqual([]);
    await expect(o.commit({ 'b.txt': 'b' })).rejects.toThrow(/already closed/);
  });

  it('abortSync cleans up the same way', async () => {
    const o = await openOutput(join(root, 'out'), opts);
    o.abortSync();
    expect(readdirSync(root).sort()).toEqual(['home', 'work']);
  });

  it.each(['../escape.txt', '/abs.txt', 'a//b', './x', 'nul\0byte', '', MARK, '.nesslab-staging'])(
    'rejects the invalid name %j, leaves the earlier result untouched and releases the lock',
    async (name) => {
      const out = join(root, 'out');
      await write(out, { 'keep.txt': 'keep' });
      const o = await openOutput(out, { ...opts, force: true });
      await expect(o.commit({ 'ok.txt': 'ok', [name]: 'x' })).rejects.toThrow(/invalid file name/);
      expect(tree(out)).toEqual({ 'keep.txt': 'keep' });
      expect(readdirSync(root).sort()).toEqual(['home', 'out', 'work']);
      await write(out, { 'next.txt': 'next' }, { ...opts, force: true });
      expect(tree(out)).toEqual({ 'next.txt': 'next' });
    },
  );

  it('leaves nothing behind when a content getter throws', async () => {
    const files = { 'a.txt': 'a' } as Record<string, string>;
    Object.defineProperty(files, 'b.txt', {
      enumerable: true,
      get: () => {
        throw new Error('boom');
      },
    });
    const o = await openOutput(join(root, 'out'), opts);
    await expect(o.commit(files)).rejects.toThrow('boom');
    expect(readdirSync(root).sort()).toEqual(['home', 'work']);
  });

  it('turns a filesystem error while writing into a ScenarioError, keeping the earlier result', async () => {
    const out = join(root, 'out');
    await write(out, { 'keep.txt': 'keep' });
    const o = await openOutput(out, { ...opts, force: true });
    // 'x' as a file and as a folder cannot both exist
    const e = await refusal(o.commit({ x: '1', 'x/y': '2' }));
    expect(e.message).toMatch(/^--out: cannot write .*out[\\/]x[\\/]y \((ENOTDIR|EEXIST)\)$/);
    expect(tree(out)).toEqual({ 'keep.txt': 'keep' });
    expect(readdirSync(root).sort()).toEqual(['home', 'out', 'work']);
  });
});

describe('openOutput: the lock', () => {
  it('refuses a second open of the same folder while the first is open, naming the pid', async () => {
    const out = join(root, 'out');
    const first = await openOutput(out, opts);
    const e = await refusal(openOutput(out, { ...opts, force: true }));
    expect(e.message).toMatch(
      new RegExp(
        `^--out: ${out} is in use by nesslab pid ${process.pid} since \\d{4}-.+Z \\(lock file .*\\.out\\.lock\\)$`,
      ),
    );
    expect(existsSync(first.staging)).toBe(true);
    await first.commit({ 'a.txt': 'a' });
    await write(out, { 'b.txt': 'b' }, { ...opts, force: true });
    expect(tree(out)).toEqual({ 'b.txt': 'b' });
  });

  it.each([
    ['a dead pid', () => lockText(deadPid())],
    ["this process's pid, not held here (a reused pid after a restart)", () => lockText(process.pid)],
  ])('takes over a stale lock holding %s', async (_what, text) => {
    const out = join(root, 'out');
    writeFileSync(join(root, '.out.lock'), text());
    await write(out, { 'a.txt': 'a' });
    expect(tree(out)).toEqual({ 'a.txt': 'a' });
    expect(readdirSync(root).sort()).toEqual(['home', 'out', 'work']);
  });

  it('refuses a lock held on another host, naming it', async () => {
    writeFileSync(join(root, '.out.lock'), lockText(deadPid(), 'elsewhere.example'));
    expect((await refusal(openOutput(join(root, 'out'), opts))).message).toMatch(
      /is in use by nesslab pid \d+ on elsewhere\.example since 2020-/,
    );
  });

  it('treats an unreadable lock as live while it is young and as stale after a minute', async () => {
    const lock = join(root, '.out.lock');
    writeFileSync(lock, '');
    expect((await refusal(openOutput(join(root, 'out'), opts))).message).toMatch(
      /is in use by another nesslab \(lock file .* was just created\)$/,
    );
    const old = new Date(Date.now() - 5 * 60_000);
    utimesSync(lock, old, old);
    await write(join(root, 'out'), { 'a.txt': 'a' });
    expect(readdirSync(root).sort()).toEqual(['home', 'out', 'work']);
  });
});

describe('openOutput: leftovers of killed runs', () => {
  it('removes stale staging folders of dead processes, and only folders nesslab provably made', async () => {
    const pid = deadPid();
    const staging = join(root, `.out.tmp-${pid}-aaaaaaaaaaaa`);
    mkdirSync(staging);
    writeFileSync(join(staging, '.nesslab-staging'), '{}');
    writeFileSync(join(staging, 'half.txt'), 'half');
    const foreign = join(root, `.out.tmp-${pid}-bbbbbbbbbbbb`); // nesslab's name, but not nesslab's contents
    mkdirSync(foreign);
    writeFileSync(join(foreign, 'precious.txt'), 'precious');
    const other = join(root, `.out.tmp-x-cccccccccccc`); // not nesslab's name
    mkdirSync(other);
    const o = await openOutput(join(root, 'out'), opts);
    await o.abort();
    expect(readdirSync(root).sort()).toEqual(
      ['.out.tmp-x-cccccccccccc', `.out.tmp-${pid}-bbbbbbbbbbbb`, 'home', 'work'].sort(),
    );
    expect(tree(foreign)).toEqual({ 'precious.txt': 'precious' });
  });

  it('recoverOutput puts back an earlier result that a killed swap had moved away', async () => {
    const out = join(root, 'out');
    await write(out, { 'a.txt': 'a' });
    const old = join(root, `.out.old-${deadPid()}-dddddddddddd`);
    const { renameSync } = await import('node:fs');
    renameSync(out, old);
    writeFileSync(join(root, '.out.swap'), JSON.stringify({ staging: join(root, `.out.tmp-1-eeeeeeeeeeee`), old }));
    await recoverOutput(out, opts);
    expect(tree(out)).toEqual({ 'a.txt': 'a' });
    expect(readdirSync(root).sort()).toEqual(['home', 'out', 'work']);
  });
});
