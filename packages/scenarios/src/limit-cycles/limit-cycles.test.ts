import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plotProblems, withPngAndSpec } from '../shared/figure-files.ts';

// The quick preset through the built CLI, on both cores, as a user runs it: one run, many assertions.
const bin = fileURLToPath(new URL('../../../cli/dist/nesslab.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'nesslab-limit-cycles-')),
  out = join(dir, 'quick');
const run = spawnSync(process.execPath, [bin, 'run', 'limit-cycles', '--preset', 'quick', '--check', '--out', out], {
  encoding: 'utf8',
});
const results = run.status === 0 ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : undefined;
const claim = (id: string) => results.claims.find((c: { id: string }) => c.id === id);

describe('limit-cycles, quick preset', () => {
  it('runs, every claim holds (--check), and writes scenario, results and the four plots', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(results.claims.map((c: { id: string }) => c.id)).toEqual([
      'low-frequency-excess',
      'autocorrelation-outside-band',
      'low-rank-diffusion',
    ]);
    expect(readdirSync(join(out, 'plots')).sort()).toEqual(
      withPngAndSpec(['autocorrelation.svg', 'diffusion-eigenvalues.svg', 'gradient-norm.svg', 'power-spectrum.svg']),
    );
    expect(plotProblems(join(out, 'plots'))).toEqual([]); // one font, real subscripts, glyphs DejaVu Sans has
    expect(JSON.parse(readFileSync(join(out, 'scenario.json'), 'utf8'))).toMatchObject({
      scenario: 'limit-cycles',
      preset: 'quick',
      seed: 1,
      params: { dataSize: 1500, chains: 2, windowEpochs: 256 },
    });
    expect(results.elapsedSeconds).toBeLessThan(60); // measured ~12 s alone; vitest runs the other scenario tests beside it on the same 2 cores
  });

  it('the net has a low-frequency excess; the convex control, a stationary linear relaxation, has none (theory: ≤ 1)', () => {
    // S_Δ(f) = |1 − e^{−2πif}|²S_θ(f) is non-decreasing for every relaxing mode of the control: its lowest frequency cannot
    // exceed the minimum, up to periodogram noise (the lowest bin averages 2 chains × 490 correlated weights; measured 0.5–0.7).
    expect(results.controlSpectrum.excess).toBeLessThan(1);
    expect(claim('low-frequency-excess').measured).toBe(results.spectrum.excess);
    expect(results.spectrum.excess).toBeGreaterThan(2 * results.controlSpectrum.excess);
    expect(results.spectrum.octaves[0].frequency).toBeCloseTo(1 / 256, 15); // one sample per epoch: f = 1/W cycles per epoch
  });

  it("large-lag autocorrelation: the control stays at white noise's 1 % outside the 99 % band, the net does not", () => {
    // Control: each mode is an AR(1) at epoch resolution, a = (1 − ηh)^n, whose increments correlate at lag ℓ by −a^{ℓ−1}(1 − a)/2:
    // |r| < 0.015 for every h ≥ 2λ = 0.02 (η = 0.1, n = 15), far inside the band ±0.161, so the fraction outside is white
    // noise's 1 % (measured 0.9–1.0 %); 3 % allows for the noise of 2·490·33 correlated (weight, lag) pairs.
    const a = results.autocorrelation;
    expect(a.largeLagOutside).toMatchObject({ from: 32, to: 64 });
    expect(a.controlLargeLagOutside.fraction).toBeLessThan(0.03);
    expect(claim('autocorrelation-outside-band').measured).toBe(a.largeLagOutside.fraction);
    expect(a.band).toBeCloseTo(2.576 / 16, 12); // ±2.576/√W, W = 256
  });

  it("D: effective rank a few % of N; numpy's threshold ranks reported; D ⪰ 0; the control's D for contrast", () => {
    const d = results.diffusion,
      N = results.net.dim;
    expect(N).toBe(885);
    for (const [k, r] of d.ranks.entries()) {
      // numpy's ranks nest (float64's threshold is 2⁻²⁹ × float32's); trace ranks grow with the fraction of tr D.
      expect(r.float32).toBeLessThan(r.float64);
      expect(r.trace90).toBeLessThanOrEqual(r.trace99);
      expect(d.effectiveRankFraction[k]).toBeCloseTo(r.participation / N, 15);
      const values: number[] = d.eigenvalues[k],
        max = values[0];
      expect(Math.min(...values)).toBeGreaterThan(-1e-12 * max); // a covariance: negative only by round-off
    }
    expect(claim('low-rank-diffusion').measured).toBeCloseTo(Math.max(...d.effectiveRankFraction), 15);
    expect(d.controlRanks).toHaveLength(2);
  });

  it('|∇𝓛| at epoch ends (003 Fig. 3c): whole epochs, log-spaced from 0 to the end; the window split in halves of recorded points', () => {
    const g = results.gradientNorm;
    expect(g.epochs[0]).toBe(0);
    expect(g.epochs[g.epochs.length - 1]).toBe(512 + 256);
    expect(g.epochs.every((e: number) => Number.isInteger(e))).toBe(true);
    expect(g.mean.every((v: number) => v > 0)).toBe(true);
    expect(g.window.points[0]).toBeGreaterThanOrEqual(8); // 64 linearly spaced points over 768 epochs: ~11 per half-window of 128
    expect(g.window.ratio).toBeCloseTo(g.window.secondHalf / g.window.firstHalf, 14);
  });

  it('bad input: one message naming the field, no output', () => {
    for (const [set, field] of [
      ['batchSize=7', 'params.batchSize'],
      ['windowEpochs=100', 'params.windowEpochs'],
      ['lags=256', 'params.lags'],
    ]) {
      const bad = join(dir, `bad-${field}`);
      const r = spawnSync(
        process.execPath,
        [bin, 'run', 'limit-cycles', '--preset', 'quick', '--set', set, '--out', bad],
        { encoding: 'utf8' },
      );
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(field);
      expect(existsSync(bad)).toBe(false);
    }
  });
});
