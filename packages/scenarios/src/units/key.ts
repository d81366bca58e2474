// A unit of work is one simulation × one chain group (chainStart, chainCount). Its key names its result exactly: a
// hash of the resolved spec (seed included), the chain range, θ₀, and the versions of nesslab and of the plugins the
// run loads. Equal keys mean equal partials, whoever computes them, wherever, in whatever order.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { API_VERSION, NESSLAB_VERSION, type GroupJob } from '@nesslab/kernel';

/** What computed a unit: nesslab's version and plugin API, and each plugin as `name@version` (or a file's hash). */
export interface RunVersions {
  nesslab: string;
  api: string;
  plugins: string[];
}

/** JSON with object keys sorted and typed arrays as arrays: one text per value, whatever the insertion order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (ArrayBuffer.isView(v) && !(v instanceof DataView)) return Array.from(v as Float64Array);
    if (v && typeof v === 'object' && !Array.isArray(v))
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
    return v;
  });
}

export const sha256 = (text: string | Uint8Array): string => createHash('sha256').update(text).digest('hex');

/**
 * The versions a run's units depend on. Each plugin (a file URL, as `resolvePluginSpecifiers` gives it) counts as the
 * `name@version` of the package holding it, or, for a file outside any named package, as the hash of its content.
 */
export function runVersions(plugins: readonly string[]): RunVersions {
  return {
    nesslab: NESSLAB_VERSION,
    api: API_VERSION,
    plugins: [...new Set(plugins)].map(pluginVersion).sort(),
  };
}

function pluginVersion(url: string): string {
  const file = url.startsWith('file:') ? fileURLToPath(url) : url;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown; version?: unknown };
        if (typeof pkg.name === 'string' && typeof pkg.version === 'string') return `${pkg.name}@${pkg.version}`;
      } catch {
        /* not a package's manifest: keep looking */
      }
    }
    if (dirname(dir) === dir) break;
  }
  return `${file}#sha256:${existsSync(file) ? sha256(readFileSync(file)) : 'missing'}`;
}

/** The key of one unit: 64 hex digits. */
export function unitKey(job: GroupJob, versions: RunVersions): string {
  return sha256(
    canonicalJson({
      spec: job.spec,
      chainStart: job.chainStart,
      chainCount: job.chainCount,
      reference: job.reference ?? null,
      versions,
    }),
  );
}
