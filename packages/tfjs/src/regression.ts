import type * as TF from '@tensorflow/tfjs-core';
import { definePlugin, type ParamsOf } from '@nesslab/kernel';
import { PAPER_X, PAPER_Y } from './data.ts';
import { loadTfjs } from './backend.ts';
import { TfjsLandscape, type TfjsLandscapeDefinition } from './tfjs-landscape.ts';

/** The parameters of tfjs-regression (the paper's values by default). */
export interface TfjsRegressionParams {
  /** ε in ℓ_i = (M/(2ε²))(y_i − f(x_i))². */
  epsilon: number;
  /** λ in R = λ|θ|². */
  lambda: number;
}

/** The paper's ε and λ: the defaults of the built-in tanh-regression (004 §4.1). */
export const TFJS_REGRESSION_DEFAULTS: Readonly<TfjsRegressionParams> = Object.freeze({ epsilon: 0.1, lambda: 10 });
const D = TFJS_REGRESSION_DEFAULTS;

const N = 7;
/** |θ| of a random start (the authors' InitNorm). */
const INIT_NORM = 0.5;

/**
 * The random start of the built-in tanh-regression, the same arithmetic step by step (so the same θ bit for bit):
 * the authors' `w = rand(7); w /= norm(w)/InitNorm`, InitNorm = 0.5, each uniform u = exp(−(z₁² + z₂²)/2) from
 * two normals (exactly U(0, 1]); 14 normals per start. See TanhRegression.randomInit in @nesslab/landscapes.
 */
export function tanhRegressionRandomInit(out: Float64Array, normal: () => number): void {
  let norm2 = 0;
  for (let a = 0; a < N; a++) {
    const z1 = normal(),
      z2 = normal();
    const u = Math.exp(-0.5 * (z1 * z1 + z2 * z2));
    out[a] = u;
    norm2 += u * u;
  }
  if (!(norm2 > 0)) {
    // All seven uniforms underflowed (probability ~e^{−5000}); fall back to the direction (1, …, 1).
    for (let a = 0; a < N; a++) out[a] = 1;
    norm2 = N;
  }
  const scale = INIT_NORM / Math.sqrt(norm2);
  for (let a = 0; a < N; a++) out[a] *= scale;
}

/** Newton's start for θ₀, as the built-in tanh-regression's: the authors' printed minimum to three digits. */
export const TANH_REGRESSION_MINIMUM_START: readonly number[] = Object.freeze([
  1.283, 1.231, 0.705, -0.532, 0.928, -0.909, -0.009,
]);

const PRECISION =
  'float32 inside (tfjs autodiff: loss, gradients, Hessian; θ and the data rounded to float32 on the way in); chain state and accumulators float64';

export const tfjsRegressionInfo = definePlugin({
  kind: 'landscape',
  name: 'tanh-regression-tfjs',
  description:
    "The tanh regression of tanh-regression (N = 7, the paper's 200 points) written as a TensorFlow.js per-sample loss, " +
    'f(x;θ) = θ₅tanh(θ₁x+θ₃) + θ₆tanh(θ₂x+θ₄) + θ₇, ℓ_i = (M/(2ε²))(y_i − f(x_i))², R = λ|θ|², with every derivative by tfjs ' +
    'autodiff in float32: an example and a check of the tfjs adapter (TfjsLandscape), ~10³× slower than the analytic ' +
    'float64 tanh-regression. Await TfjsLandscape.ready() before configuring to compute on wasm (else cpu).',
  source: '004 §4.1, Eq. 30',
  params: {
    epsilon: {
      type: 'number',
      default: D.epsilon,
      exclusiveMinimum: 0,
      description: 'ε in ℓ_i = (M/(2ε²))(y_i − f(x_i))² (scales the loss only)',
    },
    lambda: { type: 'number', default: D.lambda, minimum: 0, description: 'λ of the L2 regulariser R = λ|θ|²' },
  },
  precision: PRECISION,
});

/**
 * The tfjs definition of 004 Eq. 30 on the paper's data (M = 200):
 *   f(x;θ) = θ₅ tanh(θ₁x + θ₃) + θ₆ tanh(θ₂x + θ₄) + θ₇,  ℓ_i = (M/(2ε²))(y_i − f(x_i))²,  R = λ|θ|².
 * M in ℓ_i is the data size, whatever the batch.
 */
export function tfjsRegressionDefinition(
  p: TfjsRegressionParams = { epsilon: D.epsilon, lambda: D.lambda },
): TfjsLandscapeDefinition {
  const size = PAPER_X.length;
  const scale = size / (2 * p.epsilon * p.epsilon),
    lambda = p.lambda;
  return {
    dim: N,
    x: PAPER_X.map((v) => [v]),
    y: PAPER_Y,
    sampleLoss(theta: TF.Tensor1D, x: TF.Tensor2D, y: TF.Tensor): TF.Tensor1D {
      const tf = loadTfjs();
      const a = theta.slice(0, 2),
        b = theta.slice(2, 2),
        c = theta.slice(4, 2),
        d = theta.slice(6, 1);
      const h = tf.tanh(tf.add(tf.mul(x, a), b)); // [b, 2]: the two hidden units, x [b, 1] broadcast against a [2]
      const f = tf.add(tf.sum(tf.mul(h, c), 1), d); // [b]
      return tf.mul(tf.square(tf.sub(y, f)), scale) as TF.Tensor1D;
    },
    regulariser(theta: TF.Tensor1D): TF.Scalar {
      const tf = loadTfjs();
      return tf.mul(tf.sum(tf.square(theta)), lambda) as TF.Scalar;
    },
    // The same starts as tanh-regression: the authors' random start and their printed minimum.
    randomInit: tanhRegressionRandomInit,
    minimumStart: (out) => {
      out.set(TANH_REGRESSION_MINIMUM_START);
    },
  };
}

/** Plugin `tfjs-regression`: 004 Eq. 30 through the tfjs adapter (compare with the analytic tanh-regression). */
export class TfjsRegression extends TfjsLandscape<ParamsOf<typeof tfjsRegressionInfo>> {
  constructor() {
    super(tfjsRegressionDefinition());
  }

  protected override define(params: ParamsOf<typeof tfjsRegressionInfo>): TfjsLandscapeDefinition {
    return tfjsRegressionDefinition(params);
  }
}
