import { ScenarioError, type RunContext, preview } from '@nesslab/kernel';

type Params = Readonly<Record<string, unknown>>;

/** An integer parameter ≥ minimum, `fallback` when absent. */
export function integerParam(observer: string, params: Params, key: string, fallback: number, minimum: number): number {
  const v = params[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < minimum) {
    throw new ScenarioError(`${observer}.params.${key}`, `must be an integer ≥ ${minimum}, got ${preview(v)}`);
  }
  return v;
}

export function booleanParam(observer: string, params: Params, key: string, fallback: boolean): boolean {
  const v = params[key] ?? fallback;
  if (typeof v !== 'boolean') throw new ScenarioError(`${observer}.params.${key}`, `must be true or false, got ${preview(v)}`);
  return v;
}

export function enumParam<T extends string>(observer: string, params: Params, key: string, fallback: T, allowed: readonly T[]): T {
  const v = params[key] ?? fallback;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ScenarioError(`${observer}.params.${key}`, `must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${preview(v)}`);
  }
  return v as T;
}

/** θ₀ copied from the run when an observer measures at: 'reference' (null for 'final'); errors name `<name>.params.at`. */
export function referencePoint(name: string, at: 'final' | 'reference', run: RunContext): Float64Array | null {
  if (at !== 'reference') return null;
  if (!run.reference) throw new ScenarioError(`${name}.params.at`, "is 'reference' but the run has no reference point θ₀ (run.reference)");
  if (run.reference.length !== run.dim) throw new ScenarioError(`${name}.params.at`, `run.reference has ${run.reference.length} components, the run has dim ${run.dim}`);
  return Float64Array.from(run.reference);
}
