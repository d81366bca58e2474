/** Options of `nx g @nesslab/tools:scenario` (mirrors schema.json). */
export interface ScenarioGeneratorSchema {
  /** The scenario's name, kebab-case (e.g. `wr-trace`). */
  name: string;
  /** Target folder relative to the workspace root; default `plugins/<name>`. */
  directory?: string;
  /** npm package name; default `nesslab-scenario-<name>`. */
  packageName?: string;
}
