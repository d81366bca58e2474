// The packaged scenarios as a contribution: one ContainerModule binding each definition under the kernel's
// ScenarioDefinition token, as plugin packages bind plugins. A third-party scenario package does the same and is
// loaded like a plugin (a scenario file's "plugins").
import { ContainerModule } from 'inversify';
import { bindScenario } from '@nesslab/kernel';
import { scenarios } from './catalogue.ts';

export const scenariosModule = new ContainerModule((options) => {
  for (const scenario of Object.values(scenarios)) bindScenario(options, scenario);
});

export default scenariosModule;
