// The packaged scenarios of this package, by name.
import type { AnyScenario } from './types.ts';
import { regressionNess } from './regression-ness/regression-ness.ts';
import { earthquakeNess } from './earthquake-ness/earthquake-ness.ts';
import { tfjsRegression } from './tfjs-regression/tfjs-regression.ts';
import { fluctuationTheorems } from './fluctuation-theorems/fluctuation-theorems.ts';
import { sgworldVsSgld } from './sgworld-vs-sgld/sgworld-vs-sgld.ts';
import { samplerBias } from './sampler-bias/sampler-bias.ts';
import { escapeWhiteNoise } from './escape-white-noise/escape-white-noise.ts';
import { escapeSgd } from './escape-sgd/escape-sgd.ts';
import { sgnHessian } from './sgn-hessian/sgn-hessian.ts';
import { threeFactors } from './three-factors/three-factors.ts';
import { thermophoresis } from './thermophoresis/thermophoresis.ts';
import { limitCycles } from './limit-cycles/limit-cycles.ts';
import { entropyEstimators } from './entropy-estimators/entropy-estimators.ts';
import { mnistNess } from './mnist-ness/mnist-ness.ts';

export {
  regressionNess,
  earthquakeNess,
  tfjsRegression,
  fluctuationTheorems,
  sgworldVsSgld,
  samplerBias,
  escapeWhiteNoise,
  escapeSgd,
  sgnHessian,
  threeFactors,
  thermophoresis,
  limitCycles,
  entropyEstimators,
  mnistNess,
};

/** Packaged scenarios, by name. */
export const scenarios: Record<string, AnyScenario> = {
  [regressionNess.name]: regressionNess,
  [earthquakeNess.name]: earthquakeNess,
  [tfjsRegression.name]: tfjsRegression,
  [fluctuationTheorems.name]: fluctuationTheorems,
  [sgworldVsSgld.name]: sgworldVsSgld,
  [samplerBias.name]: samplerBias,
  [escapeWhiteNoise.name]: escapeWhiteNoise,
  [escapeSgd.name]: escapeSgd,
  [sgnHessian.name]: sgnHessian,
  [threeFactors.name]: threeFactors,
  [thermophoresis.name]: thermophoresis,
  [limitCycles.name]: limitCycles,
  [entropyEstimators.name]: entropyEstimators,
  [mnistNess.name]: mnistNess,
};
