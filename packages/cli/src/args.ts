import { ScenarioError } from '@nesslab/kernel';

/** `--set key=value`: the value as JSON when it parses (numbers, booleans, arrays), else as a string. */
export function parseSets(sets: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new ScenarioError('--set', `expected key=value, got "${s}"`);
    const key = s.slice(0, eq), text = s.slice(eq + 1);
    let value: unknown = text;
    try { value = JSON.parse(text); } catch { /* a plain string */ }
    out[key] = value;
  }
  return out;
}

/** `--seed N`: a non-negative integer, or undefined when not given. */
export function parseSeed(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const seed = Number(text);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new ScenarioError('--seed', `must be a non-negative integer, got "${text}"`);
  return seed;
}

/** `--workers N`: a positive integer, or `fallback` when not given. */
export function parseWorkers(text: string | undefined, fallback: number): number {
  const workers = text === undefined ? fallback : Number(text);
  if (!Number.isSafeInteger(workers) || workers < 1) throw new ScenarioError('--workers', `must be a positive integer, got "${text}"`);
  return workers;
}

/** Splits `v1,v2,…` at the commas outside brackets, braces and quotes (so `[1,2],[4,8]` is two values). */
export function splitList(text: string): string[] {
  const items: string[] = [];
  let depth = 0, quoted = false, start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) { if (c === '\\') i++; else if (c === '"') quoted = false; continue; }
    if (c === '"') quoted = true;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) { items.push(text.slice(start, i)); start = i + 1; }
  }
  items.push(text.slice(start));
  return items;
}
