import { describe, expect, it } from 'vitest';
import { Xoshiro128, assemble, resolvePlugin, resolveParams, type Sampler } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import {
  samplersModule,
  WithReplacementSampler,
  WithoutReplacementSampler,
  withReplacementInfo,
  withoutReplacementInfo,
} from './index.ts';

function draw<S>(sampler: Sampler<S>, steps: number, seed = 1): Int32Array[] {
  const rng = Xoshiro128.fromSeed(seed),
    state = sampler.init(rng),
    out: Int32Array[] = [];
  for (let k = 0; k < steps; k++) {
    const batch = new Int32Array(sampler.batchSize);
    sampler.next(state, rng, batch);
    out.push(batch);
  }
  return out;
}

describe('with-replacement', () => {
  const M = 20,
    m = 5;
  const s = new WithReplacementSampler();
  s.configure(paramsFor(withReplacementInfo, { batchSize: m }), M);

  it('draws m distinct indices in [0, M) every step', () => {
    for (const b of draw(s, 2000)) {
      expect(new Set(b).size).toBe(m);
      expect(Math.min(...b)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...b)).toBeLessThan(M);
    }
  });

  it('has uniform marginals P(i ∈ B) = m/M (chi-square over M bins)', () => {
    const steps = 20_000,
      counts = new Array(M).fill(0);
    for (const b of draw(s, steps)) for (const i of b) counts[i]++;
    const expected = (steps * m) / M;
    // Inclusion counts are binomial(steps, m/M): variance expected·(1 − m/M); χ² with M − 1 = 19 dof, P(> 43.8) ≈ 0.001.
    const chi2 = counts.reduce((a, c) => a + (c - expected) ** 2 / (expected * (1 - m / M)), 0);
    expect(chi2).toBeLessThan(43.8);
  });

  it('has the WR pair inclusion probability m(m−1)/(M(M−1)) (004 Eq. A7)', () => {
    const steps = 40_000;
    let both = 0;
    for (const b of draw(s, steps, 2)) if (b.includes(3) && b.includes(11)) both++;
    const p = (m * (m - 1)) / (M * (M - 1));
    expect(Math.abs(both / steps - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / steps)); // 5 binomial sd
  });
});

describe('without-replacement', () => {
  it('uses every index exactly once per epoch when m divides M', () => {
    const s = new WithoutReplacementSampler();
    s.configure(paramsFor(withoutReplacementInfo, { batchSize: 4 }), 12);
    const batches = draw(s, 3 * 6);
    for (let e = 0; e < 6; e++) {
      const epoch = batches
        .slice(3 * e, 3 * e + 3)
        .flatMap((b) => [...b])
        .sort((a, b) => a - b);
      expect(epoch).toEqual([...Array(12).keys()]);
    }
    // consecutive epochs are different permutations
    expect(batches.slice(0, 3).flatMap((b) => [...b])).not.toEqual(batches.slice(3, 6).flatMap((b) => [...b]));
  });

  it('drops the M − n·m leftover indices of each epoch when m does not divide M', () => {
    const s = new WithoutReplacementSampler();
    s.configure(paramsFor(withoutReplacementInfo, { batchSize: 3 }), 10);
    expect(s.stepsPerEpoch).toBe(3);
    const counts = new Array(10).fill(0);
    const epochs = 3000,
      batches = draw(s, 3 * epochs);
    for (let e = 0; e < epochs; e++) {
      const used = batches.slice(3 * e, 3 * e + 3).flatMap((b) => [...b]);
      expect(new Set(used).size).toBe(9); // 9 distinct indices, one left out
      for (const i of used) counts[i]++;
    }
    // each index sits out with probability 1/10 per epoch: count ~ Binomial(epochs, 0.9)
    for (const c of counts) expect(Math.abs(c - 0.9 * epochs)).toBeLessThan(5 * Math.sqrt(epochs * 0.09));
  });
});

describe('samplers module', () => {
  it('binds the three samplers by name and rejects a bad batch size naming it', () => {
    const c = assemble(samplersModule);
    const s = resolvePlugin(c, 'sampler', 'without-replacement', 'sampler');
    expect(() => resolveParams(withoutReplacementInfo, { batchSize: 0 }, 'sampler.params')).toThrow(
      'sampler.params.batchSize: must be ≥ 1, got 0',
    );
    expect(() => s.configure(paramsFor(withoutReplacementInfo, { batchSize: 11 }), 10)).toThrow(
      'batchSize must be an integer in [1, M = 10], got 11',
    );
    expect(() => resolvePlugin(c, 'sampler', 'wr', 'sampler.name')).toThrow(
      'known: full-batch, with-replacement, without-replacement',
    );
  });
});
