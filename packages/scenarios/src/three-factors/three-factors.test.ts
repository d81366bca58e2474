import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plotProblems, withPngAndSpec } from '../shared/figure-files.ts';

// The quick preset through the built CLI, on both cores, as a user runs it: one run, many assertions.
const bin = fileURLToPath(new URL('../../../cli/dist/nesslab.mjs', import.meta.url));
const out = join(mkdtempSync(join(tmpdir(), 'nesslab-three-factors-')), 'quick');
const run = spawnSync(process.execPath, [bin, 'run', 'three-factors', '--preset', 'quick', '--check', '--out', out], {
  encoding: 'utf8',
});
const results = run.status === 0 ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : undefined;
const claim = (id: string) => results.claims.find((c: { id: string }) => c.id === id);
interface Point {
  eta: number;
  batchSize: number;
  etaOverS: number;
  logRatio: number;
  logRatioStdError: number;
  pWide: number;
  pSharp: number;
  transitions: number;
  minTransitionsPerChain: number;
}
interface Group {
  etaOverS: number;
  temperature: number;
  points: Point[];
  logRatio: number;
  logRatioStdError: number;
  chi2: number;
  boltzmannLogRatio: number;
  discreteStepEstimate: number;
}

/** log(p_wide/p_sharp) of P ∝ exp(−2L/(nσ²)) (002), by Simpson on [−6, 6], written out here from the paper's L, apart from the landscape code. */
function boltzmann(etaOverS: number, sigma: number, dividing: number): number {
  const L = (t: number) =>
    0.1 * t * t - 0.5 * Math.exp(-(((t + 0.8) / 0.6) ** 2) / 2) - 0.6 * Math.exp(-(((t - 0.6) / 0.25) ** 2) / 2);
  const T = (etaOverS * sigma * sigma) / 2,
    f = (t: number) => Math.exp(-L(t) / T);
  const simpson = (a: number, b: number, n = 20000) => {
    const h = (b - a) / n;
    let s = f(a) + f(b);
    for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
    return (s * h) / 3;
  };
  return Math.log(simpson(-6, dividing) / simpson(dividing, 6));
}

describe('three-factors, quick preset', () => {
  it('runs, every claim holds (--check), and writes scenario, results and the three plots', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(results.claims.map((c: { id: string }) => c.id)).toEqual([
      'occupancy-depends-on-eta-over-s',
      'occupancy-changes-with-eta-over-s',
      'occupancy-matches-boltzmann',
    ]);
    expect(readdirSync(join(out, 'plots')).sort()).toEqual(
      withPngAndSpec(['occupancy-residuals.svg', 'occupancy-vs-eta-over-s.svg', 'three-factors.svg']),
    );
    expect(plotProblems(join(out, 'plots'))).toEqual([]); // one font, real subscripts, glyphs DejaVu Sans has
    expect(JSON.parse(readFileSync(join(out, 'scenario.json'), 'utf8'))).toMatchObject({
      scenario: 'three-factors',
      preset: 'quick',
      seed: 1,
      params: { chains: 20, eta: 0.003, time: 1000 },
    });
    expect(results.elapsedSeconds).toBeLessThan(45); // measured ~9 s alone; vitest runs the other scenario tests beside it on the same 2 cores
  });

  it('groups of equal η/S: η = η₀m, S = S₀m; T = (η/S)σ²/2 = 0.3, 0.15, 0.1 (σ = 20)', () => {
    const groups: Group[] = results.groups;
    expect(groups.map((g) => g.temperature)).toEqual([0.1, 0.15, 0.3].map((T) => expect.closeTo(T, 12)));
    for (const g of groups) {
      expect(g.points.map((q) => [q.eta, q.batchSize])).toEqual(
        [1, 2].map((m) => [0.003 * m, (0.003 / g.etaOverS) * m]),
      );
      for (const q of g.points) {
        expect(q.eta / q.batchSize).toBeCloseTo(g.etaOverS, 15);
        expect(q.pWide + q.pSharp).toBeCloseTo(1, 12);
        // stationarity needs many round trips: ≥ 200 committed transitions per point, every chain at least 5 (measured ≥ 540, ≥ 20)
        expect(q.transitions).toBeGreaterThan(200);
        expect(q.minTransitionsPerChain).toBeGreaterThanOrEqual(5);
      }
    }
  });

  it("equal η/S, equal occupancy: the χ² of the claim is the points' scatter about their group means", () => {
    const groups: Group[] = results.groups;
    let chi2 = 0;
    for (const g of groups) for (const q of g.points) chi2 += ((q.logRatio - g.logRatio) / q.logRatioStdError) ** 2;
    expect(claim('occupancy-depends-on-eta-over-s').measured).toBeCloseTo(chi2, 10);
    expect(results.chi2.dof).toBe(3);
    expect(results.chi2.quantile999).toBeCloseTo(16.27, 0); // χ²₃ 99.9 % = 16.27 (tables); Wilson–Hilferty gives 16.5
  });

  it('larger η/S favours the wide minimum, and every group equals the Boltzmann occupancy (002) within 4 s.e. + the discrete-step estimate', () => {
    const groups: Group[] = results.groups,
      sigma = 20,
      dividing = results.landscape.barrier.theta;
    for (let i = 1; i < groups.length; i++) expect(groups[i].logRatio).toBeGreaterThan(groups[i - 1].logRatio);
    for (const g of groups) {
      expect(g.boltzmannLogRatio).toBeCloseTo(boltzmann(g.etaOverS, sigma, dividing), 6); // two quadratures, same integral
      // s.e. ≈ 0.03–0.07 from 20 chains × t = 1000; ηL″/2 ≤ 0.03 at η = 0.006 gives ≈ 0.012 of discrete-step bias
      expect(Math.abs(g.logRatio - boltzmann(g.etaOverS, sigma, dividing))).toBeLessThan(
        4 * g.logRatioStdError + g.discreteStepEstimate,
      );
    }
    // the theory itself moves from wide-disfavoured (−0.70 at T = 0.1) to wide-favoured (+0.11 at T = 0.3)
    expect(boltzmann(0.0005, sigma, dividing)).toBeCloseTo(-0.7, 1);
    expect(boltzmann(0.0015, sigma, dividing)).toBeCloseTo(0.11, 1);
  });
});
