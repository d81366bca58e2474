import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withPngAndSpec } from '../shared/figure-files.ts';

// The quick preset through the built CLI, on both cores, as a user runs it: one run, many assertions.
const bin = fileURLToPath(new URL('../../../cli/dist/nesslab.mjs', import.meta.url));
const out = join(mkdtempSync(join(tmpdir(), 'nesslab-escape-')), 'quick');
const run = spawnSync(
  process.execPath,
  [bin, 'run', 'escape-white-noise', '--preset', 'quick', '--check', '--out', out],
  { encoding: 'utf8' },
);
const results = run.status === 0 ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : undefined;
const claim = (id: string) => results.claims.find((c: { id: string }) => c.id === id);
interface Point {
  k: number;
  D: number;
  halfWidth: number;
  steps: number;
  chains: number;
  escaped: number;
  censored: number;
  rate: number;
  ratePerStep: number;
  rateRelativeError: number;
  kramersRate: number;
  exactRate: number;
  zToExact: number;
  exitsUpper: number[];
  exitsLower: number[];
}
const ST = { a: -2.903534, b: 0.156731, barrier: 39.3618 }; // textbook Styblinski–Tang critical points (per coordinate)

describe('escape-white-noise, quick preset', () => {
  it('runs, every claim holds (--check), and writes scenario, results and the three plots', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(results.claims.map((c: { id: string }) => c.id)).toEqual([
      'rate-proportional-to-sharpness',
      'linear-in-inverse-diffusion',
      'rate-matches-kramers',
    ]);
    expect(readdirSync(join(out, 'plots')).sort()).toEqual(
      withPngAndSpec(['escape-fig6.svg', 'log-rate-vs-inverse-diffusion.svg', 'rate-vs-sharpness.svg']),
    );
    expect(JSON.parse(readFileSync(join(out, 'scenario.json'), 'utf8'))).toMatchObject({
      scenario: 'escape-white-noise',
      preset: 'quick',
      seed: 1,
      params: { chains: 80, eta: 1e-3, dim: 10 },
    });
    expect(results.elapsedSeconds).toBeLessThan(45); // measured 5–6 s alone; vitest runs the other scenario tests beside it on the same 2 cores
  });

  it('escapes start at the global minimum and leave the box (b − a + 1)/√k through the saddle side, spread over the 10 saddles', () => {
    expect(results.landscape.a).toBeCloseTo(ST.a, 6);
    expect(results.landscape.b).toBeCloseTo(ST.b, 6);
    expect(results.landscape.barrier).toBeCloseTo(ST.barrier, 4);
    const points: Point[] = results.points;
    expect(points).toHaveLength(9); // k ∈ {1, 2, 4, 8} at D = 6, D ∈ {4.5, 5, 5.5, 6, 7, 8} at k = 8: (8, 6) shared
    for (const q of points) {
      expect(q.halfWidth).toBeCloseTo((ST.b - ST.a + 1) / Math.sqrt(q.k), 5);
      expect(q.escaped + q.censored).toBe(80);
      expect(q.exitsLower.every((n) => n === 0)).toBe(true); // the far side is ~10³ D uphill
      expect(q.exitsUpper.reduce((s, n) => s + n, 0)).toBe(q.escaped);
    }
    // 10 equivalent saddles: exits multinomial with p = 1/10 each; ~680 exits → 68 ± 7.8 per coordinate; 4 s.d. bounds.
    const exits: number[] = results.exitsPerCoordinate,
      total = exits.reduce((s, n) => s + n, 0),
      sd = Math.sqrt(total * 0.1 * 0.9);
    for (const n of exits) expect(Math.abs(n - total / 10)).toBeLessThan(4 * sd);
    // Runs are 3 predicted mean times long: a fraction e^{−3} ≈ 5 % censored (binomial over 720 chains: ±0.8 %).
    expect(results.kramers.censored / (9 * 80)).toBeGreaterThan(0.02);
    expect(results.kramers.censored / (9 * 80)).toBeLessThan(0.09);
  });

  it("every point's rate is the exact mean first-passage rate within 4 standard errors (1/√escapes ≈ 11 %; Euler bias ≲ 2.5 %)", () => {
    // Measured over seeds 1–8: max |z| = 2.2 over the 9 points.
    for (const q of results.points as Point[]) {
      expect(Math.abs(q.zToExact), `k = ${q.k}, D = ${q.D}`).toBeLessThan(4);
      expect(q.rateRelativeError).toBeLessThan(0.12); // the run is as long as the tolerance assumes
      expect(q.rate).toBeCloseTo(q.ratePerStep / 1e-3, 10); // continuous time t = η·steps
    }
  });

  it('(a) γ ∝ k: log–log slope 1 within 3 standard errors, and γ/k matches Theorem 3.1 × 10', () => {
    const a = results.panelA,
      c = claim('rate-proportional-to-sharpness');
    // Slope s.e. = 1/√(Σ n_i (log k_i − mean)²) ≈ 0.074 with ~76 escapes per point: tolerance 3 s.e. ≈ 0.22.
    expect(a.slopeStdError).toBeLessThan(0.08);
    expect(c.tolerance).toBeCloseTo(3 * a.slopeStdError, 12);
    expect(Math.abs(a.slope - 1)).toBeLessThan(c.tolerance);
    // Theorem 3.1 × 10 at D = 6: γ/k = 10 √(f''(a)|f''(b)|)/(2π) e^{−ΔL/D} = 0.0527 per unit time.
    expect(a.kramersRateOverK).toBeCloseTo(
      ((10 * Math.sqrt(34.583 * 15.8526)) / (2 * Math.PI)) * Math.exp(-ST.barrier / 6),
      4,
    );
  });

  it('(b) −log γ linear in 1/D (Pearson > 0.99), with slope ΔL = 39.36 within 4 standard errors (Theorem 3.1)', () => {
    const b = results.panelB;
    expect(claim('linear-in-inverse-diffusion').measured).toBeGreaterThan(0.99);
    // Weighted slope s.e. ≈ 1.4 with ~76 escapes per point (measured over seeds 1–8: |z| ≤ 1.8).
    expect(b.slopeStdError).toBeLessThan(1.6);
    expect(Math.abs(b.slope - ST.barrier)).toBeLessThan(4 * b.slopeStdError);
  });

  it("the pooled rate matches Theorem 3.1 × 10 within 3/√escapes + the Kramers formula's own error + 2 % Euler bias", () => {
    const k = results.kramers,
      c = claim('rate-matches-kramers');
    // The exact 1-D passage to the box edge differs from Kramers by ≤ 1.5 % over D = 4.5–8 (docs/science.md §7: ~1 %).
    expect(k.kramersOwnError).toBeLessThan(0.015);
    expect(c.tolerance).toBeCloseTo(3 / Math.sqrt(k.escapes) + k.kramersOwnError + 0.02, 12);
    expect(c.tolerance).toBeLessThan(0.16);
    expect(Math.abs(k.pooledRatio - 1)).toBeLessThan(c.tolerance);
    // Without the ×10 of the 10 saddles (docs/science.md §7) the rate would be off by a factor of 10: far outside.
    expect(Math.abs(k.pooledRatio * 10 - 1)).toBeGreaterThan(10 * c.tolerance);
  });
});
