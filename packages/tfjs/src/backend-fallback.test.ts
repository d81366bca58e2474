import { expect, it } from 'vitest';
import { currentBackend, loadTfjs } from './backend.ts';
import { TfjsLandscape } from './tfjs-landscape.ts';
import { paramsFor } from '@nesslab/kernel/testing';
import { TfjsRegression, tfjsRegressionInfo } from './regression.ts';
import { TanhReference } from './tanh-reference.ts';

// A test file of its own: vitest gives each file a fresh worker, hence a fresh tfjs engine with no selection yet.
it('configure before TfjsLandscape.ready() selects cpu synchronously, for the whole process', async () => {
  expect(currentBackend()).toBeUndefined();
  const l = new TfjsRegression();
  expect(l.backend).toBeUndefined();
  l.configure(paramsFor(tfjsRegressionInfo), 0); // synchronous, as the Landscape contract requires
  expect(l.backend).toBe('cpu');
  expect(loadTfjs().getBackend()).toBe('cpu');
  expect(currentBackend()!.tried[0]).toMatch(/not tried: .*configured before `await TfjsLandscape.ready\(\)`/);
  // One selection per process: ready() now returns it instead of switching backends mid-run.
  expect((await TfjsLandscape.ready()).name).toBe('cpu');
  expect((await l.init()).backend).toBe('cpu');
  // Same float32 arithmetic as on wasm: agrees with the float64 landscape to float32 precision.
  const ref = new TanhReference();
  const th = Float64Array.from([0.9, 1.6, 0.4, -0.8, 1.2, -0.6, 0.1], Math.fround);
  expect(Math.abs(l.loss(th) - ref.loss(th))).toBeLessThan(1e-6 * ref.loss(th));
});
