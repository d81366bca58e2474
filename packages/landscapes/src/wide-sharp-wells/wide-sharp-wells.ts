import { definePlugin, ScenarioError, type Landscape, type ParamsOf } from '@nesslab/kernel';
import { quantileData } from '../styblinski-tang/data.ts';
import {
  WELLS_DEFAULTS as D,
  wellsCriticalPoints,
  wellsCurvature,
  wellsLoss,
  wellsSlope,
  type WellsShape,
} from './wells.ts';

export const wideSharpWellsInfo = definePlugin({
  kind: 'landscape',
  name: 'wide-sharp-wells',
  description:
    'A 1-D loss with a wide and a sharp minimum (002 "flat vs. sharp minima"): L(θ) = ½κθ² − D_w e^{−(θ−c_w)²/(2s_w²)} − ' +
    'D_s e^{−(θ−c_s)²/(2s_s²)}. Data: ℓ_j = L(θ) − σ x_j θ, j = 1..M, x_j Gaussian quantiles of mean 0 and variance 1, so the ' +
    'per-sample gradient noise is constant, C = σ² (002 "constant isotropic noise"), and a WR minibatch of S has σ²/S. ' +
    'Defaults: wide minimum θ ≈ −0.70 (L″ ≈ 1.53), sharp and deeper minimum θ ≈ 0.57 (L″ ≈ 9.2), barrier top θ ≈ 0.04.',
  source: '002 §"Flat vs. sharp minima", Eq. 3 (p_A/p_B), constant noise C = σ²I',
  params: {
    confinement: {
      type: 'number',
      description: 'κ of the bowl ½κθ² that keeps chains near the wells',
      default: D.confinement,
      exclusiveMinimum: 0,
    },
    wideCentre: { type: 'number', description: 'c_w, centre of the wide Gaussian well', default: D.wideCentre },
    wideWidth: {
      type: 'number',
      description: 's_w, width of the wide well',
      default: D.wideWidth,
      exclusiveMinimum: 0,
    },
    wideDepth: {
      type: 'number',
      description: 'D_w, depth of the wide well',
      default: D.wideDepth,
      exclusiveMinimum: 0,
    },
    sharpCentre: { type: 'number', description: 'c_s, centre of the sharp Gaussian well', default: D.sharpCentre },
    sharpWidth: {
      type: 'number',
      description: 's_s, width of the sharp well',
      default: D.sharpWidth,
      exclusiveMinimum: 0,
    },
    sharpDepth: {
      type: 'number',
      description: 'D_s, depth of the sharp well',
      default: D.sharpDepth,
      exclusiveMinimum: 0,
    },
    noise: {
      type: 'number',
      description: 'σ, standard deviation of the per-sample gradient noise (C = σ², 002)',
      default: 20,
      minimum: 0,
    },
    dataSize: {
      type: 'integer',
      description: 'M, data points x_j (Gaussian quantiles, variance 1)',
      default: 1000,
      minimum: 1,
    },
    dataSeed: {
      type: 'integer',
      description: 'seed of the shuffle of the quantiles (Xoshiro128.fromSeed)',
      default: 0,
      minimum: 0,
    },
  },
  precision: 'float64',
});

const SHAPE_KEYS = [
  'confinement',
  'wideCentre',
  'wideWidth',
  'wideDepth',
  'sharpCentre',
  'sharpWidth',
  'sharpDepth',
] as const;

/** ℓ_j = L(θ) − σ x_j θ (C = σ², 002), R = 0; 1-D, so every array has length 1 (N = 1). */
export class WideSharpWells implements Landscape {
  readonly dim = 1;
  dataSize = 1000;
  shape: WellsShape = { ...D };
  noise = 20;
  /** σ x_j and their (round-off) mean, so that ∇𝓛 = (1/M)Σ∇ℓ_j to the last bits. */
  private sx = new Float64Array(1);
  private sxMean = 0;

  configure(params: ParamsOf<typeof wideSharpWellsInfo>, _seed: number): void {
    const shape = { ...D };
    for (const key of SHAPE_KEYS) shape[key] = params[key];
    const { noise: sigma, dataSize: M, dataSeed } = params;
    const c = wellsCriticalPoints(shape);
    if (!(c.wide.curvature > 0 && c.sharp.curvature > 0 && c.barrier.curvature < 0 && c.wide.theta !== c.sharp.theta)) {
      throw new ScenarioError(
        'scenario.landscape.params',
        `the shape has no wide and sharp minimum separated by a barrier (minima at ${c.wide.theta}, ${c.sharp.theta})`,
      );
    }
    this.shape = shape;
    this.noise = sigma;
    this.dataSize = M;
    this.sx = quantileData(M, 1, 1, dataSeed).map((x) => sigma * x);
    this.sxMean = this.sx.reduce((s, x) => s + x / M, 0);
  }

  /** 𝓛 = (1/M)Σ_j ℓ_j = L(θ) − σ x̄ θ (x̄ = 0 up to round-off). */
  loss(theta: Float64Array): number {
    return wellsLoss(this.shape, theta[0]) - this.sxMean * theta[0];
  }

  gradient(theta: Float64Array, out: Float64Array): void {
    out[0] = wellsSlope(this.shape, theta[0]) - this.sxMean;
  }

  /** ∇L_B = L'(θ) − (1/S)Σ_{i∈B} σ x_i (002: g^(S) = g + Δg/√S, Var Δg = σ²). */
  minibatchGradient(theta: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    const sx = this.sx;
    let s = 0;
    for (let i = 0; i < m; i++) s += sx[batch[i]];
    out[0] = wellsSlope(this.shape, theta[0]) - s / m;
  }

  sampleGradients(theta: Float64Array, out: Float64Array): void {
    const g = wellsSlope(this.shape, theta[0]);
    for (let j = 0; j < this.dataSize; j++) out[j] = g - this.sx[j];
  }

  regulariserGradient(_theta: Float64Array, out: Float64Array): void {
    out[0] = 0;
  }

  hessian(theta: Float64Array, out: Float64Array): void {
    out[0] = wellsCurvature(this.shape, theta[0]);
  }

  /** ∇²ℓ_j = L'': the data term is linear in θ. */
  sampleHessian(theta: Float64Array, i: number, out: Float64Array): void {
    if (!(Number.isInteger(i) && i >= 0 && i < this.dataSize))
      throw new RangeError(`sampleHessian: sample index ${i} outside [0, ${this.dataSize})`);
    this.hessian(theta, out);
  }

  /** Newton starts at the sharp (deeper, by default) well's centre. */
  minimumStart(out: Float64Array): void {
    out[0] = this.shape.sharpCentre;
  }
}
