// Finished units on disk, so that a run killed at any instant (kill -9, OOM, power loss) loses only the units it was
// computing. A unit folder sits beside the output folder (`.B.units`, see @nesslab/report's files.ts) and holds:
//   .nesslab-units      JSON: nesslab version, the plan's hash and description, created — written first, whole
//   <key>.v8            one finished unit: v8.serialize({ key, partials }), fsync'd, then renamed into place
//   <key>.v8.tmp-…      a unit being written (a kill leaves it; it is ignored and removed on resume)
// v8's serializer is the structured clone the worker threads already use: float64 and typed arrays round-trip exactly.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { NESSLAB_VERSION, ScenarioError, preview, type GroupJob, type SimulateOptions } from '@nesslab/kernel';
import { canonicalJson, sha256, unitKey, type RunVersions } from './key.ts';

/** Finished units by key. */
export interface UnitStore {
  get(key: string): unknown[] | undefined;
  put(key: string, partials: unknown[]): void;
}

/** A run's identity for resume: its hash, and the description it was made from (to say what differs). */
export interface RunIdentity {
  hash: string;
  description: Record<string, unknown>;
}

export const identityOf = (description: Record<string, unknown>): RunIdentity => ({
  hash: sha256(canonicalJson(description)),
  description,
});

const MARK = '.nesslab-units';
const SUFFIX = '.v8';

/** A unit as stored: its key beside its partials, checked on read. */
export const encodeUnit = (key: string, partials: unknown[]): Uint8Array => serialize({ key, partials });
export function decodeUnit(key: string, bytes: Uint8Array): unknown[] | undefined {
  try {
    const unit = deserialize(bytes) as { key?: unknown; partials?: unknown };
    return unit.key === key && Array.isArray(unit.partials) ? unit.partials : undefined;
  } catch {
    return undefined; // unreadable: computed again
  }
}

/** The units of one run in `folder`. */
export class FolderUnitStore implements UnitStore {
  constructor(readonly folder: string) {}

  get(key: string): unknown[] | undefined {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(this.folder, key + SUFFIX));
    } catch {
      return undefined;
    }
    return decodeUnit(key, bytes);
  }

  /** Written whole or not at all: a temporary file, fsync'd, renamed over the key's name. */
  put(key: string, partials: unknown[]): void {
    const final = join(this.folder, key + SUFFIX),
      tmp = `${final}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    const fd = openSync(tmp, 'wx');
    try {
      writeSync(fd, encodeUnit(key, partials));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, final);
  }

  /** How many finished units the folder holds. */
  count(): number {
    return readdirSync(this.folder).filter((f) => f.endsWith(SUFFIX)).length;
  }
}

/** What a run does with a unit folder it finds: continue it (`resume`), or start over (`force`); default: refuse. */
export type UnitFolderMode = 'fresh' | 'resume' | 'force';

/**
 * Opens the unit folder of a run before it computes anything. A folder left by an interrupted run is refused without
 * `resume` or `force` (exit 2: the user decides), continued with `resume` if it belongs to the same run (else exit 2
 * saying what differs), and replaced with `force`. A folder that is not nesslab's (no mark) is never touched.
 * Returns the store and how many finished units it already holds. `dryRun` (validate) checks without writing.
 */
export function openUnitFolder(
  folder: string,
  identity: RunIdentity,
  mode: UnitFolderMode,
  shown = folder,
  dryRun = false,
  splitWorkers?: number,
): { store: FolderUnitStore; finished: number; splitWorkers?: number } {
  let mark: { plan?: unknown; description?: Record<string, unknown>; splitWorkers?: unknown } | undefined;
  let entries: string[] | undefined;
  try {
    entries = readdirSync(folder);
  } catch {
    entries = undefined;
  }
  if (entries) {
    try {
      mark = JSON.parse(readFileSync(join(folder, MARK), 'utf8'));
    } catch {
      throw new ScenarioError(
        '--resume',
        `${shown} is not a unit folder nesslab made (no readable ${MARK}); move it away`,
      );
    }
    const finished = entries.filter((f) => f.endsWith(SUFFIX)).length;
    if (mode === 'fresh' && finished > 0)
      throw new ScenarioError(
        '--resume',
        `${shown} holds ${finished} finished unit${finished === 1 ? '' : 's'} of an interrupted run; add --resume to continue it, or --force to start over`,
      );
    if (mode === 'resume') {
      if (mark!.plan !== identity.hash)
        throw new ScenarioError(
          '--resume',
          `the interrupted run in ${shown} is another run: ${difference(mark!.description ?? {}, identity.description)}`,
        );
      if (!dryRun) for (const f of entries) if (f.includes(`${SUFFIX}.tmp-`)) rmSync(join(folder, f), { force: true });
      // The units were split for the interrupted run's worker count: keep that split, whatever --workers is now.
      const stored = Number.isSafeInteger(mark!.splitWorkers) ? (mark!.splitWorkers as number) : splitWorkers;
      return {
        store: new FolderUnitStore(folder),
        finished,
        ...(stored !== undefined ? { splitWorkers: stored } : {}),
      };
    }
    // force, or nothing finished: nesslab's own folder (it has the mark), of no use
    if (!dryRun) rmSync(folder, { recursive: true, force: true });
  }
  const fresh = {
    store: new FolderUnitStore(folder),
    finished: 0,
    ...(splitWorkers !== undefined ? { splitWorkers } : {}),
  };
  if (dryRun) return fresh;
  mkdirSync(folder);
  const body = `${JSON.stringify(
    {
      nesslab: NESSLAB_VERSION,
      plan: identity.hash,
      description: identity.description,
      created: new Date().toISOString(),
    },
    null,
    2,
  )}\n`;
  const tmp = join(folder, `${MARK}.tmp`);
  const fd = openSync(tmp, 'wx');
  try {
    writeSync(fd, body);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, join(folder, MARK));
  return fresh;
}

/** Removes a run's unit folder once its results are safe in the output folder. */
export function removeUnitFolder(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
}

/** The first field in which two descriptions differ, as `params.eta: 1e-7 then, 2e-7 now`. */
function difference(then: unknown, now: unknown, path = ''): string {
  if (canonicalJson(then) === canonicalJson(now)) return 'the same description (another nesslab version?)';
  if (
    then &&
    now &&
    typeof then === 'object' &&
    typeof now === 'object' &&
    !Array.isArray(then) &&
    !Array.isArray(now)
  ) {
    const a = then as Record<string, unknown>,
      b = now as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      if (canonicalJson(a[k]) !== canonicalJson(b[k])) return difference(a[k], b[k], path ? `${path}.${k}` : k);
  }
  return `${path || 'run'}: ${preview(then)} then, ${preview(now)} now`;
}

/**
 * A chain-group runner that looks each unit up in `store` first and stores what it computes, around `inner` (worker
 * threads, a queue, or this thread). A unit found is reported as done at once and never computed again.
 */
export function storedRunner(
  store: UnitStore,
  versions: RunVersions,
  inner: NonNullable<SimulateOptions['runGroup']>,
  onUnit?: (event: 'found' | 'computed', job: GroupJob) => void,
): NonNullable<SimulateOptions['runGroup']> {
  return async (job, onProgress) => {
    const key = unitKey(job, versions);
    const found = store.get(key);
    if (found) {
      onProgress(job.chainCount * job.spec.steps);
      onUnit?.('found', job);
      return found;
    }
    const partials = await inner(job, onProgress);
    store.put(key, partials);
    onUnit?.('computed', job);
    return partials;
  };
}
