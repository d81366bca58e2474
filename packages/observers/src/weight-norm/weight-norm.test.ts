import { describe, expect, it } from 'vitest';
import type { Landscape } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { WeightNormObserver, weightNormInfo } from './weight-norm.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';

/** θ = (W₁, W₂, V₁, V₂): blocks W = [0, 2), V = [2, 4). */
const net = () =>
  Object.assign(
    fakeLandscape(4, () => 0),
    { blocks: () => ({ W: [0, 2] as const, V: [2, 2] as const }) },
  );
const make =
  (tr: Trajectories, params: Record<string, unknown> = {}, landscape: Landscape = net()) =>
  () => {
    const o = new WeightNormObserver();
    o.configure(paramsFor(weightNormInfo, params), runContext(landscape, 4, tr.length, tr[0].length - 1));
    return o;
  };

describe('weight-norm (000 Fig. 4: |V|₂)', () => {
  it('|V|₂ of (3c, 4c) is 5c; the W block is (c, 0) → c', () => {
    const tr = [1, 2, 3].map((c) => Array.from({ length: 11 }, (_, k) => [c, 0, 3 * c * (1 + k), 4 * c * (1 + k)]));
    const r = runObserver(make(tr, { points: 2, spacing: 'linear' }), tr, 3);
    expect(r.steps).toEqual([0, 1, 10]);
    r.steps.forEach((k, j) => {
      expect(r.mean[j]).toBeCloseTo(10 * (1 + k), 12); // mean of 5c(1 + k) over c = 1, 2, 3
      expect(r.sd[j]).toBeCloseTo(5 * (1 + k), 12); // sd of {1, 2, 3} is 1
    });
    const w = runObserver(make(tr, { block: 'W', points: 2 }), tr, 3);
    expect(w.mean).toEqual([2, 2, 2]);
  });

  it('is bit-identical for block sizes and chain groups', () => {
    const tr = Array.from({ length: 5 }, (_, c) =>
      Array.from({ length: 200 }, (_, k) => [c, k, Math.sin(c + 0.1 * k), Math.exp(-k / (c + 50))]),
    );
    const ref = runObserver(make(tr), tr, 1);
    for (const blockSize of [1, 9, 64])
      for (const parts of [1, 2, 5]) expect(bitDifference(runObserver(make(tr), tr, blockSize, parts), ref)).toBeNull();
  });

  it('refuses an unknown block or a landscape without blocks', () => {
    const tr = [[[0, 0, 0, 0]]];
    expect(() => make(tr, { block: 'U' })()).toThrow("weight-norm.params.block: must be one of 'W', 'V', got \"U\"");
    expect(() =>
      make(
        tr,
        {},
        fakeLandscape(4, () => 0),
      )(),
    ).toThrow(/weight-norm: needs a landscape that names its parameter blocks/);
  });
});
