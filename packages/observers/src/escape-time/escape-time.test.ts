import { describe, expect, it } from 'vitest';
import { Xoshiro128 } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { EscapeTimeObserver, escapeTimeInfo, type EscapeResult } from './escape-time.ts';
import { bitDifference, fakeLandscape, runContext, runObserver, type Trajectories } from '../testing.ts';

const make = (tr: Trajectories, reference: number[] | undefined, params: Record<string, unknown>) => () => {
  const dim = tr[0][0].length,
    o = new EscapeTimeObserver();
  o.configure(
    paramsFor(escapeTimeInfo, params),
    runContext(
      fakeLandscape(dim, () => 0),
      dim,
      tr.length,
      tr[0].length - 1,
      reference,
    ),
  );
  return o;
};
const run = (
  tr: Trajectories,
  params: Record<string, unknown>,
  blockSize: number,
  parts = 1,
  reference = [0.5, -0.5],
): EscapeResult => runObserver(make(tr, reference, params), tr, blockSize, parts);

/** 2-D chains of 12 steps about θ₀ = (0.5, −0.5), box half-width 1: inside unless a listed step is set. */
const chain = (events: Record<number, [number, number]>) =>
  Array.from({ length: 13 }, (_, k) => events[k] ?? [0.5 + 0.01 * k, -0.5 - 0.02 * k]);
const designed: Trajectories = [
  chain({ 5: [0.5, 0.6] }), // leaves at step 5 through θ₂ > θ₀,₂ + 1 (upper side of coordinate 2)
  chain({ 1: [-0.6, -0.5], 2: [0.5, -0.5] }), // leaves at step 1 through coordinate 1, lower side; coming back changes nothing
  chain({ 7: [1.5, -0.5] }), // exactly on the edge (|δθ| = 1) is inside: never leaves → censored
  chain({ 0: [0.5, -2], 9: [3, 3] }), // already outside at step 0
  chain({ 12: [1.6, 0.7] }), // leaves at the last step; coordinate 1 is checked first
];

describe('escape-time (001 §4, Appendix C)', () => {
  it('finds the first step outside the box, its coordinate and side; the edge itself is inside', () => {
    const r = run(designed, { halfWidth: 1 }, 4);
    expect(r.escapeSteps).toEqual([5, 1, null, 0, 12]);
    expect(r.exitsUpper).toEqual([1, 1]);
    expect(r.exitsLower).toEqual([1, 1]);
    expect([r.chains, r.escaped, r.censored, r.steps]).toEqual([5, 4, 1, 12]);
  });

  it('γ̂ = escapes / steps at risk (censored chains count all their steps), interval γ̂(1 ± 1.96/√escapes), mean and s.e.', () => {
    const r = run(designed, { halfWidth: 1 }, 5);
    const atRisk = 5 + 1 + 12 + 0 + 12;
    expect(r.rate).toBe(4 / atRisk);
    expect(r.rateRelativeError).toBe(0.5);
    expect(r.rateLow).toBeCloseTo((4 / atRisk) * (1 - 0.98), 15);
    expect(r.rateHigh).toBeCloseTo((4 / atRisk) * (1 + 0.98), 15);
    expect(r.meanEscapeStep).toBe(18 / 4);
    const sd = Math.sqrt(((5 - 4.5) ** 2 + (1 - 4.5) ** 2 + (0 - 4.5) ** 2 + (12 - 4.5) ** 2) / 3);
    expect(r.meanEscapeStepStdError).toBeCloseTo(sd / 2, 14);
  });

  it("without censoring γ̂ is 001's 1/mean(t); on a geometric escape it recovers the hazard within 4/√escapes", () => {
    // Each step a chain jumps out with probability p: T is geometric, and escapes/Σt is its exact MLE (censored or not).
    // Relative standard error 1/√escapes; 4 of them keeps a false failure below 1e-4.
    const p = 0.01,
      steps = 300,
      rng = Xoshiro128.fromSeed(3);
    const tr = Array.from({ length: 400 }, () => {
      let out = false;
      return Array.from({ length: steps + 1 }, (_, k) => {
        if (k > 0 && !out) out = rng.nextDouble() < p;
        return [out ? 5 : 0];
      });
    });
    const r = run(tr, { halfWidth: 1 }, 64, 3, [0]);
    expect(r.censored).toBeGreaterThan(0); // e^{−3} of 400 ≈ 20 expected
    expect(Math.abs(r.rate / p - 1)).toBeLessThan(4 * r.rateRelativeError);
    const allOut = run(
      tr.filter((c) => c[steps][0] === 5),
      { halfWidth: 1 },
      64,
      1,
      [0],
    );
    expect(allOut.censored).toBe(0);
    expect(allOut.rate).toBeCloseTo(1 / allOut.meanEscapeStep, 14);
  });

  it('is bit-identical for block sizes 1, 3, 13 and for one part or three', () => {
    const ref = run(designed, { halfWidth: 1 }, 1);
    for (const blockSize of [1, 3, 13])
      for (const parts of [1, 3])
        expect(bitDifference(run(designed, { halfWidth: 1 }, blockSize, parts), ref)).toBeNull();
  });

  it('refuses a run without a reference point or with a bad half-width, naming the field', () => {
    expect(() => make(designed, undefined, {})()).toThrow(/escape-time: needs the run's reference point/);
    expect(() => make(designed, [0, 0], { halfWidth: 0 })()).toThrow(
      'escape-time.params.halfWidth: must be > 0, got 0',
    );
    expect(() => make(designed, [0, 0, 0], {})()).toThrow(/3 components, the run has dim 2/);
    expect(escapeTimeInfo.params.halfWidth.default).toBe(1);
  });
});
