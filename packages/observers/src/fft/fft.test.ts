import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { FftObserver, fftInfo, type FftResult } from './fft.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';

const fft = (dim: number, chains: number, steps: number, params: Record<string, unknown>) => () => {
  const o = new FftObserver();
  o.configure(
    paramsFor(fftInfo, params),
    runContext(
      fakeLandscape(dim, () => 0),
      dim,
      chains,
      steps,
    ),
  );
  return o;
};
const run = (tr: Trajectories, params: Record<string, unknown>, blockSize = 64, parts = 1): FftResult =>
  runObserver(fft(tr[0][0].length, tr.length, tr[0].length - 1, params), tr, blockSize, parts);

/** Trajectories θ_{k+1} = θ_k + x_k from increments x[c][k][α], θ_0 = 1 (the spectrum sees increments only). */
const integrate = (x: number[][][]): number[][][] =>
  x.map((chain) =>
    chain.reduce((tr, step) => (tr.push(tr[tr.length - 1].map((v, a) => v + step[a])), tr), [chain[0].map(() => 1)]),
  );
/** chains × steps × dim increments from f(rng, c, k, α). */
const increments = (
  chains: number,
  steps: number,
  dim: number,
  seed: number,
  f: (rng: Xoshiro128, c: number, k: number, a: number) => number,
) =>
  Array.from({ length: chains }, (_, c) => {
    const rng = Xoshiro128.fromSeed(seed + c);
    return Array.from({ length: steps }, (_, k) => Array.from({ length: dim }, (_, a) => f(rng, c, k, a)));
  });

describe('fft (003 Fig. 3a)', () => {
  it('equals the direct DFT periodogram |Σ_j x_j e^{−2πi jf/W}|²/W averaged over the weights', () => {
    const W = 16,
      x = increments(1, W, 2, 3, (rng) => rng.nextNormal());
    const r = run(integrate(x), { window: W });
    expect(r.frequency).toEqual(Array.from({ length: W / 2 + 1 }, (_, f) => f / W));
    expect(r.series).toBe(2);
    for (let f = 0; f <= W / 2; f++) {
      const p = [0, 1].map((a) => {
        let re = 0,
          im = 0;
        for (let j = 0; j < W; j++) {
          re += x[0][j][a] * Math.cos((2 * Math.PI * j * f) / W);
          im -= x[0][j][a] * Math.sin((2 * Math.PI * j * f) / W);
        }
        return (re * re + im * im) / W;
      });
      // Both sides are float64 sums of 16 O(1) terms: 1e-12 is far above their round-off.
      expect(Math.abs(r.power[f] - (p[0] + p[1]) / 2)).toBeLessThan(1e-12);
      expect(Math.abs(r.sd[f] - Math.abs(p[0] - p[1]) / Math.SQRT2)).toBeLessThan(1e-12);
    }
  });

  it('a pure tone x_j = A cos(2π·5j/W) puts A²W/4 into bin 5 and nothing elsewhere', () => {
    const W = 64,
      A = 0.3;
    const r = run(integrate(increments(2, W, 3, 1, (_, __, k) => A * Math.cos((2 * Math.PI * 5 * k) / W))), {
      window: W,
    });
    for (let f = 0; f <= W / 2; f++) expect(Math.abs(r.power[f] - (f === 5 ? (A * A * W) / 4 : 0))).toBeLessThan(1e-12);
    expect(r.sd[5]).toBeLessThan(1e-12); // every weight the same tone
  });

  it('white noise of variance s² is flat: s² in every bin within its sampling error, sd = mean, low/high ratio 1', () => {
    const W = 64,
      dim = 8,
      chains = 16,
      s = 0.2,
      n = dim * chains;
    const r = run(integrate(increments(chains, W + 10, dim, 11, (rng) => s * rng.nextNormal())), {
      window: W,
      burnIn: 10,
    });
    expect(r.series).toBe(n);
    for (let f = 0; f <= W / 2; f++) {
      // P/s² is χ²₂/2 (relative sd 1) inside, χ²₁ (relative sd √2) at f = 0 and W/2; the mean of n independent
      // periodograms has relative sd 1/√n (√2/√n): 4 of those fails about once in 10⁴ per bin.
      const rel = (f === 0 || f === W / 2 ? Math.SQRT2 : 1) / Math.sqrt(n);
      expect(Math.abs(r.power[f] / (s * s) - 1)).toBeLessThan(4 * rel);
      expect(Math.abs(r.stdError[f] - r.sd[f] / Math.sqrt(n))).toBeLessThan(1e-15);
    }
    // The sd of an exponential equals its mean; its estimate from n = 128 values has relative sd √(8/4n) = 0.125 per
    // bin, 0.022 averaged over the 31 inner bins: 0.1 is 4.5 of those.
    const inner = r.sd.slice(1, W / 2);
    expect(Math.abs(inner.reduce((t, v) => t + v, 0) / inner.length / (s * s) - 1)).toBeLessThan(0.1);
    // Each quarter averages 8 bins (relative sd 0.088/√8 = 0.031), so the ratio has sd ≈ 0.044: 0.2 is 4.5 sd.
    expect(Math.abs(r.lowHighRatio - 1)).toBeLessThan(0.2);
  });

  it('AR(1) increments x_j = ρx_{j−1} + s z_j follow the spectrum s²/(1 − 2ρ cos ω + ρ²): a low-frequency excess', () => {
    const W = 128,
      dim = 8,
      chains = 16,
      s = 1,
      rho = 0.5,
      n = dim * chains;
    const state = new Float64Array(chains * dim);
    // Start each series in its stationary law (sd s/√(1 − ρ²)) so that the window is stationary.
    const x = increments(chains, W, dim, 21, (rng, c, k, a) => {
      const i = c * dim + a;
      state[i] = k === 0 ? (s * rng.nextNormal()) / Math.sqrt(1 - rho * rho) : rho * state[i] + s * rng.nextNormal();
      return state[i];
    });
    const r = run(integrate(x), { window: W });
    // Periodogram bias of a finite window: |E P − S| ≤ Σ_k |k| γ(k)/W = s²/(1 − ρ²)·2ρ/(1 − ρ)²/W (= 0.042 s² here),
    // plus 4 standard errors S·√(1 or 2)/√n of the mean over n series.
    const bias = (((s * s) / (1 - rho * rho)) * ((2 * rho) / (1 - rho) ** 2)) / W;
    for (let f = 0; f <= W / 2; f++) {
      const omega = (2 * Math.PI * f) / W,
        S = (s * s) / (1 - 2 * rho * Math.cos(omega) + rho * rho);
      const rel = (f === 0 || f === W / 2 ? Math.SQRT2 : 1) / Math.sqrt(n);
      expect(Math.abs(r.power[f] - S)).toBeLessThan(4 * rel * S + bias);
    }
    // Theory: lowest quarter ≈ S(0..π/4) ≈ 3.3, highest ≈ S(3π/4..π) ≈ 0.47: ratio ≈ 7; far from white noise's 1.
    expect(r.lowHighRatio).toBeGreaterThan(4);
  });

  it('samples every `every` steps after burnIn: the same as the trajectory cut at burnIn and thinned', () => {
    const dim = 3,
      every = 3,
      burnIn = 7,
      W = 32;
    const tr = integrate(increments(4, burnIn + every * W + 5, dim, 8, (rng) => rng.nextNormal() + 0.1));
    const thinned = tr.map((t) => t.slice(burnIn).filter((_, k) => k % every === 0));
    const r = run(tr, { window: W, every, burnIn }, 5);
    expect(bitDifference({ ...r, every: 1 }, run(thinned, { window: W }))).toBeNull();
    expect(r.every).toBe(every);
  });

  it('is bit-identical for block sizes 1, 7, 1000 and for one part or three', () => {
    const tr = integrate(increments(7, 300, 4, 9, (rng) => rng.nextNormal()));
    const ref = run(tr, { window: 64, every: 4, burnIn: 3 }, 1);
    for (const blockSize of [1, 7, 1000]) {
      for (const parts of [1, 3])
        expect(bitDifference(run(tr, { window: 64, every: 4, burnIn: 3 }, blockSize, parts), ref)).toBeNull();
    }
  });

  it('refuses a window that is not a power of two, too long for the run, or too big for memory, naming the field', () => {
    expect(() => fft(2, 1, 1000, { window: 100 })()).toThrow(
      'fft.params.window: must be a power of two (radix-2 FFT), got 100',
    );
    expect(() => fft(2, 1, 1000, { window: 256, every: 4, burnIn: 1 })()).toThrow(
      'fft.params.window: needs burnIn + every·window = 1 + 4·256 = 1025 steps, the run has 1000',
    );
    expect(() => fft(4096, 64, 10 ** 6, { window: 1024 })()).toThrow(
      /fft.params.window: stores chains·N·window = 64·4096·1024 = 268435456 doubles .*at most 2\^27/,
    );
    expect(() => fft(2, 1, 1000, { every: 0 })()).toThrow('fft.params.every');
  });
});
