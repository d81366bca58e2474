import { beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import {
  API_VERSION,
  assemble,
  listPlugins,
  newtonMinimum,
  resolvePlugin,
  Xoshiro128,
  type Landscape,
  type MinimumStart,
  type RandomStart,
} from '@nesslab/kernel';
import { tfjsModule } from './index.ts';
import { BACKEND_ENV, loadTfjs, type BackendSelection } from './backend.ts';
import type * as TF from '@tensorflow/tfjs-core';
import { TfjsLandscape } from './tfjs-landscape.ts';
import { paramsFor } from '@nesslab/kernel/testing';
import { TfjsRegression, tfjsRegressionInfo } from './regression.ts';
import { TanhReference } from './tanh-reference.ts';

const N = 7,
  M = 200;
const maxAbs = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => Math.max(s, Math.abs(v)), 0);
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  Array.from(a).reduce((s, v, i) => Math.max(s, Math.abs(v - b[i])), 0);
/** θ in float32 (both landscapes then see the same point: the adapter rounds θ to float32 on the way in). */
const f32 = (v: number[]) => Float64Array.from(v, Math.fround);

/** A generic point off the minimum (every gradient component of order 10²–10³). */
const THETA = f32([0.9, 1.6, 0.4, -0.8, 1.2, -0.6, 0.1]);

let selection: BackendSelection;
let tfl: TfjsRegression;
/** The float64 analytic reference (what the built-in tanh-regression computes): see tanh-reference.ts. */
let ref: TanhReference;

beforeAll(async () => {
  const pending = TfjsLandscape.ready();
  // While the asynchronous selection is under way no backend is usable: configure says so instead of guessing.
  expect(() => new TfjsRegression().configure(paramsFor(tfjsRegressionInfo), 0)).toThrow(/still under way/);
  selection = await pending;
  tfl = new TfjsRegression();
  tfl.configure(paramsFor(tfjsRegressionInfo), 0);
  ref = new TanhReference();
  ref.configure();
});

describe('backend selection', () => {
  it('selects tensorflow, wasm or cpu once per process and says what failed before it', async () => {
    expect(['tensorflow', 'wasm', 'cpu']).toContain(selection.name);
    expect(selection.tried.at(-1)).toBe(`${selection.name}: selected`);
    expect(await TfjsLandscape.ready()).toBe(selection);
    expect(tfl.backend).toBe(selection.name);
    expect(loadTfjs().getBackend()).toBe(selection.name);
    let tfjsNode = true;
    try {
      createRequire(import.meta.url).resolve('@tensorflow/tfjs-node');
    } catch {
      tfjsNode = false;
    }
    if (!tfjsNode && !process.env[BACKEND_ENV]) {
      // This workspace: tfjs-node is absent (it downloads libtensorflow); the wasm backend loads its .wasm
      // files from node_modules and must work in Node.
      expect(selection.tried[0]).toMatch(/^tensorflow: cannot load @tensorflow\/tfjs-node/);
      expect(selection.name).toBe('wasm');
    }
    console.log(`tfjs backend: ${selection.name}; tried: ${selection.tried.join(' | ')}`);
  });
});

describe('tfjs-core without the @tensorflow/tfjs umbrella (core-registrations.ts)', () => {
  it('has the gradients and chained ops the umbrella registered, and the Tensor class its op handler', () => {
    const tf = loadTfjs();
    tf.tidy(() => {
      const x = tf.tensor1d([0.3, 0.7]);
      expect(
        tf
          .grad((v: TF.Tensor) => tf.sum(tf.tanh(v)))(x)
          .dataSync()[0],
      ).toBeCloseTo(1 - Math.tanh(0.3) ** 2, 6);
      expect(x.slice(1, 1).square().dataSync()[0]).toBeCloseTo(0.49, 6);
      expect(x.clone().cast('int32').dtype).toBe('int32');
    });
  });
});

describe('TfjsLandscape (tfjs-regression)', () => {
  it('is bound as the landscape plugin tfjs-regression, declaring float32 precision', () => {
    const c = assemble(tfjsModule);
    const l = resolvePlugin(c, 'landscape', 'tanh-regression-tfjs', 'landscape');
    expect(l).toBeInstanceOf(TfjsRegression);
    expect(listPlugins(c, 'landscape')).toContainEqual(tfjsRegressionInfo);
    expect(tfjsRegressionInfo).toMatchObject({
      kind: 'landscape',
      name: 'tanh-regression-tfjs',
      source: '004 §4.1, Eq. 30',
      apiVersion: API_VERSION,
    });
    expect(tfjsRegressionInfo.precision).toMatch(/^float32 inside .*float64$/);
    expect(Object.keys(tfjsRegressionInfo.params).sort()).toEqual(['epsilon', 'lambda']);
    l.configure(Object.fromEntries(Object.entries(tfjsRegressionInfo.params).map(([k, s]) => [k, s.default])), 0);
    expect(l.dim).toBe(N);
    expect(l.dataSize).toBe(M);
    expect(l.loss(THETA)).toBe(tfl.loss(THETA));
    // The same starts as tanh-regression.
    const a = new Float64Array(N),
      b = new Float64Array(N);
    (l as Landscape & MinimumStart).minimumStart(a);
    ref.minimumStart(b);
    expect(a).toEqual(b);
    const ra = Xoshiro128.fromSeed(3),
      rb = Xoshiro128.fromSeed(3);
    (l as Landscape & RandomStart).randomInit(a, () => ra.nextNormal());
    ref.randomInit(b, () => rb.nextNormal());
    expect(a).toEqual(b);
  });

  it('reads epsilon and lambda like tanh-regression', () => {
    const params = { epsilon: 0.2, lambda: 3 };
    const a = new TfjsRegression(),
      b = new TanhReference();
    a.configure(paramsFor(tfjsRegressionInfo, params), 0);
    b.configure(params);
    expect(Math.abs(a.loss(THETA) - b.loss(THETA))).toBeLessThan(1e-5 * b.loss(THETA));
    expect(() => paramsFor(tfjsRegressionInfo, { epsilon: 0 }, 'scenario.landscape.params')).toThrow(
      'scenario.landscape.params.epsilon: must be > 0',
    );
  });

  it('a definition without starts has no randomInit/minimumStart (the kernel tests for them)', () => {
    const tf = loadTfjs();
    const l = new TfjsLandscape({
      dim: 1,
      x: [[1], [2]],
      y: [0, 0],
      sampleLoss: (th, x, y) => tf.sub(tf.mul(x.reshape([-1]), th), y).square() as never,
    });
    expect(l.randomInit).toBeUndefined();
    expect(l.minimumStart).toBeUndefined();
    l.configure({}, 0);
    expect(l.loss(new Float64Array([2]))).toBeCloseTo((4 + 16) / 2, 5); // mean of (2x)², no regulariser
    const g = new Float64Array(1);
    l.regulariserGradient(new Float64Array([2]), g);
    expect(g[0]).toBe(0);
    l.dispose();
  });

  it('gradient matches central finite differences of its own loss (float32: relative 1e-4)', () => {
    // 𝓛(THETA) ≈ 2·10³ is computed in float32: each value carries a rounding error δ of a few float32 spacings
    // (ulp(2·10³) = 1.2·10⁻⁴). The central difference with step h errs by ~δ/h (rounding) + h²|∂³𝓛|/6
    // (truncation); h = 2⁻⁷ keeps both near 10⁻² on components of up to 7·10³ (θ ± h is exact in float32: θ is
    // a float32 and h a power of two). Measured: ~8·10⁻⁶ of |∇𝓛|∞; 10⁻⁴ leaves a margin of 10 over the
    // estimate. (In float64 the same check would pass at 10⁻⁹; the brief's 10⁻² is the float32 error of a
    // difference quotient with a badly chosen step, h ~ 10⁻⁴.)
    const h = 2 ** -7;
    const g = new Float64Array(N);
    tfl.gradient(THETA, g);
    const fd = new Float64Array(N);
    for (let a = 0; a < N; a++) {
      const p = THETA.slice(),
        q = THETA.slice();
      p[a] += h;
      q[a] -= h;
      fd[a] = (tfl.loss(p) - tfl.loss(q)) / (2 * h);
    }
    const err = maxDiff(g, fd) / maxAbs(g);
    console.log(
      `finite differences: |∇𝓛|∞ = ${maxAbs(g).toExponential(3)}, max relative error ${err.toExponential(2)}`,
    );
    expect(err).toBeLessThan(1e-4);
  });

  describe('agrees with the analytic float64 tanh-regression to float32 precision', () => {
    // The adapter computes the same sums in float32 (unit roundoff 6·10⁻⁸), on data rounded to float32: errors
    // are ~10⁻⁷·√M ≈ 10⁻⁶ of the size of the terms summed, so 10⁻⁵ of that scale (not of the result, which may
    // cancel) is a float32 bound with margin, and ~10⁹ times looser than float64 would need.
    it('loss', () => {
      const a = tfl.loss(THETA),
        b = ref.loss(THETA);
      console.log(`loss: tfjs ${a}, float64 ${b}, relative ${(Math.abs(a - b) / b).toExponential(2)}`);
      expect(Math.abs(a - b)).toBeLessThan(1e-5 * b); // every term is ≥ 0: the loss is its own scale
    });

    it('gradient and minibatch gradient, per component on the scale (1/m)Σ|∇ℓ_i| + |∇R|', () => {
      const rows = new Float64Array(M * N),
        reg = new Float64Array(N);
      ref.sampleGradients(THETA, rows);
      ref.regulariserGradient(THETA, reg);
      const scale = (idx: ArrayLike<number>, m: number) =>
        Array.from(
          { length: N },
          (_, a) =>
            Array.from(idx)
              .slice(0, m)
              .reduce((s, i) => s + Math.abs(rows[i * N + a]), 0) /
              m +
            Math.abs(reg[a]),
        );
      const check = (got: Float64Array, want: Float64Array, sc: number[]) => {
        const worst = Math.max(...sc.map((s, a) => Math.abs(got[a] - want[a]) / s));
        expect(worst).toBeLessThan(1e-5);
        return worst;
      };
      const a = new Float64Array(N),
        b = new Float64Array(N);
      tfl.gradient(THETA, a);
      ref.gradient(THETA, b);
      const all = Int32Array.from({ length: M }, (_, i) => i);
      const w1 = check(a, b, scale(all, M));
      const rng = Xoshiro128.fromSeed(11);
      let w2 = 0;
      for (let t = 0; t < 20; t++) {
        const batch = Int32Array.from({ length: 16 }, () => rng.nextInt(M));
        const m = 10; // only batch[0..m) counts
        tfl.minibatchGradient(THETA, batch, m, a);
        ref.minibatchGradient(THETA, batch, m, b);
        w2 = Math.max(w2, check(a, b, scale(batch, m)));
      }
      console.log(`gradient: worst relative to scale ${w1.toExponential(2)}; minibatch ${w2.toExponential(2)}`);
    });

    it('regulariser gradient', () => {
      const a = new Float64Array(N),
        b = new Float64Array(N);
      tfl.regulariserGradient(THETA, a);
      ref.regulariserGradient(THETA, b);
      expect(maxDiff(a, b)).toBeLessThan(1e-6 * maxAbs(b));
    });

    it('sampleGradients (both Jacobian modes), on the scale max|∇ℓ_i|', () => {
      const b = new Float64Array(M * N);
      ref.sampleGradients(THETA, b);
      for (const mode of ['rows', 'columns', 'auto'] as const) {
        const l = new TfjsRegression();
        l.jacobianMode = mode;
        l.configure(paramsFor(tfjsRegressionInfo), 0);
        const a = new Float64Array(M * N);
        l.sampleGradients(THETA, a);
        const rel = maxDiff(a, b) / maxAbs(b);
        console.log(`sampleGradients (${mode}): relative ${rel.toExponential(2)}`);
        expect(rel).toBeLessThan(1e-5);
        l.dispose();
      }
    });

    it('hessian (finite differences of the float32 gradient), on the scale max|H|', () => {
      // The 4-point difference of the gradient errs by ~(float32 round-off of ∇𝓛)/h + O(h⁴): the round-off is
      // ~10⁻⁷ of the gradient's terms, ≈ 10⁻³ at THETA (terms ~10⁴) and ≈ 10⁻⁴ at θ₀ (terms ~10³), over
      // h = 2⁻⁶ and against max|H| = 2·10⁴: ~5·10⁻⁶ at THETA and ~5·10⁻⁷ at θ₀, where the theory uses H.
      // Measured 9·10⁻⁶ and 3·10⁻⁷; the limits allow about 3×.
      const start = new Float64Array(N);
      ref.minimumStart(start);
      const theta0 = f32(Array.from(newtonMinimum(ref, start).theta));
      for (const [where, th, limit] of [
        ['THETA', THETA, 3e-5],
        ['θ₀', theta0, 1e-6],
      ] as const) {
        const a = new Float64Array(N * N),
          b = new Float64Array(N * N);
        tfl.hessian(th, a);
        ref.hessian(th, b);
        const rel = maxDiff(a, b) / maxAbs(b);
        console.log(`hessian at ${where}: relative ${rel.toExponential(2)} (max|H| = ${maxAbs(b).toExponential(3)})`);
        expect(rel).toBeLessThan(limit);
      }
    });

    it('hessianVectorProduct (directional finite difference), on the scale max|H|·|v|∞', () => {
      // As the Hessian, plus the rounding of θ + k·h·v̂ to float32 per component (~10⁻⁷/h ≈ 10⁻⁵ relative).
      const b = new Float64Array(N * N);
      ref.hessian(THETA, b);
      const v = f32([0.3, -1, 0.5, 0.2, -0.7, 1, 0.1]);
      const hv = new Float64Array(N),
        want = new Float64Array(N);
      tfl.hessianVectorProduct(THETA, v, hv);
      for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) want[i] += b[i * N + j] * v[j];
      const rel = maxDiff(hv, want) / (maxAbs(b) * maxAbs(v));
      console.log(`hessianVectorProduct: relative ${rel.toExponential(2)}`);
      expect(rel).toBeLessThan(5e-5);
      tfl.hessianVectorProduct(THETA, new Float64Array(N), hv);
      expect(maxAbs(hv)).toBe(0);
    });
  });

  it("Newton's θ₀ on the tfjs landscape agrees with the float64 θ₀ to float32 precision", () => {
    const start = new Float64Array(N);
    ref.minimumStart(start);
    const exact = newtonMinimum(ref, start);
    // The float32 gradient cannot vanish: at θ₀ ∇L and ∇R cancel, and the float32 sums behind ∇𝓛 have terms
    // (1/M)Σ|∇ℓ_i| + |∇R| ≈ 3·10²–1.6·10³ per component, so |∇𝓛| bottoms out near 10⁻⁷·10³·√N ≈ 10⁻⁴
    // (measured 1.7·10⁻⁴), far above newtonMinimum's float64 default 10⁻¹⁰‖H‖_F|θ| ≈ 10⁻⁵: pass 10⁻³. Then
    // |Δθ₀| ≲ |δg|/λ_min(H) = 1.7·10⁻⁴/55 ≈ 3·10⁻⁶, on top of the float32 spacing of θ (10⁻⁷): 10⁻⁵ of |θ₀|∞
    // has a margin of 4 over that bound (measured ~2·10⁻⁷).
    const tfjs = newtonMinimum(tfl, start, { tolerance: 1e-3 });
    const rel = maxDiff(tfjs.theta, exact.theta) / maxAbs(exact.theta);
    console.log(
      `Newton: tfjs |∇𝓛| = ${tfjs.gradientNorm.toExponential(2)} after ${tfjs.iterations} iterations (float64: ${exact.gradientNorm.toExponential(2)}); |Δθ₀|∞/|θ₀|∞ = ${rel.toExponential(2)}`,
    );
    expect(rel).toBeLessThan(1e-5);
    // Without the looser tolerance the float64 default cannot be met by a float32 gradient.
    expect(() => newtonMinimum(tfl, start)).toThrow(/no convergence/);
  });

  it('a user landscape with vector targets and second-order-safe ops: both Hessian modes agree with the analytic one', () => {
    // Logistic-style loss ℓ_i = softplus(−z_i) + |Y_i − Wx_i|²/2 with z_i = Y_i0·(w·x_i), θ = (W row-major 2×2);
    // softplus, mul, sub, square and sum all have second derivatives in tfjs, so 'autodiff' is exact here.
    const tf = loadTfjs();
    const rng = Xoshiro128.fromSeed(5);
    const xs = Array.from({ length: 30 }, () => [rng.nextNormal(), rng.nextNormal()]);
    const ys = xs.map(([a, b]) => [Math.sign(a - b) || 1, 0.5 * a + 0.1 * rng.nextNormal()]);
    const l = new TfjsLandscape({
      dim: 4,
      x: xs,
      y: ys,
      sampleLoss(th, x, y) {
        const W = th.reshape([2, 2]);
        const pred = tf.matMul(x, W, false, true); // [b, 2]: row i = W x_i
        const z = tf.mul(y.slice([0, 0], [-1, 1]).reshape([-1]), pred.slice([0, 0], [-1, 1]).reshape([-1]));
        return tf.add(tf.softplus(tf.neg(z)), tf.mul(tf.sum(tf.square(tf.sub(y, pred)), 1), 0.5)) as TF.Tensor1D;
      },
      regulariser: (th) => tf.mul(tf.sum(tf.square(th)), 0.05) as TF.Scalar,
    });
    l.configure({}, 0);
    expect(l.dim).toBe(4);
    expect(l.dataSize).toBe(30);
    const th = f32([0.3, -0.4, 0.8, 0.2]);
    // Analytic: ∇ℓ_i = −σ(−z)·y0·(x, 0) on W's first row + (W x − Y) ⊗ x;  H = (1/M)Σ[σ(z)σ(−z)(x,0)(x,0)ᵀ + I₂⊗xxᵀ] + 0.1 I.
    const g = new Float64Array(4),
      H = new Float64Array(16);
    for (const [i, x] of xs.entries()) {
      const y = ys[i],
        p0 = th[0] * x[0] + th[1] * x[1],
        p1 = th[2] * x[0] + th[3] * x[1];
      const z = y[0] * p0,
        s = 1 / (1 + Math.exp(z)); // σ(−z)
      const r = [p0 - y[0], p1 - y[1]];
      for (let o = 0; o < 2; o++)
        for (let k = 0; k < 2; k++) g[2 * o + k] += (((o === 0 ? -s * y[0] : 0) + r[o]) * x[k]) / xs.length;
      for (let o = 0; o < 2; o++)
        for (let k = 0; k < 2; k++)
          for (let q = 0; q < 2; q++) {
            H[(2 * o + k) * 4 + 2 * o + q] += (((o === 0 ? s * (1 - s) : 0) + 1) * x[k] * x[q]) / xs.length;
          }
    }
    for (let a = 0; a < 4; a++) {
      g[a] += 0.1 * th[a];
      H[a * 5] += 0.1;
    }
    const got = new Float64Array(4);
    l.gradient(th, got);
    expect(maxDiff(got, g)).toBeLessThan(1e-5 * maxAbs(g));
    for (const mode of ['finite-difference', 'autodiff'] as const) {
      l.hessianMode = mode;
      const h = new Float64Array(16);
      l.hessian(th, h);
      expect(maxDiff(h, H) / maxAbs(H)).toBeLessThan(mode === 'autodiff' ? 1e-6 : 1e-5);
      const v = f32([1, -0.5, 0.25, 2]),
        hv = new Float64Array(4),
        want = new Float64Array(4);
      l.hessianVectorProduct(th, v, hv);
      for (let a = 0; a < 4; a++) for (let b = 0; b < 4; b++) want[a] += H[a * 4 + b] * v[b];
      expect(maxDiff(hv, want) / (maxAbs(H) * maxAbs(v))).toBeLessThan(mode === 'autodiff' ? 1e-6 : 5e-5);
    }
    l.dispose();
  });

  it("documents why 'finite-difference' is the default: tfjs 4.22 drops second derivatives of tanh (tfjs#3252)", () => {
    // If this starts failing after a tfjs upgrade, #3252 is fixed and 'autodiff' could become the default.
    const tf = loadTfjs();
    expect(() => tf.tidy(() => tf.grad(tf.grad((v) => tf.tanh(v)))(tf.scalar(0.7)))).toThrow(/Cannot compute gradient/);
    const l = new TfjsRegression();
    l.hessianMode = 'autodiff';
    l.configure(paramsFor(tfjsRegressionInfo), 0);
    const a = new Float64Array(N * N),
      b = new Float64Array(N * N);
    l.hessian(THETA, a);
    ref.hessian(THETA, b);
    expect(maxDiff(a, b) / maxAbs(b)).toBeGreaterThan(0.1); // silently wrong: the −r∇²f term of tanh is missing
    l.dispose();
  });

  it('leaks no tensor: tf.memory().numTensors is stable over 100 calls of every method', () => {
    const tf = loadTfjs();
    const g = new Float64Array(N),
      h = new Float64Array(N * N),
      s = new Float64Array(M * N);
    const batch = Int32Array.from({ length: 10 }, (_, i) => 17 * i);
    const calls = [
      () => tfl.loss(THETA),
      () => tfl.gradient(THETA, g),
      () => tfl.minibatchGradient(THETA, batch, 10, g),
      () => tfl.regulariserGradient(THETA, g),
      () => tfl.hessianVectorProduct(THETA, THETA, g),
    ];
    for (const call of calls) call();
    const before = tf.memory().numTensors;
    for (let k = 0; k < 100; k++) for (const call of calls) call();
    for (let k = 0; k < 5; k++) {
      tfl.hessian(THETA, h);
      tfl.sampleGradients(THETA, s);
    }
    expect(tf.memory().numTensors).toBe(before);
    // Reconfiguring replaces the two data tensors; dispose frees them.
    tfl.configure(paramsFor(tfjsRegressionInfo), 0);
    expect(tf.memory().numTensors).toBe(before);
    tfl.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
    tfl.configure(paramsFor(tfjsRegressionInfo), 0);
  });
});
