import { Container, type ContainerModule } from 'inversify';
import { PluginInfo, type PluginKind } from './contracts/plugin-info.ts';
import { Landscape } from './contracts/landscape.ts';
import { Sampler } from './contracts/sampler.ts';
import { Optimizer } from './contracts/optimizer.ts';
import { Observer } from './contracts/observer.ts';
import { ScenarioDefinition } from './contracts/scenario-definition.ts';
import { ScenarioError, didYouMean, preview } from './errors.ts';

const tokens = { landscape: Landscape, sampler: Sampler, optimizer: Optimizer, observer: Observer } as const;
type Resolved = { landscape: Landscape; sampler: Sampler; optimizer: Optimizer; observer: Observer };

/** One container holding the plugins of the given packages' modules (Inversify 8: `load` is synchronous). */
export function assemble(...modules: ContainerModule[]): Container {
  const container = new Container({ defaultScope: 'Transient' });
  container.load(...modules);
  return container;
}

/** Every plugin's metadata (bound unnamed, so `getAll` sees them all), sorted by kind then name. */
export function listPlugins(container: Container, kind?: PluginKind): PluginInfo[] {
  const all = container.isBound(PluginInfo) ? container.getAll<PluginInfo>(PluginInfo) : [];
  return all
    .filter((p) => !kind || p.kind === kind)
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

export function pluginInfo(container: Container, kind: PluginKind, name: string, field: string): PluginInfo {
  const info = listPlugins(container, kind).find((p) => p.name === name);
  if (!info || !container.isBound(tokens[kind], { name })) {
    const names = listPlugins(container, kind).map((p) => p.name);
    throw new ScenarioError(
      field,
      `unknown ${kind} ${preview(name, 60)}${didYouMean(name, names)}; known: ${names.join(', ') || '(none)'}`,
    );
  }
  return info;
}

/** A fresh instance of the plugin `name` of `kind`; an unknown name throws one message listing the known names. */
export function resolvePlugin<K extends PluginKind>(
  container: Container,
  kind: K,
  name: string,
  field: string,
): Resolved[K] {
  pluginInfo(container, kind, name, field);
  return container.get<Resolved[K]>(tokens[kind], { name });
}

/** Every packaged scenario bound in the container (scenario packages bind theirs with `bindScenario`), in binding order. */
export function listScenarios(container: Container): ScenarioDefinition[] {
  return container.isBound(ScenarioDefinition) ? container.getAll<ScenarioDefinition>(ScenarioDefinition) : [];
}

/** The packaged scenario `name` (own names only); an unknown name throws one message listing the known ones. */
export function scenarioDefinition(container: Container, name: string, field: string): ScenarioDefinition {
  const found = listScenarios(container).find((s) => s.name === name);
  if (!found) {
    const names = listScenarios(container).map((s) => s.name);
    throw new ScenarioError(
      field,
      `unknown scenario ${preview(name, 60)}${didYouMean(name, names)}; known: ${names.join(', ') || '(none)'} (or a path to a .json file)`,
    );
  }
  return found;
}
