import type * as TF from '@tensorflow/tfjs-core';
import { ScenarioError, type Landscape } from '@nesslab/kernel';
import {
  currentBackend,
  loadTfjs,
  selectBackend,
  useBackendSync,
  type BackendSelection,
  type TfjsBackendName,
} from './backend.ts';

/**
 * A landscape written with TensorFlow.js: the per-sample losses ℓ_i and the regulariser R; everything else
 * (𝓛, ∇𝓛, minibatch and per-sample gradients, Hessian) by tfjs autodiff.
 */
export interface TfjsLandscapeDefinition {
  /** N, the number of parameters. */
  dim: number;
  /** The M inputs, one row of d numbers each (M×d). */
  x: readonly (readonly number[])[];
  /** The M targets: numbers, or rows of numbers. */
  y: readonly number[] | readonly (readonly number[])[];
  /**
   * ℓ_i for a batch: `x` holds the batch's rows of the inputs (b×d), `y` the matching targets (first axis b);
   * returns the b per-sample losses (shape [b]). Must be written with differentiable tfjs ops; second
   * derivatives are needed only with `hessianMode = 'autodiff'`.
   */
  sampleLoss(theta: TF.Tensor1D, x: TF.Tensor2D, y: TF.Tensor): TF.Tensor1D;
  /** R(θ) (default 0). It carries no noise: it is left out of `sampleGradients`. */
  regulariser?(theta: TF.Tensor1D): TF.Scalar;
  /** A random start for chains (the RandomStart capability). */
  randomInit?(out: Float64Array, normal: () => number): void;
  /** Where Newton starts to find θ₀ (the MinimumStart capability): N numbers, or a function filling them. */
  minimumStart?: readonly number[] | ((out: Float64Array) => void);
}

/** How `sampleGradients` builds the M×N Jacobian of (ℓ_1..ℓ_M): see `TfjsLandscape.sampleGradients`. */
export type JacobianMode = 'auto' | 'rows' | 'columns';

/** How `hessian`/`hessianVectorProduct` take the second derivative: see `TfjsLandscape.hessianMode`. */
export type HessianMode = 'finite-difference' | 'autodiff';

/** What configure builds: the data as float32 tensors (kept across calls, disposed on reconfigure). */
interface Built {
  def: TfjsLandscapeDefinition;
  x: TF.Tensor2D;
  y: TF.Tensor;
  m: number;
}

/**
 * Adapts a `TfjsLandscapeDefinition` to the kernel's `Landscape`:
 *   L(θ) = (1/M) Σ_i ℓ_i(θ),  𝓛 = L + R,  gradients and per-sample gradients by tfjs autodiff, the Hessian
 *   by finite differences of the autodiff gradient (tfjs's second derivatives are unreliable: `hessianMode`).
 *
 * Precision: tfjs has no float64. θ (Float64Array) is rounded to float32 on the way in, the data are float32,
 * every loss, gradient and Hessian is computed in float32 and widened to float64 on the way out. The chain
 * state and every accumulator outside stay float64. Expect relative errors ~1e-7·(size of the terms summed),
 * not of the result: near a minimum ∇𝓛 = ∇L + ∇R cancels between terms far larger than itself.
 *
 * Backend: `configure` must be synchronous (Landscape contract) but choosing the wasm or tensorflow backend is
 * asynchronous. So: `await TfjsLandscape.ready()` (or `await landscape.init()`) once per process (per worker
 * thread) before configuring, and the adapter computes on the best backend available. If configure runs first,
 * it selects the cpu backend synchronously and keeps it for the whole process (every tfjs landscape of a run on
 * one backend, never a switch mid-run): the same float32 precision (not bit-identical: kernels sum in other
 * orders), and for this repository's small models even faster than wasm. Configuring while `ready()` is still
 * pending throws.
 *
 * Every method runs in `tf.tidy`: no tensor outlives a call (the data tensors live until the next configure or
 * `dispose`). Methods write into the caller's Float64Array as the contract asks, but unlike the analytic
 * landscapes they allocate (tensors, typed arrays) on every call, and each tfjs kernel costs a few µs: the
 * tanh regression runs ~10³× slower than its analytic float64 version (94 kernels per minibatch gradient).
 *
 * Use: `new TfjsLandscape(definition)`, or a subclass with a no-arg constructor (for `bindPlugin`) that calls
 * `super(defaultDefinition)` and overrides `define(params, seed)` to build the definition from its parameters;
 * P is then its resolved params (`TfjsLandscape<ParamsOf<typeof info>>`).
 */
export class TfjsLandscape<
  P extends Readonly<Record<string, unknown>> = Readonly<Record<string, unknown>>,
> implements Landscape {
  /** Present only when the definition has one (the kernel checks for these). */
  declare randomInit?: (out: Float64Array, normal: () => number) => void;
  declare minimumStart?: (out: Float64Array) => void;
  /** How sampleGradients builds the Jacobian; 'auto': the cheaper of M rows and N columns. */
  jacobianMode: JacobianMode = 'auto';
  /**
   * How `hessian` and `hessianVectorProduct` differentiate the gradient once more. 'finite-difference'
   * (default) works for every op. 'autodiff' (double backward) is exact but only for losses whose ops all
   * have second derivatives in tfjs: in tfjs 4.22 the gradients of Tanh, Sigmoid, Exp, Elu, Softmax,
   * LogSoftmax, Max, Min, MaxPool, LRN and Pow (in its exponent) read the op's saved *output*, which the
   * second pass treats as a constant (tensorflow/tfjs#3252): tf.grad(tf.grad(tanh)) throws, and inside a
   * larger loss the missing term is dropped silently (the tanh regression's Hessian comes out ~30 % wrong).
   */
  hessianMode: HessianMode = 'finite-difference';
  /** h/max(1, |θ|) of the finite-difference Hessian (a power of two; 2⁻⁶ balances truncation and float32 round-off). */
  hessianStep = 2 ** -6;

  private def: TfjsLandscapeDefinition;
  private built: Built | undefined;

  /** Selects the tfjs backend for this process (once); await it before the first `configure`. */
  static ready(): Promise<BackendSelection> {
    return selectBackend();
  }

  constructor(definition: TfjsLandscapeDefinition) {
    this.def = definition;
    this.adopt(definition);
  }

  /** Selects the backend (`TfjsLandscape.ready()`) and returns this landscape. */
  async init(): Promise<this> {
    await selectBackend();
    return this;
  }

  /** The kernel awaits this before `configure`, in every thread: the backend is chosen before any tensor exists. */
  async prepare(): Promise<void> {
    await selectBackend();
  }

  /** Newton stops at this |∇𝓛|: the float32 gradient bottoms out near 2e-4 on the 004 regression (terms ~1e3–1e4). */
  readonly gradientTolerance = 1e-3;

  /** The backend and what was tried before it, for results.json. */
  runtime(): Record<string, unknown> {
    const selection = currentBackend();
    return {
      backend: selection?.name,
      backendTried: selection?.tried ?? [],
      precision: 'float32 inside (tfjs autodiff)',
    };
  }

  /** The backend this process computes on; undefined until `ready()`/`init()` resolved or `configure` ran. */
  get backend(): TfjsBackendName | undefined {
    return currentBackend()?.name;
  }

  get dim(): number {
    return this.def.dim;
  }
  get dataSize(): number {
    return this.def.x.length;
  }

  /**
   * The definition for these parameters; the default returns the constructor's. Subclasses with parameters
   * override it (params arrive defaulted and validated by the plugin's schema).
   */
  protected define(_params: P, _seed: number): TfjsLandscapeDefinition {
    return this.def;
  }

  configure(params: P, seed: number): void {
    const def = this.define(params, seed);
    validate(def);
    this.def = def;
    this.adopt(def);
    this.build();
  }

  /** Frees the data tensors (a later call rebuilds them). */
  dispose(): void {
    if (this.built) {
      this.built.x.dispose();
      this.built.y.dispose();
      this.built = undefined;
    }
  }

  /** 𝓛(θ) = (1/M) Σ ℓ_i + R, in float32. */
  loss(theta: Float64Array): number {
    const s = this.state(),
      tf = loadTfjs();
    return tf.tidy(() => this.objective(tf.tensor1d(f32(theta, this.dim)), s.x, s.y).dataSync()[0]);
  }

  /** ∇𝓛 over the full batch. */
  gradient(theta: Float64Array, out: Float64Array): void {
    const s = this.state(),
      tf = loadTfjs();
    tf.tidy(() => {
      const g = grad((th: TF.Tensor1D) => this.objective(th, s.x, s.y))(tf.tensor1d(f32(theta, this.dim)));
      out.set(g.dataSync());
    });
  }

  /** ∇L_B + ∇R, L_B = (1/m) Σ_{k<m} ℓ_{batch[k]}. */
  minibatchGradient(theta: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    const s = this.state(),
      tf = loadTfjs();
    tf.tidy(() => {
      const idx = tf.tensor1d(batch.subarray(0, m), 'int32');
      const xb = tf.gather(s.x, idx) as TF.Tensor2D,
        yb = tf.gather(s.y, idx);
      const g = grad((th: TF.Tensor1D) => this.objective(th, xb, yb))(tf.tensor1d(f32(theta, this.dim)));
      out.set(g.dataSync());
    });
  }

  /**
   * Row i of out (M×N) = ∇ℓ_i (no regulariser). Two exact ways to the Jacobian J = ∂(ℓ_1..ℓ_M)/∂θ:
   *  - 'rows': M reverse passes, ∇ℓ_i from sample i alone;
   *  - 'columns': N passes of the double-backward trick: u ↦ Jᵀu = ∇_θ(u·ℓ) is linear in u, so
   *    J e_α = ∇_u (e_α · Jᵀu) (forward mode from reverse mode; needs ℓ twice differentiable, as the Hessian does).
   * 'auto' takes rows when M ≤ N, columns otherwise. The second pass of 'columns' differentiates with respect to
   * u only, in which Jᵀu is linear: exact for every op, including those of tfjs#3252 (see `hessianMode`).
   */
  sampleGradients(theta: Float64Array, out: Float64Array): void {
    const s = this.state(),
      tf = loadTfjs(),
      n = this.dim,
      m = s.m;
    const mode = this.jacobianMode === 'auto' ? (m <= n ? 'rows' : 'columns') : this.jacobianMode;
    tf.tidy(() => {
      const th = tf.tensor1d(f32(theta, this.dim));
      const d = s.x.shape[1];
      let J: TF.Tensor2D;
      if (mode === 'rows') {
        const rows: TF.Tensor1D[] = [];
        for (let i = 0; i < m; i++) {
          const xi = s.x.slice([i, 0], [1, d]),
            yi = s.y.slice(i, 1);
          rows.push(grad((t: TF.Tensor1D) => tf.sum(s.def.sampleLoss(t, xi, yi)))(th));
        }
        J = tf.stack(rows, 0) as TF.Tensor2D;
      } else {
        const vjp = (u: TF.Tensor1D) => grad((t: TF.Tensor1D) => tf.sum(tf.mul(u, s.def.sampleLoss(t, s.x, s.y))))(th);
        const u0 = tf.zeros([m]) as TF.Tensor1D; // Jᵀu is linear in u: any u gives the same derivative
        const eye = tf.eye(n);
        const cols: TF.Tensor1D[] = [];
        for (let a = 0; a < n; a++) {
          const e = eye.slice([a, 0], [1, n]).reshape([n]);
          cols.push(grad((u: TF.Tensor1D) => tf.sum(tf.mul(vjp(u), e)))(u0));
        }
        J = tf.stack(cols, 1) as TF.Tensor2D;
      }
      out.set(J.dataSync());
    });
  }

  /** ∇R (zeros without a regulariser). */
  regulariserGradient(theta: Float64Array, out: Float64Array): void {
    const s = this.state(),
      tf = loadTfjs();
    const reg = s.def.regulariser;
    if (!reg) {
      out.fill(0, 0, this.dim);
      return;
    }
    tf.tidy(() => {
      const g = grad((th: TF.Tensor1D) => reg(th))(tf.tensor1d(f32(theta, this.dim)));
      out.set(g.dataSync());
    });
  }

  /**
   * H v. 'finite-difference' (default): the 4-point central difference of the autodiff gradient along v,
   * [8(g(θ+hv̂) − g(θ−hv̂)) − (g(θ+2hv̂) − g(θ−2hv̂))]/(12h)·|v|, h = hessianStep·max(1, |θ|∞) (4 gradients;
   * ~1e-5 relative: the displaced θ is rounded to float32 per component). 'autodiff': ∇_θ(∇𝓛(θ)·v) by
   * double backward (see `hessianMode`).
   */
  hessianVectorProduct(theta: Float64Array, v: Float64Array, out: Float64Array): void {
    const s = this.state(),
      tf = loadTfjs(),
      n = this.dim;
    if (this.hessianMode === 'autodiff') {
      tf.tidy(() => {
        out.set(this.hvp(tf.tensor1d(f32(theta, n)), tf.tensor1d(f32(v, n)), s).dataSync());
      });
      return;
    }
    let vn = 0,
      tn = 1;
    for (let a = 0; a < n; a++) {
      vn += v[a] * v[a];
      tn = Math.max(tn, Math.abs(theta[a]));
    }
    vn = Math.sqrt(vn);
    if (!(vn > 0)) {
      out.fill(0, 0, n);
      return;
    }
    const h = this.hessianStep * tn;
    const g = [-2, -1, 1, 2].map((k) => {
      const p = new Float64Array(n);
      for (let a = 0; a < n; a++) p[a] = theta[a] + (k * h * v[a]) / vn;
      const o = new Float64Array(n);
      this.gradient(p, o);
      return o;
    });
    for (let a = 0; a < n; a++) out[a] = ((8 * (g[2][a] - g[1][a]) - (g[3][a] - g[0][a])) / (12 * h)) * vn;
  }

  /**
   * ∇²𝓛 (N×N row-major), column α = ∂(∇𝓛)/∂θ_α. 'finite-difference' (default): 4-point central differences of
   * the autodiff gradient at θ_α + k·h_α, k = ±1, ±2 (4N gradients), h_α = hessianStep·max(1, |θ_α|) rounded to
   * a power of two; the weights are the exact Lagrange weights of the float32 nodes actually evaluated, so the
   * error is truncation O(h⁴) plus gradient round-off over h (~1e-6 of max|H| on the regression). Symmetric
   * up to that error. 'autodiff': N Hessian–vector products by double backward (see `hessianMode`).
   */
  hessian(theta: Float64Array, out: Float64Array): void {
    const s = this.state(),
      tf = loadTfjs(),
      n = this.dim;
    if (this.hessianMode === 'autodiff') {
      tf.tidy(() => {
        const th = tf.tensor1d(f32(theta, n));
        const eye = tf.eye(n);
        const cols: TF.Tensor1D[] = [];
        for (let a = 0; a < n; a++) cols.push(this.hvp(th, eye.slice([a, 0], [1, n]).reshape([n]) as TF.Tensor1D, s));
        out.set(tf.stack(cols, 1).dataSync());
      });
      return;
    }
    const base = Float64Array.from(f32(theta, n)); // the point the adapter evaluates
    const p = new Float64Array(n),
      gk = new Float64Array(n),
      col = new Float64Array(n);
    const ks = [-2, -1, 1, 2],
      d = new Float64Array(4);
    for (let a = 0; a < n; a++) {
      const h = 2 ** Math.round(Math.log2(this.hessianStep * Math.max(1, Math.abs(base[a]))));
      for (let k = 0; k < 4; k++) d[k] = Math.fround(base[a] + ks[k] * h) - base[a]; // exact float32 offsets
      const w = derivativeWeights(d);
      col.fill(0);
      p.set(base);
      for (let k = 0; k < 4; k++) {
        p[a] = base[a] + d[k];
        this.gradient(p, gk);
        for (let i = 0; i < n; i++) col[i] += w[k] * gk[i];
      }
      for (let i = 0; i < n; i++) out[i * n + a] = col[i];
    }
  }

  private hvp(th: TF.Tensor1D, v: TF.Tensor1D, s: Built): TF.Tensor1D {
    const tf = loadTfjs();
    const g = grad((t: TF.Tensor1D) => this.objective(t, s.x, s.y));
    return grad((t: TF.Tensor1D) => tf.sum(tf.mul(g(t), v)))(th);
  }

  /** mean_i ℓ_i(θ; x, y) + R(θ), a scalar. */
  private objective(theta: TF.Tensor1D, x: TF.Tensor2D, y: TF.Tensor): TF.Scalar {
    const tf = loadTfjs();
    const def = this.built!.def;
    const l = tf.mean(def.sampleLoss(theta, x, y)) as TF.Scalar;
    return def.regulariser ? tf.add(l, def.regulariser(theta)) : l;
  }

  private state(): Built {
    return this.built ?? this.build();
  }

  /** Makes the backend current (selecting cpu synchronously if none was selected) and uploads the data. */
  private build(): Built {
    useBackendSync();
    const tf = loadTfjs();
    const def = this.def;
    validate(def);
    this.dispose();
    const x = tf.tensor2d(def.x as number[][], undefined, 'float32');
    const y = Array.isArray(def.y[0])
      ? tf.tensor2d(def.y as number[][], undefined, 'float32')
      : tf.tensor1d(def.y as number[], 'float32');
    this.built = { def, x, y, m: def.x.length };
    return this.built;
  }

  /** Installs the definition's optional randomInit/minimumStart as own properties (absent when it has none). */
  private adopt(def: TfjsLandscapeDefinition): void {
    if (def.randomInit) {
      const f = def.randomInit;
      this.randomInit = (out, normal) => f.call(def, out, normal);
    } else delete this.randomInit;
    const start = def.minimumStart;
    if (typeof start === 'function') this.minimumStart = (out) => start.call(def, out);
    else if (start)
      this.minimumStart = (out) => {
        out.set(start);
      };
    else delete this.minimumStart;
  }
}

/** tf.grad for functions of a vector (tfjs types tf.grad for Tensor in, Tensor out only). */
function grad(f: (t: TF.Tensor1D) => TF.Tensor): (t: TF.Tensor1D) => TF.Tensor1D {
  const g = loadTfjs().grad(f as (t: TF.Tensor) => TF.Tensor);
  return (t) => g(t) as TF.Tensor1D;
}

/** Weights w_k with Σ w_k p(d_k) = p′(0) for every cubic p (Lagrange, nodes d_k distinct and ≠ 0). */
function derivativeWeights(d: Float64Array): Float64Array {
  const w = new Float64Array(d.length);
  for (let k = 0; k < d.length; k++) {
    let denom = 1,
      num = 0;
    for (let m = 0; m < d.length; m++) {
      if (m === k) continue;
      denom *= d[k] - d[m];
      let prod = 1;
      for (let l = 0; l < d.length; l++) if (l !== k && l !== m) prod *= -d[l];
      num += prod;
    }
    w[k] = num / denom;
  }
  return w;
}

/** θ rounded to float32 (tfjs computes in float32 only; its tensor() takes no Float64Array). */
function f32(a: Float64Array, n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = a[i];
  return out;
}

function validate(def: TfjsLandscapeDefinition): void {
  const field = 'scenario.landscape';
  if (!Number.isInteger(def.dim) || def.dim < 1)
    throw new ScenarioError(field, `tfjs landscape: dim must be a positive integer, got ${def.dim}`);
  const m = def.x.length;
  if (m < 1) throw new ScenarioError(field, 'tfjs landscape: x has no rows');
  const d = def.x[0].length;
  if (!(d >= 1) || def.x.some((row) => row.length !== d))
    throw new ScenarioError(field, 'tfjs landscape: x must be M rows of the same length d ≥ 1');
  if (def.y.length !== m)
    throw new ScenarioError(field, `tfjs landscape: y has ${def.y.length} entries, x has ${m} rows`);
  if (typeof def.sampleLoss !== 'function')
    throw new ScenarioError(field, 'tfjs landscape: sampleLoss must be a function');
  if (Array.isArray(def.minimumStart) && def.minimumStart.length !== def.dim) {
    throw new ScenarioError(
      field,
      `tfjs landscape: minimumStart has ${def.minimumStart.length} numbers, dim is ${def.dim}`,
    );
  }
}
