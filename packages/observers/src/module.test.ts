import { describe, expect, it } from 'vitest';
import { assemble, listPlugins, resolvePlugin } from '@nesslab/kernel';
import { observersModule, MomentsObserver, CirculationObserver, RelativeLossObserver } from './index.ts';

describe('observers module', () => {
  it('binds every observer by name with its PluginInfo', () => {
    const c = assemble(observersModule);
    expect(listPlugins(c, 'observer').map((p) => p.name)).toEqual([
      'activation-rate',
      'autocorrelation',
      'circulation',
      'diagnostics',
      'diffusion-spectrum',
      'entropy-estimate',
      'entropy-production',
      'escape-time',
      'fft',
      'gradient-norm',
      'gradient-variance',
      'kl-to-posterior',
      'marginal-2d',
      'moments',
      'occupancy',
      'relative-loss',
      'sgn-vs-hessian',
      'trace',
      'weight-norm',
    ]);
    expect(resolvePlugin(c, 'observer', 'moments', 'x')).toBeInstanceOf(MomentsObserver);
    expect(resolvePlugin(c, 'observer', 'circulation', 'x')).toBeInstanceOf(CirculationObserver);
    expect(resolvePlugin(c, 'observer', 'relative-loss', 'x')).toBeInstanceOf(RelativeLossObserver);
    for (const info of listPlugins(c, 'observer')) {
      expect(info.precision).toBe('float64');
      expect(info.source).toBeTruthy();
      for (const spec of Object.values(info.params)) expect(spec.description).toBeTruthy();
    }
  });
});
