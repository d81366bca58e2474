import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plotProblems, withPngAndSpec } from '../shared/figure-files.ts';

// The quick preset through the built CLI, on both cores, as a user runs it: one run, many assertions.
const bin = fileURLToPath(new URL('../../../cli/dist/nesslab.mjs', import.meta.url));
const out = join(mkdtempSync(join(tmpdir(), 'nesslab-sampler-bias-')), 'quick');
const started = performance.now();
const run = spawnSync(process.execPath, [bin, 'run', 'sampler-bias', '--preset', 'quick', '--check', '--out', out], {
  encoding: 'utf8',
});
const seconds = (performance.now() - started) / 1000;
const results = run.status === 0 ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : undefined;

describe('sampler-bias, quick preset', () => {
  it('runs in under 30 s, every claim holds (--check), and writes results and plots', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(seconds).toBeLessThan(60); // ≤ 30 s on two idle cores; headroom for a busy CI machine
    expect(results.claims.map((c: { id: string }) => c.id)).toEqual([
      'chains-match-exact',
      'chain-slopes',
      'exact-slopes',
    ]);
    expect(readdirSync(join(out, 'plots')).sort()).toEqual(withPngAndSpec(['kl-vs-eta.svg', 'w2-vs-eta.svg']));
    expect(plotProblems(join(out, 'plots'))).toEqual([]);
  });

  it('has the exact line of every affine sampler and a real-chain KL with its standard error at every η', () => {
    expect(Object.keys(results.exact).sort()).toEqual(['sg-baoab', 'sghmc', 'sgld', 'sgld-cv', 'sgworld-uncorrected']);
    for (const s of ['sgld', 'sgld-cv', 'sghmc', 'sg-baoab', 'sgworld-uncorrected']) {
      expect(results.exact[s].kl).toHaveLength(results.exactEtas.length);
      expect(results.simulation[s].kl).toHaveLength(results.etas.length);
      for (const se of results.simulation[s].klStdError) expect(se).toBeGreaterThan(0);
    }
    // SGLD's exact line is the discrete-time theory sgworld-vs-sgld checks real chains against: at small η KL ∝ η².
    expect(results.slopes.exact.sgld).toBeCloseTo(2, 1);
    expect(results.best).toHaveLength(results.etas.length);
    // WOR: the exact value is a Monte Carlo over permutations, with its standard error.
    for (const se of results.exact['sgworld-uncorrected'].atEtas.klStdError) expect(se).toBeGreaterThan(0);
    // Uncorrected SGWORLD is also scored against its own target e^{−𝓛̂/n}: there only the Euler kick's O(ηnh) error is
    // left, not the O(η) shift of θ̂₀ and Ĥ/n from the posterior, so at small η its KL is several times smaller.
    const own = results.ownTarget['sgworld-uncorrected'];
    expect(own.kl).toHaveLength(results.exactEtas.length);
    expect(own.kl[0]).toBeLessThan(results.exact['sgworld-uncorrected'].kl[0] / 2);
    // The chains' slopes are held against the exact curve's over the same η (SGLD-CV's KL is not resolved: left out).
    expect(results.slopes.againstExact.map((c: { sampler: string }) => c.sampler)).not.toContain('sgld-cv');
    for (const c of results.slopes.againstExact) expect(Math.abs(c.chains - c.exact)).toBeLessThan(3 * c.stdError);
  });
});
