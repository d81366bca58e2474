import { describe, expect, it } from 'vitest';
import { scaledSigmaError, sigmaPoints, spearman } from './compare.ts';

describe('covariance comparisons', () => {
  it('scales each element by √(Σ_ii Σ_jj) of the theory and takes the maximum over the upper triangle', () => {
    const theory = [
        [4, 1],
        [1, 9],
      ],
      sim = [
        [4.4, 1.6],
        [1.6, 9],
      ];
    const { rows, max } = scaledSigmaError(sim, theory);
    expect(rows[0][0]).toBeCloseTo(0.1, 14); // 0.4 / √(4·4)
    expect(rows[0][1]).toBeCloseTo(0.1, 14); // 0.6 / √(4·9)
    expect(max).toBeCloseTo(0.1, 14);
    expect(sigmaPoints(sim, theory).map((p) => p.label)).toEqual(['Σ₁₁', 'Σ₁₂', 'Σ₂₂']);
    // with the simulated elements' standard errors: each on the same √(Σ_ii Σ_jj) scale, for the error bars
    for (const p of sigmaPoints(sim, theory, [
      [0.4, 0.6],
      [0.6, 0.9],
    ]))
      expect(p.stdError).toBeCloseTo(0.1, 14);
  });

  it("Spearman's ρ: 1 for any increasing relation, −1 for a decreasing one, 1 − 6Σd²/(n(n²−1)) for one swap", () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 300, 4000])).toBe(1);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    expect(spearman([1, 2, 3, 4], [2, 1, 3, 4])).toBeCloseTo(1 - 12 / 60, 14);
  });
});
