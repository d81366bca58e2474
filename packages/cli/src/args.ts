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
