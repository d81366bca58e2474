import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plotProblems, withPngAndSpec } from '../shared/figure-files.ts';

// The quick preset through the built CLI, on both cores, as a user runs it: one run, many assertions.
const bin = fileURLToPath(new URL('../../../cli/dist/nesslab.mjs', import.meta.url));
const out = join(mkdtempSync(join(tmpdir(), 'nesslab-quake-')), 'quick');
const run = spawnSync(process.execPath, [bin, 'run', 'earthquake-ness', '--preset', 'quick', '--check', '--out', out], {
  encoding: 'utf8',
});
const results = run.status === 0 ? JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) : undefined;
const claim = (id: string) => results.claims.find((c: { id: string }) => c.id === id);

describe('earthquake-ness, quick preset', () => {
  it('runs, every claim holds (--check), and writes scenario, results and the three plots', () => {
    expect(run.status, run.stderr).toBe(0);
    expect(results.claims.map((c: { id: string }) => c.id)).toEqual([
      'no-circulation',
      'inverse-variance-flatness',
      'sigma-matches-equilibrium-theory',
    ]);
    expect(readdirSync(join(out, 'plots')).sort()).toEqual(
      withPngAndSpec(['cross-section.svg', 'sigma.svg', 'variance-vs-eigenvalue.svg']),
    );
    expect(plotProblems(join(out, 'plots'))).toEqual([]); // one font, real subscripts, glyphs DejaVu Sans has
    expect(JSON.parse(readFileSync(join(out, 'scenario.json'), 'utf8'))).toMatchObject({
      scenario: 'earthquake-ness',
      preset: 'quick',
      seed: 1,
      params: { eta: 1.5e-5, zeta: 1e-4 },
    });
    expect(results.elapsedSeconds).toBeLessThan(45); // measured ~7 s alone; vitest runs the other scenario tests beside it on the same 2 cores
  });

  it('starts from θ₀, the minimum of 𝓛, and the optimizer predicts an equilibrium at T = ηζ²/2 with μ = ηH₀²', () => {
    expect(results.theta0).toHaveLength(7);
    expect(results.gradientNormAtTheta0).toBeLessThan(1e-8);
    expect(results.fokkerPlanck).toMatchObject({ mobility: 1.5e-5, mobilityMatrix: 'H₀²', equilibrium: true });
    expect(results.temperature).toBeCloseTo((1.5e-5 * 1e-8) / 2, 25);
  });

  it("no circulation: C = ⟨A⟩/ℓ is zero within its standard errors, ~1e-7 of WR SGD's at the same η", () => {
    const c = claim('no-circulation'),
      { simulation, stdError, maxZ, ratioToWr } = results.circulation;
    // Tolerance: 5 × the largest chain-spread standard error (16 chains: a t distribution with 15 degrees of freedom,
    // P(|t| > 5) ≈ 2e-4 per element, ~3e-3 over the 21 elements), expressed on WR's scale.
    expect(c.holds).toBe(true);
    expect(c.measured).toBe(ratioToWr);
    expect(maxZ).toBeLessThan(5);
    // C of an equilibrium is pure noise: here ~1e-13 against WR's max|C| ≈ 1.2e-6 at η = 1.5e-5 (Eq. 25 ∝ η²).
    expect(ratioToWr).toBeLessThan(1e-5);
    expect(results.circulation.wrTheoryScale).toBeGreaterThan(1e-7);
    for (let a = 0; a < 7; a++) {
      expect(simulation[a][a]).toBe(0);
      for (let b = a + 1; b < 7; b++) expect(simulation[b][a]).toBe(-simulation[a][b]);
    }
    expect(Math.max(...stdError.flat())).toBeGreaterThan(0);
  });

  it('inverse variance–flatness: the variance along each eigenvector of H₀ is (ηζ²/2)h/(1 − ηh/2), ~650× from flattest to steepest', () => {
    const pv = results.projectedVariance;
    // 0.2: 5 standard errors of the flattest direction (relative √(2(1 + ρ²)/((1 − ρ²)·count)) ≈ 0.040 for
    // ρ = 1 − ηh_min, count = 1.5e6); the steeper directions are 3–30× more precise, each within 5 of its own.
    expect(claim('inverse-variance-flatness').measured).toBeLessThan(0.2);
    pv.relativeError.forEach((e: number, a: number) =>
      expect(Math.abs(e), `direction ${a + 1}`).toBeLessThan(5 * (pv.stdError[a] / pv.theory[a])),
    );
    expect(pv.stdError[0] / pv.theory[0]).toBeLessThan(0.045); // the run is as long as the tolerance assumes
    // The relation itself: ~650× more variance along the steepest direction than along the flattest (Boltzmann on 𝓛
    // would give the inverse, 1/515). The two flattest eigenvalues (55.0, 58.5) are 6 % apart, about one standard
    // error here, so their order may swap: Spearman is 1 or 1 − 6·2/(7·48) = 0.964.
    expect(pv.steepToFlatRatio.simulation).toBeGreaterThan(500);
    expect(pv.spearman).toBeGreaterThanOrEqual(0.96);
    for (let a = 2; a < 7; a++) expect(pv.simulation[a]).toBeGreaterThan(pv.simulation[a - 1]);
  });

  it('Σ matches the discrete-time equilibrium theory element-wise, and visibly differs from the continuous (ηζ²/2)H₀', () => {
    // Tolerance 0.025: ~5 chain-spread standard errors of the worst element (≤ 0.005 of √(Σ_ii Σ_jj)); the cubic
    // terms of 𝓛 move the noise by ≤ 2e-4 relative.
    const { simulation, theory, theoryContinuous, stdError } = results.sigma;
    let continuousOff = 0;
    for (let a = 0; a < 7; a++) {
      for (let b = a; b < 7; b++) {
        const scale = Math.sqrt(theory[a][a] * theory[b][b]);
        expect(Math.abs(simulation[a][b] - theory[a][b]) / scale, `Σ_${a + 1}${b + 1}`).toBeLessThan(0.025);
        expect(stdError[a][b] / scale).toBeLessThan(0.008); // the run is as long as the tolerance assumes
        continuousOff = Math.max(continuousOff, Math.abs(simulation[a][b] - theoryContinuous[a][b]) / scale);
      }
    }
    // At η h_max = 0.42 the factor (1 − ηh/2)⁻¹ reaches 1.27: the continuous theory misses by far more than the tolerance.
    expect(continuousOff).toBeGreaterThan(0.1);
    expect(claim('sigma-matches-equilibrium-theory').measured).toBeLessThan(0.025);
  });

  it("Fig. 2C: the marginal in the (δθ₆, δθ₇) plane (units Θ of WR SGD) holds the equilibrium theory's 1-σ ellipse mass", () => {
    const c = results.crossSection;
    expect(c.histogram.total).toBe(16 * 94_000);
    expect(c.histogram.outside / c.histogram.total).toBeLessThan(1e-3); // window ±4.2 sd of the theory's marginal
    // Cells whose centre is inside the 1-σ ellipse of N(θ₀ + δ, (ηζ²/2)H₀(I − ηH₀/2)⁻¹) restricted to the plane:
    // ≈ 1 − e^{−1/2} = 0.3935. Measured over seeds 1–5: observed − expected from −0.0006 to +0.0002, sd 0.0004 ≈ the
    // binomial √(p(1 − p)/count) = 0.0004 (the plane is dominated by steep, fast-relaxing directions). Tolerance 0.002
    // = 5 sd; a 1 % error in the plane's Σ moves the mass by 0.003.
    const { observed, expected } = c.ellipseMass;
    expect(Math.abs(expected - (1 - Math.exp(-0.5)))).toBeLessThan(0.02);
    expect(Math.abs(observed - expected)).toBeLessThan(0.002);
    // The same Θ as regression-ness (WR theory, m = 10, at the earthquake's η): with ζ = 1e-4 the earthquake's variance
    // in this plane is ~1.5e-5 of WR SGD's (T = ηζ²/2 against D ∝ η²·M/ε²).
    expect(c.theorySigma[0]).toBeLessThan(1e-4);
    // Boltzmann on 𝓛 (shape (H₀⁻¹)_SS) against Σ ∝ H₀: elongated along δθ₆ where the equilibrium cloud is round-ish.
    expect(c.boltzmannSigma[0] / c.boltzmannSigma[3]).toBeGreaterThan(5 * (c.theorySigma[0] / c.theorySigma[3]));
  });

  it('the centre is not θ₀: it moves to the minimum of the smoothed loss, ≈ −½H₀⁻¹∇tr(H W), W = ζ²(I − ηH₀/2)⁻¹', () => {
    const { measured, predicted, stdError } = results.mean.eigenBasis;
    // Along the flattest direction the shift is ~0.4 σ of the cloud at η = 1.5e-5 (4.4 σ at 1e-7), ~10 standard
    // errors of the mean (AR(1): √(v(1 + ρ)/((1 − ρ)·count))): resolved. Every direction within 5 standard errors
    // of the second-order prediction (measured over seeds 1–5: |z| ≤ 2.6).
    expect(Math.abs(measured[0])).toBeGreaterThan(5 * stdError[0]);
    measured.forEach((m: number, a: number) =>
      expect(Math.abs(m - predicted[a]), `direction ${a + 1}`).toBeLessThan(5 * stdError[a]),
    );
  });
});
