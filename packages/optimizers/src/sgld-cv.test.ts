import { describe, expect, it } from 'vitest';
import { Xoshiro128, findMinimum } from '@nesslab/kernel';
import { SgldCvOptimizer, SgldOptimizer, sgldCvInfo } from './index.ts';
import { QuadraticPerSample, makeChain, stateLengths } from './langevin-fixtures.ts';
import { cycling, expectBound, expectChainsApart, oneDQuadratic, order, xs } from './optimizer-checks.ts';

const k = 4, // ℓ_i = ½k(θ − x_i)²
  oneD = oneDQuadratic(k),
  sampler = cycling;

/** oneD, counting its full-batch gradient calls. */
class Counting extends QuadraticPerSample {
  calls = 0;
  override gradient(t: Float64Array, out: Float64Array): void {
    this.calls++;
    super.gradient(t, out);
  }
}

describe('sgld-cv', () => {
  for (const at of ['reference', 'start'] as const)
    it(`(at: '${at}') takes θ ← θ − η(∇𝓛(θ̂) + ∇L_B(θ) − ∇L_B(θ̂)) + √(2η) z, one batch at both points, ∇𝓛(θ̂) once`, () => {
      const eta = 0.01,
        sigma = Math.sqrt(2 * eta),
        L = new Counting(oneD.A, oneD.x),
        opt = new SgldCvOptimizer();
      opt.configure({ eta, at }, L, sampler);
      expect(stateLengths(opt)).toEqual(
        at === 'start' ? { grad: 1, anchor: 1, anchorGradient: 1, anchorReady: 1 } : { grad: 1 },
      );
      const anchor = at === 'start' ? 0.7 : findMinimum(oneD, 0)[0],
        anchorGradient = new Float64Array(1);
      oneD.gradient(Float64Array.of(anchor), anchorGradient);
      if (at === 'reference') expect(Math.abs(anchor - 1)).toBeLessThan(1e-12); // θ̂ = θ₀ = mean x
      const callsBefore = L.calls,
        c = makeChain([0.7], opt, Xoshiro128.fromSeed(5), sampler),
        replay = (c.rng as Xoshiro128).clone();
      let theta = 0.7;
      for (let t = 0; t < 12; t++) {
        const x = xs[order[t % 4]],
          grad = k * (theta - x) + (anchorGradient[0] - k * (anchor - x));
        theta = theta - eta * grad + sigma * replay.nextNormal();
        opt.step(c);
        c.step++;
        expect(c.theta[0]).toBe(theta);
        expect((c.rng as Xoshiro128).state()).toEqual(replay.state());
      }
      expect(L.calls - callsBefore, 'full-batch gradients during the steps').toBe(at === 'start' ? 1 : 0);
    });

  it('removes the minibatch noise where the batches differ only in their offset: exact Var θ = 1/(k(1 − ηk/2)), SGLD more', () => {
    // WR batches of 1: the moment recursion over the 4 equally likely batches, through each plugin's affineStep
    // (μ′ = E[A]μ + E[b], s′ = E[A²]s + 2E[Ab]μ + E[b²] + Q), iterated to its fixed point. SGLD-CV's A and b do not
    // depend on the batch here, so it is the Euler SGLD of the noiseless quadratic: 1/(k(1 − ηk/2)), centred at θ₀ = 1;
    // SGLD adds the minibatch term: (η²k²Var x + 2η)/(1 − (1 − ηk)²), Var x = 2.5.
    const eta = 0.05,
      stationary = (opt: SgldCvOptimizer | SgldOptimizer): [number, number] => {
        const maps = xs.map((x) => opt.affineStep!(Float64Array.of(k), Float64Array.of(k * x)));
        const E = (f: (s: (typeof maps)[0]) => number) => maps.reduce((acc, s) => acc + f(s), 0) / maps.length;
        let mu = 0,
          s2 = 0;
        for (let it = 0; it < 2000; it++) {
          const next = E((s) => s.A[0] * mu + s.b[0]);
          s2 = E((s) => s.A[0] * s.A[0] * s2 + 2 * s.A[0] * s.b[0] * mu + s.b[0] * s.b[0] + s.Q[0]);
          mu = next;
        }
        return [mu, s2 - mu * mu];
      };
    const cv = new SgldCvOptimizer(),
      sgld = new SgldOptimizer();
    cv.configure({ eta, at: 'reference' }, oneD, sampler);
    sgld.configure({ eta }, oneD, sampler);
    const [cvMean, cvVar] = stationary(cv),
      [sgldMean, sgldVar] = stationary(sgld);
    expect(cvMean).toBeCloseTo(1, 12);
    expect(sgldMean).toBeCloseTo(1, 12);
    expect(cvVar).toBeCloseTo(1 / (k * (1 - (eta * k) / 2)), 12);
    expect(sgldVar).toBeCloseTo((eta * eta * k * k * 2.5 + 2 * eta) / (1 - (1 - eta * k) ** 2), 12);
    expect(sgldVar / cvVar).toBeGreaterThan(1.2);
  });

  it("keeps each chain's anchor, flag and stream apart (chains stepped alternately = chains stepped alone)", () => {
    for (const at of ['reference', 'start'])
      expectChainsApart(() => new SgldCvOptimizer(), { eta: 0.01, at }, oneD, sampler);
  });

  it('is bound as "sgld-cv", declared with definePlugin, θ̂ documented (reference by default)', () => {
    expectBound(SgldCvOptimizer, sgldCvInfo, ['eta', 'at', 'schedule', 'cycles', 'totalSteps']);
    expect(sgldCvInfo.params.at.default).toBe('reference');
  });
});
