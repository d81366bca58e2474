// A run's output folder, made safe: checked and locked before any computing, written into a staging folder
// beside it, and swapped in whole through a journal, so that a kill at any instant leaves either the complete
// earlier result or the complete new one. nesslab only ever replaces folders it made itself (they carry MARK).
//
// Layout in the parent P of the output folder DIR (base name B), all nesslab's own names:
//   P/.B.lock                      the lock: JSON {pid, hostname, started, runId}, created exclusively
//   P/.B.tmp-<pid>-<12 hex>        the staging folder (becomes DIR); holds STAGING_MARK until it is complete
//   P/.B.old-<pid>-<12 hex>        the earlier DIR during a swap
//   P/.B.swap                      the swap journal: JSON {staging, old}, present only during a swap
//   P/.B.units                     a run's finished units (@nesslab/scenarios' units/store.ts): kept when the run
//                                  is killed or fails, for `--resume`; removed once its result is in DIR
//   P/.B.swap.tmp-…, .B.lock.tmp-…, .B.lock.stale-…   short-lived files (journal and lock being written,
//                                  stale lock being broken)
//
// Metadata operations (lock, recovery, the swap itself) are synchronous on purpose: a signal handler (a
// macrotask) can then never run between two steps of a swap, and two openOutput calls in one process can
// never interleave their lock checks. Only the writing of the result files is asynchronous.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fstatSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { NESSLAB_VERSION, ScenarioError } from '@nesslab/kernel';

/** The file nesslab writes inside every output folder it creates (JSON: version, runId, created, files). */
export const MARK = '.nesslab';
/** Marks a staging folder that is not complete yet; removed just before the swap. */
const STAGING_MARK = '.nesslab-staging';
const VERSION = NESSLAB_VERSION;
/** A lock file that is not valid JSON (corrupt, or mid-write on a filesystem without hard links) is stale after this. */
const GARBAGE_LOCK_MS = 60_000;
const MAX_SMALL_FILE = 1 << 20;
/** DIR's name, so that the names beside it (up to 33 bytes longer, e.g. `.B.lock.stale-<pid>-<hex>`) fit in 255. */
const MAX_BASE_BYTES = 200;

export interface OutputOptions {
  /** Replace an earlier nesslab result in the folder (only if it holds nothing nesslab did not write). */
  force?: boolean;
  /** The folder relative paths resolve against, and which may not be written over (default process.cwd()). */
  cwd?: string;
  /** The home folder, which may not be written over (default os.homedir()). */
  home?: string;
  /** Recorded in the lock and in MARK (default: 12 random hex digits). */
  runId?: string;
}

export interface StagedOutput {
  /** The absolute output folder DIR. */
  readonly target: string;
  /** The absolute staging folder, in DIR's parent (same filesystem, so the swap is a rename). */
  readonly staging: string;
  /** Where this run keeps its finished units (`P/.B.units`, beside DIR; not created here). */
  readonly units: string;
  /**
   * Writes `files` (name → content; names may contain '/', e.g. 'plots/a.svg') and MARK into staging, then
   * swaps staging into DIR through the journal and releases the lock. If it throws before the swap, staging is
   * removed, DIR is untouched and the lock released.
   */
  commit(files: Record<string, string | Uint8Array>): Promise<void>;
  /** Removes staging and releases the lock; idempotent; never touches DIR. */
  abort(): Promise<void>;
  /** Synchronous abort for signal and exit handlers. */
  abortSync(): void;
}

// ---------------------------------------------------------------------------------------------------------
// Messages: one line, paths with control characters escaped and long ones elided in the middle.

const fail = (message: string) => new ScenarioError('--out', message);
const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;

/** A path or user string for a message: one line, at most `max` characters. */
function show(text: string, max = 110): string {
  const clean = [
    ...text.replace(
      /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
  ];
  if (clean.length <= max) return clean.join('');
  const head = Math.ceil((max - 1) * 0.4);
  return `${clean.slice(0, head).join('')}…${clean.slice(clean.length - (max - 1 - head)).join('')}`;
}
const quote = (text: string) => show(JSON.stringify(text), 80);

/** A filesystem error on the user's path as a ScenarioError naming the errno code (never a stack). */
function fsFail(action: string, path: string, e: unknown): Error {
  const code = errno(e);
  if (code === undefined) return e as Error;
  return fail(`${action} ${show(path)} (${code})`);
}

// ---------------------------------------------------------------------------------------------------------
// Names

interface Names {
  target: string;
  parent: string;
  base: string;
  lock: string;
  journal: string;
}
type Sibling = 'tmp' | 'old' | 'swap.tmp' | 'lock.tmp' | 'lock.stale';

function namesOf(target: string): Names {
  const parent = dirname(target),
    base = basename(target);
  return { target, parent, base, lock: join(parent, `.${base}.lock`), journal: join(parent, `.${base}.swap`) };
}
const token = () => `${process.pid}-${randomBytes(6).toString('hex')}`;
/** The folder beside DIR where a run keeps its finished units (for `--resume`). */
export const unitsFolderOf = (target: string): string => join(dirname(target), `.${basename(target)}.units`);
const sibling = (n: Names, kind: Sibling) => join(n.parent, `.${n.base}.${kind}-${token()}`);
/** Matches nesslab's sibling names for this DIR; groups: kind, pid. */
const siblingPattern = (n: Names) =>
  new RegExp(
    `^\\.${n.base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(tmp|old|swap\\.tmp|lock\\.tmp|lock\\.stale)-(\\d+)-[0-9a-f]{12}$`,
  );

/**
 * A file name inside the output folder: relative, '/'-separated (or the platform separator), no '..' or '.'
 * segments, no empty segments, no NUL, not one of nesslab's own marks. Returns the segments.
 */
function checkName(name: string): string[] {
  const invalid = () => new Error(`output: invalid file name ${JSON.stringify(name)}`);
  if (typeof name !== 'string' || name === '' || name.includes('\0') || isAbsolute(name) || /^[a-zA-Z]:/.test(name))
    throw invalid();
  const parts = name.split(/[\\/]/);
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw invalid();
  if (parts.length === 1 && (parts[0] === MARK || parts[0] === STAGING_MARK)) throw invalid();
  return parts;
}
const validName = (name: unknown) => {
  try {
    return typeof name === 'string' && checkName(name).join('/') === name;
  } catch {
    return false;
  }
};

// ---------------------------------------------------------------------------------------------------------
// Step 1: where the folder is

/** The path with its existing part resolved through symbolic links (the missing rest appended as is). */
function canonical(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    const up = dirname(p);
    return up === p ? p : join(canonical(up), basename(p));
  }
}
const isInside = (child: string, ancestor: string) =>
  child.startsWith(ancestor.endsWith(sep) ? ancestor : ancestor + sep);

/**
 * Resolves `outDir` against the working folder and refuses the places a results folder must never replace:
 * the filesystem root, the working folder and its ancestors, the home folder and its ancestors (compared both
 * as written and through symbolic links; DIR itself is not followed); and a name too long for the working
 * names beside it. Touches nothing.
 */
function resolveTarget(outDir: string, options: OutputOptions): string {
  if (typeof outDir !== 'string' || outDir.trim() === '')
    throw fail(`${quote(String(outDir ?? ''))} is empty; name a new folder for the results`);
  if (outDir.includes('\0')) throw fail(`${quote(outDir)} contains a NUL character; name a new folder for the results`);
  const cwd = resolve(options.cwd ?? process.cwd());
  const home = resolve(options.home ?? homedir());
  const target = resolve(cwd, outDir);
  const targets = [target, dirname(target) === target ? target : join(canonical(dirname(target)), basename(target))];
  const cwds = [cwd, canonical(cwd)],
    homes = [home, canonical(home)];
  const problem = targets.some((t) => dirname(t) === t)
    ? 'is the filesystem root'
    : targets.some((t) => cwds.includes(t))
      ? 'is the current folder'
      : targets.some((t) => cwds.some((c) => isInside(c, t)))
        ? 'is above the current folder'
        : targets.some((t) => homes.includes(t))
          ? 'is your home folder'
          : targets.some((t) => homes.some((h) => isInside(h, t)))
            ? 'is above your home folder'
            : undefined;
  if (problem) throw fail(`${quote(outDir)} ${problem}; name a new folder for the results`);
  const bytes = Buffer.byteLength(basename(target));
  if (bytes > MAX_BASE_BYTES)
    throw fail(
      `${quote(outDir)} ends in a name of ${bytes} bytes; nesslab needs it at most ${MAX_BASE_BYTES} bytes long`,
    );
  return target;
}

// ---------------------------------------------------------------------------------------------------------
// Step 2 and 5: what is there

/** Every existing folder above DIR must be a folder (links followed); the first missing one ends the check. */
function checkParents(parent: string): void {
  const chain: string[] = [];
  for (let p = parent; ; p = dirname(p)) {
    chain.unshift(p);
    if (dirname(p) === p) break;
  }
  for (const p of chain) {
    let st: Stats;
    try {
      st = statSync(p);
    } catch (e) {
      if (errno(e) === 'ENOENT') return;
      throw fsFail('cannot look at', p, e);
    }
    if (!st.isDirectory()) throw fail(`${show(p)} ${st.isFile() ? 'is a file, not a folder' : 'is not a folder'}`);
  }
}

interface MarkData {
  nesslab: string;
  runId?: string;
  created?: string;
  files: string[];
}

/** MARK of `dir` if it is a valid one (a small regular file, JSON, only valid relative names); else undefined. */
function readMark(dir: string): MarkData | undefined {
  const path = join(dir, MARK);
  let text: string;
  try {
    const st = lstatSync(path);
    if (!st.isFile() || st.size > MAX_SMALL_FILE) return undefined;
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (errno(e) === 'ENOENT' || errno(e) === 'ENOTDIR') return undefined;
    throw fsFail('cannot read', path, e);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { nesslab, runId, created, files } = data as Record<string, unknown>;
  if (typeof nesslab !== 'string' || !Array.isArray(files) || !files.every(validName)) return undefined;
  return {
    nesslab,
    files: files as string[],
    ...(typeof runId === 'string' ? { runId } : {}),
    ...(typeof created === 'string' ? { created } : {}),
  };
}

/**
 * The first entry of `root` (sorted, depth first; relative, '/'-separated) that MARK's file list does not
 * account for: a file or link not listed, or a folder that holds no listed file. Undefined when there is none.
 */
function firstStray(root: string, listed: readonly string[]): string | undefined {
  const files = new Set([MARK, ...listed]);
  const folders = new Set(
    listed.flatMap((f) =>
      f
        .split('/')
        .slice(0, -1)
        .map((_, i, parts) => parts.slice(0, i + 1).join('/')),
    ),
  );
  const walk = (rel: string): string | undefined => {
    const entries = readdirSync(rel ? join(root, rel) : root, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    );
    for (const entry of entries) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        const inner = folders.has(path) ? walk(path) : path;
        if (inner !== undefined) return inner;
      } else if (!files.has(path)) return path;
    }
    return undefined;
  };
  try {
    return walk('');
  } catch (e) {
    throw fsFail('cannot read', root, e);
  }
}

type Existing = 'absent' | 'empty' | 'marked';

/**
 * Whether DIR may be replaced: absent, an empty folder (nothing to lose), or — with `force` — a folder that
 * holds a valid MARK and only what that MARK lists. Anything else is refused with the reason; DIR is never
 * followed if it is a symbolic link. Reads only.
 */
function inspectTarget(n: Names, force: boolean): Existing {
  let st: Stats;
  try {
    st = lstatSync(n.target);
  } catch (e) {
    if (errno(e) === 'ENOENT') return 'absent';
    throw fsFail('cannot look at', n.target, e);
  }
  if (st.isSymbolicLink())
    throw fail(`${show(n.target)} is a symbolic link; nesslab does not follow it, name a real folder`);
  if (!st.isDirectory()) throw fail(`${show(n.target)} ${st.isFile() ? 'is a file, not a folder' : 'is not a folder'}`);
  let entries: string[];
  try {
    entries = readdirSync(n.target);
  } catch (e) {
    throw fsFail('cannot read', n.target, e);
  }
  if (entries.length === 0) return 'empty';
  const mark = readMark(n.target);
  if (!mark) throw fail(`${show(n.target)} is not empty and was not made by nesslab; nothing was written`);
  if (!force) {
    const when = [mark.runId && `run ${show(mark.runId, 40)}`, mark.created && show(mark.created, 40)]
      .filter(Boolean)
      .join(', ');
    throw fail(
      `${show(n.target)} holds an earlier nesslab result (${when || `nesslab ${show(mark.nesslab, 20)}`}); pass --force to replace it`,
    );
  }
  const stray = firstStray(n.target, mark.files);
  if (stray !== undefined)
    throw fail(`${show(join(n.target, stray))} was not written by nesslab; move it away or choose another --out`);
  return 'marked';
}

/** A folder nesslab may delete: not a link; empty, or a staging folder, or holding a valid MARK and only what it lists. */
function ownedFolder(path: string): boolean {
  try {
    const st = lstatSync(path);
    if (!st.isDirectory()) return false;
    const entries = readdirSync(path);
    if (entries.length === 0 || entries.includes(STAGING_MARK)) return true;
    const mark = readMark(path);
    return mark !== undefined && firstStray(path, mark.files) === undefined;
  } catch {
    return false;
  }
}
const exists = (path: string) => {
  try {
    lstatSync(path);
    return true;
  } catch (e) {
    if (errno(e) === 'ENOENT') return false;
    throw fsFail('cannot look at', path, e);
  }
};
const removeQuietly = (path: string) => {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    /* left for the next openOutput's cleanup */
  }
};
const unlinkQuietly = (path: string) => {
  try {
    unlinkSync(path);
  } catch {
    /* already gone, or left for later */
  }
};

// ---------------------------------------------------------------------------------------------------------
// Step 3: the lock

interface LockInfo {
  pid: number;
  hostname: string;
  started: string;
  runId: string;
}
interface LockFile {
  text: string;
  ino: number;
  mtimeMs: number;
  info?: LockInfo;
}
interface HeldLock {
  path: string;
  text: string;
  ino: number;
  released: boolean;
}

/** Lock files this process holds (so a lock naming our own pid but not held here is known to be stale). */
const heldLocks = new Set<string>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return errno(e) !== 'ESRCH';
  }
}

/** The lock file's bytes, inode and time, read through one descriptor; undefined if it is gone. */
function readLock(path: string): LockFile | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    throw fsFail('cannot read', path, e);
  }
  try {
    const st = fstatSync(fd);
    const text = st.size <= MAX_SMALL_FILE ? readFileSync(fd, 'utf8') : '';
    let info: LockInfo | undefined;
    try {
      const d = JSON.parse(text) as Partial<LockInfo>;
      if (Number.isSafeInteger(d.pid) && (d.pid as number) > 0 && typeof d.hostname === 'string') {
        info = {
          pid: d.pid as number,
          hostname: d.hostname,
          started: String(d.started ?? '?'),
          runId: String(d.runId ?? '?'),
        };
      }
    } catch {
      /* garbage: judged by its age */
    }
    return { text, ino: st.ino, mtimeMs: st.mtimeMs, ...(info ? { info } : {}) };
  } finally {
    closeSync(fd);
  }
}

/** A lock is stale when its process is gone: a dead pid on this host, our own pid not held here, or old garbage. */
function isStale(path: string, lock: LockFile): boolean {
  const { info } = lock;
  if (!info) return Date.now() - lock.mtimeMs > GARBAGE_LOCK_MS;
  if (info.hostname !== hostname()) return false;
  if (info.pid === process.pid) return !heldLocks.has(path);
  return !pidAlive(info.pid);
}
const sameLock = (a: LockFile, b: LockFile) => a.ino === b.ino && a.mtimeMs === b.mtimeMs && a.text === b.text;

function inUse(n: Names, lock: LockFile): Error {
  const { info } = lock;
  const lockName = show(basename(n.lock), 60); // it sits beside DIR
  if (!info) return fail(`${show(n.target)} is in use by another nesslab (lock file ${lockName} was just created)`);
  const host = info.hostname === hostname() ? '' : ` on ${show(info.hostname, 30)}`;
  return fail(
    `${show(n.target)} is in use by nesslab pid ${info.pid}${host} since ${show(info.started, 30)} (lock file ${lockName})`,
  );
}

/**
 * Creates the lock file exclusively, complete from its first instant: the JSON is written to a temporary file
 * that is then hard-linked to the lock name (link fails if the name exists). Undefined if a lock exists already.
 * On filesystems without hard links, falls back to an exclusive create followed by the write.
 */
function createLock(n: Names, text: string): HeldLock | undefined {
  const tmp = sibling(n, 'lock.tmp');
  try {
    writeFileSync(tmp, text, { flag: 'wx' });
    const ino = statSync(tmp).ino;
    linkSync(tmp, n.lock);
    return holding(n.lock, text, ino);
  } catch (e) {
    if (errno(e) === 'EEXIST') return undefined;
    if (['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(errno(e) ?? '') && exists(tmp))
      return createLockWithoutLink(n, text);
    throw fsFail('cannot write in', n.parent, e);
  } finally {
    unlinkQuietly(tmp);
  }
}

function createLockWithoutLink(n: Names, text: string): HeldLock | undefined {
  let fd: number;
  try {
    fd = openSync(n.lock, 'wx');
  } catch (e) {
    if (errno(e) === 'EEXIST') return undefined;
    throw fsFail('cannot write in', n.parent, e);
  }
  try {
    writeSync(fd, text);
    return holding(n.lock, text, fstatSync(fd).ino);
  } catch (e) {
    unlinkQuietly(n.lock);
    throw fsFail('cannot write in', n.parent, e);
  } finally {
    closeSync(fd);
  }
}

function holding(path: string, text: string, ino: number): HeldLock {
  heldLocks.add(path);
  return { path, text, ino, released: false };
}

/**
 * Removes the stale lock `seen`, safely against others doing the same: the lock is first renamed to a unique
 * name (only one process can win that), then checked to be the very file judged stale. If it is not — someone
 * broke the stale lock and took a fresh one in between — it is put back.
 */
function breakLock(n: Names, seen: LockFile): void {
  const aside = sibling(n, 'lock.stale');
  try {
    renameSync(n.lock, aside);
  } catch (e) {
    if (errno(e) === 'ENOENT') return;
    throw fsFail('cannot write in', n.parent, e);
  }
  const taken = readLock(aside);
  if (taken && !sameLock(taken, seen)) {
    try {
      linkSync(aside, n.lock); // fails (EEXIST) rather than replace a lock that appeared meanwhile
    } catch (e) {
      if (errno(e) !== 'EEXIST') {
        try {
          renameSync(aside, n.lock); // filesystems without hard links
        } catch {
          /* its holder notices the loss before its swap */
        }
      }
    }
  }
  unlinkQuietly(aside);
}

/**
 * Takes DIR's lock, or refuses naming the live holder. A stale lock is broken and the take retried; the
 * exclusive create guarantees that of several processes racing for it, exactly one wins.
 */
function takeLock(n: Names, runId: string): HeldLock {
  const text = `${JSON.stringify({ pid: process.pid, hostname: hostname(), started: new Date().toISOString(), runId })}\n`;
  for (let attempt = 0; attempt < 3; attempt++) {
    const held = createLock(n, text);
    if (held) return held;
    const seen = readLock(n.lock);
    if (!seen) continue;
    if (!isStale(n.lock, seen)) throw inUse(n, seen);
    breakLock(n, seen);
  }
  throw fail(`${show(n.target)} is in use by another nesslab (lock file ${show(basename(n.lock), 60)} keeps changing)`);
}

/** Whether the lock file is still the one we created (not broken and retaken by another process). */
function stillHeld(lock: HeldLock): boolean {
  if (lock.released) return false;
  try {
    const now = readLock(lock.path);
    return now !== undefined && now.ino === lock.ino && now.text === lock.text;
  } catch {
    return false;
  }
}

/** Removes the lock file if it is still ours; idempotent. */
function releaseLock(lock: HeldLock): void {
  if (lock.released) return;
  if (stillHeld(lock)) unlinkQuietly(lock.path);
  lock.released = true;
  heldLocks.delete(lock.path);
}

// ---------------------------------------------------------------------------------------------------------
// Step 4: recovery

interface Journal {
  staging: string;
  old: string;
}

/** The journal if it is valid: both names nesslab's siblings of DIR. A journal naming anything else is ignored. */
function readJournal(n: Names): Journal | undefined {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(n.journal, 'utf8'));
  } catch (e) {
    if (errno(e) === 'ENOENT') return undefined;
    if (errno(e) !== undefined) throw fsFail('cannot read', n.journal, e);
    return undefined;
  }
  const { staging, old } = (data ?? {}) as Record<string, unknown>;
  const ours = (p: unknown, kind: Sibling): p is string =>
    typeof p === 'string' && dirname(p) === n.parent && siblingPattern(n).exec(basename(p))?.[1] === kind;
  return ours(staging, 'tmp') && ours(old, 'old') ? { staging, old } : undefined;
}

/**
 * Finishes or undoes an interrupted swap of DIR. If DIR is missing, the complete staging folder (it has
 * MARK) becomes DIR, or else the earlier DIR comes back; then whatever of the two is left is removed, and the
 * journal last. Afterwards DIR is the complete earlier or the complete new result (or absent if it never was).
 */
function replayJournal(n: Names): void {
  if (!exists(n.journal)) return;
  const journal = readJournal(n);
  if (journal) {
    try {
      if (!exists(n.target)) {
        if (exists(journal.staging) && !exists(join(journal.staging, STAGING_MARK)) && readMark(journal.staging))
          renameSync(journal.staging, n.target);
        else if (exists(journal.old)) renameSync(journal.old, n.target);
      }
    } catch (e) {
      throw fsFail('cannot restore', n.target, e);
    }
    for (const leftover of [journal.old, journal.staging]) if (ownedFolder(leftover)) removeQuietly(leftover);
  }
  unlinkQuietly(n.journal);
}

/**
 * Removes nesslab's leftovers beside DIR whose process is gone: staging and earlier folders that nesslab
 * provably owns (see ownedFolder), half-written journals and broken locks. Nothing else is touched. If DIR is
 * missing while an earlier DIR is left over without a journal, that earlier DIR is put back instead.
 */
function removeLeftovers(n: Names): void {
  const pattern = siblingPattern(n);
  const live = new Set([...open].map((o) => o.staging));
  let entries: string[];
  try {
    entries = readdirSync(n.parent).sort();
  } catch (e) {
    throw fsFail('cannot read', n.parent, e);
  }
  for (const name of entries) {
    const m = pattern.exec(name);
    if (!m) continue;
    const path = join(n.parent, name),
      kind = m[1] as Sibling,
      pid = Number(m[2]);
    if (live.has(path) || (pid !== process.pid && pidAlive(pid))) continue;
    if (kind === 'tmp' || kind === 'old') {
      if (!ownedFolder(path)) continue;
      if (kind === 'old' && !exists(n.target) && readMark(path)) renameSync(path, n.target);
      else removeQuietly(path);
    } else {
      try {
        const st = lstatSync(path);
        if (st.isFile() && st.size <= MAX_SMALL_FILE) unlinkSync(path);
      } catch {
        /* gone meanwhile */
      }
    }
  }
}

/** Under DIR's lock: replays an interrupted swap, then removes stale leftovers. */
function recoverLocked(n: Names): void {
  replayJournal(n);
  removeLeftovers(n);
}

/**
 * Finishes or undoes an interrupted swap of `outDir` and removes nesslab's stale leftovers beside it, under
 * its lock (refused, like openOutput, while another nesslab holds it). openOutput does this itself.
 */
export async function recoverOutput(outDir: string, options: OutputOptions = {}): Promise<void> {
  const n = namesOf(resolveTarget(outDir, options));
  checkParents(n.parent);
  if (!exists(n.parent)) return;
  const lock = takeLock(n, options.runId ?? 'recover');
  try {
    recoverLocked(n);
  } finally {
    releaseLock(lock);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Step 6 and the swap

/** A fresh staging folder beside DIR with STAGING_MARK inside, after proving that files can be written there. */
function createStaging(n: Names, runId: string): string {
  const staging = sibling(n, 'tmp');
  try {
    mkdirSync(staging);
    writeFileSync(join(staging, STAGING_MARK), `${JSON.stringify({ pid: process.pid, runId, target: n.target })}\n`, {
      flag: 'wx',
    });
    const probe = join(staging, `.probe-${token()}`);
    writeFileSync(probe, 'probe', { flag: 'wx' });
    unlinkSync(probe);
    return staging;
  } catch (e) {
    removeQuietly(staging);
    throw fsFail('cannot write in', n.parent, e);
  }
}

type SwapStep = 'before-journal' | 'after-journal' | 'after-old' | 'after-new' | 'after-cleanup';

/**
 * TEST HOOK, not a feature: with env NESSLAB_TEST_SWAP_PAUSE=<step>, commit writes `PAUSED <step>` to stderr
 * and then waits forever at that step, so that a test can kill -9 the process there (output-kill.test.ts).
 */
async function pauseForTest(step: SwapStep): Promise<void> {
  if (process.env.NESSLAB_TEST_SWAP_PAUSE !== step) return;
  process.stderr.write(`PAUSED ${step}\n`);
  await new Promise<never>(() => {
    setInterval(() => {}, 60_000);
  });
}

/** Writes the journal atomically (a temporary name renamed into place): it is absent or complete. */
function writeJournal(n: Names, journal: Journal): void {
  const tmp = sibling(n, 'swap.tmp');
  try {
    writeFileSync(tmp, `${JSON.stringify(journal)}\n`, { flag: 'wx' });
    renameSync(tmp, n.journal);
  } catch (e) {
    unlinkQuietly(tmp);
    throw fsFail('cannot write in', n.parent, e);
  }
}

/** Checks every name and content, then writes them into `dir` (exclusive creates). Returns the sorted names. */
async function writeFiles(target: string, dir: string, files: Record<string, string | Uint8Array>): Promise<string[]> {
  const entries = Object.entries(files).map(([name, content]) => {
    const parts = checkName(name);
    const dest = join(dir, ...parts);
    if (!normalize(dest).startsWith(dir + sep)) throw new Error(`output: invalid file name ${JSON.stringify(name)}`);
    if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
      throw new TypeError(`output: content of ${JSON.stringify(name)} is neither a string nor bytes`);
    }
    return { rel: parts.join('/'), dest, content };
  });
  for (const { rel, dest, content } of entries) {
    try {
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, content, { flag: 'wx' });
    } catch (e) {
      throw fsFail('cannot write', join(target, rel), e);
    }
  }
  return entries.map((e) => e.rel).sort();
}

const open = new Set<Staged>();
let exitHookInstalled = false;
/** Once: on process exit (e.g. process.exit(2) after an error), outputs still open are aborted. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const output of [...open]) output.abortSync();
  });
}

class Staged implements StagedOutput {
  #state: 'open' | 'writing' | 'swapping' | 'closed' = 'open';

  constructor(
    private readonly n: Names,
    readonly staging: string,
    private readonly lock: HeldLock,
    private readonly force: boolean,
    private readonly runId: string,
  ) {}

  get target(): string {
    return this.n.target;
  }

  get units(): string {
    return unitsFolderOf(this.n.target);
  }

  async commit(files: Record<string, string | Uint8Array>): Promise<void> {
    if (this.#state !== 'open')
      throw new Error(`output: ${this.n.target} is already ${this.#state === 'closed' ? 'closed' : 'being committed'}`);
    this.#state = 'writing';
    try {
      const written = await writeFiles(this.n.target, this.staging, files);
      if (this.#closed()) throw fail(`${show(this.n.target)} was aborted while its files were written`);
      this.#sealStaging(written);
      this.#keepUnlessReplaceable();
      this.#state = 'swapping';
      await this.#swap();
    } catch (e) {
      if (!this.#closed()) removeQuietly(this.staging); // after an abort, abortSync has cleaned up already
      throw e;
    } finally {
      this.#close();
    }
  }

  async abort(): Promise<void> {
    this.abortSync();
  }

  abortSync(): void {
    if (this.#state === 'closed') return;
    const swapping = this.#state === 'swapping';
    // Renamed aside first: the staging folder either still is ours to delete, or already is DIR.
    const doomed = sibling(this.n, 'tmp');
    try {
      renameSync(this.staging, doomed);
      removeQuietly(doomed);
    } catch {
      removeQuietly(this.staging);
    }
    if (swapping) {
      try {
        replayJournal(this.n); // staging is gone, so this puts the earlier DIR back if it was moved away
      } catch {
        /* the next openOutput replays the journal */
      }
    }
    this.#close();
  }

  #closed(): boolean {
    return this.#state === 'closed';
  }

  #close(): void {
    this.#state = 'closed';
    open.delete(this);
    releaseLock(this.lock);
  }

  /** Completes staging: MARK listing `written`, STAGING_MARK removed; then checks the lock and DIR once more. */
  #sealStaging(written: string[]): void {
    const mark = { nesslab: VERSION, runId: this.runId, created: new Date().toISOString(), files: written };
    try {
      writeFileSync(join(this.staging, MARK), `${JSON.stringify(mark, null, 2)}\n`, { flag: 'wx' });
      unlinkSync(join(this.staging, STAGING_MARK));
    } catch (e) {
      throw fsFail('cannot write in', this.n.parent, e);
    }
  }

  /**
   * DIR may have changed while computing (a file of the user's put into it, the lock broken by hand): then DIR is
   * left alone, and the finished results are kept beside it in a folder of their own (`DIR-kept-<run id>`, marked
   * like any result) rather than thrown away; the message says where.
   */
  #keepUnlessReplaceable(): void {
    let refusal: ScenarioError | undefined;
    if (!stillHeld(this.lock))
      refusal = fail(`${show(this.n.target)} was taken over by another nesslab while this one ran`);
    else {
      try {
        inspectTarget(this.n, this.force);
      } catch (e) {
        if (e instanceof ScenarioError) refusal = e;
        else throw e;
      }
    }
    if (!refusal) return;
    const kept = `${this.n.target}-kept-${this.runId}`;
    try {
      if (exists(kept)) throw new Error('exists');
      renameSync(this.staging, kept);
    } catch {
      throw refusal; // nowhere to keep them: the staging folder is removed as for any failed commit
    }
    throw fail(
      `${refusal.message.replace(/^--out: /, '').replace(/; nothing was written$/, '')}; the new results are kept in ${show(kept, 90)}`,
    );
  }

  /**
   * The swap: (a) journal, (b) DIR → old, (c) staging → DIR, (d) old removed, (e) journal removed. A kill
   * between any two steps is repaired by replayJournal. A failing rename puts the earlier DIR back.
   */
  async #swap(): Promise<void> {
    const n = this.n,
      old = sibling(n, 'old');
    await pauseForTest('before-journal');
    writeJournal(n, { staging: this.staging, old });
    await pauseForTest('after-journal');
    let moved = false;
    try {
      if (exists(n.target)) {
        renameSync(n.target, old);
        moved = true;
      }
    } catch (e) {
      unlinkQuietly(n.journal);
      throw fsFail('cannot replace', n.target, e);
    }
    await pauseForTest('after-old');
    try {
      renameSync(this.staging, n.target);
    } catch (e) {
      if (moved && !exists(n.target)) {
        try {
          renameSync(old, n.target);
        } catch {
          // The journal stays: the next openOutput (or recoverOutput) finishes or undoes this swap.
          throw fail(`cannot replace ${show(n.target)} (${errno(e) ?? 'error'}); run nesslab again to restore it`);
        }
      }
      unlinkQuietly(n.journal);
      removeQuietly(this.staging);
      throw fsFail('cannot replace', n.target, e);
    }
    await pauseForTest('after-new');
    if (moved) removeQuietly(old);
    await pauseForTest('after-cleanup');
    unlinkQuietly(n.journal);
  }
}

// ---------------------------------------------------------------------------------------------------------
// The API

/**
 * Prepares the output folder `outDir` before any computing; refusals are ScenarioError('--out', …) with a
 * one-line reason. In order: (1) refuses the root, the working and home folders and their ancestors;
 * (2) refuses a parent path through a file and a DIR that is a link, a file, a foreign non-empty folder, or an
 * earlier result without `force`; then creates missing parents; (3) takes DIR's lock; (4) recovers an
 * interrupted swap and removes stale leftovers; (5) checks DIR again under the lock; (6) creates the staging
 * folder and proves it writable. On a refusal after (3) the lock is released and nothing is left behind.
 */
export async function openOutput(outDir: string, options: OutputOptions = {}): Promise<StagedOutput> {
  const force = options.force === true;
  const n = namesOf(resolveTarget(outDir, options));
  checkParents(n.parent);
  inspectTarget(n, force);
  try {
    mkdirSync(n.parent, { recursive: true });
  } catch (e) {
    throw fsFail('cannot create', n.parent, e);
  }
  const runId = options.runId ?? randomBytes(6).toString('hex');
  const lock = takeLock(n, runId);
  try {
    recoverLocked(n);
    inspectTarget(n, force);
    const output = new Staged(n, createStaging(n, runId), lock, force, runId);
    open.add(output);
    installExitHook();
    return output;
  } catch (e) {
    releaseLock(lock);
    throw e;
  }
}

/** Every StagedOutput of this process not yet committed or aborted (for SIGINT/SIGTERM handlers). */
export function openOutputs(): readonly StagedOutput[] {
  return [...open];
}
