// Issue 16: tanh-regression's fused WR and WOR SGD block runner (packages/landscapes/src/tanh-regression/fused-step.wat):
// the committed bytes match the WAT, and a real simulate() gives the same bits with it as the generic engine path.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ContainerModule } from 'inversify';
import { assemble, bindPlugin, definePlugin, simulate, type Frame, type Observer } from '@nesslab/kernel';
import { reduce, map, type Observable } from 'rxjs';
import { samplersModule } from '@nesslab/samplers';
import { optimizersModule } from '@nesslab/optimizers';
import { landscapesModule, TanhRegression, tanhRegressionInfo } from '@nesslab/landscapes';
import { observersModule } from '@nesslab/observers';
import { MODULES, compileWat, tsModule } from '../build-wasm.mjs';

/** Every θ of every chain, in chain then step order. */
class Trajectories implements Observer<number[][], number[][]> {
  configure(): void {}
  attach(frames: Observable<Frame>) {
    return frames.pipe(
      reduce((rows: number[][], f: Frame) => {
        for (let c = 0; c < f.chains; c++)
          for (let k = 0; k < f.steps * f.dim; k++)
            (rows[f.chainStart + c] ??= []).push(f.theta[c * f.blockSize * f.dim + k]);
        return rows;
      }, []),
      map((rows) => rows.filter((r) => r !== undefined)),
    );
  }
  combine(parts: number[][][]) {
    return parts.flat();
  }
  result(p: number[][]) {
    return p;
  }
}
/** tanh-regression without its fused runner: the engine's generic path. */
class GenericTanhRegression extends TanhRegression {
  constructor() {
    super();
    Object.defineProperty(this, 'fusedBlockRunner', { value: undefined });
  }
}
/** tanh-regression counting the blocks its fused runner takes (so that the test knows the fast path ran). */
let fusedBlocks = 0;
class CountingTanhRegression extends TanhRegression {
  override fusedBlockRunner(...args: Parameters<TanhRegression['fusedBlockRunner']>) {
    const runner = super.fusedBlockRunner(...args);
    return (
      runner && {
        run: (...a: Parameters<typeof runner.run>) => (runner.run(...a) ? (fusedBlocks++, true) : false),
      }
    );
  }
}
const testModule = new ContainerModule((o) => {
  bindPlugin(o, CountingTanhRegression, { ...tanhRegressionInfo, name: 'tanh-regression-counting' });
  bindPlugin(
    o,
    Trajectories,
    definePlugin({ kind: 'observer', name: 'all-theta', description: 'test', params: {}, precision: 'float64' }),
  );
  bindPlugin(o, GenericTanhRegression, { ...tanhRegressionInfo, name: 'tanh-regression-generic' });
});
const container = assemble(landscapesModule, samplersModule, optimizersModule, observersModule, testModule);

const run = (landscape: string, over: Record<string, unknown>, groups = 1) =>
  simulate(
    container,
    {
      seed: 9,
      landscape: { name: landscape },
      sampler: { name: 'with-replacement', params: { batchSize: 10 } },
      optimizer: { name: 'sgd', params: { eta: 1e-5 } },
      observers: [{ name: 'all-theta' }, { name: 'moments' }],
      chains: 3,
      steps: 500,
      init: { kind: 'random' },
      ...over,
    },
    { groups },
  ).then((r) => JSON.stringify(r.observers));

describe('tanh-regression fused WR and WOR SGD', () => {
  it('every committed WebAssembly module is its .wat assembled (node tools/build-wasm.mjs)', async () => {
    const root = new URL('../../', import.meta.url);
    for (const [wat, ts, constant] of MODULES) {
      const bytes = await compileWat(wat, readFileSync(new URL(wat, root), 'utf8'));
      expect(readFileSync(new URL(ts, root), 'utf8'), ts).toBe(tsModule(wat, constant, bytes));
    }
  });

  it('gives simulate() the generic path’s bits, whatever the block size and chain groups', async () => {
    const reference = await run('tanh-regression-generic', { blockSize: 37 });
    expect(JSON.parse(reference)['all-theta']).toHaveLength(3);
    for (const [blockSize, groups] of [
      [37, 1],
      [1, 1],
      [64, 2],
      [500, 3],
    ])
      expect(await run('tanh-regression-counting', { blockSize }, groups)).toBe(reference);
    expect(fusedBlocks).toBe(3 * (14 + 500 + 8 + 1)); // chains × blocks of each run: every block took the fast path
    expect(await run('tanh-regression', { blockSize: 37 })).toBe(reference);
    // η = 1 diverges: the same error, at the same step, either way
    const err = (name: string) => run(name, { optimizer: { name: 'sgd', params: { eta: 1 } } }).catch((e) => String(e));
    const diverged = await err('tanh-regression-generic');
    expect(diverged).toMatch(/diverge/i);
    expect(await err('tanh-regression-counting')).toBe(diverged);
  });

  it('gives WOR simulate() the generic path’s bits, blocks straddling epochs (n = 20) and ending mid-epoch', async () => {
    const wor = (landscape: string, blockSize: number, groups = 1, over: Record<string, unknown> = {}) =>
      run(
        landscape,
        { blockSize, sampler: { name: 'without-replacement', params: { batchSize: 10 } }, chains: 5, ...over },
        groups,
      );
    const reference = await wor('tanh-regression-generic', 37);
    expect(JSON.parse(reference)['all-theta']).toHaveLength(5);
    expect(await wor('tanh-regression-generic', 1, 2)).toBe(reference); // the generic path's own invariance
    fusedBlocks = 0;
    for (const [blockSize, groups] of [
      [1, 1],
      [7, 2],
      [37, 1],
      [37, 3],
      [500, 1],
      [500, 5],
    ])
      expect(await wor('tanh-regression-counting', blockSize, groups)).toBe(reference);
    expect(fusedBlocks).toBe(5 * (500 + 72 + 14 + 14 + 1 + 1)); // every block took the fast path
    expect(await wor('tanh-regression', 37)).toBe(reference);
    // m = 7 does not divide M = 200 (n = 28, four points sit out each epoch)
    const m7 = { sampler: { name: 'without-replacement', params: { batchSize: 7 } } };
    const ref7 = await wor('tanh-regression-generic', 37, 1, m7);
    for (const [blockSize, groups] of [
      [7, 2],
      [500, 1],
    ])
      expect(await wor('tanh-regression-counting', blockSize, groups, m7)).toBe(ref7);
    expect(ref7).not.toBe(reference);
    const err = (name: string) =>
      wor(name, 37, 1, { optimizer: { name: 'sgd', params: { eta: 1 } } }).catch((e) => String(e));
    const diverged = await err('tanh-regression-generic');
    expect(diverged).toMatch(/diverge/i);
    expect(await err('tanh-regression-counting')).toBe(diverged);
  });
});
