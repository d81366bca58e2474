import type { GeneratorCallback, Tree } from '@nx/devkit';
import type { ObserverGeneratorSchema } from './schema';

/** Template variables the generator hands to `generateFiles` (exported for tests). */
export interface ObserverTemplateVars {
  name: string;
  className: string;
  propertyName: string;
  packageName: string;
  directory: string;
  apiVersion: string;
  kernelVersion: string;
  esbuildVersion: string;
  vitestVersion: string;
  typesNodeVersion: string;
  typescriptVersion: string;
}

declare function observerGenerator(tree: Tree, options: ObserverGeneratorSchema): Promise<GeneratorCallback | void>;
declare namespace observerGenerator {
  export { observerGenerator, observerGenerator as default, normalizeOptions };
}
declare function normalizeOptions(tree: Tree, options: ObserverGeneratorSchema): ObserverTemplateVars;
export = observerGenerator;
