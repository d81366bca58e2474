import type { PackagedScenario } from './types.ts';
import { regressionNess } from './regression-ness.ts';
import { earthquakeNess } from './earthquake-ness.ts';
import { tfjsRegression } from './tfjs-regression.ts';
import { fluctuationTheorems } from './fluctuation-theorems.ts';
import { sgworldVsSgld } from './sgworld-vs-sgld.ts';
import { escapeWhiteNoise } from './escape-white-noise.ts';
import { escapeSgd } from './escape-sgd.ts';
import { sgnHessian } from './sgn-hessian.ts';
import { threeFactors } from './three-factors.ts';
import { thermophoresis } from './thermophoresis.ts';
import { limitCycles } from './limit-cycles.ts';

/** Packaged scenarios, by name. */
export const scenarios: Record<string, PackagedScenario> = {
  [regressionNess.name]: regressionNess,
  [earthquakeNess.name]: earthquakeNess,
  [tfjsRegression.name]: tfjsRegression,
  [fluctuationTheorems.name]: fluctuationTheorems,
  [sgworldVsSgld.name]: sgworldVsSgld,
  [escapeWhiteNoise.name]: escapeWhiteNoise,
  [escapeSgd.name]: escapeSgd,
  [sgnHessian.name]: sgnHessian,
  [threeFactors.name]: threeFactors,
  [thermophoresis.name]: thermophoresis,
  [limitCycles.name]: limitCycles,
};
