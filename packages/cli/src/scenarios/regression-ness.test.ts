import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The quick preset through the built CLI, on both cores, as a user runs it: one run, many assertions.
const bin = fileURLToPath(new URL('../../dist/nesslab.mjs', import.meta.url));
const out = join(mkdtempSync(join(tmpdir(), 'nesslab-ness-')), 'quick');
const run = spawnSync(process.execPath, [bin, 'run', 'regression-ness', '--preset', 'quick', '--check', '--out', out], { encoding: 'utf8' });
const results = run.status === 0 ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : undefined;
const claim = (id: string) => results.claims.find((c: { id: string }) => c.id === id);

describe('regression-ness, quick preset', () => {
  it('runs, every claim holds (--check), and writes scenario, results and the three plots', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(results.claims.map((c: { id: string }) => c.id)).toEqual(['theta0-is-minimum', 'wr-sigma-matches-theory', 'wr-circulation-matches-theory', 'wor-mean-at-effective-minimum', 'wor-sigma-matches-theory', 'wor-sigma-far-below-wr']);
    expect(readdirSync(join(out, 'plots')).sort()).toEqual(['circulation-wr.svg', 'sigma-wor.svg', 'sigma-wr.svg', 'training-curves.svg']);
    expect(JSON.parse(readFileSync(join(out, 'scenario.json'), 'utf8'))).toMatchObject({ scenario: 'regression-ness', preset: 'quick', seed: 1, params: { eta: 1e-6, batchSize: 10 } });
    expect(results.elapsedSeconds).toBeLessThan(30); // the quick preset's promise on this 2-core machine
  });

  it('θ₀ is the minimum of 𝓛 on the paper\'s data to float64 precision: |∇𝓛(θ₀)| < 1e-8', () => {
    // Gradients here are of order 1e4 away from θ₀ (M/ε² = 2e4); Newton in float64 gets to rounding level ~1e-12.
    expect(results.theta0).toHaveLength(7);
    expect(claim('theta0-is-minimum').measured).toBeLessThan(1e-8);
    // H₀ is positive definite: a minimum, not a saddle; its largest eigenvalue is at least H₇₇ = M/ε² + 2λ = 20020.
    expect(results.hessianEigenvalues[0]).toBeGreaterThan(0);
    expect(results.hessianEigenvalues[6]).toBeGreaterThanOrEqual(20020);
  });

  it('Σ_WR matches the Lyapunov theory element-wise on the √(Σ_ii Σ_jj) scale', () => {
    // Tolerance 0.12: ~4 standard errors of the worst element for 40 chains × 2e5 measured steps at η = 1e-6
    // (≈ 11 relaxation times of the slowest mode per chain) plus the 1.4 % discrete-time bias (see the preset).
    const { simulation, theory, stdError } = results.wr.sigma;
    for (let a = 0; a < 7; a++) {
      for (let b = a; b < 7; b++) {
        const scale = Math.sqrt(theory[a][a] * theory[b][b]);
        expect(Math.abs(simulation[a][b] - theory[a][b]) / scale, `Σ_${a + 1}${b + 1}`).toBeLessThan(0.12);
        expect(stdError[a][b] / scale).toBeLessThan(0.04); // the run is as long as the tolerance assumes
      }
    }
  });

  it('C_WR = ⟨A⟩/ℓ matches ½η(H₀Σ − ΣH₀), antisymmetric', () => {
    const { simulation, theory } = results.wr.circulation;
    const scale = Math.max(...theory.flat().map(Math.abs));
    for (let a = 0; a < 7; a++) {
      expect(simulation[a][a]).toBe(0);
      for (let b = a + 1; b < 7; b++) {
        expect(simulation[b][a]).toBe(-simulation[a][b]);
        // 0.25: ~4 standard errors (0.06 of max|C| for this run length, measured)
        expect(Math.abs(simulation[a][b] - theory[a][b]) / scale, `C_${a + 1}${b + 1}`).toBeLessThan(0.25);
      }
    }
  });

  it('WOR: covariance orders of magnitude below WR, centre measurably displaced from θ₀', () => {
    // 004: ~1e-4 at η = 1e-7; Σ_WOR ∝ η³ against Σ_WR ∝ η gives ~1e-2 at η = 1e-6; a factor 10 either way.
    expect(results.wor.sigmaTraceRatioToWr).toBeGreaterThan(1e-3);
    expect(results.wor.sigmaTraceRatioToWr).toBeLessThan(1e-1);
    // The WOR centre moves to the minimum of 𝓛̂ (Eq. 16), O(η) away from θ₀: far outside the standard error of the mean.
    const se = Math.hypot(...results.wor.meanStdError);
    expect(results.wor.displacementNorm).toBeGreaterThan(10 * se);
    expect(results.wr.mean).toHaveLength(7);
  });

  it('WOR: the centre travels from θ₀ to θ̂₀ = argmin 𝓛̂ (Eq. 16), and Σ_WOR follows the theory with 𝓛̂ and D̂', () => {
    expect(results.wor.effectiveMinimum).toHaveLength(7);
    // The shift Eq. 16 predicts is O(η): ~1e-3 at η = 1e-6 (~1e-4 at the paper's 1e-7).
    expect(results.wor.effectiveMinimumShift).toBeGreaterThan(1e-4);
    // 0.3 of the shift: the leading-order θ̂₀ misses the exact centre by O(η²) and the run leaves e^{-5.5} of the start offset.
    expect(results.wor.distanceToEffectiveMinimum).toBeLessThan(0.3 * results.wor.effectiveMinimumShift);
    expect(results.wor.distanceToEffectiveMinimum).toBeLessThan(results.wor.distanceToTheta0 / 3);
    // Σ_WOR: the leading-order theory is off by O(ηn·h_max/2) ≈ 0.28 at η = 1e-6 (measured 0.25); plus 4 standard errors.
    const claimSigma = claim('wor-sigma-matches-theory');
    expect(claimSigma.holds).toBe(true);
    expect(claimSigma.measured).toBeLessThan(0.3 + 4 * 0.02);
  });

  it('training curves (Fig. 1C): the relative loss falls from the random start, WR and WOR', () => {
    for (const curve of [results.wr.relativeLoss, results.wor.relativeLoss]) {
      expect(curve.steps[0]).toBe(0);
      expect(curve.steps.length).toBe(curve.mean.length);
      expect(curve.mean[curve.mean.length - 1]).toBeLessThan(curve.mean[0] / 100);
    }
  });
});
