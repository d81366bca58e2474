import type { Landscape } from '@nesslab/kernel';

/**
 * The gradients of a loss L = (1/M) Σ_i ℓ_i (+ R) from one per-sample routine `addSampleGradient` (out += weight·∇ℓ_i):
 * full batch, minibatch (004 Eq. 12) and the M×N per-sample rows. For the nets that have no closed form for Σ_i ∇ℓ_i
 * (relu-classifier, mnist-fc); allocation-free on the minibatch path.
 */
export abstract class SampleSumLandscape implements Landscape {
  abstract readonly dim: number;
  abstract readonly dataSize: number;
  abstract configure(params: Readonly<Record<string, unknown>>, seed: number): void;
  abstract loss(theta: Float64Array): number;
  abstract hessian(theta: Float64Array, out: Float64Array): void;
  /** out = ∇R(θ) (all N entries written). */
  abstract regulariserGradient(theta: Float64Array, out: Float64Array): void;
  /** out += weight·∇ℓ_i(θ). */
  protected abstract addSampleGradient(theta: Float64Array, i: number, weight: number, out: Float64Array): void;

  gradient(theta: Float64Array, out: Float64Array): void {
    this.regulariserGradient(theta, out);
    const w = 1 / this.dataSize;
    for (let i = 0; i < this.dataSize; i++) this.addSampleGradient(theta, i, w, out);
  }

  /** ∇L_B + ∇R with L_B = (1/m) Σ_{i∈B} ℓ_i (004 Eq. 12); allocates nothing. */
  minibatchGradient(theta: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    this.regulariserGradient(theta, out);
    const w = 1 / m;
    for (let s = 0; s < m; s++) this.addSampleGradient(theta, batch[s], w, out);
  }

  sampleGradients(theta: Float64Array, out: Float64Array): void {
    const n = this.dim;
    out.fill(0, 0, this.dataSize * n);
    for (let i = 0; i < this.dataSize; i++) this.addSampleGradient(theta, i, 1, out.subarray(i * n, (i + 1) * n));
  }
}
