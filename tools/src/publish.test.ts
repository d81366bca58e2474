import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reproducible } from '@nesslab/scenarios';

// The packages as a stranger gets them: `npm pack` every package (the test script has built dist/ and the
// declarations first), install the tarballs into a fresh folder outside the repository, then
//  - import every package and every subpath it exports, with Node's own resolution;
//  - run regression-ness quick through the programmatic API (@nesslab/scenarios, 2 worker threads from the installed
//    dist/worker.js) and through the installed `nesslab` command, and find the same results (timings aside);
//  - type-check a TypeScript consumer against the installed .d.ts with `moduleResolution: nodenext`, strict, lib
//    check on, no @types/node (so no published declaration may pull in Node's or a dependency's untyped modules).
const root = fileURLToPath(new URL('../../', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const packages = readdirSync(join(root, 'packages')).sort();
// The parent `npm test` exports npm_config_* (workspace, prefix…) that must not leak into the consumer's npm.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

interface Packed {
  name: string;
  filename: string;
  files: { path: string }[];
}
interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  types?: string;
  files?: string[];
  bin?: Record<string, string>;
  exports: Record<string, { types: string; default: string } | string>;
  dependencies?: Record<string, string>;
}

const consumerScript = `
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const subpaths = [];
for (const name of ${JSON.stringify(packages.map((p) => `@nesslab/${p}`))}) {
  const manifest = JSON.parse(readFileSync(require.resolve(name + '/package.json'), 'utf8'));
  for (const sub of Object.keys(manifest.exports)) {
    if (sub === './package.json') continue;
    const specifier = sub === '.' ? name : name + sub.slice(1);
    await import(specifier);
    subpaths.push(specifier);
  }
}
const { runScenario, workerThreadsStarted } = await import('@nesslab/scenarios');
const run = await runScenario('regression-ness', { preset: 'quick', seed: 7, workers: 2 });
// Binary files (plots/*.png) as base64, text as it is.
const files = {
  ...run.files,
  ...Object.fromEntries(Object.entries(run.bytes).map(([k, v]) => [k, { base64: Buffer.from(v).toString('base64') }])),
};
process.stdout.write(JSON.stringify({ subpaths, threads: workerThreadsStarted(), files }));
`;

// Typed results from the definition, a typed `set` (the @ts-expect-error fails the check if types degrade to any), a
// subpath export, a plugin module, and the kernel's typed simulate.
const consumerTs = `
import { assemble, simulate, type Claim, type SimulationResult } from '@nesslab/kernel';
import { nessTheory } from '@nesslab/kernel/theory';
import { samplersModule } from '@nesslab/samplers';
import { optimizersModule } from '@nesslab/optimizers';
import { landscapesModule } from '@nesslab/landscapes';
import type { MomentsResult } from '@nesslab/observers';
import { regressionNess, runScenario, type ScenarioRun } from '@nesslab/scenarios';
import { cli } from '@nesslab/cli';

export async function main(): Promise<number[]> {
  const run = await runScenario(regressionNess, { preset: 'quick', workers: 2, set: { chains: 4 } });
  const theta0: number[] = run.results.theta0;
  const mean: number[] = run.results.wr.mean;
  // @ts-expect-error: eta is a number
  void runScenario(regressionNess, { set: { eta: 'fast' } });
  const byName: ScenarioRun = await runScenario('regression-ness');
  const claims: Claim[] = byName.claims;
  const container = assemble(samplersModule, optimizersModule, landscapesModule);
  const result: SimulationResult = await simulate(container, {
    landscape: { name: 'styblinski-tang' },
    optimizer: { name: 'sgd', params: { eta: 0.01 } },
    sampler: { name: 'full-batch' },
    chains: 2,
    steps: 10,
  });
  const moments = result.observers['moments'] as MomentsResult | undefined;
  void [nessTheory, claims, moments, mean, cli];
  return theta0;
}
`;

describe('publishable packages', () => {
  it('pack, install outside the repository, import, run regression-ness as the CLI does, and type-check', () => {
    const work = realpathSync(mkdtempSync(join(tmpdir(), 'nesslab-publish-')));
    expect(relative(root, work).startsWith('..')).toBe(true);
    try {
      // 1. Each manifest is publishable, and each tarball holds what its exports name, a README and a LICENSE.
      const packed = JSON.parse(
        execFileSync(
          npm,
          ['pack', '--json', '--pack-destination', work, ...packages.flatMap((p) => ['-w', `packages/${p}`])],
          { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
        ),
      ) as Packed[];
      expect(packed.map((p) => p.name).sort()).toEqual(packages.map((p) => `@nesslab/${p}`));
      for (const p of packed) {
        const dir = p.name.replace('@nesslab/', '');
        const manifest = JSON.parse(readFileSync(join(root, 'packages', dir, 'package.json'), 'utf8')) as Manifest;
        expect(manifest.private, p.name).toBeUndefined();
        expect(manifest.license, p.name).toBe('MIT');
        const files = new Set(p.files.map((f) => f.path));
        for (const must of ['package.json', 'README.md', 'LICENSE'])
          expect(files.has(must), `${p.name}: ${must}`).toBe(true);
        expect(manifest.types).toBe((manifest.exports['.'] as { types: string }).types);
        for (const [sub, target] of Object.entries(manifest.exports)) {
          if (typeof target === 'string') continue; // ./package.json
          for (const file of [target.types, target.default])
            expect(files.has(file.replace(/^\.\//, '')), `${p.name} ${sub}: ${file} in the tarball`).toBe(true);
        }
        for (const bin of Object.values(manifest.bin ?? {})) expect(files.has(bin.replace(/^\.\//, ''))).toBe(true);
        expect(
          [...files].filter((f) => /\.test\.ts$|fixtures\//.test(f)),
          `${p.name}: tests packed`,
        ).toEqual([]);
        // Between packages, the exact version of this workspace (the tarballs install as a set).
        for (const [dep, range] of Object.entries(manifest.dependencies ?? {}))
          if (dep.startsWith('@nesslab/')) expect(range, `${p.name} → ${dep}`).toBe('0.1.0');
      }

      // 2. A fresh project that depends on every tarball (overrides keep their @nesslab/* dependencies on them too).
      const project = join(work, 'project');
      const tarballs = Object.fromEntries(packed.map((p) => [p.name, `file:${join(work, p.filename)}`]));
      execFileSync('mkdir', [project]);
      writeFileSync(
        join(project, 'package.json'),
        JSON.stringify({
          name: 'consumer',
          private: true,
          type: 'module',
          dependencies: tarballs,
          overrides: tarballs,
        }),
      );
      // Optional dependencies omitted: @tensorflow/tfjs-node downloads libtensorflow when installed (offline here).
      const install = spawnSync(
        npm,
        ['install', '--prefer-offline', '--omit=optional', '--no-audit', '--no-fund', '--loglevel=error'],
        { cwd: project, env, encoding: 'utf8', timeout: 300_000 },
      );
      expect(install.status, install.stdout + install.stderr).toBe(0);

      // 3. The programmatic API (2 worker threads) and the installed command, same seed: the same results.
      writeFileSync(join(project, 'run.mjs'), consumerScript);
      const api = spawnSync(process.execPath, ['run.mjs'], {
        cwd: project,
        env,
        encoding: 'utf8',
        maxBuffer: 64 << 20,
      });
      expect(api.status, api.stderr).toBe(0);
      const fromApi = JSON.parse(api.stdout) as {
        subpaths: string[];
        threads: number;
        files: Record<string, string | { base64: string }>;
      };
      expect(fromApi.subpaths).toContain('@nesslab/kernel/theory');
      expect(fromApi.subpaths.length).toBeGreaterThanOrEqual(packages.length + 6);
      expect(fromApi.threads).toBeGreaterThanOrEqual(2); // the installed dist/worker.js ran, not this thread alone

      const cli = spawnSync(
        join(project, 'node_modules', '.bin', 'nesslab'),
        ['run', 'regression-ness', '--preset', 'quick', '--seed', '7', '--workers', '2', '--quiet', '--out', 'cli-out'],
        { cwd: project, env, encoding: 'utf8' },
      );
      expect(cli.status, cli.stderr).toBe(0);
      const written = readFileSync(join(project, 'cli-out', 'results.json'), 'utf8');
      expect(reproducible(fromApi.files['results.json'] as string)).toEqual(reproducible(written));
      expect((reproducible(written).claims as unknown[]).length).toBeGreaterThan(0);
      // The installed packages name themselves in the provenance; the project is no git checkout.
      const { provenance } = JSON.parse(written) as { provenance: { packages: string[]; git?: unknown } };
      expect(provenance.packages).toContain('@nesslab/cli@0.1.0');
      expect(provenance.git).toBeUndefined();
      expect(fromApi.files['scenario.json']).toBe(readFileSync(join(project, 'cli-out', 'scenario.json'), 'utf8'));
      const plots = Object.entries(fromApi.files).filter(([file]) => file.startsWith('plots/'));
      expect(plots.map(([f]) => f).sort()).toEqual(
        readdirSync(join(project, 'cli-out', 'plots'))
          .map((f) => `plots/${f}`)
          .sort(),
      );
      for (const [file, content] of plots) {
        const written = readFileSync(join(project, 'cli-out', file));
        const expected = typeof content === 'string' ? Buffer.from(content) : Buffer.from(content.base64, 'base64');
        expect(written.equals(expected), file).toBe(true);
      }

      // 4. A TypeScript consumer, against the installed declarations only.
      writeFileSync(join(project, 'consumer.ts'), consumerTs);
      writeFileSync(
        join(project, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            module: 'nodenext',
            moduleResolution: 'nodenext',
            target: 'es2022',
            strict: true,
            noEmit: true,
            skipLibCheck: false,
            types: [],
          },
          files: ['consumer.ts'],
        }),
      );
      const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
      const check = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project, env, encoding: 'utf8' });
      expect(check.status, check.stdout + check.stderr).toBe(0);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 600_000);
});
