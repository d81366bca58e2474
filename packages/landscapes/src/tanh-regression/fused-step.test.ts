import { describe, expect, it } from 'vitest';
import { Xoshiro128, chainStreams, type Chain, type Optimizer, type Sampler } from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { TanhRegression, tanh, tanhRegressionInfo } from './tanh-regression.ts';
import { fusedStepInstance } from './fused-block.ts';

const wasm = fusedStepInstance()!;

/** Arguments for expm1: uniform and log-uniform over every branch of fdlibm's, and the edges. */
function expm1Arguments(count: number): number[] {
  const rng = Xoshiro128.fromSeed(16);
  const out = [0, -0, Infinity, -Infinity, NaN, 1e-300, -1e-300, 2 ** -54, -(2 ** -54), 2 ** -55, 5e-324, 40, -40];
  for (const hx of [0x3fd62e42, 0x3fd62e43, 0x3ff0a2b2, 0x3ff0a2b1, 0x4043687a, 0x40862e42, 0x3c900000])
    for (const lo of [0, 1, 0xffffffff]) {
      const v = new DataView(new ArrayBuffer(8));
      v.setUint32(0, hx);
      v.setUint32(4, lo);
      out.push(v.getFloat64(0), -v.getFloat64(0));
    }
  for (const k of [-60, -57, -56, -21, -20, -19, -2, -1, 0, 1, 2, 19, 20, 21, 56, 57])
    for (const d of [-0.5, -0.25, 0, 0.25, 0.4999]) out.push((k + d) * Math.LN2);
  while (out.length < count) {
    const u = rng.nextDouble();
    out.push(
      out.length % 3 === 0
        ? 80 * u - 40
        : out.length % 3 === 1
          ? 4 * u - 2
          : (rng.nextU32() & 1 ? 1 : -1) * 2 ** (-60 + 70 * u),
    );
  }
  return out;
}

describe('fused-step.wat (tanh-regression WR and WOR SGD in WebAssembly)', () => {
  it('ports V8’s Math.expm1 bit for bit, scalar and in both f64x2 lanes, and tanh likewise', () => {
    const args = expm1Arguments(200_000);
    let bad = 0;
    for (let i = 0; i < args.length; i++) {
      const x = args[i],
        y = args[(i * 7919) % args.length],
        ref = Math.expm1(x);
      if (!Object.is(wasm.expm1(x), ref)) bad++;
      if (!Object.is(wasm.expm1x2(x, y), ref) && !(Number.isNaN(ref) && Number.isNaN(wasm.expm1x2(x, y)))) bad++;
      if (!Object.is(wasm.expm1x2(y, x), Math.expm1(y)) && !Number.isNaN(y)) bad++;
      if (!Object.is(wasm.tanh(x / 2), tanh(x / 2))) bad++;
    }
    expect(bad).toBe(0);
  });

  it('runs WR SGD with the same bits as minibatchGradient stepped by plain SGD', () => {
    const landscape = new TanhRegression();
    landscape.configure(paramsFor(tanhRegressionInfo, {}, 'scenario.landscape.params'), 0);
    const M = landscape.dataSize,
      m = 10,
      eta = 1e-6;
    // The with-replacement sampler and plain SGD, written out (the plugins live in other packages).
    const sampler = {
      batchSize: m,
      draw: 'partial-fisher-yates',
      next(state: { order: Int32Array }, rng: Xoshiro128, out: Int32Array) {
        for (let i = 0; i < m; i++) {
          const j = i + rng.nextInt(M - i),
            pick = state.order[j];
          state.order[j] = state.order[i];
          state.order[i] = pick;
          out[i] = pick;
        }
      },
    } as const;
    const optimizer = { plainSgd: { eta }, scalarNames: [] } as unknown as Optimizer;
    const runner = landscape.fusedBlockRunner(sampler as unknown as Sampler, optimizer)!;
    expect(runner).toBeDefined();
    expect(
      landscape.fusedBlockRunner({ ...sampler, draw: undefined } as unknown as Sampler, optimizer),
    ).toBeUndefined();
    // Near θ₀; and hidden units driven past the clamp u = 20 on most of the data (x ∈ [−3, 3]: u = 200x + 1, −200x + 0.5; unclamped, e/(e + 2) would be ∞/∞ beyond u ≈ 355).
    for (const start of [
      [1.283, 1.231, 0.705, -0.532, 0.928, -0.909, -0.009],
      [200, -200, 1, 0.5, 0.928, -0.909, -0.009],
    ]) {
      const chain = (seed: number): Chain => {
        const theta = new Float64Array(start);
        return {
          index: 0,
          theta,
          rng: chainStreams(seed, 0, 1)[0],
          samplerState: { order: Int32Array.from({ length: M }, (_, i) => i) },
          state: {},
          batch: new Int32Array(m),
          step: 0,
        };
      };
      const steps = 3000,
        generic = chain(5),
        fused = chain(5),
        grad = new Float64Array(7),
        expected = new Float64Array(steps * 7),
        got = new Float64Array(steps * 7);
      for (let s = 0; s < steps; s++) {
        sampler.next(generic.samplerState as { order: Int32Array }, generic.rng as Xoshiro128, generic.batch);
        landscape.minibatchGradient(generic.theta, generic.batch, m, grad);
        for (let a = 0; a < 7; a++) generic.theta[a] -= eta * 1 * grad[a];
        expected.set(generic.theta, s * 7);
      }
      for (const block of [1, 999, 2000]) expect(runner.run(fused, block, got, (fused.step as number) * 7)).toBe(true);
      expect(fused.step).toBe(steps);
      expect(Array.from(got)).toEqual(Array.from(expected));
      expect((fused.rng as Xoshiro128).state()).toEqual((generic.rng as Xoshiro128).state());
      expect(fused.samplerState).toEqual(generic.samplerState);
      expect(fused.batch).toEqual(generic.batch);
    }
  });

  it('runs WOR SGD with the generic path’s bits, blocks ending mid-epoch and either path continuing the other', () => {
    const landscape = new TanhRegression();
    landscape.configure(paramsFor(tanhRegressionInfo, {}, 'scenario.landscape.params'), 0);
    const M = landscape.dataSize,
      eta = 1e-6;
    type State = { order: Int32Array; batch: number };
    for (const m of [10, 7]) {
      // The without-replacement sampler and plain SGD, written out (the plugins live in other packages).
      const n = Math.floor(M / m);
      const sampler = {
        batchSize: m,
        stepsPerEpoch: n,
        draw: 'epoch-permutation',
        next(state: State, rng: Xoshiro128, out: Int32Array) {
          const order = state.order;
          if (state.batch === n) {
            for (let i = order.length - 1; i > 0; i--) {
              const j = rng.nextInt(i + 1);
              const t = order[i];
              order[i] = order[j];
              order[j] = t;
            }
            state.batch = 0;
          }
          for (let i = 0; i < m; i++) out[i] = order[state.batch * m + i];
          state.batch++;
        },
      } as const;
      const optimizer = { plainSgd: { eta }, scalarNames: [] } as unknown as Optimizer;
      const runner = landscape.fusedBlockRunner(sampler as unknown as Sampler, optimizer)!;
      expect(runner).toBeDefined();
      // n must be ⌊M/m⌋, as the draw declares
      expect(
        landscape.fusedBlockRunner({ ...sampler, stepsPerEpoch: n + 1 } as unknown as Sampler, optimizer),
      ).toBeUndefined();
      const chain = (seed: number): Chain => ({
        index: 0,
        theta: new Float64Array([1.283, 1.231, 0.705, -0.532, 0.928, -0.909, -0.009]),
        rng: chainStreams(seed, 0, 1)[0],
        samplerState: { order: Int32Array.from({ length: M }, (_, i) => i), batch: n }, // as init leaves it
        state: {},
        batch: new Int32Array(m),
        step: 0,
      });
      const grad = new Float64Array(7);
      const stepGeneric = (c: Chain, steps: number, out: Float64Array, offset: number) => {
        for (let s = 0; s < steps; s++) {
          sampler.next(c.samplerState as State, c.rng as Xoshiro128, c.batch);
          landscape.minibatchGradient(c.theta, c.batch, m, grad);
          for (let a = 0; a < 7; a++) c.theta[a] -= eta * 1 * grad[a];
          out.set(c.theta, offset + s * 7);
        }
        c.step += steps;
      };
      // Blocks of 1, 7, 37 … steps straddle epochs and end mid-epoch (and at an epoch's end: 1 + 7 + 37 + 15 = 3n
      // for m = 10); the mixed chain alternates the fused and the generic path, the fused chain takes every block.
      const blocks = [1, 7, 37, 15, 3 * n, 1, n - 1, 500, 2, 999, 37, 1000];
      const steps = blocks.reduce((a, b) => a + b, 0),
        generic = chain(11),
        fused = chain(11),
        mixed = chain(11),
        expected = new Float64Array(steps * 7),
        got = new Float64Array(steps * 7),
        gotMixed = new Float64Array(steps * 7);
      let midEpoch = 0;
      blocks.forEach((block, b) => {
        const at = (generic.step as number) * 7;
        stepGeneric(generic, block, expected, at);
        expect(runner.run(fused, block, got, at)).toBe(true);
        if (b % 2 === 0) expect(runner.run(mixed, block, gotMixed, at)).toBe(true);
        else stepGeneric(mixed, block, gotMixed, at);
        for (const c of [fused, mixed]) {
          expect(c.step).toBe(generic.step);
          expect(Array.from(c.theta)).toEqual(Array.from(generic.theta));
          expect((c.rng as Xoshiro128).state()).toEqual((generic.rng as Xoshiro128).state());
          expect(c.samplerState).toEqual(generic.samplerState);
          expect(c.batch).toEqual(generic.batch);
        }
        if ((generic.samplerState as State).batch % n !== 0) midEpoch++;
      });
      expect(midEpoch).toBeGreaterThan(blocks.length / 2);
      expect(Array.from(got)).toEqual(Array.from(expected));
      expect(Array.from(gotMixed)).toEqual(Array.from(expected));
      // a state the declared draw cannot be in: the runner declines, having done nothing
      const odd = chain(11);
      (odd.samplerState as State).batch = n + 1;
      expect(runner.run(odd, 5, got, 0)).toBe(false);
      expect(odd.step).toBe(0);
      expect(Array.from(got)).toEqual(Array.from(expected));
    }
  });
});
