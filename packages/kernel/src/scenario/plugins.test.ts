import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ContainerModule } from 'inversify';
import { assembleWithPlugins, importPluginModules, resolvePluginSpecifiers } from './plugins.ts';
import { bindPlugin } from '../plugin.ts';
import { API_VERSION } from '../define-plugin.ts';
import { TrajectoryObserver } from '../testing/toy.ts';

describe('plugin loading', () => {
  it("loads a package's declared nesslab.module, not its main entry", async () => {
    // Inside the repository (ignored tmp/), so that the module's own imports resolve from node_modules.
    const root = fileURLToPath(new URL('../../../../tmp/', import.meta.url));
    mkdirSync(root, { recursive: true });
    const dir = mkdtempSync(join(root, 'kernel-plugins-')),
      pkg = join(dir, 'node_modules', 'nesslab-fake-plugin');
    mkdirSync(pkg, { recursive: true });
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: 'nesslab-fake-plugin',
        version: '1.0.0',
        type: 'module',
        main: 'index.js',
        nesslab: { module: './module.js' },
      }),
    );
    writeFileSync(join(pkg, 'index.js'), 'export default 42;\n');
    writeFileSync(
      join(pkg, 'module.js'),
      "import { ContainerModule } from 'inversify';\nexport default new ContainerModule(() => {});\n",
    );
    const [url] = resolvePluginSpecifiers(['nesslab-fake-plugin'], dir);
    expect(url).toBe(pathToFileURL(join(pkg, 'module.js')).href);
    expect(await importPluginModules([url!])).toHaveLength(1);
    writeFileSync(
      join(pkg, 'package.json'),
      JSON.stringify({
        name: 'nesslab-fake-plugin',
        type: 'module',
        main: 'index.js',
        nesslab: { module: './gone.js' },
      }),
    );
    expect(() => resolvePluginSpecifiers(['nesslab-fake-plugin'], dir)).toThrow(
      'scenario.plugins[0]: nesslab-fake-plugin\'s package.json names nesslab.module "./gone.js", which is not a file of the package',
    );
    rmSync(dir, { recursive: true });
  });

  it('refuses a plugin written for another major version of the plugin API, naming it', () => {
    const module = (apiVersion: string) =>
      new ContainerModule((o) =>
        bindPlugin(o, TrajectoryObserver, {
          kind: 'observer',
          name: 'old-observer',
          description: '',
          params: {},
          precision: 'float64',
          apiVersion,
        }),
      );
    const next = `${Number(API_VERSION.split('.')[0]) + 1}.0.0`;
    expect(() => assembleWithPlugins([], [module(next)])).toThrow(
      `scenario.plugins[0]: the observer "old-observer" was written for the plugin API ${next}; this nesslab speaks ${API_VERSION}`,
    );
    expect(() => assembleWithPlugins([], [module(API_VERSION.replace(/\.\d+\.\d+$/, '.9.9'))])).not.toThrow(); // minor and patch may differ
  });
});
