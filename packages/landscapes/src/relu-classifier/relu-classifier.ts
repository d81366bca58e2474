import { definePlugin, Xoshiro128, type ParamsOf } from '@nesslab/kernel';
import { SampleSumLandscape } from '../sample-sum.ts';

export type InputDistribution = 'normal' | 'uniform';

export const reluClassifierInfo = definePlugin({
  kind: 'landscape',
  name: 'relu-classifier',
  description:
    'Two-layer ReLU net f(x) = V·relu(Wx + b) (000 §4.1, Eq. 63; without b: Eq. 64), binary cross-entropy ' +
    'ℓ_i = log(1 + e^f) − y_i f (∂ℓ/∂f = p − y, Eq. 15–16) on M random points x_i ~ N(0, I) or U(0, 1)^d with labels ' +
    'y_i ∈ {0, 1} drawn uniformly (000 §6, A.6). θ = (W row-major, b, V); R = 0. Exact gradients; the Hessian is exact ' +
    "away from the ReLU kinks (relu″ = 0 there). Random start: W, b, V ~ N(0, 1/(3·fan_in)), the variance of PyTorch's " +
    'default U(±1/√fan_in) (000 does not state its initialisation). M is not given in 000; 1000 is our choice.',
  source: '000 §4.1 Eq. 13–16, Eq. 14 (activation rate), §6 and A.6 (Eq. 63–64)',
  params: {
    inputs: { type: 'integer', default: 10, minimum: 1, description: 'd, the input dimension (000: 10, or 100 in §6)' },
    hidden: { type: 'integer', default: 10, minimum: 1, description: 'N_h, hidden ReLU units (000: 10, or 100 in §6)' },
    dataSize: {
      type: 'integer',
      default: 1000,
      minimum: 2,
      maximum: 1048576,
      description: 'M, the number of training points (not stated in 000)',
    },
    distribution: {
      type: 'string',
      default: 'normal',
      enum: ['normal', 'uniform'],
      description: 'Inputs x_i ~ N(0, I) (Eq. 63 runs) or U(0, 1) per component (Eq. 64 runs)',
    },
    bias: {
      type: 'boolean',
      default: true,
      description: 'Hidden-layer bias b (Eq. 63); false gives f = V·relu(Wx) (Eq. 64, used with uniform inputs)',
    },
    dataSeed: {
      type: 'integer',
      default: 0,
      minimum: 0,
      description: 'Seed of the data: Xoshiro128.fromSeed(dataSeed) draws x_i (d values) then y_i, for i = 1..M',
    },
  },
  precision: 'float64',
});

/** p(f) = 1/(1 + e^{−f}), the predicted probability of y = 1 (000 writes e^{+f}: a sign slip; Eq. 15 needs this one). */
const sigmoid = (f: number) => (f >= 0 ? 1 / (1 + Math.exp(-f)) : Math.exp(f) / (1 + Math.exp(f)));
/** log(1 + e^f), stable for large |f|. */
const softplus = (f: number) => Math.max(f, 0) + Math.log1p(Math.exp(-Math.abs(f)));

/** 'relu-classifier': the two-layer ReLU model of the thermophoresis paper (000 §4–§6, A.6) on random labels. */
export class ReluClassifier extends SampleSumLandscape {
  dim = 0;
  dataSize = 0;
  inputs = 10;
  hidden = 10;
  bias = true;
  distribution: InputDistribution = 'normal';
  /** x_i in row i (M × d) and y_i ∈ {0, 1}. */
  x = new Float64Array(0);
  y = new Float64Array(0);
  /** Offsets of b (−1 without bias) and V in θ. */
  private bAt = -1;
  private vAt = 0;
  /** Pre-activations z = Wx + b of one input (scratch, reused). */
  private z = new Float64Array(0);

  configure(params: ParamsOf<typeof reluClassifierInfo>, _seed: number): void {
    const { inputs: d, hidden: h, dataSize: m, dataSeed, distribution, bias } = params;
    this.inputs = d;
    this.hidden = h;
    this.bias = bias;
    this.distribution = distribution;
    this.bAt = bias ? h * d : -1;
    this.vAt = h * d + (bias ? h : 0);
    this.dim = this.vAt + h;
    this.dataSize = m;
    this.z = new Float64Array(h);
    [this.x, this.y] = generateData(m, d, distribution, dataSeed);
  }

  blocks(): Readonly<Record<string, readonly [number, number]>> {
    const h = this.hidden,
      d = this.inputs;
    return this.bias ? { W: [0, h * d], b: [h * d, h], V: [this.vAt, h] } : { W: [0, h * d], V: [this.vAt, h] };
  }

  /** z = W x_i + b into this.z; returns f = V·relu(z). */
  private forward(theta: Float64Array, i: number): number {
    const d = this.inputs,
      h = this.hidden,
      x = this.x,
      z = this.z,
      xi = i * d,
      bAt = this.bAt,
      vAt = this.vAt;
    let f = 0;
    for (let k = 0; k < h; k++) {
      let s = bAt >= 0 ? theta[bAt + k] : 0;
      const w = k * d;
      for (let j = 0; j < d; j++) s += theta[w + j] * x[xi + j];
      z[k] = s;
      if (s > 0) f += theta[vAt + k] * s;
    }
    return f;
  }

  /** out += weight · ∇ℓ_i = weight (p − y_i) ∇f(x_i) (Eq. 13, 15); ∇_V f = relu(z), ∇_b f = V σ'(z), ∇_W f = V σ'(z) x. */
  protected addSampleGradient(theta: Float64Array, i: number, weight: number, out: Float64Array): void {
    const f = this.forward(theta, i);
    const r = weight * (sigmoid(f) - this.y[i]);
    const d = this.inputs,
      h = this.hidden,
      x = this.x,
      z = this.z,
      xi = i * d,
      bAt = this.bAt,
      vAt = this.vAt;
    for (let k = 0; k < h; k++) {
      if (!(z[k] > 0)) continue; // σ'(z) = 0: no gradient through unit k
      out[vAt + k] += r * z[k];
      const g = r * theta[vAt + k];
      if (bAt >= 0) out[bAt + k] += g;
      const w = k * d;
      for (let j = 0; j < d; j++) out[w + j] += g * x[xi + j];
    }
  }

  /** L(θ) = (1/M) Σ_i [log(1 + e^{f_i}) − y_i f_i] (binary cross-entropy, Eq. 15). */
  loss(theta: Float64Array): number {
    let s = 0;
    for (let i = 0; i < this.dataSize; i++) {
      const f = this.forward(theta, i);
      s += softplus(f) - this.y[i] * f;
    }
    return s / this.dataSize;
  }

  regulariserGradient(_theta: Float64Array, out: Float64Array): void {
    out.fill(0, 0, this.dim);
  }

  /** (1/M) Σ_i ∇²ℓ_i (R = 0). N² doubles: meant for the 10×10 net (N = 120), not the 100×100 one (N = 10 200). */
  hessian(theta: Float64Array, out: Float64Array): void {
    out.fill(0, 0, this.dim * this.dim);
    for (let i = 0; i < this.dataSize; i++) this.addSampleHessian(theta, i, 1 / this.dataSize, out);
  }

  sampleHessian(theta: Float64Array, i: number, out: Float64Array): void {
    if (!(i >= 0 && i < this.dataSize))
      throw new RangeError(`sampleHessian: sample index ${i} outside [0, ${this.dataSize})`);
    out.fill(0, 0, this.dim * this.dim);
    this.addSampleHessian(theta, i, 1, out);
  }

  /**
   * out += weight ∇²ℓ_i, ∇²ℓ_i = p(1 − p) ∇f ∇fᵀ + (p − y) ∇²f, where ∇²f has only ∂V_k∂W_kj = σ'(z_k) x_j and
   * ∂V_k∂b_k = σ'(z_k) (relu″ = 0 away from the kinks z_k = 0).
   */
  private addSampleHessian(theta: Float64Array, i: number, weight: number, out: Float64Array): void {
    const n = this.dim;
    const f = this.forward(theta, i),
      p = sigmoid(f),
      r = p - this.y[i];
    const grad = new Float64Array(n); // ∇f (allocates: the Hessian is off the hot loop)
    const d = this.inputs,
      h = this.hidden,
      x = this.x,
      z = this.z,
      xi = i * d,
      bAt = this.bAt,
      vAt = this.vAt;
    for (let k = 0; k < h; k++) {
      if (!(z[k] > 0)) continue;
      grad[vAt + k] = z[k];
      if (bAt >= 0) grad[bAt + k] = theta[vAt + k];
      for (let j = 0; j < d; j++) grad[k * d + j] = theta[vAt + k] * x[xi + j];
    }
    const s = weight * p * (1 - p);
    for (let a = 0; a < n; a++) {
      if (grad[a] === 0) continue;
      const ga = s * grad[a];
      for (let c = 0; c < n; c++) out[a * n + c] += ga * grad[c];
    }
    const wr = weight * r;
    for (let k = 0; k < h; k++) {
      if (!(z[k] > 0)) continue;
      const v = vAt + k;
      if (bAt >= 0) {
        out[v * n + bAt + k] += wr;
        out[(bAt + k) * n + v] += wr;
      }
      for (let j = 0; j < d; j++) {
        const w = k * d + j,
          e = wr * x[xi + j];
        out[v * n + w] += e;
        out[w * n + v] += e;
      }
    }
  }

  /** Fraction of hidden units with z = Wx_i + b > 0, averaged over the M inputs (000 Eq. 14). */
  activationRate(theta: Float64Array): number {
    const h = this.hidden,
      z = this.z;
    let active = 0;
    for (let i = 0; i < this.dataSize; i++) {
      this.forward(theta, i);
      for (let k = 0; k < h; k++) if (z[k] > 0) active++;
    }
    return active / (this.dataSize * h);
  }

  /** W, b ~ N(0, 1/(3d)) and V ~ N(0, 1/(3N_h)): the variance of PyTorch's default nn.Linear start U(±1/√fan_in). */
  randomInit(out: Float64Array, normal: () => number): void {
    const first = 1 / Math.sqrt(3 * this.inputs),
      second = 1 / Math.sqrt(3 * this.hidden);
    for (let a = 0; a < this.vAt; a++) out[a] = first * normal();
    for (let k = 0; k < this.hidden; k++) out[this.vAt + k] = second * normal();
  }
}

/** M points: x_i (d values, N(0, 1) or U(0, 1)) then y_i ∈ {0, 1} with probability ½ each, from Xoshiro128.fromSeed(seed). */
export function generateData(
  m: number,
  d: number,
  distribution: InputDistribution,
  seed: number,
): [Float64Array<ArrayBuffer>, Float64Array<ArrayBuffer>] {
  const rng = Xoshiro128.fromSeed(seed),
    x = new Float64Array(m * d),
    y = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < d; j++) x[i * d + j] = distribution === 'normal' ? rng.nextNormal() : rng.nextDouble();
    y[i] = rng.nextDouble() < 0.5 ? 0 : 1;
  }
  return [x, y];
}
