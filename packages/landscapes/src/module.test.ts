import { describe, expect, it } from 'vitest';
import { assemble, listPlugins, resolvePlugin } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { landscapesModule, tanhRegressionInfo, TanhRegression } from './index.ts';

describe('landscapes module', () => {
  it('binds tanh-regression under the Landscape token with its PluginInfo', () => {
    const c = assemble(landscapesModule);
    const l = resolvePlugin(c, 'landscape', 'tanh-regression', 'landscape');
    expect(l).toBeInstanceOf(TanhRegression);
    expect(resolvePlugin(c, 'landscape', 'tanh-regression', 'landscape')).not.toBe(l);
    l.configure(paramsFor(tanhRegressionInfo), 0);
    expect(l.dim).toBe(7);
    expect(l.dataSize).toBe(200);
    expect(Number.isFinite(l.loss(new Float64Array(7).fill(1)))).toBe(true);
    expect(listPlugins(c, 'landscape')).toContainEqual(tanhRegressionInfo);
  });

  it('documents every parameter with a type, a default and a description', () => {
    expect(tanhRegressionInfo).toMatchObject({
      kind: 'landscape',
      name: 'tanh-regression',
      source: '004 §4.1, Eq. 30',
      precision: 'float64',
    });
    expect(Object.keys(tanhRegressionInfo.params).sort()).toEqual([
      'data',
      'dataSeed',
      'dataSize',
      'epsilon',
      'lambda',
    ]);
    for (const spec of Object.values(tanhRegressionInfo.params)) {
      expect(spec.description.length).toBeGreaterThan(10);
      expect(spec.default).toBeDefined();
    }
    // Configuring with exactly the documented defaults equals configuring with none.
    const defaults = Object.fromEntries(Object.entries(tanhRegressionInfo.params).map(([k, s]) => [k, s.default]));
    const a = new TanhRegression(),
      b = new TanhRegression();
    a.configure(paramsFor(tanhRegressionInfo, defaults), 0);
    b.configure(paramsFor(tanhRegressionInfo), 0);
    const th = new Float64Array([0.3, -0.2, 0.1, 0.5, 1, -1, 0.05]);
    expect(a.loss(th)).toBe(b.loss(th));
  });

  it('an unknown landscape name lists tanh-regression', () => {
    const c = assemble(landscapesModule);
    expect(() => resolvePlugin(c, 'landscape', 'tanh', 'landscape')).toThrow(/known: .*tanh-regression/);
  });
});
