import { parseArgs } from 'node:util';
import { config } from 'rxjs';
import { DivergenceError, ScenarioError } from '@nesslab/kernel';
import { builtinContainer } from './modules.ts';
import { parseSeed, parseSets, parseWorkers } from './args.ts';
import { resolveRun } from './scenario-file.ts';
import { runScenario } from './run.ts';
import { defaultWorkers } from './parallel.ts';
import { describeTarget, listAll } from './commands.ts';
import { sweepCommand } from './sweep.ts';

const HELP = `nesslab — SGD as a physical system out of equilibrium

Usage:
  nesslab list                              packaged scenarios and plugins
  nesslab describe <scenario|plugin>        parameters, defaults per preset, what it reproduces
  nesslab validate <file.json>              check a scenario file without running it
  nesslab run <scenario|file.json> [options]
  nesslab sweep <scenario|file.json> --grid key=v1,v2,… [--grid key2=…] [options of run]

Options of run:
  --preset quick|full   quick: < 30 s on 2 cores (default); full: the paper's size
  --set key=value       override a parameter (repeatable; value parsed as JSON when it can be)
  --seed N              one seed, one bit-identical result (default 1)
  --out DIR             output folder (default nesslab-out/<scenario>); written all at once
  --workers N           worker threads (default: one per core); results do not depend on it
  --check               exit 4 when a claim of the scenario does not hold
  --quiet               no progress or table

Sweep: the cartesian product of the --grid lists over the scenario's parameters, the points one after
another (each over all workers), each point bit-identical to run --set key=value with the same seed.
DIR (default nesslab-out/<scenario>-sweep) gets sweep.json, sweep.csv, plots/ (each claim and numeric
result vs the first grid key, one line per value of the others) and points/<key=value,…>/ as run writes
them; --check exits 4 when a claim fails at any point. Example:
  nesslab sweep regression-ness --grid eta=5e-7,1e-6,2e-6 --grid batchSize=10,20 --out runs/eta-m

Exit codes: 0 ok, 2 bad input, 3 a chain diverged, 4 a claim failed (--check), 1 anything else.
A scenario file is either a simulation spec ({ seed, landscape, sampler, optimizer, observers,
chains, steps, … }) or a packaged scenario with parameters ({ "scenario": "regression-ness",
"preset": "quick", "params": { … } }), as run writes it to DIR/scenario.json.`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true, strict: true,
    options: {
      preset: { type: 'string' }, set: { type: 'string', multiple: true }, seed: { type: 'string' },
      out: { type: 'string' }, workers: { type: 'string' }, check: { type: 'boolean' }, quiet: { type: 'boolean' },
      grid: { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' },
    },
  });
  const [command, target] = positionals;
  if (values.help || !command || command === 'help') { process.stdout.write(`${HELP}\n`); return 0; }
  const container = builtinContainer();
  if (command === 'list') { process.stdout.write(listAll(container)); return 0; }
  if (command === 'describe') {
    if (!target) throw new ScenarioError('describe', 'name a scenario or a plugin (nesslab list shows them)');
    process.stdout.write(describeTarget(container, target));
    return 0;
  }
  if (command === 'sweep') return sweepCommand(target, values);
  if (values.grid) throw new ScenarioError('--grid', 'only for nesslab sweep');
  if (command !== 'run' && command !== 'validate') throw new ScenarioError('command', `unknown command "${command}"; known: list, describe, validate, run, sweep`);
  if (!target) throw new ScenarioError(command, 'name a packaged scenario or a .json file');
  const seed = parseSeed(values.seed);
  const { container: runContainer, run } = await resolveRun(target, { preset: values.preset, seed, sets: parseSets(values.set ?? []) });
  if (command === 'validate') {
    process.stdout.write(`ok: ${run.kind === 'spec' ? `simulation of ${run.spec.chains} chains × ${run.spec.steps} steps` : `${run.scenario.name} (${run.preset})`}\n`);
    return 0;
  }
  const workers = parseWorkers(values.workers, defaultWorkers());
  const name = run.kind === 'spec' ? target.replace(/^.*\//, '').replace(/\.json$/, '') : run.scenario.name;
  const out = values.out ?? `nesslab-out/${name}`;
  const outcome = await runScenario(runContainer, run, { out, workers, quiet: values.quiet });
  process.stderr.write(`wrote ${out}/ in ${outcome.elapsedSeconds.toFixed(1)} s\n`);
  if (values.check && outcome.claims.some((c) => !c.holds)) return 4;
  return 0;
}

config.onUnhandledError = (err) => { throw err; };
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: Error) => {
    if (err instanceof ScenarioError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`nesslab: ${err.message}\n`);
      process.exit(2);
    }
    if (err instanceof DivergenceError) {
      process.stderr.write(`nesslab: ${err.message}\n`);
      process.exit(3);
    }
    process.stderr.write(`nesslab: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
