// Plugins across machines. The submitter names each plugin file of a run so that a worker elsewhere can find its own
// copy: a file inside a package by the package's name, version and the file's path in it; a file outside any package
// by its absolute path. A worker finds a package by name from its working folder (as `--set plugins=[…]` would), else
// at the submitter's path when that exists there (one machine, or a shared file system); a loose file only at the same
// path. Whether the copy found is the same is then settled by the versions (`runVersions`): `name@version` for a
// package, the content's hash for a loose file.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolvePluginSpecifiers } from '@nesslab/kernel';

/** One plugin file of a queued run, as its submitter names it. */
export interface PortablePlugin {
  /** The file on the submitter's machine (a file: URL, as `resolvePluginSpecifiers` gives it). */
  url: string;
  /** The package holding it, when it is in one: the package's name, version, and the file's path inside it (`/`). */
  package?: { name: string; version: string; path: string };
}

/** The nearest folder at or above `file`'s folder whose package.json has a name and a version (as `runVersions` looks). */
function packageOf(file: string): { root: string; name: string; version: string } | undefined {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown; version?: unknown };
        if (typeof pkg.name === 'string' && typeof pkg.version === 'string')
          return { root: dir, name: pkg.name, version: pkg.version };
      } catch {
        /* not a package's manifest: keep looking */
      }
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** How the submitter names its plugin files for the workers. */
export function portablePlugins(urls: readonly string[]): PortablePlugin[] {
  return [...new Set(urls)].map((url) => {
    if (!url.startsWith('file:')) return { url };
    const file = fileURLToPath(url),
      pkg = packageOf(file);
    return pkg
      ? { url, package: { name: pkg.name, version: pkg.version, path: relative(pkg.root, file).split(sep).join('/') } }
      : { url };
  });
}

/**
 * This machine's copy of each plugin (a file URL), found as the header says from `cwd`; throws an Error saying which
 * plugin is missing here. The caller compares versions before running anything.
 */
export function localPlugins(plugins: readonly PortablePlugin[], cwd = process.cwd()): Map<string, string> {
  const found = new Map<string, string>();
  for (const p of plugins) {
    const samePath = p.url.startsWith('file:') && existsSync(fileURLToPath(p.url)) ? p.url : undefined;
    if (!p.package) {
      if (!samePath)
        throw new Error(
          `the plugin file ${p.url.startsWith('file:') ? fileURLToPath(p.url) : p.url} is not on this worker's machine ` +
            '(a queued run loads plugins installed as packages on every worker, or files at the same path)',
        );
      found.set(p.url, samePath);
      continue;
    }
    const { name, path, version } = p.package;
    let local: string | undefined, here: string | undefined;
    try {
      const [entry] = resolvePluginSpecifiers([name], cwd, 'plugins');
      const pkg = packageOf(fileURLToPath(entry!));
      if (pkg && pkg.name === name) {
        here = pkg.version;
        local = pathToFileURL(join(pkg.root, ...path.split('/'))).href;
      }
    } catch {
      local = undefined; // not installed by that name here: the submitter's path, if it is here
    }
    if (!local || !existsSync(fileURLToPath(local))) local = samePath;
    if (!local)
      throw new Error(
        here
          ? `the plugin package ${name}@${here} installed where this worker runs (${cwd}) has no ${path}; the unit was made with ${name}@${version}`
          : `the plugin package ${name} is not installed where this worker runs (${cwd}); install ${name}@${version} there`,
      );
    found.set(p.url, local);
  }
  return found;
}
