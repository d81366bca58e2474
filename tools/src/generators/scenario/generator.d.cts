import type { GeneratorCallback, Tree } from '@nx/devkit';
import type { ScenarioGeneratorSchema } from './schema';

/** Template variables the generator hands to `generateFiles` (exported for tests). */
export interface ScenarioTemplateVars {
  name: string;
  className: string;
  propertyName: string;
  packageName: string;
  directory: string;
  kernelVersion: string;
  scenariosVersion: string;
  landscapesVersion: string;
  samplersVersion: string;
  optimizersVersion: string;
  observersVersion: string;
  cliVersion: string;
  esbuildVersion: string;
  vitestVersion: string;
  typesNodeVersion: string;
  typescriptVersion: string;
}

declare function scenarioGenerator(tree: Tree, options: ScenarioGeneratorSchema): Promise<GeneratorCallback | void>;
declare namespace scenarioGenerator {
  export { scenarioGenerator, scenarioGenerator as default, normalizeOptions };
}
declare function normalizeOptions(tree: Tree, options: ScenarioGeneratorSchema): ScenarioTemplateVars;
export = scenarioGenerator;
