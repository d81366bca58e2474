import { ScenarioError } from '@nesslab/kernel';
import type { StepSchedule } from './compose.ts';

/**
 * The step-size schedule's params, for any Langevin optimizer's info (`params: { eta, ...scheduleParams }`); the
 * recipe passes `stepSchedule(params)` as its composition's `schedule`.
 */
export const scheduleParams = {
  schedule: {
    type: 'string',
    description:
      "step-size schedule: 'constant', or 'cyclical' (Zhang et al. 2020, Eq. 1): the step is η_k = η/2 " +
      '[cos(π mod(k−1, ⌈K/M⌉)/⌈K/M⌉) + 1] and the noise follows it as √(2η_k) (each step a Langevin step at η_k)',
    enum: ['constant', 'cyclical'],
    default: 'constant',
  },
  cycles: { type: 'integer', description: 'M, the cycles of the cyclical schedule', default: 4, minimum: 1 },
  totalSteps: {
    type: 'integer',
    description: "K, the run's steps, over which the cyclical schedule makes M cycles (required with 'cyclical')",
    default: 0,
    minimum: 0,
  },
} as const;

/**
 * Cyclical SG-MCMC's step size (Zhang, Li, Zhang, Chen & Wilson 2020, ICLR, Eq. 1), as a factor of η:
 *   η_k/η = ½[cos(π mod(k − 1, L)/L) + 1],  L = ⌈K/M⌉,
 * k = 1, 2, … the step (k − 1 = chain.step, the steps before it). It is 1 at each cycle's first step and falls to
 * ½[1 + cos(π(L − 1)/L)] > 0 at its last. Every step is then an exact Langevin step at η_k: the drift takes η_k and the
 * noise √(2η_k) (the parts multiply σ by √(η_k/η)). The paper's exploration stage (no noise for the first fraction
 * β of each cycle) is not modelled.
 */
export function cyclicalSchedule(cycles: number, totalSteps: number): StepSchedule {
  if (!(Number.isInteger(cycles) && cycles >= 1))
    throw new ScenarioError('scenario.optimizer.params.cycles', `must be an integer ≥ 1, got ${cycles}`);
  if (!(Number.isInteger(totalSteps) && totalSteps >= 1))
    throw new ScenarioError(
      'scenario.optimizer.params.totalSteps',
      `the cyclical schedule needs K, the run's steps (an integer ≥ 1), got ${totalSteps}`,
    );
  const L = Math.ceil(totalSteps / cycles),
    w = Math.PI / L;
  return (stepsBefore) => 0.5 * (Math.cos(w * (stepsBefore % L)) + 1);
}

/** The schedule the params name: undefined for 'constant' (every part then runs at η exactly), else cyclical. */
export function stepSchedule(params: {
  readonly schedule?: string;
  readonly cycles?: number;
  readonly totalSteps?: number;
}): StepSchedule | undefined {
  return params.schedule === 'cyclical' ? cyclicalSchedule(params.cycles ?? 0, params.totalSteps ?? 0) : undefined;
}
