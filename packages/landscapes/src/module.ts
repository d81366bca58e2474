import { ContainerModule } from 'inversify';
import { bindPlugin } from '@nesslab/kernel';
import { TanhRegression, tanhRegressionInfo } from './tanh-regression/tanh-regression.ts';
import { LinearisedRegression, linearisedRegressionInfo } from './linearised-regression/linearised-regression.ts';
import { MnistLinear, mnistLinearInfo } from './mnist-linear/mnist-linear.ts';
import { StyblinskiTang, styblinskiTangInfo } from './styblinski-tang/styblinski-tang.ts';
import { ReluClassifier, reluClassifierInfo } from './relu-classifier/relu-classifier.ts';
import { WideSharpWells, wideSharpWellsInfo } from './wide-sharp-wells/wide-sharp-wells.ts';
import { MnistSmallFc, mnistSmallFcInfo, MnistTinyFc, mnistTinyFcInfo } from './mnist-fc/mnist-fc.ts';

export { tanhRegressionInfo };

export default new ContainerModule((options) => {
  bindPlugin(options, TanhRegression, tanhRegressionInfo);
  bindPlugin(options, LinearisedRegression, linearisedRegressionInfo);
  bindPlugin(options, MnistLinear, mnistLinearInfo);
  bindPlugin(options, StyblinskiTang, styblinskiTangInfo);
  bindPlugin(options, ReluClassifier, reluClassifierInfo);
  bindPlugin(options, WideSharpWells, wideSharpWellsInfo);
  bindPlugin(options, MnistSmallFc, mnistSmallFcInfo);
  bindPlugin(options, MnistTinyFc, mnistTinyFcInfo);
});
