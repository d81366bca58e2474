/** Bad input: names the offending field (`scenario.optimizer.params.eta`). CLI exit code 2. */
export class ScenarioError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'ScenarioError';
  }
}

/**
 * A chain left the finite numbers. CLI exit code 3. `simulation` names the sub-simulation of a packaged scenario
 * (`WOR training curves: chain 3 diverged at step 72: θ[0] = NaN`).
 */
export class DivergenceError extends Error {
  constructor(
    readonly chain: number,
    readonly step: number,
    readonly detail = 'θ is not finite',
    readonly simulation?: string,
  ) {
    super(`${simulation ? `${simulation}: ` : ''}chain ${chain} diverged at step ${step}: ${detail}`);
    this.name = 'DivergenceError';
  }

  /** The same divergence, named as part of the sub-simulation `label` (outermost label first). */
  within(label: string): DivergenceError {
    return new DivergenceError(
      this.chain,
      this.step,
      this.detail,
      this.simulation ? `${label} › ${this.simulation}` : label,
    );
  }

  /** Earliest step first, ties to the lowest chain: the report does not depend on how the chains were split. */
  static earliest(errors: readonly DivergenceError[]): DivergenceError | undefined {
    let best: DivergenceError | undefined;
    for (const e of errors) if (!best || e.step < best.step || (e.step === best.step && e.chain < best.chain)) best = e;
    return best;
  }
}

/**
 * A value as it may appear inside a one-line message: JSON-like, at most `max` characters (long strings and arrays
 * elided in the middle), safe for any depth of nesting and any size (never stringifies more than it shows).
 */
export function preview(value: unknown, max = 60): string {
  const out = previewInto(value, max + 1, 0);
  return out.length > max ? `${out.slice(0, max - 1)}…` : out;
}

function previewInto(value: unknown, budget: number, depth: number): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'undefined') return String(value);
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') {
    if (value.length <= budget) return JSON.stringify(value);
    return `${JSON.stringify(value.slice(0, Math.max(8, budget - 16)))}…(${value.length} chars)`;
  }
  if (typeof value !== 'object') return typeof value;
  if (depth > 4) return Array.isArray(value) ? '[…]' : '{…}';
  const parts: string[] = [];
  let used = 2;
  const entries: [string | undefined, unknown][] = Array.isArray(value)
    ? value.slice(0, 16).map((v) => [undefined, v])
    : Object.keys(value)
        .slice(0, 16)
        .map((k) => [k, (value as Record<string, unknown>)[k]]);
  const total = Array.isArray(value) ? value.length : Object.keys(value).length;
  for (const [k, v] of entries) {
    if (used >= budget) break;
    const item = `${k === undefined ? '' : `${JSON.stringify(k.length > 24 ? `${k.slice(0, 23)}…` : k)}:`}${previewInto(v, budget - used, depth + 1)}`;
    parts.push(item);
    used += item.length + 1;
  }
  if (parts.length < total) parts.push(`…${total - parts.length} more`);
  return Array.isArray(value) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
}

/**
 * One line for the terminal: newlines and tabs folded into spaces, at most `max` characters (elided in the
 * middle, so that both the field at the start and the reason at the end stay readable).
 */
export function oneLine(text: string, max = 300): string {
  const flat = (text.length > 4 * max ? `${text.slice(0, 2 * max)} … ${text.slice(-2 * max)}` : text)
    .replace(/[\r\n\t\v\f\u2028\u2029]+/g, ' ')
    .replace(/ {2,}/g, ' ')
    .trim();
  if (flat.length <= max) return flat;
  const head = Math.ceil((max - 3) * 0.6),
    tail = max - 3 - head;
  return `${flat.slice(0, head)} … ${flat.slice(flat.length - tail)}`;
}

/** A key as it appears in a field path: as is when short, else its first characters (`aaaa…(10485760 chars)`). */
export function keyName(key: string, max = 40): string {
  return key.length <= max ? key : `${key.slice(0, max - 12)}…(${key.length} chars)`;
}

/**
 * ` (did you mean "eta"?)` when one of `known` is a plausible misspelling of `name` (edit distance, adjacent swaps
 * counted once, at most a third of the name's length, at least 1), else ''. For the one-line "unknown …" messages.
 */
export function didYouMean(name: unknown, known: readonly string[]): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) return '';
  const limit = Math.max(1, Math.floor(name.length / 3));
  let best: string | undefined,
    bestDistance = limit + 1;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase(), limit);
    if (d < bestDistance) ((best = k), (bestDistance = d));
  }
  return best === undefined || best === name ? '' : ` (did you mean ${JSON.stringify(best)}?)`;
}

/** Optimal-string-alignment distance of a and b, or limit + 1 once it is surely above `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [],
    prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      row.push(d);
      rowMin = Math.min(rowMin, d);
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = row;
  }
  return prev[b.length]!;
}
