import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plotProblems, withPngAndSpec } from '../shared/figure-files.ts';

// The quick preset through the built CLI, as a user runs it: one run, many assertions.
const bin = fileURLToPath(new URL('../../../cli/dist/nesslab.mjs', import.meta.url));
const out = join(mkdtempSync(join(tmpdir(), 'nesslab-sgn-')), 'quick');
const run = spawnSync(process.execPath, [bin, 'run', 'sgn-hessian', '--preset', 'quick', '--check', '--out', out], {
  encoding: 'utf8',
});
const results = run.status === 0 ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : undefined;
const claim = (id: string) => results.claims.find((c: { id: string }) => c.id === id);

describe('sgn-hessian, quick preset', () => {
  it('runs, every claim holds (--check), and writes scenario, results and the three plots', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(results.claims.map((c: { id: string }) => c.id)).toEqual([
      'sgn-matches-hessian-over-b',
      'sampled-covariance-matches-exact',
    ]);
    expect(readdirSync(join(out, 'plots')).sort()).toEqual(
      withPngAndSpec(['sgn-fig2.svg', 'sgn-vs-hessian-minimum.svg', 'sgn-vs-hessian-random.svg']),
    );
    expect(plotProblems(join(out, 'plots'))).toEqual([]); // one font, real subscripts, glyphs DejaVu Sans has
    expect(JSON.parse(readFileSync(join(out, 'scenario.json'), 'utf8'))).toMatchObject({
      scenario: 'sgn-hessian',
      preset: 'quick',
      params: { batchSize: 10, minibatches: 20_000 },
    });
  });

  it('θ₀ is a minimum of 𝓛 (|∇𝓛| ≈ 0 while ∇R = 2λθ₀ is not), the random start is not; κ_B = (M − B)/(B(M − 1))', () => {
    expect(results.minimum.gradientNorm).toBeLessThan(1e-6);
    expect(results.minimum.regulariserNorm).toBeGreaterThan(1); // the data loss alone is not at its minimum: Fisher ≈ H is still tested
    expect(results.randomStart.gradientNorm).toBeGreaterThan(1);
    expect(results.kappa).toBeCloseTo(190 / (10 * 199), 14);
  });

  it('C ≈ H/B at θ₀: Pearson ≥ 0.99 over the 28 elements, and the factor is 1 within 3·√(2/M) (noise variance of M = 200 points)', () => {
    const c = claim('sgn-matches-hessian-over-b');
    expect(c.measured).toBe(results.minimum.pearson);
    expect(c.measured).toBeGreaterThanOrEqual(0.99);
    // ℓ_i = M·NLL_i with noise sd ε = 0.1 = the data's: Fisher = H_L/M up to the sample noise variance σ̂²/ε², whose
    // relative s.d. over M = 200 points is √(2/200) = 0.1 (χ²); 3 s.d. = 0.3. 001 reports 1.004 on Avila.
    expect(Math.abs(results.minimum.factor - 1)).toBeLessThan(0.3);
  });

  it('in the eigenbasis of H (001 Fig. 2 axes): Σ_e u_eᵀCu_e / Σ_e κ_B M λ_e = tr C / tr(κ_B M H) is 1 within the same 0.3', () => {
    const { hessianEigenvalues: lambda, eigenCovariance: cee } = results.minimum,
      sum = (v: number[]) => v.reduce((t, x) => t + x, 0);
    expect([lambda.length, cee.length]).toEqual([7, 7]);
    // A trace ratio is a weighted mean of the element ratios the factor averages: same √(2/M) noise-variance band.
    expect(Math.abs(sum(cee) / sum(lambda) - 1)).toBeLessThan(0.3);
  });

  it('the sampled covariance is the exact minibatch covariance 2D/η² within 5 s.e. (√(2/S) of √(C_ii C_jj), S = 20000)', () => {
    const c = claim('sampled-covariance-matches-exact');
    expect(c.tolerance).toBeCloseTo(5 * Math.sqrt(2 / 20_000), 14);
    expect(results.minimum.sampledVsExact).toBeLessThan(c.tolerance);
    expect(results.randomStart.sampledVsExact).toBeLessThan(c.tolerance);
    expect(results.minimum.sampledVsExact).toBeGreaterThan(0); // a finite sample: an exact copy would mean the formula was used twice
  });
});
