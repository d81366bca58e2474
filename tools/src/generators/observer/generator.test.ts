// Runs with plain `npx vitest run` from tools/ (no vitest config needed): the generator on an empty Nx tree.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { readJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import observerGenerator from './generator.cjs';

const filesUnder = (tree: Tree, dir: string): string[] =>
  tree
    .children(dir)
    .flatMap((child) => (tree.isFile(`${dir}/${child}`) ? [`${dir}/${child}`] : filesUnder(tree, `${dir}/${child}`)))
    .sort();

/** The kernel's API_VERSION, from its source: the generator's fallback (an empty workspace) must say the same. */
const kernelApiVersion = /API_VERSION = '([^']+)'/.exec(
  readFileSync(new URL('../../../../packages/kernel/src/define-plugin.ts', import.meta.url), 'utf8'),
)![1];

describe('nx g @nesslab/tools:observer', () => {
  it('scaffolds the package into --directory with every name substituted', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await observerGenerator(tree, { name: 'max-abs-theta', directory: 'tmp/x' });

    expect(filesUnder(tree, 'tmp/x')).toEqual([
      'tmp/x/README.md',
      'tmp/x/package.json',
      'tmp/x/src/index.ts',
      'tmp/x/src/max-abs-theta.observer.test.ts',
      'tmp/x/src/max-abs-theta.observer.ts',
      'tmp/x/src/module.ts',
      'tmp/x/tsconfig.json',
      'tmp/x/vitest.config.ts',
      'tmp/x/vitest.setup.ts',
    ]);
    for (const file of filesUnder(tree, 'tmp/x')) {
      const text = tree.read(file, 'utf-8')!;
      expect(text, file).not.toMatch(/<%|%>|__name__/);
    }

    const pkg = readJson(tree, 'tmp/x/package.json');
    expect(pkg).toMatchObject({
      name: 'nesslab-observer-max-abs-theta',
      version: '0.1.0',
      type: 'module',
      exports: { '.': { '@nesslab/source': './src/index.ts', default: './dist/index.js' } },
      nesslab: { module: './dist/index.js', apiVersion: kernelApiVersion }, // the fallback keeps up with the kernel
      scripts: { test: 'vitest run' },
      peerDependencies: { '@nesslab/kernel': expect.any(String) },
      devDependencies: { esbuild: expect.any(String), vitest: expect.any(String) },
    });
    expect(tree.read('tmp/x/package.json', 'utf-8')).not.toContain('undefined');
    expect(pkg.scripts.build).toContain('esbuild src/index.ts --bundle');

    const observer = tree.read('tmp/x/src/max-abs-theta.observer.ts', 'utf-8')!;
    expect(observer).toContain("name: 'max-abs-theta'");
    expect(observer).toContain(
      'export class MaxAbsThetaObserver implements Observer<MaxAbsThetaPartial, MaxAbsThetaResult>',
    );
    expect(observer).toContain('export const maxAbsThetaInfo = definePlugin({');
    expect(observer).not.toMatch(/from 'rxjs'|from 'inversify'/);
    expect(tree.read('tmp/x/src/module.ts', 'utf-8')).toContain(
      'bindPlugin(options, MaxAbsThetaObserver, maxAbsThetaInfo);',
    );
    expect(tree.read('tmp/x/src/index.ts', 'utf-8')).toContain("export { default } from './module.ts';");
    const readme = tree.read('tmp/x/README.md', 'utf-8')!;
    expect(readme).toContain('"plugins": ["nesslab-observer-max-abs-theta"]');
    expect(readme).toContain('"observers": [{ "name": "max-abs-theta"');
  });

  it('defaults the directory to plugins/<name> and honours --packageName', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await observerGenerator(tree, { name: 'entropy-production', packageName: '@someone/nesslab-entropy' });
    expect(readJson(tree, 'plugins/entropy-production/package.json').name).toBe('@someone/nesslab-entropy');
    expect(tree.exists('plugins/entropy-production/src/entropy-production.observer.ts')).toBe(true);
    expect(tree.read('plugins/entropy-production/src/module.ts', 'utf-8')).toContain(
      'EntropyProductionObserver, entropyProductionInfo',
    );
  });

  it('normalises the name to kebab-case and rejects what cannot be one', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await observerGenerator(tree, { name: 'MaxAbsTheta' });
    expect(tree.exists('plugins/max-abs-theta/src/max-abs-theta.observer.ts')).toBe(true);
    await expect(observerGenerator(createTreeWithEmptyWorkspace(), { name: 'bad/name' })).rejects.toThrow(/kebab-case/);
    await expect(
      observerGenerator(createTreeWithEmptyWorkspace(), { name: 'x', directory: '../outside' }),
    ).rejects.toThrow(/inside the workspace/);
  });

  it('refuses to overwrite an existing package', async () => {
    const tree = createTreeWithEmptyWorkspace();
    await observerGenerator(tree, { name: 'max-abs-theta', directory: 'tmp/x' });
    await expect(observerGenerator(tree, { name: 'max-abs-theta', directory: 'tmp/x' })).rejects.toThrow(
      /already exists/,
    );
  });
});
