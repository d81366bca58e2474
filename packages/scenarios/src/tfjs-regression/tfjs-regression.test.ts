import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { plotProblems } from '../shared/figure-files.ts';

const bin = fileURLToPath(new URL('../../../cli/dist/nesslab.mjs', import.meta.url));

describe('tfjs-regression, quick preset', () => {
  it('finds the built-in θ₀ and H₀ through tfjs autodiff to float32 precision and reports the backend', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'nesslab-tfjs-')), 'quick');
    const r = spawnSync(process.execPath, [bin, 'run', 'tfjs-regression', '--check', '--out', out], {
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'));
    // tfjs-node cannot install here (it downloads libtensorflow): wasm loads from node_modules, else cpu.
    expect(['tensorflow', 'wasm', 'cpu']).toContain(results.backend);
    expect(results.backendTried.length).toBeGreaterThanOrEqual(1);
    // float32 gradients: |∇𝓛| bottoms out near ε₃₂·(terms ~1e3–1e4) ≈ 1e-4, not at float64's 1e-12…
    expect(results.gradientNormAtTheta0.tfjs).toBeLessThan(1e-3);
    // …which moves θ₀ by ~|∇𝓛|/h_min ≈ 2e-4/55 ≈ 4e-6 at most, i.e. < 1e-5 relative to |θ₀| ~ 1.
    expect(results.theta0RelativeDifference).toBeLessThan(1e-5);
    expect(results.hessianRelativeDifference).toBeLessThan(1e-5);
    expect(results.stepsPerSecond.tfjs).toBeGreaterThan(0);
    expect(results.stepsPerSecond.builtin).toBeGreaterThan(results.stepsPerSecond.tfjs);
    expect(plotProblems(join(out, 'plots'))).toEqual([]); // one font, real subscripts (θ₁ …), glyphs DejaVu Sans has
  });
});
