// Provenance: what made a result, recorded in results.json (and sweep.json) beside it. nesslab's version and plugin
// API, the package of every plugin the run loaded, the git commit of the working folder's checkout, the machine, the
// run's start and end, and the command line. Everything else in results.json is determined by the seed, bit for bit:
// `reproducible` drops provenance and elapsedSeconds to compare two runs.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { API_VERSION, NESSLAB_VERSION } from '@nesslab/kernel';
import { runVersions, type RunVersions } from './units/key.ts';

/** nesslab's own packages that every run loads; they are published together, all at NESSLAB_VERSION. */
export const BUILTIN_PACKAGES = [
  '@nesslab/kernel',
  '@nesslab/landscapes',
  '@nesslab/observers',
  '@nesslab/optimizers',
  '@nesslab/report',
  '@nesslab/samplers',
  '@nesslab/scenarios',
  '@nesslab/tfjs',
] as const;

/** The `provenance` object of results.json and sweep.json. */
export interface Provenance {
  nesslab: string;
  /** The plugin API version (API_VERSION). */
  pluginApi: string;
  /**
   * `name@version` of nesslab's packages (@nesslab/cli too for the command) and of each plugin package the run
   * loaded; a plugin file outside any package as `path#sha256:…`.
   */
  packages: string[];
  /** The checkout of the working folder: HEAD, and whether tracked files differ from it (absent: no checkout, no git). */
  git?: { commit: string; dirty: boolean };
  node: string;
  platform: string;
  arch: string;
  cpus: number;
  /** ISO 8601, UTC. */
  startedAt: string;
  endedAt: string;
  /** The command line after node: `['nesslab', 'run', 'regression-ness', '--seed', '3']` (URL credentials as ***). */
  command?: string[];
  /** Instead of `command` for a run started from a script: the function called (`'runScenario'`). */
  api?: string;
}

/** Who started a run: the command line (the CLI), or the function of the programmatic API. */
export type RunOrigin = { command: readonly string[] } | { api: string };

/**
 * Starts a run's provenance: the versions (of the plugin files `plugins`, or as the unit keys have them), the checkout
 * of `cwd` and the machine are read now; the returned function gives the provenance, ended when it is called.
 */
export function startProvenance(input: {
  plugins: readonly string[] | RunVersions;
  origin?: RunOrigin;
  cwd?: string;
}): () => Provenance {
  const startedAt = new Date().toISOString();
  const versions = Array.isArray(input.plugins) ? runVersions(input.plugins) : (input.plugins as RunVersions);
  const git = gitState(input.cwd ?? process.cwd());
  const origin = input.origin;
  const own = [...BUILTIN_PACKAGES, ...(origin && 'command' in origin ? ['@nesslab/cli'] : [])];
  const packages = [...new Set([...own.map((name) => `${name}@${NESSLAB_VERSION}`), ...versions.plugins])].sort();
  return () => ({
    nesslab: versions.nesslab,
    pluginApi: versions.api,
    packages,
    ...(git ? { git } : {}),
    node: process.versions.node,
    platform: process.platform,
    arch: process.arch,
    cpus: availableParallelism(),
    startedAt,
    endedAt: new Date().toISOString(),
    ...(origin && 'command' in origin ? { command: origin.command.map(hideCredentials) } : {}),
    ...(origin && 'api' in origin ? { api: origin.api } : {}),
  });
}

/**
 * HEAD of the checkout holding `cwd` and whether its tracked files differ (`git describe --dirty`'s sense: untracked
 * files, such as output folders, do not count). Undefined without git, outside a checkout, or after 3 s.
 */
export function gitState(cwd: string): { commit: string; dirty: boolean } | undefined {
  const git = (...args: string[]) => {
    try {
      const r = spawnSync('git', ['--no-optional-locks', ...args], {
        cwd,
        encoding: 'utf8',
        timeout: 3000,
        stdio: ['ignore', 'pipe', 'ignore'],
        windowsHide: true,
      });
      return r.status === 0 ? r.stdout : undefined;
    } catch {
      return undefined;
    }
  };
  const commit = git('rev-parse', '--verify', '--quiet', 'HEAD')?.trim();
  if (!commit || !/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
  const status = git('status', '--porcelain', '--untracked-files=no');
  return status === undefined ? undefined : { commit, dirty: status.trim() !== '' };
}

/** `redis://user:pass@host` (alone or as `--queue=…`) as `redis://***@host`: a password never reaches a file. */
const hideCredentials = (arg: string) => arg.replace(/^([^\s/]*\/\/)[^@/\s]*@/, '$1***@');

/**
 * results.json (as text or parsed) without what differs between two runs of one seed, `provenance` and
 * `elapsedSeconds`: the rest is the same bit for bit, whatever the workers, units, queue or machine. Throws when
 * either field is missing (not a results.json this nesslab wrote).
 */
export function reproducible(results: string | Record<string, unknown>): Record<string, unknown> {
  const parsed = typeof results === 'string' ? (JSON.parse(results) as Record<string, unknown>) : results;
  const { provenance, elapsedSeconds, ...rest } = parsed;
  if (typeof elapsedSeconds !== 'number') throw new TypeError('results.json: no numeric elapsedSeconds');
  if (typeof provenance !== 'object' || provenance === null || typeof (provenance as Provenance).startedAt !== 'string')
    throw new TypeError('results.json: no provenance');
  return rest;
}
