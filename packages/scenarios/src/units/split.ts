// How many units (chain groups) each simulation of a run is split into. Any split gives the same bits; this one keeps
// a kill's loss small and the units long enough that starting one costs little:
//  - about 16 units over the whole run, each simulation getting its share of them by cost, so a kill loses at most
//    about 1/16 of the work;
//  - no unit shorter than about a second (by the cost model below), so planning a unit (landscape, plugins) stays a
//    small part of it;
//  - a multiple of the workers where the chains allow (simulations run one after another, so a last round of fewer
//    units than workers would leave cores idle), and at least as many units as workers;
//  - never more units than chains: a run of one or two very long chains is not split (one unit per chain).

/** What the split needs to know of a simulation. */
export interface SplitInput {
  chains: number;
  steps: number;
  dim: number;
  /** Samples per step (the minibatch; 1 for full-batch landscapes of a few points). */
  batchSize: number;
}

/**
 * Cost of a simulation in units of about one second of one core: chains × steps × dim × max(1, m), over the rate of
 * the benchmark's chain (7 parameters, m = 10: 1.9e6 steps/s ≈ 1.3e8 parameter-samples per second, `npm run bench`).
 */
export const PARAMETER_SAMPLES_PER_SECOND = 1.3e8;
export const secondsOf = (s: SplitInput): number =>
  (s.chains * s.steps * s.dim * Math.max(1, s.batchSize)) / PARAMETER_SAMPLES_PER_SECOND;

/** Target: a kill loses at most 1/TARGET_UNITS of the run. */
export const TARGET_UNITS = 16;
/** No unit below about this many seconds. */
export const MIN_UNIT_SECONDS = 1;

export function unitCounts(simulations: readonly SplitInput[], workers: number): number[] {
  const seconds = simulations.map(secondsOf),
    total = seconds.reduce((a, b) => a + b, 0);
  return simulations.map((s, i) => {
    const share = total > 0 ? Math.ceil((TARGET_UNITS * seconds[i]!) / total) : 1,
      longEnough = Math.max(1, Math.floor(seconds[i]! / MIN_UNIT_SECONDS));
    const units = Math.max(Math.min(share, longEnough), workers);
    return Math.max(1, Math.min(s.chains, Math.ceil(units / workers) * workers));
  });
}
