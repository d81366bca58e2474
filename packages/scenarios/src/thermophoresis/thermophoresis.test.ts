import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collapse, type Curve } from './thermophoresis.ts';
import { withPngAndSpec } from '../shared/figure-files.ts';

// The quick preset through the built CLI, as a user runs it: one run, many assertions.
const bin = fileURLToPath(new URL('../../../cli/dist/nesslab.mjs', import.meta.url));
const out = join(mkdtempSync(join(tmpdir(), 'nesslab-thermo-')), 'quick');
const run = spawnSync(process.execPath, [bin, 'run', 'thermophoresis', '--preset', 'quick', '--check', '--out', out], {
  encoding: 'utf8',
});
const results = run.status === 0 ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : undefined;
interface Run {
  label: string;
  eta: number;
  batchSize: number;
  steps: number[];
  rescaledSteps: number[];
  activationRate: { mean: number[]; sd: number[]; chains: number };
}

/** A synthetic noise-free run with activation rate f(τ, steps), recorded at τ_j = j (j = 0..4), steps = τ|B|/η². */
const curve = (eta: number, batch: number, f: (tau: number, steps: number) => number): Curve => {
  const tau = [0, 1, 2, 3, 4],
    steps = tau.map((t) => (t * batch) / (eta * eta));
  const mean = tau.map((t, j) => f(t, steps[j]));
  const s = { steps, mean, sd: mean.map(() => 0), chains: 1 };
  return { label: `${eta}`, eta, batch, steps, tau, rate: s, norm: s };
};

describe('thermophoresis: the collapse measure', () => {
  it('curves that depend on τ = steps·η² alone have zero rescaled spread and a large raw one; curves in raw steps the reverse', () => {
    const inTau = collapse([0.025, 0.05, 0.1].map((eta) => curve(eta, 1, (t) => 0.5 * Math.exp(-t / 2))));
    expect(inTau.rescaled).toBe(0);
    expect(inTau.raw).toBeGreaterThan(0.5);
    const inSteps = collapse([0.025, 0.05, 0.1].map((eta) => curve(eta, 1, (_t, s) => 0.5 - 1e-5 * s)));
    expect(inSteps.rescaled).toBeGreaterThan(0.5);
    expect(inSteps.raw).toBeLessThan(1e-12); // linear in raw steps: the interpolation onto the shortest run's steps is exact
  });
});

describe('thermophoresis, quick preset (000 Fig. 2–6)', () => {
  it('runs, every claim holds (--check), and writes the four panels', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(results.claims.map((c: { id: string }) => c.id)).toEqual([
      'activation-rate-falls',
      'weight-norm-falls',
      'eta-squared-collapse',
      'batch-size-collapse',
    ]);
    expect(readdirSync(join(out, 'plots')).sort()).toEqual(
      withPngAndSpec([
        'activation-rate-batch.svg',
        'activation-rate-eta.svg',
        'weight-norm-batch.svg',
        'weight-norm-eta.svg',
      ]),
    );
    expect(results.elapsedSeconds).toBeLessThan(60); // ~8 s alone; vitest runs the other scenario tests beside it on the same 2 cores
  });

  it('every run records on one grid of τ = steps·η²/|B| and starts from the same nets (same seed)', () => {
    const runs: Run[] = results.runs;
    expect(runs.map((r) => r.label)).toEqual([
      'η = 0.025, |B| = 1',
      'η = 0.05, |B| = 1',
      'η = 0.1, |B| = 1',
      'η = 0.05, |B| = 1',
      'η = 0.05, |B| = 2',
      'η = 0.05, |B| = 3',
    ]);
    for (const r of runs) {
      expect(r.rescaledSteps.at(-1)).toBeCloseTo(40, 2);
      // Linear schedule 1 + t(steps − 1), rounded: τ_j within 1.5 steps (1.5 η²/|B| ≤ 0.015) of the shared grid.
      r.rescaledSteps.forEach((tau, j) => expect(Math.abs(tau - runs[0].rescaledSteps[j])).toBeLessThan(0.015));
      expect(r.activationRate.mean[0]).toBe(runs[0].activationRate.mean[0]);
    }
    // At the start z = Wx + b is symmetric about 0 (x ~ N(0, I), symmetric init): rate ½ within 4 s.e. over 16 nets.
    const a0 = runs[0].activationRate;
    expect(Math.abs(a0.mean[0] - 0.5)).toBeLessThan((4 * a0.sd[0]) / Math.sqrt(a0.chains));
  });

  it('collapse: rescaled spread ≪ raw spread (η: measured 0.02–0.03 of the raw, |B|: 0.06–0.09; claim < 0.5)', () => {
    expect(results.etaCollapse.raw).toBeGreaterThan(0.5); // in raw steps the η = 0.1 curve falls ~16× faster than η = 0.025
    expect(results.etaCollapse.rescaled).toBeLessThan(0.5 * results.etaCollapse.raw);
    expect(results.batchCollapse.rescaled).toBeLessThan(0.5 * results.batchCollapse.raw);
  });
});
