/** Options of `nx g @nesslab/tools:observer` (mirrors schema.json). */
export interface ObserverGeneratorSchema {
  /** The observer's plugin name, kebab-case (e.g. `max-abs-theta`). */
  name: string;
  /** Target folder relative to the workspace root; default `plugins/<name>`. */
  directory?: string;
  /** npm package name; default `nesslab-observer-<name>`. */
  packageName?: string;
}
