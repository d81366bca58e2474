import type { ScenarioDefinition } from '@nesslab/kernel';

export type { Preset } from '@nesslab/kernel';

/** A packaged scenario, as `defineScenario` returns it (its params, plan and analysis typed per scenario). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyScenario = ScenarioDefinition<any, any, any>;
