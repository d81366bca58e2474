import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withPngAndSpec } from '../shared/figure-files.ts';

// The quick preset through the built CLI, on both cores, as a user runs it: one run, many assertions.
const bin = fileURLToPath(new URL('../../../cli/dist/nesslab.mjs', import.meta.url));
const out = join(mkdtempSync(join(tmpdir(), 'nesslab-escape-sgd-')), 'quick');
const run = spawnSync(process.execPath, [bin, 'run', 'escape-sgd', '--preset', 'quick', '--check', '--out', out], {
  encoding: 'utf8',
});
const results = run.status === 0 ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : undefined;
const claim = (id: string) => results.claims.find((c: { id: string }) => c.id === id);
interface Point {
  k: number;
  eta: number;
  B: number;
  chains: number;
  escaped: number;
  censored: number;
  rate: number;
  ratePerStep: number;
  rateRelativeError: number;
  theoryRate: number;
  ratioToTheory: number;
  monitoredHalfWidth: number;
  monitoringSecondOrder: number;
  stepCurvature: number;
  exitsUpper: number[];
  exitsLower: number[];
}
const fa = 6 * 2.903534 ** 2 - 16; // f₁''(a) = 34.583 at the textbook minimum a = −2.903534
const beta = 1.4603545088095868 / Math.sqrt(2 * Math.PI); // −ζ(½)/√(2π), Siegmund's overshoot constant

describe('escape-sgd, quick preset', () => {
  it('runs, every claim holds (--check), and writes scenario, results and the four plots', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(results.claims.map((c: { id: string }) => c.id)).toEqual([
      'linear-in-inverse-sharpness',
      'linear-in-batch-size',
      'linear-in-inverse-learning-rate',
      'rate-matches-diffusion-theory',
    ]);
    expect(readdirSync(join(out, 'plots')).sort()).toEqual(
      withPngAndSpec([
        'escape-fig4.svg',
        'log-rate-vs-batch-size.svg',
        'log-rate-vs-inverse-eta.svg',
        'log-rate-vs-inverse-sharpness.svg',
      ]),
    );
    expect(JSON.parse(readFileSync(join(out, 'scenario.json'), 'utf8'))).toMatchObject({
      scenario: 'escape-sgd',
      preset: 'quick',
      seed: 1,
      params: { chains: 60, dim: 10, halfWidth: 0.15 },
    });
    expect(results.elapsedSeconds).toBeLessThan(45); // measured 6–12 s alone; vitest runs the other scenario tests beside it on the same 2 cores
  });

  it('the box |√kθ_d − a| < 0.15 has barrier f₁(a + w) − f₁(a) = 0.36971 on the saddle side; 13 points, 60 chains each', () => {
    // Taylor at a: ½f''w² + (12a/6)w³ + (12/24)w⁴ = 0.389063 − 0.019599 + 0.000253 (f₁ = ½(x⁴ − 16x² + 5x)).
    expect(results.landscape.boxBarrier).toBeCloseTo(0.5 * fa * 0.0225 + 2 * -2.903534 * 0.003375 + 0.5 * 0.15 ** 4, 5);
    const points: Point[] = results.points;
    expect(points).toHaveLength(13); // 5 k + 4 B + 5 η, (k, η, B) = (1, 0.0025, 1) shared by panels (a) and (c)
    for (const q of points) {
      expect(q.escaped + q.censored).toBe(60);
      expect(q.exitsUpper.reduce((s, n) => s + n, 0) + q.exitsLower.reduce((s, n) => s + n, 0)).toBe(q.escaped);
      // The discrete-monitoring correction widens the box by βσ, σ = ηk√(f''(a)/B), the noise of one step in x.
      expect(q.monitoredHalfWidth).toBeCloseTo(0.15 + beta * q.eta * q.k * Math.sqrt(fa / q.B), 7); // a to 7 digits
      expect(q.stepCurvature).toBeLessThan(0.5); // ηk f''(a): SGD is far from its stability limit 2
    }
  });

  it('escapes use both sides, more often the saddle side (lower barrier), and all 10 coordinates evenly', () => {
    // Saddle side ΔL = 0.370, far side 0.409: at ΔL/D ≈ 5–9 the far side is e^{−0.04/D} ≈ 2–3× rarer; ~730 escapes.
    expect(results.exitsLower).toBeGreaterThan(0);
    const upper: number[] = results.exitsUpperPerCoordinate,
      totalUpper = upper.reduce((s, n) => s + n, 0);
    expect(totalUpper).toBeGreaterThan(1.3 * results.exitsLower);
    // Multinomial p = 1/10 per coordinate: 4 s.d. bounds.
    const sd = Math.sqrt(totalUpper * 0.1 * 0.9);
    for (const n of upper) expect(Math.abs(n - totalUpper / 10)).toBeLessThan(4 * sd);
  });

  it('Pearson > 0.99 for −log γ against 1/k, B and 1/η (001 Fig. 4), and the claims report exactly those correlations', () => {
    for (const [id, axis] of [
      ['linear-in-inverse-sharpness', 'inverseK'],
      ['linear-in-batch-size', 'batchSize'],
      ['linear-in-inverse-learning-rate', 'inverseEta'],
    ]) {
      expect(claim(id).measured).toBe(results.fits[axis].pearson);
      expect(claim(id).measured).toBeGreaterThan(0.99);
    }
  });

  it("every point's rate is the diffusion theory's within 4 standard errors + the continuity correction's second order", () => {
    // s.e. = 1/√escapes ≈ 13 %; (βσ/w)²ΔL/D ≤ 0.11 is the order of what the first-order correction leaves (seeds 1–3: |z| ≤ 3.6 uncorrected).
    for (const q of results.points as Point[]) {
      expect(q.rateRelativeError).toBeLessThan(0.15); // the run is as long as the tolerance assumes (few censored)
      expect(Math.abs(Math.log(q.ratioToTheory)), `k = ${q.k}, η = ${q.eta}, B = ${q.B}`).toBeLessThan(
        4 * q.rateRelativeError + q.monitoringSecondOrder,
      );
      expect(q.rate).toBeCloseTo(q.ratePerStep / q.eta, 8); // continuous time t = η·steps
    }
    const c = claim('rate-matches-diffusion-theory');
    expect(c.tolerance).toBeCloseTo(3 * results.theory.relativeStdError + results.theory.monitoringSecondOrder, 12);
    expect(c.tolerance).toBeLessThan(0.25);
    expect(Math.abs(c.measured - 1)).toBeLessThan(c.tolerance);
  });

  it("the fitted slopes are the diffusion theory's within 4 standard errors; Theorem 3.2 (s = 1) gives the batch slope 2ΔL/(ηk f''(a))", () => {
    for (const axis of ['inverseK', 'batchSize', 'inverseEta']) {
      const f = results.fits[axis];
      expect(Math.abs(f.slope - f.diffusionTheorySlope), axis).toBeLessThan(4 * f.slopeStdError);
    }
    // D = ηH_a/(2B) constant (no saddle inside the box): −log γ's B-slope from Theorem 3.2's exponent, k = 1, η = 0.0125.
    expect(results.fits.batchSize.theorem32Slope).toBeCloseTo((2 * results.landscape.boxBarrier) / (0.0125 * fa), 3);
  });
});
