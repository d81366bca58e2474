import type * as TF from '@tensorflow/tfjs';
import { definePlugin, type ParamsOf } from '@nesslab/kernel';
import { PAPER_X, PAPER_Y } from '../tanh-regression/data.ts';
import { TanhRegression, TANH_REGRESSION_DEFAULTS as D } from '../tanh-regression/tanh-regression.ts';
import { loadTfjs } from './backend.ts';
import { TfjsLandscape, type TfjsLandscapeDefinition } from './tfjs-landscape.ts';

/** The parameters of tfjs-regression (the paper's values by default). */
export interface TfjsRegressionParams {
  /** ε in ℓ_i = (M/(2ε²))(y_i − f(x_i))². */
  epsilon: number;
  /** λ in R = λ|θ|². */
  lambda: number;
}

const PRECISION = 'float32 inside (tfjs autodiff: loss, gradients, Hessian; θ and the data rounded to float32 on the way in); chain state and accumulators float64';

export const tfjsRegressionInfo = definePlugin({
  kind: 'landscape',
  name: 'tanh-regression-tfjs',
  description:
    'The tanh regression of tanh-regression (N = 7, the paper\'s 200 points) written as a TensorFlow.js per-sample loss, ' +
    'f(x;θ) = θ₅tanh(θ₁x+θ₃) + θ₆tanh(θ₂x+θ₄) + θ₇, ℓ_i = (M/(2ε²))(y_i − f(x_i))², R = λ|θ|², with every derivative by tfjs ' +
    'autodiff in float32: an example and a check of the tfjs adapter (TfjsLandscape), ~10³× slower than the analytic ' +
    'float64 tanh-regression. Await TfjsLandscape.ready() before configuring to compute on wasm (else cpu).',
  source: '004 §4.1, Eq. 30',
  params: {
    epsilon: { type: 'number', default: D.epsilon, exclusiveMinimum: 0, description: 'ε in ℓ_i = (M/(2ε²))(y_i − f(x_i))² (scales the loss only)' },
    lambda: { type: 'number', default: D.lambda, minimum: 0, description: 'λ of the L2 regulariser R = λ|θ|²' },
  },
  precision: PRECISION,
});

/**
 * The tfjs definition of 004 Eq. 30 on the paper's data (M = 200):
 *   f(x;θ) = θ₅ tanh(θ₁x + θ₃) + θ₆ tanh(θ₂x + θ₄) + θ₇,  ℓ_i = (M/(2ε²))(y_i − f(x_i))²,  R = λ|θ|².
 * M in ℓ_i is the data size, whatever the batch.
 */
export function tfjsRegressionDefinition(p: TfjsRegressionParams = { epsilon: D.epsilon, lambda: D.lambda }): TfjsLandscapeDefinition {
  const size = PAPER_X.length;
  const scale = size / (2 * p.epsilon * p.epsilon), lambda = p.lambda;
  const reference = new TanhRegression();
  return {
    dim: 7,
    x: PAPER_X.map((v) => [v]),
    y: PAPER_Y,
    sampleLoss(theta: TF.Tensor1D, x: TF.Tensor2D, y: TF.Tensor): TF.Tensor1D {
      const tf = loadTfjs();
      const a = theta.slice(0, 2), b = theta.slice(2, 2), c = theta.slice(4, 2), d = theta.slice(6, 1);
      const h = tf.tanh(tf.add(tf.mul(x, a), b)); // [b, 2]: the two hidden units, x [b, 1] broadcast against a [2]
      const f = tf.add(tf.sum(tf.mul(h, c), 1), d); // [b]
      return tf.mul(tf.square(tf.sub(y, f)), scale) as TF.Tensor1D;
    },
    regulariser(theta: TF.Tensor1D): TF.Scalar {
      const tf = loadTfjs();
      return tf.mul(tf.sum(tf.square(theta)), lambda) as TF.Scalar;
    },
    // The same starts as tanh-regression: the authors' random start and their printed minimum.
    randomInit: (out, normal) => reference.randomInit(out, normal),
    minimumStart: (out) => reference.minimumStart(out),
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
