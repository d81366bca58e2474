import { availableParallelism } from 'node:os';
import { ScenarioError, keyName, preview } from '@nesslab/kernel';

/** The largest seed: any integer 0 … 2^53 − 1 seeds its own streams (SplitMix64 of the 64-bit value). */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;
/** Worker threads at most: four per core, and never more than 256 (each holds its own engine and data). */
export const maxWorkers = () => Math.min(256, 4 * availableParallelism());

/**
 * `--set key=value`: the value as JSON when it parses (numbers, booleans, arrays), else as a string. Keys become own
 * properties (`__proto__` is a key like any other, and then an unknown parameter).
 */
export function parseSets(sets: readonly string[]): Record<string, unknown> {
  const entries: [string, unknown][] = [];
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new ScenarioError('--set', `expected key=value, got ${preview(s)}`);
    const key = s.slice(0, eq),
      text = s.slice(eq + 1);
    if (entries.some(([k]) => k === key)) throw new ScenarioError(`--set ${keyName(key)}`, 'given twice');
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      /* a plain string */
    }
    entries.push([key, value]);
  }
  return Object.fromEntries(entries);
}

/** `--seed N`: decimal digits only, 0 … 2^53 − 1; undefined when not given. */
export function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seed = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (!(seed <= MAX_SEED))
    throw new ScenarioError('--seed', `must be an integer from 0 to 2^53 − 1 (${MAX_SEED}), got ${preview(text)}`);
  return seed;
}

/** `--workers N`: 1 … maxWorkers(), or `fallback` when not given. */
/** Units at once over a queue: worker threads on every machine together. */
export const MAX_QUEUED = 4096;

export function parseWorkers(text: string | undefined, fallback: number, queued = false): number {
  if (text === undefined) return fallback;
  const workers = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  const max = queued ? MAX_QUEUED : maxWorkers();
  if (!(workers >= 1)) throw new ScenarioError('--workers', `must be a positive integer, got ${preview(text)}`);
  if (workers > max)
    throw new ScenarioError(
      '--workers',
      queued
        ? `at most ${max} with --queue, got ${workers}`
        : `at most ${max} (4 per core, at most 256), got ${workers}`,
    );
  return workers;
}

/** Splits `v1,v2,…` at the commas outside brackets, braces and quotes (so `[1,2],[4,8]` is two values). */
export function splitList(text: string): string[] {
  const items: string[] = [];
  let depth = 0,
    quoted = false,
    start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      items.push(text.slice(start, i));
      start = i + 1;
    }
  }
  items.push(text.slice(start));
  return items;
}

/**
 * The default output folder's name for a scenario file: its base name without `.json`, reduced to letters, digits,
 * `-`, `_`, `+` and inner dots, never `.`/`..` or hidden, so `nesslab-out/<name>` always stays inside nesslab-out/.
 */
export function outputName(file: string): string {
  const base = file.replace(/^.*[\\/]/, '').replace(/\.json$/i, '');
  const clean = base
    .replace(/[^\w.+-]/g, '_')
    .replace(/^[.\s]+|[.\s]+$/g, '')
    .slice(0, 100);
  return clean === '' ? 'scenario' : clean;
}
