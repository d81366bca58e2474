import { describe, expect, it } from 'vitest';
import { defer, map, reduce, type Observable } from 'rxjs';
import type { Frame, Observer } from '@nesslab/kernel';
import { bitDifference, observe } from './testing.ts';

/** Reports θ of the last state: `copy` says whether it copies it (right) or keeps the frame (wrong). */
const lastState = (copy: boolean): Observer<number[], number[]> => ({
  configure: () => {},
  attach: (frames: Observable<Frame>) =>
    defer(() => {
      let kept: Frame | null = null,
        copied: number[] = [];
      return frames.pipe(
        reduce((n, f) => {
          kept = f;
          const at = (f.steps - 1) * f.dim;
          copied = Array.from(f.theta.slice(at, at + f.dim));
          return n + 1;
        }, 0),
        map(() => (copy ? copied : kept ? Array.from(kept.theta.slice(0, kept.dim)) : [])),
      );
    }),
  combine: (parts) => parts[0],
  result: (p) => p,
});

describe('test helpers', () => {
  const tr = [
    [
      [0, 0],
      [1, 2],
      [3, 4],
      [5, 6],
    ],
  ];
  it('poisons the shared frame after each block, so an observer that kept it sees NaN', () => {
    expect(observe(lastState(true), tr, 2)).toEqual([5, 6]);
    expect(observe(lastState(false), tr, 2).every(Number.isNaN)).toBe(true);
  });

  it('compares results bit for bit', () => {
    expect(
      bitDifference({ a: [1, NaN], b: new Float64Array([2]) }, { a: [1, NaN], b: new Float64Array([2]) }),
    ).toBeNull();
    expect(bitDifference({ a: [0] }, { a: [-0] })).toBe('$.a[0]: 0 vs 0');
    expect(bitDifference({ a: [0.1 + 0.2] }, { a: [0.3] })).toMatch(/^\$\.a\[0\]/);
  });
});
