import { describe, expect, it } from 'vitest';
import { defineScenario, judge } from './define-scenario.ts';

const params = { eta: { type: 'number', description: 'η', default: 0.1, exclusiveMinimum: 0 } } as const;
const claims = { 'eta-small': 'η is small', 'eta-near': 'η near 0.1' } as const;

describe('defineScenario', () => {
  it('builds claims from their ids: the statement written once, the judgement from the test', async () => {
    const def = defineScenario({
      name: 'toy-scenario',
      title: 't',
      reproduces: 'r',
      params,
      claims,
      presets: { quick: {}, full: {} },
      plan: () => ({ simulations: [] }),
      analyse: (p, _o, _plan, { claim }) => ({
        results: { eta: p.eta },
        claims: [
          claim('eta-small', p.eta, { atMost: 0.5 }),
          claim('eta-near', p.eta, { expected: 0.1, tolerance: 1e-12 }),
        ],
      }),
    });
    const analysis = await def.analyse({ eta: 0.1 }, [], { simulations: [] }, {} as never);
    expect(analysis.claims).toEqual([
      { id: 'eta-small', statement: 'η is small', measured: 0.1, expected: '≤ 0.5', tolerance: 0, holds: true },
      { id: 'eta-near', statement: 'η near 0.1', measured: 0.1, expected: 0.1, tolerance: 1e-12, holds: true },
    ]);
  });

  it('judges factor, bounds and given decisions; NaN never holds', () => {
    expect(judge(25, { expected: 10, factor: 3 }).holds).toBe(true);
    expect(judge(31, { expected: 10, factor: 3 }).holds).toBe(false);
    expect(judge(3.3, { expected: 10, factor: 3 }).holds).toBe(false);
    expect(judge(Number.NaN, { atLeast: 0 }).holds).toBe(false);
    expect(judge(Number.NaN, { expected: 0, tolerance: 1 }).holds).toBe(false);
    expect(judge('x', { expected: 'y', tolerance: 'z', holds: true })).toEqual({
      expected: 'y',
      tolerance: 'z',
      holds: true,
    });
  });

  it('refuses at import time a name that is not kebab-case, a preset key that is not a param, and an unknown claim id', async () => {
    const base = {
      title: 't',
      reproduces: 'r',
      params,
      claims,
      plan: () => ({ simulations: [] }),
      analyse: () => ({ results: {}, claims: [] }),
    };
    expect(() => defineScenario({ ...base, name: 'Bad_Name', presets: { quick: {}, full: {} } })).toThrow(
      'the name must be kebab-case',
    );
    expect(() =>
      defineScenario({ ...base, name: 'ok-name', presets: { quick: { colour: 1 } as never, full: {} } }),
    ).toThrow('preset quick sets "colour"');
    const def = defineScenario({
      ...base,
      name: 'ok-name',
      presets: { quick: {}, full: {} },
      analyse: (_p, _o, _s, { claim }) => ({ results: {}, claims: [claim('nope' as never, 1, { atMost: 2 })] }),
    });
    await expect(async () => def.analyse({ eta: 0.1 }, [], { simulations: [] }, {} as never)).rejects.toThrow(
      'unknown claim "nope"',
    );
  });
});
