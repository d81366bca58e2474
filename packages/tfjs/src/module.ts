import { ContainerModule } from 'inversify';
import { bindPlugin } from '@nesslab/kernel';
import { TfjsRegression, tfjsRegressionInfo } from './regression.ts';

export { tfjsRegressionInfo };

export default new ContainerModule((options) => {
  bindPlugin(options, TfjsRegression, tfjsRegressionInfo);
});
