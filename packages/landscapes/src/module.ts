import { ContainerModule } from 'inversify';
import { bindPlugin, type PluginInfo } from '@nesslab/kernel';
import { TanhRegression, TANH_REGRESSION_DEFAULTS as D } from './tanh-regression/tanh-regression.ts';
import { TfjsRegression, tfjsRegressionInfo } from './tfjs/regression.ts';
import { LinearisedRegression, linearisedRegressionInfo } from './linearised-regression/linearised-regression.ts';
import { MnistLinear, mnistLinearInfo } from './mnist-linear/mnist-linear.ts';
import { StyblinskiTang, styblinskiTangInfo } from './styblinski-tang/styblinski-tang.ts';
import { ReluClassifier, reluClassifierInfo } from './relu-classifier/relu-classifier.ts';
import { WideSharpWells, wideSharpWellsInfo } from './wide-sharp-wells/wide-sharp-wells.ts';
import { MnistSmallFc, mnistSmallFcInfo, MnistTinyFc, mnistTinyFcInfo } from './mnist-fc/mnist-fc.ts';

export const tanhRegressionInfo: PluginInfo = {
  kind: 'landscape',
  name: 'tanh-regression',
  description:
    'Nonlinear regression net with two tanh hidden units (N = 7): f(x;θ) = θ₅tanh(θ₁x+θ₃) + θ₆tanh(θ₂x+θ₄) + θ₇, ' +
    'ℓ_i = (M/(2ε²))(y_i − f(x_i))², R = λ|θ|², on y = exp(−x²) + N(0, 0.1²) sampled at x_i = −3 + 0.03(i−1). ' +
    'Analytic gradients and Hessian; random start as in the authors\' code (uniform [0,1)⁷ rescaled to |θ| = 0.5).',
  source: '004 §4.1, Eq. 30',
  params: {
    epsilon: {
      type: 'number', default: D.epsilon, exclusiveMinimum: 0,
      description: 'ε in ℓ_i = (M/(2ε²))(y_i − f(x_i))² (scales the loss only; generated data always has noise sd 0.1, as in the paper)',
    },
    lambda: { type: 'number', default: D.lambda, minimum: 0, description: 'λ of the L2 regulariser R = λ|θ|²' },
    data: {
      type: 'string', default: D.data, enum: ['paper', 'generated'],
      description: '"paper": the authors\' own draw of the 200 points (reproduces the paper\'s θ₀, Σ and C); "generated": a fresh draw from dataSeed',
    },
    dataSeed: {
      type: 'integer', default: D.dataSeed, minimum: 0,
      description: 'seed of the noise N(0, 0.1²) of generated data (Xoshiro128.fromSeed(dataSeed).nextNormal(), i = 1..M); ignored for "paper"',
    },
    dataSize: {
      type: 'integer', default: D.dataSize, minimum: 1, maximum: 2097152,
      description: 'M; generated data has x_i = −3 + 6(i−1)/M (evenly spaced on [−3, 3)); must be 200 for "paper"',
    },
  },
  precision: 'float64',
};

export default new ContainerModule((options) => {
  bindPlugin(options, TanhRegression, tanhRegressionInfo);
  bindPlugin(options, TfjsRegression, tfjsRegressionInfo);
  bindPlugin(options, LinearisedRegression, linearisedRegressionInfo);
  bindPlugin(options, MnistLinear, mnistLinearInfo);
  bindPlugin(options, StyblinskiTang, styblinskiTangInfo);
  bindPlugin(options, ReluClassifier, reluClassifierInfo);
  bindPlugin(options, WideSharpWells, wideSharpWellsInfo);
  bindPlugin(options, MnistSmallFc, mnistSmallFcInfo);
  bindPlugin(options, MnistTinyFc, mnistTinyFcInfo);
});
