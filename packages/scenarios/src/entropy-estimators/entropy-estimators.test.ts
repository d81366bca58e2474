import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plotProblems, withPngAndSpec } from '../shared/figure-files.ts';
import type { Scored } from './entropy-estimators.ts';

// The quick preset through the built CLI, on both cores, as a user runs it: one run, many assertions.
const bin = fileURLToPath(new URL('../../../cli/dist/nesslab.mjs', import.meta.url));
const out = join(mkdtempSync(join(tmpdir(), 'nesslab-ee-')), 'quick');
const run = spawnSync(
  process.execPath,
  [bin, 'run', 'entropy-estimators', '--preset', 'quick', '--check', '--out', out],
  { encoding: 'utf8' },
);
const results = run.status === 0 ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : undefined;
const LANDSCAPES = ['tanh-regression', 'linearised-regression'] as const;
const METHODS = ['tur', 'force'] as const;

describe('entropy-estimators, quick preset', () => {
  it('runs, every claim holds (--check), and writes scenario, results and the four plots', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(results.claims.map((c: { id: string }) => c.id)).toEqual([
      'tur-eq29-tanh',
      'tur-eq29-linearised',
      'force-eq29-tanh',
      'force-eq29-linearised',
      'tur-lower-bound',
      'segment-length',
    ]);
    expect(results.claims.every((c: { holds: boolean }) => c.holds)).toBe(true);
    expect(readdirSync(join(out, 'plots')).sort()).toEqual(
      withPngAndSpec([
        'length-linearised-regression.svg',
        'length-tanh-regression.svg',
        'segment-length-linearised-regression.svg',
        'segment-length-tanh-regression.svg',
      ]),
    );
    expect(plotProblems(join(out, 'plots'))).toEqual([]); // one font, real subscripts, glyphs DejaVu Sans has
    expect(JSON.parse(readFileSync(join(out, 'scenario.json'), 'utf8'))).toMatchObject({
      scenario: 'entropy-estimators',
      preset: 'quick',
      seed: 1,
      params: { eta: 1e-6, batchSize: 10, chains: 16, segmentLengths: [1, 4, 16] },
    });
    // 12 s measured alone on the 2 cores (tanh regression ~0.4 M steps/s with the six observers, linearised ~1.6 M);
    // the bound leaves room for other jobs on the same cores.
    expect(results.elapsedSeconds).toBeLessThan(45);
  });

  it('results.json: Eq. 29 per landscape, and per method, landscape, length and ℓ the estimate, its s.e. and relative error', () => {
    expect(results).toMatchObject({
      eta: 1e-6,
      chains: 16,
      lengths: { 'tanh-regression': [50_000, 200_000], 'linearised-regression': [100_000, 400_000] },
      segmentLengths: [1, 4, 16],
    });
    // Eq. 29 ∝ η (Σ ∝ η, C and D₀ ∝ η²): ≈ 3.1e-3 and 5.9e-4 per step at η = 1e-6.
    expect(results.exact['tanh-regression']).toBeCloseTo(3.122e-3, 5);
    expect(results.exact['linearised-regression']).toBeCloseTo(5.947e-4, 6);
    for (const m of METHODS)
      for (const l of LANDSCAPES) {
        const rows: Scored[] = results.estimates[m][l];
        expect(rows.map((s) => [s.stepsPerChain, s.segmentLength])).toEqual(
          results.lengths[l].flatMap((len: number) => [1, 4, 16].map((e) => [len, e])),
        );
        for (const s of rows) {
          expect(s.relativeError).toBeCloseTo(s.estimate / results.exact[l] - 1, 12);
          expect(s.relativeStdError).toBeCloseTo(s.stdError / results.exact[l], 12);
          expect(s.stdError).toBeGreaterThan(0);
          // τ = 16 chains × ⌊length/ℓ⌋ increments × ℓ
          expect(s.steps).toBe(16 * Math.floor(s.stepsPerChain / s.segmentLength) * s.segmentLength);
          expect(s.bias).toBeCloseTo((l === 'tanh-regression' ? 42 : 6) / s.steps, 15); // N(N − 1)/τ
        }
      }
  });

  it('at ℓ = 1 both estimators find Eq. 29; the quick run resolves it to a few per cent', () => {
    for (const m of METHODS)
      for (const l of LANDSCAPES) {
        const longest: Scored = results.estimates[m][l].at(-3);
        expect(longest.segmentLength).toBe(1);
        // tanh: 16 × 2e5 steps, s.e. ≈ 3 %; linearised (rate 5× smaller per step): 16 × 4e5 steps, s.e. ≈ 5 %
        expect(longest.relativeStdError, `${m} ${l}`).toBeLessThan(l === 'tanh-regression' ? 0.045 : 0.08);
        expect(Math.abs(longest.relativeError), `${m} ${l}`).toBeLessThan(0.01 + 4 * longest.relativeStdError);
      }
  });

  it('coarser ℓ loses entropy production as the linear chain says; the force regression finds −ηH₀ and D₀', () => {
    for (const l of LANDSCAPES) {
      const limits = results.linearChainLimits[l];
      for (const m of METHODS) {
        // the linear chain's limit falls with ℓ (ℓηh_max = 0.03 … 0.45 at η = 1e-6)
        expect(limits[m][2]).toBeLessThan(0.9 * limits[m][0]);
        for (const s of (results.estimates[m][l] as Scored[]).slice(-3))
          expect(Math.abs(s.zLinearChain), `${m} ${l} ℓ = ${s.segmentLength}`).toBeLessThan(4);
      }
      // at ℓ = 16 the TUR keeps more than force inference (both on the linear chain and measured)
      expect(limits.tur[2]).toBeGreaterThan(limits.force[2]);
      expect(results.forceFit[l].diffusionRelativeError).toBeLessThan(0.01);
      expect(results.forceFit[l].driftRelativeError).toBeLessThan(0.1);
    }
  });
});
