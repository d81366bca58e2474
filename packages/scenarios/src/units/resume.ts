// What makes two runs the same run, for `--resume`: the scenario (or spec), preset, seed, parameters, and the versions
// of nesslab and of the plugins. Timings and the number of workers are not part of it: they do not change the bits.
import type { PackagedRun, SpecRun } from '../run.ts';
import { identityOf, type RunIdentity } from './store.ts';
import type { RunVersions } from './key.ts';

export function runIdentity(run: PackagedRun | SpecRun, versions: RunVersions): RunIdentity {
  return identityOf(
    run.kind === 'packaged'
      ? { scenario: run.scenario.name, preset: run.preset, seed: run.seed, params: run.params, versions }
      : { spec: run.spec, versions },
  );
}
