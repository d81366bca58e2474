/** A plugin reference in a simulation: its registered name and parameters. */
export interface PluginRef {
  name: string;
  params?: Record<string, unknown>;
}

/** Where chains start. */
export type InitSpec =
  | { kind: 'minimum' }                       // θ₀, found by Newton from `from` (default: the landscape's own start)
  | { kind: 'point'; theta: number[] }
  | { kind: 'random' }                        // the landscape's randomInit, per chain from its own stream
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
