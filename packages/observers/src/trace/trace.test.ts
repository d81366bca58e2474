import { describe, expect, it } from 'vitest';
import { assemble, parseNpy, simulate } from '@nesslab/kernel';
import { toyModule, toySpec } from '@nesslab/kernel/testing';
import { observersModule } from '../index.ts';

// The toy run (5 chains × 37 steps, 2-D, toy-sgd records batchLoss) with the trajectory observer beside the trace:
// the trace must hold exactly the trajectory's states at steps burnIn + k·every of the first `chains` chains.
const container = assemble(toyModule, observersModule);
const run = (groups: number, blockSize?: number) =>
  simulate(
    container,
    {
      ...toySpec,
      ...(blockSize ? { blockSize } : {}),
      observers: [{ name: 'trajectory' }, { name: 'trace', params: { every: 4, chains: 3, burnIn: 5 } }],
    },
    { groups },
  );

describe('trace', () => {
  it('keeps θ of the first chains at burnIn + k·every as .npy (float64, (chains, samples, N)) and the steps as int64', async () => {
    const r = await run(1);
    // The toy trajectory: per chain one flat row, (θ₁, θ₂, batchLoss) for each step from step 1 on.
    const rows = (r.observers.trajectory as number[][]).slice(0, 3);
    const at = (c: number, step: number) => rows[c]!.slice((step - 1) * 3, step * 3);
    const theta = parseNpy(r.files!['traces/theta.npy'] as Uint8Array),
      steps = parseNpy(r.files!['traces/steps.npy'] as Uint8Array);
    expect(theta.descr).toBe('<f8');
    expect(theta.shape).toEqual([3, 8, 2]); // (37 − 5) / 4 = 8 samples: steps 9, 13, …, 37
    expect(steps.descr).toBe('<i8');
    expect([...(steps.data as BigInt64Array)].map(Number)).toEqual([9, 13, 17, 21, 25, 29, 33, 37]);
    for (let c = 0; c < 3; c++)
      for (let k = 0; k < 8; k++) {
        const step = 9 + 4 * k;
        expect([theta.data[(c * 8 + k) * 2], theta.data[(c * 8 + k) * 2 + 1]]).toEqual(at(c, step).slice(0, 2));
      }
    expect(r.observers.trace).toMatchObject({
      files: ['traces/theta.npy', 'traces/steps.npy', 'traces/scalars.csv'],
      shape: [3, 8, 2],
      scalars: ['batchLoss'],
    });
    const csv = (r.files!['traces/scalars.csv'] as string).trim().split('\n');
    expect(csv[0]).toBe('chain,step,batchLoss');
    expect(csv).toHaveLength(1 + 3 * 8);
    expect(csv[1]).toBe(`0,9,${at(0, 9)[2]}`);
  });

  it('writes the same bytes whatever the chain groups and the block size', async () => {
    const one = await run(1);
    for (const [groups, blockSize] of [
      [2, undefined],
      [5, 3],
      [3, 1],
    ] as const) {
      const other = await run(groups, blockSize);
      for (const f of ['traces/theta.npy', 'traces/steps.npy', 'traces/scalars.csv'])
        expect(Buffer.from(other.files![f]!).equals(Buffer.from(one.files![f]!)), `${f}, ${groups} groups`).toBe(true);
    }
  });
});
