// Runs with plain `npx vitest run` from tools/ (no vitest config needed): the generator on an empty Nx tree.
import { describe, expect, it } from 'vitest';
import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import scenarioGenerator from './generator.cjs';

const filesUnder = (tree: Tree, dir: string): string[] =>
  tree
    .children(dir)
    .flatMap((child) => (tree.isFile(`${dir}/${child}`) ? [`${dir}/${child}`] : filesUnder(tree, `${dir}/${child}`)))
    .sort();

describe('nx g @nesslab/tools:scenario', () => {
  it('scaffolds the package into --directory with every name substituted', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await scenarioGenerator(tree, { name: 'wr-trace', directory: 'tmp/x' });

    expect(filesUnder(tree, 'tmp/x')).toEqual([
      'tmp/x/README.md',
      'tmp/x/example.json',
      'tmp/x/package.json',
      'tmp/x/src/module.ts',
      'tmp/x/src/wr-trace.scenario.test.ts',
      'tmp/x/src/wr-trace.scenario.ts',
      'tmp/x/tsconfig.json',
      'tmp/x/vitest.config.ts',
      'tmp/x/vitest.setup.ts',
    ]);
    for (const file of filesUnder(tree, 'tmp/x')) {
      const text = tree.read(file, 'utf-8')!;
      expect(text, file).not.toMatch(/<%|%>|__name__|undefined/);
    }

    const pkg = readJson(tree, 'tmp/x/package.json');
    expect(pkg).toMatchObject({
      name: 'nesslab-scenario-wr-trace',
      version: '0.1.0',
      type: 'module',
      main: './dist/module.js',
      exports: { '.': { '@nesslab/source': './src/module.ts', default: './dist/module.js' } },
      nesslab: { module: './dist/module.js' },
      scripts: { test: 'vitest run', scenario: 'nesslab run example.json --check --force' },
      dependencies: { '@nesslab/kernel': expect.any(String), '@nesslab/scenarios': expect.any(String) },
      devDependencies: { '@nesslab/cli': expect.any(String), esbuild: expect.any(String), vitest: expect.any(String) },
    });
    expect(pkg.scripts.build).toContain('esbuild src/module.ts --bundle');
    expect(pkg.scripts.build).toContain('--outfile=dist/module.js');
    expect(pkg.scripts.build).toContain('--external:@nesslab/*');
    expect(readJson(tree, 'tmp/x/example.json')).toEqual({
      plugins: ['nesslab-scenario-wr-trace'],
      scenario: 'wr-trace',
      preset: 'quick',
    });

    const scenario = tree.read('tmp/x/src/wr-trace.scenario.ts', 'utf-8')!;
    expect(scenario).toContain("name: 'wr-trace'");
    expect(scenario).toContain('export const wrTraceScenario = defineScenario({');
    expect(scenario).toContain("from '@nesslab/scenarios'");
    expect(scenario).toMatch(/findMinimum.*nessTheory.*from '@nesslab\/kernel'/);
    expect(scenario).toContain("ctx.plugin('landscape'");
    expect(scenario).toContain("name: 'moments'");
    expect(scenario).not.toMatch(/from '(rxjs|inversify)'/);
    const module = tree.read('tmp/x/src/module.ts', 'utf-8')!;
    expect(module).toContain("import { ContainerModule } from '@nesslab/kernel/inversify';");
    expect(module).toContain('bindScenario(options, wrTraceScenario);');
    expect(module).toContain('export default new ContainerModule(');
    const test = tree.read('tmp/x/src/wr-trace.scenario.test.ts', 'utf-8')!;
    expect(test).toContain("scenarioDefinition(container, 'wr-trace', 'scenario')");
    expect(test).toContain("import scenarioModule from './module.ts';");
    const readme = tree.read('tmp/x/README.md', 'utf-8')!;
    expect(readme).toContain('{ "plugins": ["nesslab-scenario-wr-trace"], "scenario": "wr-trace", "preset": "quick" }');
    expect(readme).toContain('`trace-sigma-matches-theory`');
  });

  it('defaults the directory to plugins/<name>, honours --packageName, and converts the name to kebab-case', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await scenarioGenerator(tree, { name: 'LyapunovTrace', packageName: '@someone/nesslab-scenarios-lyap' });
    expect(readJson(tree, 'plugins/lyapunov-trace/package.json').name).toBe('@someone/nesslab-scenarios-lyap');
    expect(readJson(tree, 'plugins/lyapunov-trace/example.json')).toEqual({
      plugins: ['@someone/nesslab-scenarios-lyap'],
      scenario: 'lyapunov-trace',
      preset: 'quick',
    });
    expect(tree.read('plugins/lyapunov-trace/src/lyapunov-trace.scenario.ts', 'utf-8')).toContain(
      'export const lyapunovTraceScenario = defineScenario({',
    );
    expect(tree.read('plugins/lyapunov-trace/src/module.ts', 'utf-8')).toContain(
      'bindScenario(options, lyapunovTraceScenario);',
    );
  });

  it("rejects a name that cannot be kebab-case, a built-in scenario's name, a directory outside the workspace, a bad package name", async () => {
    await expect(scenarioGenerator(createTreeWithEmptyWorkspace(), { name: 'bad/name' })).rejects.toThrow(/kebab-case/);
    const withBuiltin = createTreeWithEmptyWorkspace();
    withBuiltin.write('packages/scenarios/src/regression-ness/regression-ness.ts', '');
    await expect(scenarioGenerator(withBuiltin, { name: 'regression-ness' })).rejects.toThrow(/built-in scenario/);
    await expect(
      scenarioGenerator(createTreeWithEmptyWorkspace(), { name: 'x', directory: '../outside' }),
    ).rejects.toThrow(/inside the workspace/);
    await expect(
      scenarioGenerator(createTreeWithEmptyWorkspace(), { name: 'x', packageName: 'Not A Name' }),
    ).rejects.toThrow(/valid npm package name/);
  });

  it("pins the workspace packages' versions and refuses to overwrite an existing package", async () => {
    const tree = createTreeWithEmptyWorkspace();
    tree.write('packages/kernel/package.json', JSON.stringify({ name: '@nesslab/kernel', version: '2.3.4' }));
    await scenarioGenerator(tree, { name: 'wr-trace', directory: 'tmp/x' });
    expect(readJson(tree, 'tmp/x/package.json').dependencies['@nesslab/kernel']).toBe('^2.3.4');
    await expect(scenarioGenerator(tree, { name: 'wr-trace', directory: 'tmp/x' })).rejects.toThrow(/already exists/);
  });
});
