// Worker-thread entry of the programmatic API (built to dist/worker.js, found by `workerRunner`): the built-in
// plugin packages plus the run's plugins, one chain group, its observers' partials posted back.
import { serveGroup } from './workers.ts';
import { pluginModules } from './plugin-modules.ts';

serveGroup(pluginModules);
