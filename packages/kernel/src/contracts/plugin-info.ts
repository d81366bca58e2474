/** One parameter of a plugin, documented for `nesslab describe` and checked by `validate`. */
export interface ParamSpec {
  type: 'number' | 'integer' | 'string' | 'boolean' | 'array';
  description: string;
  default?: unknown;
  minimum?: number;
  /** Exclusive lower bound. */
  exclusiveMinimum?: number;
  maximum?: number;
  enum?: readonly unknown[];
}

export type PluginKind = 'landscape' | 'sampler' | 'optimizer' | 'observer';

/** Metadata every plugin binds (unnamed) next to its class, under the `PluginInfo` token. */
export const PluginInfo = Symbol.for('nesslab.PluginInfo');
export interface PluginInfo {
  kind: PluginKind;
  name: string;
  description: string;
  /** Equations implemented, in the papers' numbering (e.g. '004 Eq. 12'). */
  source?: string;
  params: Readonly<Record<string, ParamSpec>>;
  /** 'float64' everywhere unless the plugin computes in float32 (tfjs) and says where. */
  precision: 'float64' | string;
  /**
   * What an observer reads: from each frame ('theta', 'previous', 'scalars:<name>') and 'reference' (the run's θ₀, in
   * RunContext). Shown by `describe`; a run finds θ₀ by Newton only if an observer reads 'reference' (or declares no
   * `reads` at all) or the start needs it.
   */
  reads?: readonly string[];
  /**
   * For an observer that lists 'reference' in `reads` but needs θ₀ only in some configurations: called with its resolved
   * params (defaults filled in), false when this configuration does not read θ₀, so the run skips Newton (e.g.
   * diffusion-spectrum at: 'final'). Absent: `reads` alone decides.
   */
  readsReferenceWhen?: (params: Readonly<Record<string, unknown>>) => boolean;
  /** The plugin API version the plugin was written against (API_VERSION when declared with `definePlugin`). */
  apiVersion?: string;
}
