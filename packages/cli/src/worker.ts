// Worker-thread entry of the CLI bundle (dist/worker.mjs): the CLI's built-in plugin packages plus the run's plugins,
// one chain group, its observers' partials posted back (the protocol is @nesslab/scenarios' serveGroup/workerRunner).
import { serveGroup } from '@nesslab/scenarios';
import { pluginModules } from './modules.ts';

serveGroup(pluginModules);
