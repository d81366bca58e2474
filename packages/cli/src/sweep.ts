// `nesslab sweep`: one packaged scenario over a grid of its parameters, each point exactly as `run` writes it.
import type { Container } from 'inversify';
import { DivergenceError, ScenarioError, oneLine, preview } from '@nesslab/kernel';
import { parseSeed, parseSets, parseWorkers, splitList } from './args.ts';
import type { Flags } from './cli.ts';
import {
  defaultWorkers,
  identityOf,
  openQueue,
  openUnitFolder,
  releasingStore,
  removeUnitFolder,
  runResolved,
  runVersions,
  startProvenance,
  validateRun,
  workerPool,
  type PackagedRun,
  type RunOrigin,
} from '@nesslab/scenarios';
import { resolveRun } from './scenario-file.ts';
import { closeLive, openLive, pointSink } from './live.ts';
import { jsonText, resumeLine, unitMode, workerFile } from './run.ts';
import {
  formatNumber,
  openOutput,
  figureFiles,
  reportHtml,
  vsGrid,
  type Claim,
  type LiveServer,
  type TopLevelSpec,
} from '@nesslab/report';

/** One key of the grid: its values as typed (folder names, labels) and as parsed (JSON when it parses). */
export interface GridAxis {
  key: string;
  texts: string[];
  values: unknown[];
}
/** One point, resolved exactly as `nesslab run <scenario> --set key=value … --seed s` resolves it. */
export interface SweepPoint {
  name: string;
  grid: Record<string, unknown>;
  labels: Record<string, string>;
  container: Container;
  run: PackagedRun;
}
export interface SweepPlan {
  scenario: string;
  preset: string;
  seed: number;
  sets: Record<string, unknown>;
  axes: GridAxis[];
  points: SweepPoint[];
}
/** What sweep.json keeps of one point; `error` (one line) and `exitCode` when the point failed at run time. */
export interface PointSummary {
  name: string;
  grid: Record<string, unknown>;
  labels: Record<string, string>;
  params: Record<string, unknown>;
  claims: Claim[];
  results: Record<string, number>;
  elapsedSeconds: number;
  error?: string;
  exitCode?: number;
}

/** A value as it may appear in a folder name. */
const safe = (text: string) => text.replace(/[^\w.+\-[\]]/g, '_');

/** `--grid key=v1,v2,…` (repeatable): one axis per key, values parsed like `--set`. */
export function parseGrid(grid: readonly string[]): GridAxis[] {
  if (!grid.length) throw new ScenarioError('--grid', 'give at least one --grid key=v1,v2,…');
  const axes: GridAxis[] = [];
  for (const g of grid) {
    const eq = g.indexOf('=');
    if (eq <= 0) throw new ScenarioError('--grid', `expected key=v1,v2,…, got "${g}"`);
    const key = g.slice(0, eq);
    if (axes.some((a) => a.key === key))
      throw new ScenarioError(`--grid ${key}`, 'given twice; list all its values in one --grid');
    if (!g.slice(eq + 1).trim()) throw new ScenarioError(`--grid ${key}`, 'no values; expected key=v1,v2,…');
    const texts = splitList(g.slice(eq + 1)).map((t) => t.trim());
    if (texts.some((t) => t === ''))
      throw new ScenarioError(`--grid ${key}`, `empty value in "${g.slice(eq + 1)}"; expected v1,v2,…`);
    const seen = new Set<string>();
    for (const t of texts) {
      if (seen.has(safe(t)))
        throw new ScenarioError(`--grid ${key}`, `value "${t}" given twice (or two values that name the same folder)`);
      seen.add(safe(t));
    }
    axes.push({ key, texts, values: texts.map((t) => parseSets([`${key}=${t}`])[key]) });
  }
  return axes;
}

/** Resolves every point before anything runs: bad input fails at once, naming the grid key and value. */
export async function planSweep(
  target: string,
  flags: { preset?: string; seed?: number; sets: Record<string, unknown>; grid: readonly string[]; workers?: number },
): Promise<SweepPlan> {
  const axes = parseGrid(flags.grid);
  const base = (await resolveRun(target, flags)).run;
  if (base.kind !== 'packaged')
    throw new ScenarioError(
      'sweep',
      `"${target}" is a simulation spec; sweep runs a packaged scenario (nesslab list) or a .json file naming one`,
    );
  const known = Object.keys(base.scenario.params);
  for (const a of axes) {
    if (!known.includes(a.key))
      throw new ScenarioError(
        `--grid ${a.key}`,
        `unknown parameter of "${base.scenario.name}"; known: ${known.join(', ')}`,
      );
    if (a.key in flags.sets) throw new ScenarioError(`--grid ${a.key}`, 'also given with --set; give it in one place');
    for (const [i, value] of a.values.entries()) {
      try {
        await resolveRun(target, { ...flags, sets: { ...flags.sets, [a.key]: value } });
      } catch (e) {
        throw e instanceof ScenarioError
          ? new ScenarioError(`--grid ${a.key}=${oneLine(a.texts[i]!, 40)}`, e.message)
          : e;
      }
    }
  }
  let combos: number[][] = [[]]; // cartesian product, the first --grid key outermost
  for (const a of axes) combos = combos.flatMap((c) => a.values.map((_, i) => [...c, i]));
  const points: SweepPoint[] = [];
  for (const c of combos) {
    const grid = Object.fromEntries(axes.map((a, j) => [a.key, a.values[c[j]!]]));
    const labels = Object.fromEntries(axes.map((a, j) => [a.key, a.texts[c[j]!]!]));
    const { container, run } = await resolveRun(target, { ...flags, sets: { ...flags.sets, ...grid } });
    const name = axes.map((a) => `${a.key}=${safe(labels[a.key]!)}`).join(',');
    // Every point checked as run checks it before its first step, before any point runs.
    try {
      await validateRun(container, run, flags.workers ?? 1);
    } catch (e) {
      throw e instanceof ScenarioError
        ? new ScenarioError(`point ${name}: ${e.field}`, e.message.slice(e.field.length + 2))
        : e;
    }
    points.push({ name, grid, labels, container, run: run as PackagedRun });
  }
  return { scenario: base.scenario.name, preset: base.preset, seed: base.seed, sets: flags.sets, axes, points };
}

/**
 * Runs the points over one pool of `workers` threads, up to `workers` points at a time, their units queued on the
 * pool in the points' order, so that short points keep every core busy. Each point runs through `runResolved` as
 * `run` does: a point's folder is what `run` writes, bit for bit but elapsedSeconds and provenance (SVG ids
 * included). Every finished unit of every point is stored beside DIR (`.DIR.units`, kept when the sweep is killed:
 * `--resume`). The output folder is checked and staged before the first point; a point that fails at run time is
 * recorded with its one-line error and exit code, and every other point is still written.
 */
export async function runSweep(
  plan: SweepPlan,
  options: {
    out: string;
    workers: number;
    quiet?: boolean;
    force?: boolean;
    resume?: boolean;
    /** A Redis URL: the units go to `nesslab worker` processes instead of local threads. */
    queue?: string;
    exitFor: (e: unknown) => { code: number; line: string };
    /** Who started the sweep (the command line), for the provenance of sweep.json and of each point's results.json. */
    origin?: RunOrigin;
    /** --live: starts the live page once the output folder is checked (it becomes the sweep's report at the end). */
    live?: () => Promise<LiveServer | undefined>;
  },
): Promise<{
  points: PointSummary[];
  elapsedSeconds: number;
  target: string;
  found: number;
  units: number;
  /** The paths written under `target`. */
  files: string[];
}> {
  const started = performance.now();
  const output = await openOutput(options.out, { force: options.force });
  const plugins = [...new Set(plan.points.flatMap((p) => p.run.plugins))];
  const versions = runVersions(plugins);
  const origin = options.origin ? { origin: options.origin } : {};
  const provenance = startProvenance({ plugins: versions, ...origin });
  let pool: ReturnType<typeof workerPool>, queue: Awaited<ReturnType<typeof openQueue>> | undefined;
  const tally = { found: 0, computed: 0 };
  let live: LiveServer | undefined;
  const claimsByPoint = new Map<string, readonly Claim[]>();
  try {
    live = await options.live?.();
    const mode = unitMode(options);
    const opened = openUnitFolder(
      output.units,
      sweepIdentity(plan, versions),
      mode,
      output.units,
      false,
      options.workers,
    );
    const { finished, splitWorkers } = opened;
    if (options.queue !== undefined)
      queue = await openQueue(options.queue, {
        plugins,
        versions,
        keepUntilStored: true,
        log: (line) => process.stderr.write(`queue: ${line}\n`),
      });
    else pool = workerPool({ file: workerFile, plugins, size: options.workers });
    const store = queue ? releasingStore(opened.store, queue) : opened.store;
    const runGroup = queue?.runGroup ?? pool?.runGroup;
    if (options.resume && !options.quiet) process.stderr.write(resumeLine(finished, output.units));
    const points: PointSummary[] = new Array(plan.points.length);
    const files: Record<string, string | Uint8Array> = {};
    const runPoint = async (p: SweepPoint, i: number) => {
      const t0 = performance.now();
      try {
        const outcome = await runResolved(p.container, p.run, {
          workers: options.workers,
          quiet: true, // points run side by side: one line per point instead of progress bars
          ...(runGroup ? { runGroup } : {}),
          ...(splitWorkers !== undefined ? { splitWorkers } : {}),
          units: { store, versions, onUnit: (event) => tally[event]++ },
          ...origin,
          ...(live ? { live: pointSink(live.board, p.name, claimsByPoint) } : {}),
        });
        for (const [name, content] of Object.entries({ ...outcome.files, ...outcome.bytes }))
          files[`points/${p.name}/${name}`] = content;
        points[i] = summarize(p, JSON.parse(outcome.files['results.json']!));
        if (!options.quiet)
          process.stderr.write(
            `point ${i + 1}/${plan.points.length}: ${p.name} in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
          );
      } catch (e) {
        const { code, line } = options.exitFor(renamed(e, p.name));
        process.stderr.write(`${line}\n`); // even under --quiet: it is an error
        points[i] = {
          name: p.name,
          grid: p.grid,
          labels: p.labels,
          params: p.run.params,
          claims: [],
          results: {},
          elapsedSeconds: 0,
          error: line.replace(/^nesslab: /, '').split('\n')[0],
          exitCode: code,
        };
      }
    };
    // Up to `workers` points at once, started in order; their units share the pool.
    let next = 0;
    const lanes = Array.from({ length: Math.min(options.workers, plan.points.length) }, async () => {
      while (next < plan.points.length) {
        const i = next++;
        await runPoint(plan.points[i]!, i);
      }
    });
    await Promise.all(lanes);
    const elapsedSeconds = (performance.now() - started) / 1000;
    const grid = Object.fromEntries(plan.axes.map((a) => [a.key, a.values]));
    const { scenario, preset, seed, sets } = plan;
    const sweep = { scenario, preset, seed, sets, grid, points, elapsedSeconds, provenance: provenance() };
    files['sweep.json'] = `${JSON.stringify(sweep, null, 2)}\n`;
    files['sweep.csv'] = sweepCsv(plan, points);
    const done = points.filter((p) => p.error === undefined);
    const plots = sweepPlots(plan, done);
    for (const [name, spec] of Object.entries(plots)) Object.assign(files, await figureFiles(name, spec));
    files['report.html'] = reportHtml({
      title: `${plan.scenario} sweep`,
      subtitle: plan.points[0]?.run.scenario.title ?? '',
      reproduces: plan.points[0]?.run.scenario.reproduces ?? '',
      run: { scenario: plan.scenario, preset: plan.preset, seed: plan.seed, points: plan.points.length },
      params: plan.sets,
      claims: points.flatMap((p) => p.claims.map((c) => ({ ...c, id: `${p.name}: ${c.id}` }))),
      provenance: (JSON.parse(files['sweep.json'] as string) as { provenance: Record<string, unknown> }).provenance,
      figures: plots,
      sweep: {
        grid,
        points: points.map((p) => ({
          name: p.name,
          href: `points/${encodeURI(p.name)}/report.html`,
          params: p.params,
          claims: p.claims,
          ...(p.error !== undefined ? { error: p.error } : {}),
        })),
      },
      files: ['sweep.json', 'sweep.csv'],
    });
    await output.commit(files);
    removeUnitFolder(output.units);
    await closeLive(live, { report: files['report.html'], folder: output.target });
    return {
      points,
      elapsedSeconds,
      target: output.target,
      found: tally.found,
      units: tally.found + tally.computed,
      files: Object.keys(files).sort(),
    };
  } catch (e) {
    await output.abort();
    await closeLive(live, { error: options.exitFor(e).line.replace(/^nesslab: /, '') });
    throw e;
  } finally {
    await pool?.close();
    await queue?.close();
  }
}

/** A sweep is the same sweep for --resume when its scenario, preset, seed, sets, grid and versions are. */
const sweepIdentity = (plan: SweepPlan, versions: ReturnType<typeof runVersions>) =>
  identityOf({
    sweep: plan.scenario,
    preset: plan.preset,
    seed: plan.seed,
    sets: plan.sets,
    grid: Object.fromEntries(plan.axes.map((a) => [a.key, a.values])),
    versions,
  });

/** Errors inside a point keep their exit code and name the point. */
function renamed(e: unknown, point: string): unknown {
  if (e instanceof DivergenceError) return e.within(`sweep point ${point}`);
  if (e instanceof ScenarioError)
    return new ScenarioError(`point ${point}: ${e.field}`, e.message.slice(e.field.length + 2));
  return e;
}

/** Claims, and the finite numeric top-level results (not seed, elapsedSeconds or parameters echoed back). */
function summarize(p: SweepPoint, results: Record<string, unknown>): PointSummary {
  const numeric = Object.entries(results).filter(
    ([k, v]) =>
      typeof v === 'number' && Number.isFinite(v) && !['seed', 'elapsedSeconds'].includes(k) && !(k in p.run.params),
  );
  const claims = (results.claims ?? []) as Claim[];
  return {
    name: p.name,
    grid: p.grid,
    labels: p.labels,
    params: p.run.params,
    claims,
    results: Object.fromEntries(numeric) as Record<string, number>,
    elapsedSeconds: results.elapsedSeconds as number,
  };
}

const unique = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) === i);
const claimIds = (points: PointSummary[]) => unique(points.flatMap((p) => p.claims.map((c) => c.id)));
const resultKeys = (points: PointSummary[]) => unique(points.flatMap((p) => Object.keys(p.results)));
const csvCell = (v: unknown) => {
  const s = v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One row per point: grid values, each claim's measured/expected/holds, the numeric results, the time. */
export function sweepCsv(plan: SweepPlan, points: PointSummary[]): string {
  const ids = claimIds(points),
    keys = resultKeys(points);
  const header = [
    'point',
    ...plan.axes.map((a) => a.key),
    ...ids.flatMap((id) => [id, `${id}.expected`, `${id}.holds`]),
    ...keys,
    'elapsedSeconds',
    'error',
  ];
  const rows = points.map((p) => {
    const claim = (id: string) => p.claims.find((c) => c.id === id);
    return [
      p.name,
      ...plan.axes.map((a) => p.grid[a.key]),
      ...ids.flatMap((id) => [claim(id)?.measured, claim(id)?.expected, claim(id)?.holds]),
      ...keys.map((k) => p.results[k]),
      p.elapsedSeconds,
      p.error,
    ];
  });
  return `${[header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n')}\n`;
}

/** The terminal table: grid values, then each claim's measured value with ✓/✗, and a summary line. */
export function sweepTable(plan: SweepPlan, points: PointSummary[]): string {
  const ids = claimIds(points);
  const header = [...plan.axes.map((a) => a.key), ...ids];
  const rows = points.map((p) => [
    ...plan.axes.map((a) => p.labels[a.key]!),
    ...ids.map((id) => {
      const c = p.claims.find((x) => x.id === id);
      return c
        ? `${typeof c.measured === 'number' ? formatNumber(c.measured) : c.measured} ${c.holds ? '✓' : '✗'}`
        : p.error !== undefined
          ? 'failed'
          : '';
    }),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const line = (r: string[]) =>
    r
      .map((v, j) => v.padEnd(widths[j]!))
      .join('  ')
      .trimEnd();
  const failing = points.filter((p) => p.claims.some((c) => !c.holds));
  const broken = points.filter((p) => p.error !== undefined);
  const summary = [
    broken.length
      ? `${broken.length} of ${points.length} points failed to run: ${broken.map((p) => `${p.name} (${p.error})`).join('; ')}`
      : '',
    failing.length
      ? `${failing.length} of ${points.length} points with a failing claim: ${failing.map((p) => p.name).join('; ')}`
      : broken.length
        ? ''
        : `every claim holds at all ${points.length} points.`,
  ]
    .filter(Boolean)
    .join('\n');
  return [line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...rows.map(line), '', summary].join('\n');
}

/** One plot per claim with a numeric measured value, and one per numeric top-level result. */
export function sweepPlots(plan: SweepPlan, points: PointSummary[]): Record<string, TopLevelSpec> {
  const plots: Record<string, TopLevelSpec> = {};
  for (const id of claimIds(points)) {
    const claim = (p: PointSummary) => p.claims.find((c) => c.id === id);
    if (points.some((p) => typeof claim(p)?.measured === 'number'))
      plots[`claim-${safe(id)}`] = vsGrid(plan, points, id, 'measured', (p) => claim(p)?.measured, claim);
  }
  for (const key of resultKeys(points))
    plots[`result-${safe(key)}`] = vsGrid(plan, points, key, key, (p) => p.results[key]);
  return plots;
}

/**
 * `nesslab sweep <scenario> --grid key=v1,v2,… …`: returns the exit code. Some point failed at run time (the others
 * written): 3 when every failure was a divergence, else 1; otherwise 4 when a claim failed under --check, else 0.
 */
export async function sweepCommand(
  target: string | undefined,
  flags: Flags,
  exitFor: (e: unknown) => { code: number; line: string },
  origin?: RunOrigin,
): Promise<number> {
  if (!target)
    throw new ScenarioError('sweep', 'name a packaged scenario (nesslab list shows them) or a .json file naming one');
  const workers = parseWorkers(flags.workers, defaultWorkers(), flags.queue !== undefined);
  const plan = await planSweep(target, {
    preset: flags.preset,
    seed: parseSeed(flags.seed),
    sets: parseSets(flags.set ?? []),
    grid: flags.grid ?? [],
    workers,
  });
  const out = flags.out ?? `nesslab-out/${plan.scenario}-sweep`;
  const {
    points,
    elapsedSeconds,
    target: written,
    found,
    units,
    files,
  } = await runSweep(plan, {
    out,
    workers,
    quiet: flags.quiet,
    force: flags.force,
    resume: flags.resume,
    ...(flags.queue !== undefined ? { queue: flags.queue } : {}),
    ...(origin ? { origin } : {}),
    exitFor,
    live: () => openLive(flags, `${plan.scenario} sweep`),
  });
  if (!flags.quiet && !flags.json)
    process.stdout.write(
      `\nsweep of ${plan.scenario} (${plan.preset}, seed ${plan.seed}):\n${sweepTable(plan, points)}\n`,
    );
  const failed = points.filter((p) => p.exitCode !== undefined);
  process.stderr.write(
    `wrote ${written}/ (${points.length - failed.length} of ${points.length} points${failed.length ? `; ${failed.length} failed, recorded in sweep.json` : ''}${flags.resume ? `; ${found} of ${units} units from the interrupted sweep` : ''}) in ${elapsedSeconds.toFixed(1)} s\n`,
  );
  if (flags.json)
    process.stdout.write(
      jsonText({
        out: written,
        scenario: plan.scenario,
        preset: plan.preset,
        seed: plan.seed,
        points: points.map(({ name, grid, claims, elapsedSeconds, error, exitCode }) => ({
          name,
          grid,
          claims,
          elapsedSeconds,
          ...(error !== undefined ? { error, exitCode } : {}),
        })),
        elapsedSeconds,
        files,
        ...(flags.resume ? { units: { found, total: units } } : {}),
      }),
    );
  if (failed.length) return failed.every((p) => p.exitCode === 3) ? 3 : 1;
  return flags.check && points.some((p) => p.claims.some((c) => !c.holds)) ? 4 : 0;
}
