// The nesslab command: parses argv, checks every input before computing, and maps outcomes to exit codes.
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import {
  API_VERSION,
  DivergenceError,
  NESSLAB_VERSION,
  ScenarioError,
  didYouMean,
  oneLine,
  preview,
} from '@nesslab/kernel';
import { builtinContainer } from './modules.ts';
import { MAX_SEED, maxWorkers, outputName, parseSeed, parseSets, parseWorkers } from './args.ts';
import { resolveRun } from './scenario-file.ts';
import {
  checkQueue,
  defaultWorkers,
  openUnitFolder,
  removeUnitFolder,
  runIdentity,
  runVersions,
  validateRun,
  type PackagedRun,
  type SpecRun,
} from '@nesslab/scenarios';
import { jsonText, resumeLine, runScenario, unitMode } from './run.ts';
import { describeTarget, description, listAll, listing } from './commands.ts';
import { sweepCommand } from './sweep.ts';
import { workerCommand } from './worker-command.ts';
import { checkLiveFlags, closeLive, openLive, serveCommand } from './live.ts';
import { openOutput } from '@nesslab/report';

export const HELP = `nesslab — SGD as a physical system out of equilibrium

Usage:
  nesslab --version                         nesslab, plugin API and node versions
  nesslab <command> --help                  what one command takes
  nesslab list                              packaged scenarios and plugins
  nesslab describe <scenario|plugin>        parameters, defaults per preset, what it reproduces
  nesslab validate <scenario|file.json>     check everything run checks before its first step; runs nothing
  nesslab run <scenario|file.json> [options]
  nesslab sweep <scenario|file.json> --grid key=v1,v2,… [--grid key2=…] [options of run]
  nesslab worker <redis-url> [--concurrency N]   run units of queued runs (--queue) until Ctrl-C
  nesslab serve DIR [--port N]              serve a finished run's or sweep's report.html on 127.0.0.1

--json (list, describe, validate, run, sweep): one JSON object on stdout instead of the text; errors stay one line on
stderr (exit 2: nesslab: <field>: <what is wrong>), progress stays on stderr.

Options of run:
  --preset quick|full   quick: < 30 s on 2 cores (default); full: the paper's size
  --set key=value       override a parameter (repeatable; value parsed as JSON when it can be)
  --seed N              one seed, one bit-identical result: an integer 0 … 2^53 − 1 (default 1)
  --out DIR             output folder (default nesslab-out/<scenario>); written all at once, see below
  --force               replace DIR when it holds an earlier nesslab result (never anything else), and start
                        over when an interrupted run left its finished units beside DIR
  --resume              continue the interrupted run into DIR: only its missing units run (same scenario,
                        preset, seed, parameters and versions, else exit 2 naming what differs)
  --workers N           worker threads, 1 … ${maxWorkers()} (default: one per core); results do not depend on it
  --queue URL           run the units on nesslab worker processes (any machines) through Redis at
                        redis://[user:pass@]host[:port][/db] or rediss://… instead of local threads; --workers N
                        (up to 4096) is then how many units run at once over all the workers, and the run is
                        split for that many (--resume keeps the first run's split, whatever --workers says)
  --check               exit 4 when a claim of the scenario does not hold
  --live                watch it in a browser: serves a page on 127.0.0.1 (printed as live: http://127.0.0.1:PORT/)
                        with progress and ETA per simulation, the observers' values as chains finish, with the
                        theory's lines, and the claims; it turns into the report when the run ends. Results do not
                        depend on it
  --port N              the live page's port (default: a free one)
  --quiet               no progress or table
  --json                instead of the claims table, one JSON object on stdout when the result is written: out
                        (DIR), scenario, preset, seed, claims (sweep: points, each with its grid, claims and any
                        error), elapsedSeconds, files (the paths written under DIR); with --resume, units: { found,
                        total }

Output: DIR must be new, empty, or an earlier nesslab result (marked by DIR/.nesslab) with --force. nesslab
refuses "", ".", "..", the current folder, its ancestors, / and your home folder, any non-empty folder it did not
make, and a folder in use by another nesslab run (a lock beside it). DIR is checked before computing; results are
staged beside it and swapped in at the end, so DIR holds the complete old or the complete new result. A run killed
at any point is cleaned up by the next nesslab command on DIR. Ctrl-C removes the staging folder (exit 130; 143 for
SIGTERM).

Resume: a run is split into units (a simulation × a group of chains, about 1/16 of the run each, at least a second
long), and every finished unit is stored beside DIR (.DIR.units) as it completes. A run killed at any instant (kill -9,
out of memory, power loss, Ctrl-C) keeps them: run it again with --resume and only the missing units are computed;
the results are bit-identical to an uninterrupted run's. The unit folder is removed once DIR holds the result. A
chain is never split, so a run of one or two very long chains resumes from the start of its unfinished chains.

Limits: chains, steps and observers are refused up front when the run would hold more than 3/4 of this machine's
memory (NESSLAB_MEMORY_LIMIT=8GB to change); seeds 0 … ${MAX_SEED}; scenario files ≤ 64 MiB.

Sweep: the cartesian product of the --grid lists over the scenario's parameters, the points side by side
on one pool of workers, each point bit-identical to run --set key=value with the same seed (--resume as for run).
Every point is checked before any runs. DIR (default nesslab-out/<scenario>-sweep) gets sweep.json, sweep.csv,
plots/ and points/<key=value,…>/ as run writes them; a point that fails at run time is recorded with its error in
sweep.json and sweep.csv, and every other point is still written. Example:
  nesslab sweep regression-ness --grid eta=5e-7,1e-6,2e-6 --grid batchSize=10,20 --out runs/eta-m

Many machines: start redis-server somewhere, then nesslab worker redis://host:6379 on each machine (--concurrency N
threads, default one per core; the same nesslab and plugin packages installed, else it refuses the units), and
nesslab run … --queue redis://host:6379. The results are bit-identical to a local run. A worker killed mid-unit:
another one runs the unit within about 15 s. The submitter killed: run it again with --resume and the same --queue;
it takes the units finished meanwhile from Redis. Redis unreachable: exit 2 within seconds; lost for over a minute
during a run: exit 2, finished units kept for --resume. Ctrl-C on a worker hands its units back (exit 130).

Exit codes: 0 ok; 2 bad input (one line: nesslab: <field>: <what is wrong>); 3 a chain diverged (naming the
sub-simulation, chain and step; a sweep: some point diverged, the others written); 4 a claim failed under --check;
130/143 interrupted; 1 anything else (a sweep: some point failed otherwise, the others written).
NESSLAB_DEBUG=1 prints the stack of an unexpected error.

A scenario file is either a simulation spec ({ seed, landscape, sampler, optimizer, observers,
chains, steps, … }) or a packaged scenario with parameters ({ "scenario": "regression-ness",
"preset": "quick", "params": { … } }), as run writes it to DIR/scenario.json. Its "plugins" (and --set
plugins=[…]) name JavaScript files or packages that nesslab imports: their code runs, as any import does.
Nothing is loaded from the working folder unless named there.`;

const OPTIONS = {
  preset: { type: 'string' },
  set: { type: 'string', multiple: true },
  seed: { type: 'string' },
  out: { type: 'string' },
  workers: { type: 'string' },
  check: { type: 'boolean' },
  quiet: { type: 'boolean' },
  json: { type: 'boolean' },
  force: { type: 'boolean' },
  resume: { type: 'boolean' },
  grid: { type: 'string', multiple: true },
  queue: { type: 'string' },
  concurrency: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  live: { type: 'boolean' },
  port: { type: 'string' },
} as const;

const RUN_OPTIONS = HELP.slice(HELP.indexOf('Options of run:'), HELP.indexOf('\n\nOutput:'));
/** `nesslab <command> --help`: what that command takes. */
const COMMAND_HELP: Record<string, string> = {
  list:
    'nesslab list [--json]\n\n' +
    'The packaged scenarios, then every plugin (landscapes, samplers, optimizers, observers), one line each.\n' +
    '--json: { scenarios: [{ name, title }], plugins: [{ kind, name, description }] }.',
  describe:
    'nesslab describe <scenario|plugin> [--json]\n\n' +
    'A scenario: what it reproduces, its parameters with their defaults per preset, and its claims.\n' +
    'A plugin: its kind, source equations, precision and parameters (type, default, bounds).\n' +
    '--json: a scenario as { kind: "scenario", name, title, reproduces, params: { <key>: { type, description,\n' +
    'quick, full, minimum, exclusiveMinimum, maximum, enum } }, claims: { <id>: statement } }; a plugin as\n' +
    '{ kind, name, description, precision, source, params: { <key>: { type, description, default, … } } }\n' +
    '(a field absent: none, or a required parameter).',
  validate:
    'nesslab validate <scenario|file.json> [--preset …] [--set key=value …] [--seed N] [--workers N] [--out DIR]\n' +
    '                 [--force] [--resume] [--queue URL] [--json]\n\n' +
    'Checks everything run checks before its first step (parameters, plugins and their code, the start, θ₀, memory;\n' +
    'with --out the output folder and an interrupted run beside it; with --queue that Redis answers); runs nothing.\n' +
    '--json: { ok: true, kind: "packaged", scenario, preset, seed, params, plugins } or { ok: true, kind: "spec",\n' +
    'chains, steps, seed, plugins } (plugins: the plugin files loaded; their code ran).',
  run: `nesslab run <scenario|file.json> [options]\n\n${RUN_OPTIONS}`,
  sweep:
    'nesslab sweep <scenario|file.json> --grid key=v1,v2,… [--grid key2=…] [options of run]\n\n' +
    'The cartesian product of the --grid lists, each point bit-identical to run --set key=value with the same seed,\n' +
    'the points side by side on one pool of workers; DIR (default nesslab-out/<scenario>-sweep) gets sweep.json,\n' +
    `sweep.csv, plots/ and points/<key=value,…>/. --resume continues an interrupted sweep.\n\n${RUN_OPTIONS}`,
  serve:
    'nesslab serve DIR [--port N]\n\n' +
    'Serves the folder of a finished run or sweep on 127.0.0.1 (default: a free port) until Ctrl-C: its report.html\n' +
    'at /, and its files read-only (nothing outside DIR, no dot files). report.html also opens from file:// as it is.',
  worker:
    'nesslab worker <redis-url> [--concurrency N] [--quiet]\n\n' +
    'Runs the units of queued runs (nesslab run|sweep … --queue <redis-url>) on N worker threads (default: one per\n' +
    'core) until Ctrl-C, which hands its running units back to the queue. It refuses units made with other versions\n' +
    'of nesslab or of the plugins.',
};
const COMMANDS = ['list', 'describe', 'validate', 'run', 'sweep', 'worker', 'serve'];

export type Flags = ReturnType<
  typeof parseArgs<{ args: string[]; options: typeof OPTIONS; allowPositionals: true; strict: true }>
>['values'];

/** Runs one nesslab command; returns the exit code. Throws for the caller's `exitFor` to report. */
export async function cli(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  const [command, target, ...extra] = positionals;
  if (values.version) {
    process.stdout.write(`nesslab ${NESSLAB_VERSION} (plugin API ${API_VERSION}; node ${process.versions.node})\n`);
    return 0;
  }
  if (values.help) {
    process.stdout.write(`${(command !== undefined && COMMAND_HELP[command]) || HELP}\n`);
    return 0;
  }
  if (command === undefined || command === 'help') {
    if (positionals.length > 1)
      throw new ScenarioError('help', `takes no argument, got ${preview(oneLine(positionals[1]!, 60))}`);
    const option = Object.keys(values).find((k) => (values as Record<string, unknown>)[k] !== undefined);
    if (option)
      throw new ScenarioError(
        `--${option}`,
        'needs a command: nesslab run|sweep|validate|describe|list … (nesslab --help)',
      );
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (extra.length)
    throw new ScenarioError(
      command,
      `unexpected argument ${JSON.stringify(oneLine(extra[0], 60))}; give one scenario or file`,
    );
  if (!COMMANDS.includes(command))
    throw new ScenarioError(
      'command',
      `unknown command ${JSON.stringify(oneLine(command, 60))}${didYouMean(command, COMMANDS)}; known: ${COMMANDS.join(', ')}`,
    );
  checkLiveFlags(command, values);
  if (command === 'serve') {
    const used = Object.keys(values).filter(
      (k) => k !== 'port' && (values as Record<string, unknown>)[k] !== undefined,
    );
    if (used.length) throw new ScenarioError(`--${used[0]}`, 'not an option of nesslab serve (it takes --port N)');
    return serveCommand(target, values);
  }
  if (command === 'worker') return workerCommand(target, values);
  if (values.concurrency !== undefined)
    throw new ScenarioError('--concurrency', 'only for nesslab worker (run and sweep take --workers N)');
  if (command !== 'sweep' && values.grid) throw new ScenarioError('--grid', 'only for nesslab sweep');
  if (command === 'list' || command === 'describe') {
    const used = Object.keys(values).filter(
      (k) => k !== 'json' && (values as Record<string, unknown>)[k] !== undefined,
    );
    if (used.length) throw new ScenarioError(`--${used[0]}`, `not an option of nesslab ${command}`);
    const container = builtinContainer();
    if (command === 'list') {
      if (target !== undefined)
        throw new ScenarioError('list', `takes no argument, got ${preview(oneLine(target, 60))}`);
      process.stdout.write(values.json ? jsonText(listing(container)) : listAll(container));
      return 0;
    }
    if (!target) throw new ScenarioError('describe', 'name a scenario or a plugin (nesslab list shows them)');
    process.stdout.write(values.json ? jsonText(description(container, target)) : describeTarget(container, target));
    return 0;
  }
  const origin = { command: ['nesslab', ...argv] };
  if (command === 'sweep') return sweepCommand(target, values, exitFor, origin);
  if (!target) throw new ScenarioError(command, 'name a packaged scenario or a .json file');
  const seed = parseSeed(values.seed);
  const workers = parseWorkers(values.workers, defaultWorkers(), values.queue !== undefined);
  const { container, run } = await resolveRun(target, {
    preset: values.preset,
    seed,
    sets: parseSets(values.set ?? []),
  });
  // Everything run checks before its first step, then the output folder: bad input leaves nothing behind.
  const plan = await validateRun(container, run, workers);
  if (command === 'validate') {
    if (values.out !== undefined) await checkOutputFlags(values, run);
    if (values.queue !== undefined) await checkQueue(values.queue); // Redis answers, as run checks first
    const what =
      run.kind === 'spec'
        ? `simulation of ${run.spec.chains} chains × ${run.spec.steps} steps`
        : `${run.scenario.name} (${run.preset})`;
    const loaded = run.plugins.length
      ? `; plugins loaded (their code ran): ${run.plugins.join(', ')}`
      : '; no plugin files loaded';
    process.stdout.write(values.json ? jsonText(validated(run)) : `ok: ${what}${loaded}\n`);
    return 0;
  }
  const name = run.kind === 'spec' ? outputName(target) : run.scenario.name;
  const out = values.out ?? `nesslab-out/${name}`;
  // The output folder is checked, locked and staged before the first step; then the unit folder beside it.
  const output = await openOutput(out, { force: values.force });
  let outcome;
  const tally = { found: 0, computed: 0 };
  let live: Awaited<ReturnType<typeof openLive>>;
  try {
    live = await openLive(values, name);
    const versions = runVersions(runPlugins(run));
    const { store, finished, splitWorkers } = openUnitFolder(
      output.units,
      runIdentity(run, versions),
      unitMode(values),
      shown(output.units),
      false,
      workers,
    );
    if (values.resume && !values.quiet) process.stderr.write(resumeLine(finished, output.units));
    outcome = await runScenario(container, run, {
      workers,
      quiet: values.quiet,
      json: values.json,
      origin,
      ...(plan ? { plan } : {}),
      units: { store, versions, onUnit: (event) => tally[event]++ },
      ...(splitWorkers !== undefined ? { splitWorkers } : {}),
      ...(values.queue !== undefined ? { queue: values.queue } : {}),
      ...(live ? { live: live.board } : {}),
    }).catch((e: unknown) => {
      // A divergence comes back on resume: its units are no use. Anything else (a crash, a kill) keeps finished ones.
      if (e instanceof DivergenceError || store.count() === 0) removeUnitFolder(output.units);
      throw e;
    });
    await output.commit({ ...outcome.files, ...outcome.bytes });
    removeUnitFolder(output.units);
  } catch (e) {
    await output.abort();
    await closeLive(live, { error: exitFor(e).line.replace(/^nesslab: /, '') });
    throw e;
  }
  // The live page turns into the report (its files served from DIR) before the process ends.
  await closeLive(live, { report: outcome.files['report.html']!, folder: output.target });
  const resumed = values.resume
    ? ` (${tally.found} of ${tally.found + tally.computed} units from the interrupted run)`
    : '';
  process.stderr.write(`wrote ${output.target}/ in ${outcome.elapsedSeconds.toFixed(1)} s${resumed}\n`);
  if (values.json)
    process.stdout.write(
      jsonText({
        out: output.target,
        ...(run.kind === 'packaged' ? { scenario: run.scenario.name, preset: run.preset, seed: run.seed } : {}),
        claims: outcome.claims,
        elapsedSeconds: outcome.elapsedSeconds,
        files: Object.keys({ ...outcome.files, ...outcome.bytes }).sort(),
        ...(values.resume ? { units: { found: tally.found, total: tally.found + tally.computed } } : {}),
      }),
    );
  if (values.check && outcome.claims.some((c) => !c.holds)) return 4;
  return 0;
}

/** `validate --out DIR`: the same output checks as run (DIR, and the unit folder beside it), without writing anything. */
async function checkOutputFlags(values: Flags, run: PackagedRun | SpecRun): Promise<void> {
  if (values.out === undefined) return;
  const output = await openOutput(values.out, { force: values.force });
  try {
    const identity = runIdentity(run, runVersions(runPlugins(run)));
    openUnitFolder(output.units, identity, unitMode(values), shown(output.units), true);
  } finally {
    await output.abort();
  }
}

/** `validate --json`: what was checked, resolved. */
const validated = (run: PackagedRun | SpecRun) => ({
  ok: true,
  ...(run.kind === 'spec'
    ? { kind: run.kind, chains: run.spec.chains, steps: run.spec.steps, seed: run.spec.seed }
    : { kind: run.kind, scenario: run.scenario.name, preset: run.preset, seed: run.seed, params: run.params }),
  plugins: run.plugins,
});

/** The plugin files a run loads (its own and its spec's): their versions are part of each unit's key. */
const runPlugins = (run: PackagedRun | SpecRun): string[] => [
  ...run.plugins,
  ...(run.kind === 'spec' ? (run.spec.plugins ?? []) : []),
];
/** A path for a message: relative to the working folder when inside it. */
const shown = (path: string): string => {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
};

/** The exit code and the one line to print for an error thrown by `cli`. */
export function exitFor(err: unknown, debug = process.env.NESSLAB_DEBUG === '1'): { code: number; line: string } {
  const e = err as Error & { code?: string };
  if (err instanceof ScenarioError) return { code: 2, line: `nesslab: ${oneLine(e.message, 290)}` };
  if (typeof e?.code === 'string' && e.code.startsWith('ERR_PARSE_ARGS')) {
    // node:util's wording ("Unknown option '--foo'. To specify a positional …") as `--foo: unknown option`.
    const option = /'(-[^' ]*)/.exec(e.message)?.[1] ?? 'arguments';
    const what =
      e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? 'unknown option (nesslab --help lists them)'
        : e.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
          ? /argument missing/.test(e.message)
            ? 'needs a value'
            : /ambiguous/.test(e.message)
              ? `its value starts with "-"; write ${option}=<value>`
              : 'takes no value'
          : e.message.split('. ')[0];
    return { code: 2, line: `nesslab: ${oneLine(`${option}: ${what}`, 290)}` };
  }
  if (err instanceof DivergenceError) return { code: 3, line: `nesslab: ${oneLine(e.message, 290)}` };
  // A queue worker that cannot run a unit as asked (other versions, a plugin it lacks): not a bug, not bad input here.
  if (e?.name === 'UnitRefused') return { code: 1, line: `nesslab: --queue: ${oneLine(e.message, 280)}` };
  const message = err instanceof Error ? err.message : String(err);
  const line = `nesslab: internal error: ${oneLine(message, 240)}${debug ? '' : ' (NESSLAB_DEBUG=1 shows where)'}`;
  return { code: 1, line: debug && err instanceof Error && err.stack ? `${line}\n${err.stack}` : line };
}
