import { describe, expect, it } from 'vitest';
import { ContainerModule } from 'inversify';
import { assemble, listPlugins, resolvePlugin } from './container.ts';
import { bindPlugin } from './plugin.ts';
import { ScenarioError } from './errors.ts';

class A { readonly tag = 'a'; }
class B { readonly tag = 'b'; }
const info = (name: string) => ({ kind: 'optimizer' as const, name, description: name, params: {}, precision: 'float64' });
const module = new ContainerModule((o) => { bindPlugin(o, A, info('alpha')); bindPlugin(o, B, info('beta')); });

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
    const clash = new ContainerModule((o) => { bindPlugin(o, B, info('alpha')); });
    expect(() => assemble(module, clash)).toThrow('name clash');
  });
});
