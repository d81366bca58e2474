/** A plugin reference in a simulation: its registered name and parameters. */
export interface PluginRef {
  name: string;
  params?: Record<string, unknown>;
}

/** Where chains start. */
export type InitSpec =
  | { kind: 'minimum' } // θ₀, found by Newton from `from` (default: the landscape's own start)
  | { kind: 'point'; theta: number[] }
  | { kind: 'random' } // the landscape's randomInit, per chain from its own stream
  | { kind: 'gaussian'; covariance: number[][]; mean?: number[] }; // θ ~ N(mean (default θ₀), covariance), per chain from its own stream

/** One simulation, as plain JSON: what `nesslab run file.json` reads. */
export interface SimulationSpec {
  seed: number;
  landscape: PluginRef;
  sampler: PluginRef;
  optimizer: PluginRef;
  observers: PluginRef[];
  chains: number;
  steps: number;
  blockSize?: number;
  init?: InitSpec;
  /** Plugin packages or files to load, each default-exporting a ContainerModule (package names, "./file.js"). */
  plugins?: string[];
  /** Worker threads (default: as many as cores, at most chains). Results do not depend on it. */
  workers?: number;
}

/**
 * One simulation as a script or a scenario file may write it: what `resolveSpec` checks at run time, typed. Left-out
 * fields take their defaults (seed 1, no observers, init `{ kind: 'minimum' }`, block size and workers chosen per
 * run); a plugin may be named by its name alone, and its params are checked against its PluginInfo at run time.
 */
export interface SimulationSpecInput {
  seed?: number;
  landscape: PluginRef | string;
  sampler: PluginRef | string;
  optimizer: PluginRef | string;
  observers?: readonly (PluginRef | string)[];
  chains: number;
  steps: number;
  blockSize?: number;
  /** One of InitSpec's kinds; a `kind` widened to string (a spec built by a function) is checked at run time. */
  init?:
    | InitSpec
    | {
        kind: string;
        theta?: readonly number[];
        mean?: readonly number[];
        covariance?: readonly (readonly number[])[];
      };
  /** Worker threads (default: as many as cores, at most chains). Results do not depend on it. */
  workers?: number;
  /** Plugin packages or files to load, each default-exporting a ContainerModule (resolved to file URLs by the caller). */
  plugins?: readonly string[];
  name?: string;
  description?: string;
}
