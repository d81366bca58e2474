import { describe, expect, it } from 'vitest';
import { dftFit } from './fluctuation.ts';

describe('dftFit (004 Eq. 9 read off a histogram symmetric about 0)', () => {
  it('recovers the slope k of counts with n(σ)/n(−σ) = e^{kσ} exactly, both weightings, χ² = 0; sparse bin pairs are skipped', () => {
    const B = 6,
      w = 0.1,
      k = 0.93;
    const counts = new Array<number>(2 * B).fill(0);
    for (let j = 0; j < B; j++) {
      const minus = 1e6 * Math.exp(-j),
        x = (j + 0.5) * w;
      counts[B - 1 - j] = minus; // bin [−(j+1)w, −jw)
      counts[B + j] = minus * Math.exp(k * x); // its mirror [jw, (j+1)w)
    }
    counts[0] = 5; // the outermost negative bin falls below minCount: pair j = 5 is left out
    const fit = dftFit(counts, w, 20);
    expect(fit.sigma).toHaveLength(5);
    expect(fit.sigma[0]).toBeCloseTo(0.05, 15);
    expect(fit.slope).toBeCloseTo(k, 12);
    expect(fit.slopeEqualWeights).toBeCloseTo(k, 12);
    expect(fit.chi2PerDof).toBeLessThan(1e-18);
    // Poisson errors: √(1/n₊ + 1/n₋) per point; the weighted slope's error is 1/√Σ σ²/var.
    const v = fit.logRatioStdError.map((e) => e * e);
    expect(fit.slopeStdError).toBeCloseTo(1 / Math.sqrt(fit.sigma.reduce((s, x, i) => s + (x * x) / v[i], 0)), 15);
  });
});
