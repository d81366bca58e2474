// Write a run's output folder all at once: readers never see a half-written folder.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';

/**
 * A file name inside the output folder: relative, '/'-separated (or the platform separator), no
 * '..' or '.' segments, no empty segments, no NUL. Returns the segments.
 */
function checkName(name: string): string[] {
  if (name === '' || name.includes('\0') || isAbsolute(name) || /^[a-zA-Z]:/.test(name)) {
    throw new Error(`writeOutputAtomically: invalid file name ${JSON.stringify(name)}`);
  }
  const parts = name.split(/[\\/]/);
  if (parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw new Error(`writeOutputAtomically: invalid file name ${JSON.stringify(name)}`);
  }
  return parts;
}

async function exists(p: string): Promise<boolean> {
  try {
    await lstat(p);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}

const token = () => `${process.pid}-${randomBytes(6).toString('hex')}`;

/**
 * Write `files` (name → content; names may contain '/' for subfolders, e.g. 'plots/sigma.svg')
 * as the complete contents of the folder `outDir`.
 *
 * Everything is first written into a fresh temporary folder beside `outDir`
 * (`.<basename>.tmp-<pid>-<random>`), which is then renamed to `outDir`. An existing `outDir`
 * (it must be a folder) is replaced only once the new one is complete: it is renamed away
 * (`.<basename>.old-<pid>-<random>`), the new one renamed in, and the old one deleted. On any error
 * the temporary folder is removed and `outDir` is left as it was (absent, or the old folder).
 * Parent folders of `outDir` are created as needed and remain.
 */
export async function writeOutputAtomically(
  outDir: string,
  files: Record<string, string | Uint8Array>,
): Promise<void> {
  const target = resolve(outDir);
  const parent = dirname(target);
  const base = basename(target);
  if (base === '' || target === parent) throw new Error(`writeOutputAtomically: invalid output folder ${JSON.stringify(outDir)}`);
  await mkdir(parent, { recursive: true });

  const tmp = join(parent, `.${base}.tmp-${token()}`);
  await mkdir(tmp);
  try {
    const entries = Object.entries(files); // may throw (getters): inside the try on purpose
    for (const [name, content] of entries) {
      const parts = checkName(name);
      const dest = join(tmp, ...parts);
      if (!normalize(dest).startsWith(tmp + sep)) {
        throw new Error(`writeOutputAtomically: invalid file name ${JSON.stringify(name)}`);
      }
      if (typeof content !== 'string' && !(content instanceof Uint8Array)) {
        throw new TypeError(`writeOutputAtomically: content of ${JSON.stringify(name)} is neither a string nor bytes`);
      }
      await mkdir(dirname(dest), { recursive: true });
      await writeFile(dest, content, { flag: 'wx' });
    }

    if (await exists(target)) {
      const st = await lstat(target);
      if (!st.isDirectory()) {
        throw new Error(`writeOutputAtomically: ${target} exists and is not a folder`);
      }
      const old = join(parent, `.${base}.old-${token()}`);
      await rename(target, old);
      try {
        await rename(tmp, target);
      } catch (e) {
        await rename(old, target).catch(() => {});
        throw e;
      }
      await rm(old, { recursive: true, force: true }).catch(() => {});
    } else {
      await rename(tmp, target);
    }
  } catch (e) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw e;
  }
}
