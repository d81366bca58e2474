import { describe, expect, expectTypeOf, it } from 'vitest';
import { definePlugin, type ParamsOf } from './define-plugin.ts';
import type { PluginInfo } from './contracts/plugin-info.ts';

const info = definePlugin({
  kind: 'observer',
  name: 'typed',
  description: 'every param type',
  params: {
    eta: { type: 'number', description: 'η', default: 0.1, exclusiveMinimum: 0 },
    burnIn: { type: 'integer', description: 'steps', default: 0, minimum: 0 },
    at: { type: 'string', description: 'when', default: 'final', enum: ['final', 'every'] },
    label: { type: 'string', description: 'free text', default: '' },
    flag: { type: 'boolean', description: 'on/off', default: false },
    lengths: { type: 'array', description: 'ℓ values', default: [1, 2, 3] },
    required: { type: 'number', description: 'no default' },
  },
  precision: 'float64',
});

describe('ParamsOf', () => {
  it('infers each param from its spec: numbers, enum literals, strings, booleans, arrays', () => {
    expectTypeOf<ParamsOf<typeof info>>().toEqualTypeOf<{
      readonly eta: number;
      readonly burnIn: number;
      readonly at: 'final' | 'every';
      readonly label: string;
      readonly flag: boolean;
      readonly lengths: readonly unknown[];
      readonly required: number;
    }>();
  });

  it('is assignable to what the contracts pass to configure', () => {
    expectTypeOf<ParamsOf<typeof info>>().toExtend<Readonly<Record<string, unknown>>>();
  });

  it('falls back to an index of every param type for a widened PluginInfo', () => {
    expectTypeOf<ParamsOf<PluginInfo>[string]>().toEqualTypeOf<number | string | boolean | readonly unknown[]>();
  });
});

describe('definePlugin checks each default against its own spec', () => {
  it('refuses a default outside its bounds or of the wrong type, naming the plugin and the param', () => {
    const info = (spec: Record<string, unknown>) => ({
      kind: 'observer' as const,
      name: 'bad-default',
      description: '',
      precision: 'float64',
      params: { burnIn: { description: 'b', ...spec } as never },
    });
    expect(() => definePlugin(info({ type: 'integer', default: -1, minimum: 0 }))).toThrow(
      'plugin "bad-default": params.burnIn.default: must be ≥ 0, got -1',
    );
    expect(() => definePlugin(info({ type: 'integer', default: 1.5 }))).toThrow(
      'params.burnIn.default: must be an integer',
    );
    expect(() => definePlugin(info({ type: 'string', default: 'x', enum: ['a', 'b'] }))).toThrow(
      'params.burnIn.default: must be one of "a", "b"',
    );
    expect(definePlugin(info({ type: 'integer', default: 0, minimum: 0 })).params.burnIn).toMatchObject({ default: 0 });
  });
});
