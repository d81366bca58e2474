import { ScenarioError, type RunContext } from '@nesslab/kernel';

/** θ₀ copied from the run when an observer measures at: 'reference' (null for 'final'); errors name `<name>.params.at`. */
export function referencePoint(name: string, at: 'final' | 'reference', run: RunContext): Float64Array | null {
  if (at !== 'reference') return null;
  if (!run.reference)
    throw new ScenarioError(
      `${name}.params.at`,
      "is 'reference' but the run has no reference point θ₀ (run.reference)",
    );
  if (run.reference.length !== run.dim)
    throw new ScenarioError(
      `${name}.params.at`,
      `run.reference has ${run.reference.length} components, the run has dim ${run.dim}`,
    );
  return Float64Array.from(run.reference);
}
