import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Container, type ContainerModule } from 'inversify';
import { ScenarioError } from '../errors.ts';
import { listPlugins, listScenarios } from '../container.ts';
import { API_VERSION } from '../define-plugin.ts';

/**
 * A scenario's `plugins` entries as absolute file URLs: "./local-plugin.js" relative to `baseDir` (the
 * scenario file's folder), package names resolved from there the way Node resolves them (node_modules, the
 * package's `exports`). Each must default-export a ContainerModule.
 */
export function resolvePluginSpecifiers(specs: unknown, baseDir: string, field = 'scenario.plugins'): string[] {
  if (specs === undefined) return [];
  if (!Array.isArray(specs) || !specs.every((s) => typeof s === 'string' && s.length > 0)) {
    throw new ScenarioError(
      field,
      'must be an array of package names or paths ("@someone/nesslab-observer-foo", "./local-plugin.js")',
    );
  }
  const require = createRequire(join(resolve(baseDir), 'noop.js'));
  return specs.map((spec, i) => {
    if (spec.startsWith('file:')) return spec;
    const local = spec.startsWith('.') || isAbsolute(spec);
    let entry: string;
    try {
      entry = require.resolve(local ? resolve(baseDir, spec) : spec);
    } catch {
      throw new ScenarioError(
        `${field}[${i}]`,
        local
          ? `no file "${spec}" (relative to ${resolve(baseDir)})`
          : `cannot find the package "${spec}" from ${resolve(baseDir)} (is it installed?)`,
      );
    }
    return pathToFileURL(local ? entry : declaredModule(spec, entry, `${field}[${i}]`)).href;
  });
}

/**
 * A package's nesslab module: `package.json#nesslab.module` when the package declares one (its ContainerModule, e.g.
 * "./dist/module.js"), else the package's main entry as Node resolved it.
 */
function declaredModule(spec: string, entry: string, field: string): string {
  const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
  if (name !== spec) return entry; // a subpath names its file itself
  for (let dir = dirname(entry); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      let pkg: { name?: unknown; nesslab?: { module?: unknown } };
      try {
        pkg = JSON.parse(readFileSync(manifest, 'utf8'));
      } catch {
        return entry;
      }
      if (pkg.name !== name) {
        if (dirname(dir) === dir) return entry;
        continue;
      }
      const module = pkg.nesslab?.module;
      if (module === undefined) return entry;
      const file = typeof module === 'string' ? resolve(dir, module) : '';
      if (!file || !existsSync(file))
        throw new ScenarioError(
          field,
          `${name}'s package.json names nesslab.module ${JSON.stringify(module)}, which is not a file of the package`,
        );
      return file;
    }
    if (dirname(dir) === dir) return entry;
  }
}

/** Imports each plugin and checks it default-exports a ContainerModule (an object with `id` and `load`). */
export async function importPluginModules(
  urls: readonly string[],
  field = 'scenario.plugins',
): Promise<ContainerModule[]> {
  const modules: ContainerModule[] = [];
  for (const [i, url] of urls.entries()) {
    let loaded: { default?: unknown };
    try {
      loaded = await import(url);
    } catch (e) {
      throw new ScenarioError(`${field}[${i}]`, `cannot load ${url}: ${(e as Error).message}`);
    }
    const m = loaded.default as ContainerModule | undefined;
    if (!m || typeof m !== 'object' || typeof (m as { load?: unknown }).load !== 'function' || !('id' in m)) {
      throw new ScenarioError(
        `${field}[${i}]`,
        `${url} does not default-export a ContainerModule (export default new ContainerModule(…) from '@nesslab/kernel/inversify')`,
      );
    }
    modules.push(m);
  }
  return modules;
}

/** A container of the built-in modules plus the plugins', each plugin loaded on its own so that a clash names it. */
export function assembleWithPlugins(
  builtins: readonly ContainerModule[],
  plugins: readonly ContainerModule[],
  field = 'scenario.plugins',
): Container {
  const container = new Container({ defaultScope: 'Transient' });
  container.load(...builtins);
  const scenarioNames = () => listScenarios(container).map((s) => s.name);
  const major = API_VERSION.split('.')[0];
  plugins.forEach((m, i) => {
    const before = scenarioNames(),
      known = new Set(listPlugins(container));
    try {
      container.load(m);
    } catch (e) {
      throw new ScenarioError(`${field}[${i}]`, (e as Error).message);
    }
    const clash = scenarioNames()
      .slice(before.length)
      .find((name, k, added) => before.includes(name) || added.indexOf(name) !== k);
    if (clash !== undefined)
      throw new ScenarioError(`${field}[${i}]`, `scenario name clash: a scenario named "${clash}" is already bound`);
    // A plugin written against another major version of the plugin API (contracts, Frame layout) is refused by name.
    const stale = listPlugins(container).find(
      (p) => !known.has(p) && p.apiVersion !== undefined && p.apiVersion.split('.')[0] !== major,
    );
    if (stale)
      throw new ScenarioError(
        `${field}[${i}]`,
        `the ${stale.kind} "${stale.name}" was written for the plugin API ${stale.apiVersion}; this nesslab speaks ${API_VERSION} (major versions must match)`,
      );
  });
  return container;
}

export const scenarioDir = (file: string): string => dirname(resolve(file));
