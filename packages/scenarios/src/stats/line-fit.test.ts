import { describe, expect, it } from 'vitest';
import { pearson, weightedLine } from './line-fit.ts';

describe('line fits of the escape scenarios', () => {
  it('recovers an exact line whatever the weights, with slope s.e. 1/√(Σw(x − x̄)²)', () => {
    const x = [1, 2, 3, 4],
      y = x.map((v) => 2 - 0.5 * v),
      w = [1, 4, 1, 4];
    const fit = weightedLine(x, y, w);
    expect(fit.slope).toBeCloseTo(-0.5, 14);
    expect(fit.intercept).toBeCloseTo(2, 14);
    // x̄_w = (1 + 8 + 3 + 16)/10 = 2.8; Σw(x − x̄)² = 3.24 + 2.56 + 0.04 + 5.76 = 11.6
    expect(fit.slopeStdError).toBeCloseTo(1 / Math.sqrt(11.6), 14);
  });

  it('Pearson is ±1 on a line and 0 for a symmetric parabola', () => {
    expect(pearson([1, 2, 3], [5, 7, 9])).toBeCloseTo(1, 14);
    expect(pearson([1, 2, 3], [9, 7, 5])).toBeCloseTo(-1, 14);
    expect(pearson([-2, -1, 0, 1, 2], [4, 1, 0, 1, 4])).toBeCloseTo(0, 14);
  });
});
