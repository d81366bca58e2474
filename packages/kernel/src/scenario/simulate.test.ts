import { describe, expect, it } from 'vitest';
import { assemble } from '../container.ts';
import { simulate } from './simulate.ts';
import { DivergenceError, ScenarioError } from '../errors.ts';
import { ToyQuadratic, toyModule, toyQuadraticInfo, toySpec, TrajectoryObserver } from '../testing/toy.ts';
import { ContainerModule } from 'inversify';
import type { Observable } from 'rxjs';
import type { Frame } from '../contracts/frame.ts';
import { bindPlugin } from '../plugin.ts';

const container = assemble(toyModule);
const trajectories = async (over: Record<string, unknown>, groups = 1) =>
  (await simulate(container, { ...toySpec, ...over }, { groups })).observers.trajectory as number[][];

describe('simulate', () => {
  it('is bit-identical whatever the block size and the number of chain groups', async () => {
    const reference = await trajectories({ blockSize: 37 });
    expect(reference).toHaveLength(5);
    expect(reference[0]).toHaveLength(37 * 3);
    for (const [blockSize, groups] of [
      [1, 1],
      [7, 2],
      [10, 3],
      [37, 5],
    ]) {
      expect(await trajectories({ blockSize }, groups)).toEqual(reference);
    }
    expect(await trajectories({ blockSize: 37, seed: 12 })).not.toEqual(reference);
  });

  it('emits one frame per block, not per step', async () => {
    let frames = 0;
    class FrameCounter extends TrajectoryObserver {
      override attach(f: Observable<Frame>) {
        f.subscribe(() => frames++);
        return super.attach(f);
      }
    }
    const counting = assemble(
      toyModule,
      new ContainerModule((o) => {
        bindPlugin(o, FrameCounter, {
          kind: 'observer',
          name: 'frame-counter',
          description: '',
          params: {},
          precision: 'float64',
        });
      }),
    );
    await simulate(counting, { ...toySpec, blockSize: 10, observers: [{ name: 'frame-counter' }] });
    expect(frames).toBe(4); // 37 steps in blocks of 10
  });

  it('reports the earliest divergent step (ties to the lowest chain), the same for any grouping and block size', async () => {
    // ℓ = ½a|θ−x|², η·a = 2.5 > 2: every chain's distance grows 1.5× per step and overflows near step 1770, the chains a
    // few steps apart (their starts differ), so a report that depended on the split would show a different chain or step.
    const diverging = {
      ...toySpec,
      chains: 6,
      steps: 5000,
      landscape: { name: 'toy-quadratic', params: { curvature: 25 } },
    };
    const report = async (groups: number, blockSize?: number) => {
      const err = await simulate(container, { ...diverging, ...(blockSize ? { blockSize } : {}) }, { groups }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(DivergenceError);
      return { chain: err.chain, step: err.step, message: err.message };
    };
    const reference = await report(1);
    expect(reference.step).toBeGreaterThan(1000);
    expect(reference.message).toMatch(/^chain \d+ diverged at step \d+: θ\[\d\] = /);
    for (const [groups, blockSize] of [
      [2, undefined],
      [3, 7],
      [6, 1000],
      [4, 1],
    ] as const)
      expect(await report(groups, blockSize)).toEqual(reference);
  });

  it('rejects bad specs naming the field', async () => {
    await expect(simulate(container, { ...toySpec, chains: 0 })).rejects.toThrow('scenario.chains: must be ≥ 1');
    await expect(
      simulate(container, { ...toySpec, optimizer: { name: 'toy-sgd', params: { eta: -1 } } }),
    ).rejects.toThrow('scenario.optimizer.params.eta: must be > 0');
    await expect(
      simulate(container, { ...toySpec, optimizer: { name: 'toy-sgd', params: { rate: 1 } } }),
    ).rejects.toThrow('scenario.optimizer.params.rate: unknown parameter');
    await expect(simulate(container, { ...toySpec, sampler: { name: 'nope' } })).rejects.toThrow(
      'scenario.sampler.name: unknown sampler "nope"; known: toy-wr',
    );
    await expect(simulate(container, { ...toySpec, colour: 'red' })).rejects.toBeInstanceOf(ScenarioError);
  });

  it('finds θ₀ by Newton only when an observer reads the reference or the start needs it', async () => {
    // A landscape with no minimum to find (its Hessian refuses, as a net on random labels would need 800 MB for it).
    class NoMinimum extends ToyQuadratic {
      override hessian(): void {
        throw new Error('no Hessian here');
      }
    }
    const info = (kind: 'landscape' | 'observer', name: string, reads?: string[]) => ({
      kind,
      name,
      description: name,
      params: kind === 'landscape' ? toyQuadraticInfo.params : {},
      precision: 'float64' as const,
      ...(reads ? { reads } : {}),
    });
    const c = assemble(
      toyModule,
      new ContainerModule((o) => {
        bindPlugin(o, NoMinimum, info('landscape', 'no-minimum'));
        bindPlugin(o, TrajectoryObserver, info('observer', 'trajectory-theta-only', ['theta']));
        bindPlugin(o, TrajectoryObserver, info('observer', 'trajectory-with-reference', ['theta', 'reference']));
      }),
    );
    const spec = (observer: string) => ({
      ...toySpec,
      landscape: { name: 'no-minimum' },
      observers: [{ name: observer }],
    });
    const run = await simulate(c, spec('trajectory-theta-only'));
    expect(run.observers['trajectory-theta-only']).toHaveLength(5);
    await expect(simulate(c, spec('trajectory-with-reference'))).rejects.toThrow('no Hessian here');
    await expect(simulate(c, spec('trajectory'))).rejects.toThrow('no Hessian here'); // `reads` undeclared: assumed to read it
  });

  it("asks an observer's readsReferenceWhen, with its resolved params, whether this configuration needs θ₀", async () => {
    class NoMinimum extends ToyQuadratic {
      override hessian(): void {
        throw new Error('no Hessian here');
      }
    }
    const seen: unknown[] = [];
    const c = assemble(
      toyModule,
      new ContainerModule((o) => {
        bindPlugin(o, NoMinimum, {
          kind: 'landscape',
          name: 'no-minimum',
          description: '',
          params: toyQuadraticInfo.params,
          precision: 'float64',
        });
        bindPlugin(o, TrajectoryObserver, {
          kind: 'observer',
          name: 'trajectory-at',
          description: '',
          precision: 'float64',
          reads: ['theta', 'reference'],
          params: { at: { type: 'string', description: 'where', default: 'final', enum: ['final', 'reference'] } },
          readsReferenceWhen: (params) => (seen.push(params.at), params.at === 'reference'),
        });
      }),
    );
    const spec = (params?: Record<string, unknown>) => ({
      ...toySpec,
      landscape: { name: 'no-minimum' },
      observers: [{ name: 'trajectory-at', ...(params ? { params } : {}) }],
    });
    const run = await simulate(c, spec()); // the default at: 'final' reaches it: no Newton, so the refusing Hessian is never asked
    expect(run.reference).toBeUndefined();
    expect(run.observers['trajectory-at']).toHaveLength(5);
    await expect(simulate(c, spec({ at: 'reference' }))).rejects.toThrow('no Hessian here');
    expect(seen).toEqual(['final', 'reference']);
  });
});
