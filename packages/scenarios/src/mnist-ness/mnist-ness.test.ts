import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plotProblems, withPngAndSpec } from '../shared/figure-files.ts';

// The quick preset through the built CLI, on both cores, as a user runs it: one run, many assertions.
const bin = fileURLToPath(new URL('../../../cli/dist/nesslab.mjs', import.meta.url));
const out = join(mkdtempSync(join(tmpdir(), 'nesslab-mnist-ness-')), 'quick');
const run = spawnSync(process.execPath, [bin, 'run', 'mnist-ness', '--preset', 'quick', '--check', '--out', out], {
  encoding: 'utf8',
});
const results = run.status === 0 ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : undefined;

describe('mnist-ness, quick preset', () => {
  it('runs, every claim holds (--check), and writes the five plots', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(results.claims.map((c: { id: string }) => c.id)).toEqual([
      'wr-sigma-resolved',
      'wr-circulation-resolved',
      'wor-sigma-resolved',
      'wor-wr-ratio-resolved',
      'theory-ratio-about-1e-4',
    ]);
    expect(results.claims.every((c: { holds: boolean }) => c.holds)).toBe(true);
    expect(readdirSync(join(out, 'plots')).sort()).toEqual(
      withPngAndSpec([
        'circulation-wr.svg',
        'projections-wor.svg',
        'projections-wr.svg',
        'sigma-wor.svg',
        'sigma-wr.svg',
      ]),
    );
    expect(plotProblems(join(out, 'plots'))).toEqual([]); // one font, real subscripts, glyphs DejaVu Sans has
    expect(JSON.parse(readFileSync(join(out, 'scenario.json'), 'utf8'))).toMatchObject({
      scenario: 'mnist-ness',
      preset: 'quick',
      params: { eta: 1e-4, batchSize: 100, lambda: 1e-2 },
    });
    expect(results.elapsedSeconds).toBeLessThan(60); // measured 32–57 s on 2 shared cores (~15 s of it the theory at M = 60000)
  });

  it("quick resolves the 10 directions e_c ⊗ o_max of H₀'s stiff eigenvalue (the mean image, h ≈ 4.4) and no others", () => {
    // h_max ≈ 4.44 relaxes in 1/(ηh) ≈ 2250 steps; the next, 0.41, in 24 500: beyond quick's 12 000 counted steps.
    expect(results.hessianEigenvalues).toHaveLength(49);
    expect(results.hessianEigenvalues[48]).toBeGreaterThan(4);
    expect(results.hessianEigenvalues[47]).toBeLessThan(0.5);
    expect(results.hessianEigenvalues[0]).toBeCloseTo(2 * 1e-2, 3); // 2λ: pooled pixels blank in (almost) every image
    expect(results.wr.resolvedDirections).toBe(10);
    expect(results.wor.resolvedDirections).toBe(10);
    expect(results.wr.projections).toHaveLength(490);
    expect(results.wr.circulation.pairsTested).toBe(45);
  });

  it('the standard errors are calibrated: rms z over the tested directions and pairs is about 1', () => {
    // z ~ N(0, 1) when the AR(1)/Isserlis s.e. are right; over 10–45 tests the rms of N(0, 1) lies in [0.5, 1.6] at > 99 %.
    for (const z of [results.wr.zRms, results.wor.zRms, results.wr.circulation.zRms]) {
      expect(z).toBeGreaterThan(0.4);
      expect(z).toBeLessThan(1.8);
    }
  });

  it('WOR at epoch ends is orders of magnitude tighter than WR; the theory gives tr Σ_WOR / tr Σ_WR within ×10 of 1e-4', () => {
    expect(results.theoryTraceRatio).toBeGreaterThan(1e-5);
    expect(results.theoryTraceRatio).toBeLessThan(1e-3);
    expect(results.wor.sigmaTrace.theory).toBeLessThan(1e-3 * results.wr.sigmaTrace.theory);
    // θ̂₀ = argmin 𝓛̂ (Eq. 16) sits O(η) away from θ₀.
    expect(results.wor.effectiveMinimumShift).toBeGreaterThan(0);
    expect(results.wor.effectiveMinimum).toHaveLength(490);
  });
});
