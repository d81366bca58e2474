import { describe, expect, it } from 'vitest';
import { Xoshiro128, chainStreams } from './xoshiro128.ts';

describe('xoshiro128**', () => {
  it('matches the reference implementation for state (1, 2, 3, 4)', () => {
    // First outputs of Blackman & Vigna's xoshiro128starstar.c seeded with s = {1, 2, 3, 4}, computed by hand from the C source.
    const rng = new Xoshiro128(1, 2, 3, 4);
    expect([rng.nextU32(), rng.nextU32(), rng.nextU32()]).toEqual([11520, 0, 5927040]);
  });

  it('gives the same stream for the same seed and another for another seed', () => {
    const a = Xoshiro128.fromSeed(7),
      b = Xoshiro128.fromSeed(7),
      c = Xoshiro128.fromSeed(8);
    const xs = Array.from({ length: 5 }, () => a.nextU32());
    expect(Array.from({ length: 5 }, () => b.nextU32())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c.nextU32())).not.toEqual(xs);
  });

  it('chain streams do not depend on which chains a worker owns', () => {
    const all = chainStreams(42, 0, 6).map((r) => r.state());
    const tail = chainStreams(42, 4, 2).map((r) => r.state());
    expect(tail).toEqual(all.slice(4));
    expect(new Set(all.map((s) => s.join(','))).size).toBe(6);
  });

  it('nextDouble is uniform: mean 1/2 and variance 1/12 within 5 standard errors', () => {
    const rng = Xoshiro128.fromSeed(1),
      n = 200_000;
    let s = 0,
      s2 = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.nextDouble();
      s += u;
      s2 += u * u;
    }
    const mean = s / n,
      variance = s2 / n - mean * mean;
    expect(Math.abs(mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    // sd of the sample variance of U(0,1) is sqrt(1/180)/sqrt(n)
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / 180 / n));
  });

  it('nextInt is unbiased over a range that does not divide 2^32 (chi-square, 6 bins)', () => {
    const rng = Xoshiro128.fromSeed(3),
      n = 60_000,
      counts = new Array(6).fill(0);
    for (let i = 0; i < n; i++) counts[rng.nextInt(6)]++;
    const chi2 = counts.reduce((acc, c) => acc + (c - n / 6) ** 2 / (n / 6), 0);
    expect(chi2).toBeLessThan(20.5); // chi-square with 5 dof: P(χ² > 20.5) ≈ 0.001
  });

  it('nextNormal has mean 0, variance 1 and kurtosis 3 within 5 standard errors', () => {
    const rng = Xoshiro128.fromSeed(5),
      n = 200_000;
    let s = 0,
      s2 = 0,
      s4 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.nextNormal();
      s += z;
      s2 += z * z;
      s4 += z ** 4;
    }
    expect(Math.abs(s / n)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(s2 / n - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(s4 / n - 3)).toBeLessThan(5 * Math.sqrt(96 / n)); // Var(z⁴) = 105 − 9 = 96
  });
});
