import { describe, expect, it } from 'vitest';
import { diffusionRanks, largeLagOutside, spectrumSummary, type FftOut } from './analysis.ts';

/** An fft result holding a given spectral density S(f) at f = k/W, k = 0 … W/2 (the expectation of the periodogram). */
function fftOf(W: number, density: (f: number) => number): FftOut {
  const frequency = Array.from({ length: W / 2 + 1 }, (_, k) => k / W),
    power = frequency.map(density);
  return { frequency, power, sd: power, stdError: power.map(() => 0), window: W, series: 1 };
}

describe('limit-cycles analysis', () => {
  it("lowest frequency over the spectrum's minimum: 1 for white increments, ≤ 1 for a stationary AR(1) at any a, > 1 for a U-shaped spectrum", () => {
    expect(spectrumSummary(fftOf(256, () => 3)).excess).toBeCloseTo(1, 14);
    // Increments of x_k = a x_{k−1} + ε: S_Δ(f) = |1 − e^{−2πif}|² / |1 − a e^{−2πif}|², increasing in f for 0 ≤ a < 1.
    for (const a of [0, 0.5, 0.9, 0.99]) {
      const s = spectrumSummary(
        fftOf(1024, (f) => (2 - 2 * Math.cos(2 * Math.PI * f)) / (1 + a * a - 2 * a * Math.cos(2 * Math.PI * f))),
      );
      expect(s.excess).toBeLessThanOrEqual(1);
      expect(s.drift).toBe(0); // a stationary process: no power at f = 0
    }
    const u = spectrumSummary(fftOf(256, (f) => f + 1e-4 / (f * f + 1e-6))); // 1/f² at low f on a rising background: minimum near f = 0.06
    expect(u.excess).toBeGreaterThan(2);
    expect(u.minimumAt).toBeGreaterThan(0.03);
    expect(u.minimumAt).toBeLessThan(0.12);
  });

  it('octaves cover the bins 1 … W/2 once each, at their geometric centre', () => {
    const s = spectrumSummary(fftOf(64, (f) => f));
    expect(s.octaves.map((o) => [o.from * 64, o.to * 64])).toEqual([
      [1, 1],
      [2, 3],
      [4, 7],
      [8, 15],
      [16, 31],
      [32, 32],
    ]);
    expect(s.octaves[2].power).toBeCloseTo((4 + 5 + 6 + 7) / 4 / 64, 15);
  });

  it('effective rank (Σλ)²/Σλ² and trace ranks: N for isotropic D, k for k equal directions', () => {
    expect(diffusionRanks(new Array(100).fill(2))).toMatchObject({
      participation: expect.closeTo(100, 10),
      trace90: 90,
      trace99: 99,
    });
    const three = [5, 0, 5, 0, 0, 5, 0, 0, 0, 0];
    expect(diffusionRanks(three)).toMatchObject({ participation: expect.closeTo(3, 12), trace90: 3, trace99: 3 });
    const geometric = Array.from({ length: 50 }, (_, k) => 0.5 ** k); // PR = (1/(1 − ½))² / (1/(1 − ¼)) = 3 as N → ∞
    expect(diffusionRanks(geometric).participation).toBeCloseTo(3, 6);
    expect(diffusionRanks(geometric).trace90).toBe(4); // 1 − 2⁻⁴ = 0.9375 ≥ 0.9 > 1 − 2⁻³
  });

  it('large lags are ⌈L/2⌉ … L', () => {
    const r = largeLagOutside({
      lag: [1, 2, 3, 4, 5],
      mean: [],
      sd: [],
      band: 0.1,
      fractionOutside: [1, 1, 0.3, 0.2, 0.1],
      series: 10,
    });
    expect(r).toEqual({ from: 3, to: 5, fraction: expect.closeTo(0.2, 15) });
  });
});
