import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plotProblems, withPngAndSpec } from '../shared/figure-files.ts';

// The quick preset through the built CLI, on both cores, as a user runs it: one run, many assertions.
const bin = fileURLToPath(new URL('../../../cli/dist/nesslab.mjs', import.meta.url));
const out = join(mkdtempSync(join(tmpdir(), 'nesslab-sgworld-')), 'quick');
const run = spawnSync(process.execPath, [bin, 'run', 'sgworld-vs-sgld', '--preset', 'quick', '--check', '--out', out], {
  encoding: 'utf8',
});
const results = run.status === 0 ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : undefined;
interface Run {
  eta: number;
  klBits: number;
  stdError: number;
  bias: number;
  count: number;
  chains: number;
}
const at = (alg: string, eta: number): Run => results.realChains[alg].find((r: Run) => r.eta === eta);
const theoryAt = (alg: string, kind: 'continuous' | 'discrete', eta: number) =>
  results.theory[alg][kind][results.theory.etas.indexOf(eta)];

describe('sgworld-vs-sgld, quick preset', () => {
  it('runs, every claim holds (--check), and writes scenario, results and the plot', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(results.claims.map((c: { id: string }) => c.id)).toEqual([
      'kl-theory-slopes',
      'kl-slope-sgld',
      'kl-slope-sgworld',
      'sgworld-lm-beats-sgworld',
    ]);
    expect(readdirSync(join(out, 'plots')).sort()).toEqual(withPngAndSpec(['kl-real-chains.svg', 'kl-vs-eta.svg']));
    expect(plotProblems(join(out, 'plots'))).toEqual([]); // one font, real subscripts, glyphs DejaVu Sans has
    expect(JSON.parse(readFileSync(join(out, 'scenario.json'), 'utf8'))).toMatchObject({
      scenario: 'sgworld-vs-sgld',
      preset: 'quick',
      seed: 1,
      params: { etas: [5e-7, 1e-6], lmEta: 1e-6 },
    });
    expect(results.elapsedSeconds).toBeLessThan(45); // measured ~10 s alone; vitest runs the other scenario tests beside it on the same 2 cores
  });

  it('theory (Fig. 6): slopes 2, 6, 2; SGWORLD orders of magnitude below SGLD; uncorrected "only marginally better than SGLD"', () => {
    const s = results.theory.slopesSmallEta;
    // Next order is relative O(ηn·h_max) ≤ 0.05 at η ≤ 1e-7: 0.05 on the exponent.
    expect(Math.abs(s.sgld - 2)).toBeLessThan(0.05);
    expect(Math.abs(s.sgworld - 6)).toBeLessThan(0.05);
    expect(Math.abs(s['sgworld-uncorrected'] - 2)).toBeLessThan(0.05);
    expect(theoryAt('sgworld', 'continuous', 1e-7) / theoryAt('sgld', 'continuous', 1e-7)).toBeLessThan(1e-4);
    const ratio = theoryAt('sgworld-uncorrected', 'continuous', 1e-8) / theoryAt('sgld', 'continuous', 1e-8);
    expect(ratio).toBeLessThan(1); // better …
    expect(ratio).toBeGreaterThan(0.3); // … but only marginally: the same η² law with a coefficient of the same order
  });

  it('real SGLD chains sit on the exact discrete-time theory at every η (|z| < 4)', () => {
    // Jackknife standard errors over 8 chains (t with 7 degrees of freedom: P(|t| > 4) ≈ 0.5 %).
    for (const r of results.sgldVsExactTheory) expect(Math.abs(r.z), `η = ${r.eta}`).toBeLessThan(4);
    // The continuous Eq. 44 misses the Euler term (ηh/2): ~10 % low at 1e-6, more than 4 s.e. here would show.
    expect(theoryAt('sgld', 'continuous', 1e-6)).toBeLessThan(theoryAt('sgld', 'discrete', 1e-6));
  });

  it('real SGWORLD is not η⁶-small: at 1e-6 it is ≥ 100× Eq. 47 and within 2× of SGLD (docs/science.md §7); uncorrected is 2–4× worse than SGLD', () => {
    const w = at('sgworld', 1e-6),
      s = at('sgld', 1e-6),
      u = at('sgworld-uncorrected', 1e-6);
    // Eq. 47 gives ~2e-5 bits at 1e-6; the chains ~5e-2 (each KL to ~7 %, 4 s.e. < 30 %).
    expect(w.klBits).toBeGreaterThan(100 * theoryAt('sgworld', 'continuous', 1e-6));
    expect(w.klBits / s.klBits).toBeGreaterThan(0.5);
    expect(w.klBits / s.klBits).toBeLessThan(2);
    // docs/science.md §7: uncorrected ~2.5× worse than SGLD (the epoch-Euler theory: 2.5 at 1e-7, 3.3 at 1e-6); ratio ± 10 %.
    expect(u.klBits / s.klBits).toBeGreaterThan(2);
    expect(u.klBits / s.klBits).toBeLessThan(4);
  });

  it("Leimkuhler–Matthews: SGWORLD-LM far below SGWORLD, SGLD-LM stays at SGLD's level (its minibatch noise D ∝ η² remains)", () => {
    const lm = results.lm;
    expect(lm.ratioLowerBound).toBeGreaterThanOrEqual(20);
    expect(Math.abs(lm.sgworldLm)).toBeLessThan(4 * lm.sgworldLmStdError + lm.sgworld / 20);
    // SGLD-LM keeps the η² minibatch term (the full preset: 0.048 vs SGLD's 0.051 at 1e-6; the LM kick removes only the
    // Euler part ηh/2): same order, nowhere near SGWORLD-LM's factor ≥ 20.
    const ratio = lm.sgldLm / at('sgld', 1e-6).klBits;
    expect(ratio).toBeGreaterThan(0.5);
    expect(ratio).toBeLessThan(2);
  });

  it('stability edges: SGLD 2/h_max; SGWORLD with the δ𝓛 correction already near 3e-6 (ηn·h_max ≈ 1.6)', () => {
    const hMax = Math.max(...results.hessianEigenvalues);
    expect(Math.abs((results.stabilityEdge.sgld * hMax) / 2 - 1)).toBeLessThan(1e-9);
    expect(results.stabilityEdge.sgworld).toBeGreaterThan(2.5e-6);
    expect(results.stabilityEdge.sgworld).toBeLessThan(4e-6);
  });

  it('every run reports its count, a positive finite-sample bias and a standard error', () => {
    for (const [alg, runs] of Object.entries(results.realChains) as [string, Run[]][]) {
      for (const r of runs) {
        expect(r.chains, alg).toBe(8);
        expect(r.count, alg).toBeGreaterThan(1000);
        expect(r.bias, alg).toBeGreaterThan(0);
        expect(r.stdError, alg).toBeGreaterThan(0);
      }
    }
  });

  it('bad input: one clear error naming the parameter, exit code 2', () => {
    const bad = spawnSync(
      process.execPath,
      [bin, 'run', 'sgworld-vs-sgld', '--set', 'etas=[1e-6]', '--out', join(out, '..', 'bad')],
      { encoding: 'utf8' },
    );
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('params.etas');
  });
});
