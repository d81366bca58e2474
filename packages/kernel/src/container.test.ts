import { describe, expect, it } from 'vitest';
import { ContainerModule } from 'inversify';
import { assemble, listPlugins, listScenarios, resolvePlugin, scenarioDefinition } from './container.ts';
import { assembleWithPlugins } from './scenario/plugins.ts';
import { bindPlugin, bindScenario } from './plugin.ts';
import { ScenarioError } from './errors.ts';

class A {
  readonly tag = 'a';
}
class B {
  readonly tag = 'b';
}
const info = (name: string) => ({
  kind: 'optimizer' as const,
  name,
  description: name,
  params: {},
  precision: 'float64',
});
const module = new ContainerModule((o) => {
  bindPlugin(o, A, info('alpha'));
  bindPlugin(o, B, info('beta'));
});

describe('container assembly', () => {
  it('resolves plugins by name, a fresh instance each time', () => {
    const c = assemble(module);
    const a = resolvePlugin(c, 'optimizer', 'alpha', 'scenario.optimizer') as unknown as A;
    expect(a.tag).toBe('a');
    expect(resolvePlugin(c, 'optimizer', 'alpha', 'x')).not.toBe(a);
    expect(listPlugins(c, 'optimizer').map((p) => p.name)).toEqual(['alpha', 'beta']);
  });

  it('an unknown name fails with one message that lists the known names and the field', () => {
    const c = assemble(module);
    expect(() => resolvePlugin(c, 'optimizer', 'gamma', 'scenario.optimizer.name')).toThrow(ScenarioError);
    expect(() => resolvePlugin(c, 'optimizer', 'gamma', 'scenario.optimizer.name')).toThrow(
      'scenario.optimizer.name: unknown optimizer "gamma"; known: alpha, beta',
    );
    expect(() => resolvePlugin(c, 'sampler', 'alpha', 'scenario.sampler.name')).toThrow('known: (none)');
  });

  it('a name clash between modules fails loudly', () => {
    const clash = new ContainerModule((o) => {
      bindPlugin(o, B, info('alpha'));
    });
    expect(() => assemble(module, clash)).toThrow('name clash');
  });
});

describe('scenarios as contributions', () => {
  const definition = (name: string) => ({
    name,
    title: name,
    reproduces: '',
    params: {},
    presets: { quick: {}, full: {} },
    claims: {},
    plan: () => ({ simulations: [] }),
    analyse: () => ({ results: {}, claims: [] }),
  });
  const scenarioModule = (...names: string[]) =>
    new ContainerModule((o) => {
      for (const n of names) bindScenario(o, definition(n));
    });

  it('lists the bound scenarios and finds one by its own name only', () => {
    const c = assembleWithPlugins([scenarioModule('alpha', 'beta')], []);
    expect(listScenarios(c).map((s) => s.name)).toEqual(['alpha', 'beta']);
    expect(scenarioDefinition(c, 'beta', 'scenario').name).toBe('beta');
    expect(() => scenarioDefinition(c, 'constructor', 'scenario')).toThrow(
      'scenario: unknown scenario "constructor"; known: alpha, beta',
    );
  });

  it("refuses a plugin package's scenario whose name is taken, naming the plugin entry", () => {
    expect(() =>
      assembleWithPlugins([scenarioModule('alpha')], [scenarioModule('gamma'), scenarioModule('alpha')]),
    ).toThrow('scenario.plugins[1]: scenario name clash: a scenario named "alpha" is already bound');
    expect(() => assembleWithPlugins([], [scenarioModule('delta', 'delta')])).toThrow(
      'scenario.plugins[0]: scenario name clash',
    );
    expect(() => scenarioModule('Not Kebab') && assembleWithPlugins([scenarioModule('Not Kebab')], [])).toThrow(
      'must be kebab-case',
    );
  });
});
