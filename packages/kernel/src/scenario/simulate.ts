import type { Container } from 'inversify';
import type { SimulationSpec, SimulationSpecInput } from '../contracts/scenario.ts';
import type { Landscape } from '../contracts/landscape.ts';
import { runChains } from '../engine/run-chains.ts';
import { Xoshiro128 } from '../rng/xoshiro128.ts';
import { newtonMinimum } from '../theory/newton.ts';
import { blockSizeFor, configureParts, prepareLandscape, resolveSpec } from './simulation.ts';
import { DivergenceError, ScenarioError } from '../errors.ts';
import type { Observer, RunContext } from '../contracts/observer.ts';
import { hasMinimumStart, hasRandomStart, type RandomStart } from '../contracts/capabilities.ts';
import type { SimulationParts } from '../engine/run-chains.ts';
import { MEMORY_LIMIT_ENV, estimateMemory, formatBytes, memoryLimit, type MemoryEstimate } from './memory.ts';
import { pluginInfo } from '../container.ts';

export type ResolvedSpec = ReturnType<typeof resolveSpec>;

/** One chain group's work, as plain data: what a worker thread receives. */
export interface GroupJob {
  spec: ResolvedSpec;
  chainStart: number;
  chainCount: number;
  /** θ₀ (the run's reference point), when the run has one. */
  reference?: number[];
  /** One float64 shared by the run's groups: the earliest step any group diverged at (Infinity while none has). */
  stopAfter?: SharedArrayBuffer;
}

export interface SimulateOptions {
  /** θ₀ if the caller already knows it; otherwise found by Newton when the run needs it. */
  reference?: Float64Array;
  /**
   * Chain groups (units of work: a run's chains split in chain order). The result does not depend on it: chain streams
   * are jumps of one seed and the observers' partials merge in chain order.
   */
  groups?: number;
  /** At most this many groups run at once (default: all of them); the rest wait for one to finish. */
  concurrency?: number;
  /** Runs one group; default: in this thread. The CLI passes a worker-thread runner. */
  runGroup?: (job: GroupJob, onProgress: (chainSteps: number) => void) => Promise<unknown[]>;
  onProgress?(chainSteps: number, totalChainSteps: number): void;
  /**
   * Live values (`Observer.live`) each time the finished groups that start at chain 0 cover more chains: by observer
   * name (as in the result), from the partials merged over those chains. Read-only: the result does not depend on it.
   */
  onLive?(update: LiveUpdate): void;
  /** Bytes a run may plan to hold (default: MEMORY_LIMIT_ENV, else 3/4 of this machine's memory). */
  memoryLimit?: number;
  /** The plan `planSimulation` made of this very spec (e.g. by `validate` before the output folder was opened). */
  plan?: SimulationPlan;
}

export interface SimulationResult {
  spec: ResolvedSpec;
  reference?: number[];
  /** What the landscape chose at run time (e.g. the tfjs backend), when it says. */
  runtime?: Record<string, unknown>;
  /** Observer results by observer name (a repeated name gets `#k`); an observer with files gives its summary. */
  observers: Record<string, unknown>;
  /** Files the observers add to the output folder (`Observer.files`), by path; absent when none does. */
  files?: Record<string, Uint8Array | string>;
}

/** What `SimulateOptions.onLive` receives. */
export interface LiveUpdate {
  /** Chains finished (the first `chains` of the run), of `total`. */
  chains: number;
  total: number;
  values: Record<string, Record<string, number>>;
  /** Milliseconds this update's merge and the observers' `live` took, in this (the main) thread. */
  ms: number;
}

/** Everything a run settles before its first step: the resolved spec, configured plugins, θ₀, the memory it plans. */
export interface SimulationPlan {
  spec: ResolvedSpec;
  parts: SimulationParts & { context: RunContext };
  reference?: Float64Array;
  groups: number;
  memory: MemoryEstimate;
}

/**
 * Checks a simulation spec as far as a run goes before its first step, and returns the plan: every field resolved,
 * every plugin configured (batchSize ≤ M, sampler–optimizer pairing, observer–landscape capabilities), the start's
 * shape against the landscape's dimension, θ₀ when the run needs it, and the memory the run will hold. Bad input
 * throws a ScenarioError naming the field; `nesslab validate` runs exactly this.
 */
export async function planSimulation(
  container: Container,
  raw: unknown,
  options: Pick<SimulateOptions, 'reference' | 'groups' | 'memoryLimit'> = {},
): Promise<SimulationPlan> {
  const spec = resolveSpec(container, raw);
  const landscape = await prepareLandscape(container, spec);
  checkInit(spec, landscape);
  // θ₀ by Newton only when the start or an observer needs it: some landscapes have no minimum to find (a net on random labels).
  const needsReference =
    spec.init.kind === 'minimum' ||
    (spec.init.kind === 'gaussian' && !spec.init.mean) ||
    spec.observers.some((o) => readsReference(container, o.name, o.params ?? {}));
  const reference = options.reference ?? (needsReference ? findMinimumChecked(landscape, spec) : undefined);
  if (reference && reference.length !== landscape.dim)
    throw new ScenarioError('reference', `θ₀ has ${reference.length} numbers, the landscape ${landscape.dim}`);
  const parts = configureParts(container, spec, landscape, reference ? { reference } : {});
  const groups = Math.max(1, Math.min(options.groups ?? spec.workers ?? 1, spec.chains));
  const memory = estimateMemory(spec, parts, groups);
  const limit = options.memoryLimit ?? memoryLimit();
  if (memory.bytes > limit) {
    throw new ScenarioError(
      memory.field,
      `the run would hold about ${formatBytes(memory.bytes)} (${memory.why}), more than the ${formatBytes(limit)} allowed (${MEMORY_LIMIT_ENV} to change)`,
    );
  }
  return { spec, parts, ...(reference ? { reference } : {}), groups, memory };
}

/**
 * What `simulate` accepts for a spec held as `S`: a value of unknown shape (parsed JSON: `unknown`, `any`, or a
 * `Record<string, …>`) as it is, checked at run time only; anything else must be a `SimulationSpecInput`, so that
 * TypeScript checks a spec written in a script (required fields, plugin references, `init`) before it runs. A field
 * held as `unknown` (or `any`) is left to the run-time check too.
 */
export type SpecArgument<S> = unknown extends S
  ? unknown
  : string extends keyof S
    ? unknown
    : {
        [K in keyof SimulationSpecInput]: K extends keyof S
          ? unknown extends S[K]
            ? unknown
            : SimulationSpecInput[K]
          : SimulationSpecInput[K];
      };

/**
 * Runs a simulation spec: plan (all checks), split the chains into groups, run them, combine the observers in chain
 * order. The spec is a `SimulationSpecInput` (typed) or plain JSON; either way `resolveSpec` checks it at run time
 * and bad input throws a ScenarioError naming the field.
 */
export async function simulate<S>(
  container: Container,
  spec: S & SpecArgument<S>,
  options?: SimulateOptions,
): Promise<SimulationResult>;
export async function simulate(
  container: Container,
  raw: unknown,
  options: SimulateOptions = {},
): Promise<SimulationResult> {
  const { spec, parts, reference, groups } = options.plan ?? (await planSimulation(container, raw, options));
  const runGroup = options.runGroup ?? ((job, onProgress) => runGroupHere(container, job, onProgress));
  const done = new Array<number>(groups).fill(0),
    total = spec.chains * spec.steps;
  // The earliest step any group has diverged at: the others stop once past it (nothing later can be reported).
  const stopAfter = new SharedArrayBuffer(8),
    bound = new Float64Array(stopAfter);
  bound[0] = Infinity;
  const jobs: Promise<unknown[]>[] = [];
  const live = options.onLive && liveView(parts.observers, spec, groups, options.onLive);
  const slots = limiter(options.concurrency ?? groups);
  for (let g = 0; g < groups; g++) {
    const chainStart = Math.floor((g * spec.chains) / groups),
      chainEnd = Math.floor(((g + 1) * spec.chains) / groups);
    const job: GroupJob = {
      spec,
      chainStart,
      chainCount: chainEnd - chainStart,
      stopAfter,
      ...(reference ? { reference: [...reference] } : {}),
    };
    const run = slots(() =>
      runGroup(job, (n) => {
        done[g] = n;
        options.onProgress?.(
          done.reduce((a, b) => a + b, 0),
          total,
        );
      }),
    );
    // Any other failure stops every group at its next block: there is nothing left worth computing.
    jobs.push(
      (live ? run.then((partials) => (live(g, chainEnd, partials), partials)) : run).catch((e: unknown) => {
        if (!(e instanceof DivergenceError)) bound[0] = 0;
        throw e;
      }),
    );
  }
  const settled = await Promise.allSettled(jobs);
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
  // Deterministic report: the earliest divergent step, ties to the lowest chain, whatever the number of groups.
  const diverged = DivergenceError.earliest(failures.filter((e): e is DivergenceError => e instanceof DivergenceError));
  if (diverged) throw diverged;
  if (failures.length) throw failures.find((e) => (e as Error | undefined)?.name !== 'Superseded') ?? failures[0];
  const partials = settled.map((s) => (s as PromiseFulfilledResult<unknown[]>).value);
  const observers: Record<string, unknown> = {};
  let files: Record<string, Uint8Array | string> | undefined;
  parts.observers.forEach((observer, k) => {
    const name = spec.observers[k].name,
      key = Object.hasOwn(observers, name) ? `${name}#${k}` : name;
    const result = observer.result(observer.combine(partials.map((p) => p[k])));
    if (!observer.files) observers[key] = result;
    else {
      const out = observer.files(result);
      observers[key] = out.summary;
      for (const [path, content] of Object.entries(out.files)) {
        if (files && Object.hasOwn(files, path))
          throw new ScenarioError(`scenario.observers[${k}]`, `writes ${path}, which another observer writes too`);
        (files ??= {})[path] = content;
      }
    }
  });
  const runtime = parts.landscape.runtime?.();
  return {
    spec,
    ...(reference ? { reference: [...reference] } : {}),
    ...(runtime ? { runtime } : {}),
    observers,
    ...(files ? { files } : {}),
  };
}

/**
 * The live view's side of `simulate`: keeps each finished group's partials and, when the finished groups from chain 0
 * on reach further, merges them (`combine`, as the result does) and asks each observer with `live` for its numbers.
 * An observer that throws here is left out of the view: the run goes on.
 */
function liveView(
  observers: readonly Observer[],
  spec: ResolvedSpec,
  groups: number,
  onLive: (update: LiveUpdate) => void,
): ((group: number, chainEnd: number, partials: unknown[]) => void) | undefined {
  const watched = observers.flatMap((o, k) => (o.live ? [k] : []));
  if (!watched.length) return undefined;
  const finished: (unknown[] | undefined)[] = new Array(groups).fill(undefined),
    ends = new Array<number>(groups).fill(0);
  let prefix = 0;
  return (group, chainEnd, partials) => {
    finished[group] = partials;
    ends[group] = chainEnd;
    if (group !== prefix) return;
    const started = performance.now();
    while (prefix < groups && finished[prefix]) prefix++;
    const values: Record<string, Record<string, number>> = {};
    for (const k of watched) {
      const name = spec.observers[k].name,
        key = spec.observers.findIndex((o) => o.name === name) === k ? name : `${name}#${k}`;
      try {
        const merged = observers[k].combine(finished.slice(0, prefix).map((p) => p![k]));
        values[key] = observers[k].live!(merged);
      } catch {
        // a live view must never stop the run
      }
    }
    try {
      onLive({ chains: ends[prefix - 1]!, total: spec.chains, values, ms: performance.now() - started });
    } catch {
      // nor must its receiver
    }
  };
}

/** Runs the tasks given to it at most `n` at a time, in the order given. */
function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= n) await new Promise<void>((go) => waiting.push(go));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}

/** Runs one chain group in this thread (a worker calls this too). */
export async function runGroupHere(
  container: Container,
  job: GroupJob,
  onProgress?: (chainSteps: number) => void,
): Promise<unknown[]> {
  const { spec } = job;
  const reference = job.reference ? Float64Array.from(job.reference) : undefined;
  const parts = configureParts(
    container,
    spec,
    await prepareLandscape(container, spec),
    reference ? { reference } : {},
  );
  const dim = parts.landscape.dim,
    init = spec.init;
  const gaussian = init.kind === 'gaussian' ? gaussianStart(init.mean ?? reference!, init.covariance, dim) : undefined;
  const stopAfter = job.stopAfter ? new Float64Array(job.stopAfter) : undefined;
  return runChains(parts, {
    seed: spec.seed,
    chainStart: job.chainStart,
    chainCount: job.chainCount,
    steps: spec.steps,
    blockSize: blockSizeFor(spec, job.chainCount, dim),
    onProgress,
    ...(stopAfter ? { stopAfter } : {}),
    initialTheta(_chain, out, normal) {
      if (init.kind === 'point') out.set(init.theta);
      else if (init.kind === 'random')
        (parts.landscape as Landscape & RandomStart).randomInit(out, normal); // checkInit made sure
      else if (gaussian) gaussian(out, normal);
      else out.set(reference!);
    },
  });
}

/** The start's shape against the landscape (checked before any step, so `validate` sees it too). */
function checkInit(spec: ResolvedSpec, landscape: Landscape): void {
  const init = spec.init,
    dim = landscape.dim;
  if (init.kind === 'point' && init.theta.length !== dim)
    throw new ScenarioError(
      'scenario.init.theta',
      `needs ${dim} numbers (the landscape's dim), got ${init.theta.length}`,
    );
  if (init.kind === 'random' && !hasRandomStart(landscape))
    throw new ScenarioError(
      'scenario.init.kind',
      `the landscape "${spec.landscape.name}" has no random initial condition; use "minimum", "point" or "gaussian"`,
    );
  if (init.kind === 'gaussian') {
    if (init.mean && init.mean.length !== dim)
      throw new ScenarioError(
        'scenario.init.mean',
        `needs ${dim} numbers (the landscape's dim), got ${init.mean.length}`,
      );
    if (init.covariance.length !== dim)
      throw new ScenarioError(
        'scenario.init.covariance',
        `needs ${dim}×${dim} numbers (the landscape's dim), got ${init.covariance.length} rows`,
      );
    gaussianStart(new Float64Array(dim), init.covariance, dim); // its Cholesky factor: not positive semi-definite throws here
  }
}

/** θ₀ by Newton; a landscape whose numbers overflow (λ = 1e308) is bad input naming its largest parameter. */
function findMinimumChecked(landscape: Landscape, spec: ResolvedSpec): Float64Array {
  let theta: Float64Array;
  try {
    theta = findMinimum(landscape, spec.seed);
  } catch (e) {
    if (!(e instanceof Error) || !/not finite|non-finite/.test(e.message)) throw e;
    throw overflowError(spec, e.message);
  }
  if (!theta.every(Number.isFinite)) throw overflowError(spec, 'θ₀ by Newton is not finite');
  return theta;
}

function overflowError(spec: ResolvedSpec, why: string): ScenarioError {
  const numeric = Object.entries(spec.landscape.params ?? {}).filter(
    (e): e is [string, number] => typeof e[1] === 'number' && e[1] !== 0,
  );
  const largest = numeric.sort(
    (a, b) => Math.abs(Math.log10(Math.abs(b[1]))) - Math.abs(Math.log10(Math.abs(a[1]))),
  )[0];
  if (!largest)
    return new ScenarioError(
      'scenario.landscape',
      `${why.replace(/^newtonMinimum: /, '')}: the landscape overflows float64`,
    );
  return new ScenarioError(
    `scenario.landscape.params.${largest[0]}`,
    `${why.replace(/^newtonMinimum: /, '')} with ${largest[0]} = ${largest[1]}: the landscape overflows float64`,
  );
}

/**
 * θ₀: Newton's method in float64 from the landscape's random initial condition drawn with the run's
 * seed (a landscape with symmetries has several equivalent minima; the seed picks one reproducibly).
 */
export function findMinimum(landscape: Landscape, seed: number): Float64Array {
  const start = new Float64Array(landscape.dim);
  if (hasMinimumStart(landscape)) landscape.minimumStart(start);
  else if (hasRandomStart(landscape)) {
    const rng = Xoshiro128.fromSeed(seed);
    landscape.randomInit(start, () => rng.nextNormal());
  }
  return newtonMinimum(landscape, start, landscape.gradientTolerance ? { tolerance: landscape.gradientTolerance } : {})
    .theta;
}

/**
 * An observer reads the run's θ₀ unless its PluginInfo lists what it reads without 'reference' (undeclared: assume it
 * does), or its `readsReferenceWhen` says its resolved params do not need it.
 */
function readsReference(container: Container, name: string, params: Readonly<Record<string, unknown>>): boolean {
  const { reads, readsReferenceWhen } = pluginInfo(container, 'observer', name, 'observer');
  if (reads !== undefined && !reads.includes('reference')) return false;
  return readsReferenceWhen ? readsReferenceWhen(params) : true;
}

/**
 * θ = mean + L z, z ~ N(0, I) from the chain's own stream, L the lower Cholesky factor of the covariance (computed
 * once). Semi-definite is allowed: a pivot below n·ε·max diag gives a zero column (a direction with no spread).
 */
function gaussianStart(
  mean: ArrayLike<number>,
  covariance: number[][],
  n: number,
): (out: Float64Array, normal: () => number) => void {
  if (mean.length !== n || covariance.length !== n)
    throw new ScenarioError(
      'scenario.init',
      `mean and covariance need ${n} rows (the landscape's dim), got ${mean.length} and ${covariance.length}`,
    );
  const l = new Float64Array(n * n);
  const floor = n * Number.EPSILON * Math.max(...covariance.map((row, a) => Math.abs(row[a])));
  for (let j = 0; j < n; j++) {
    let d = covariance[j][j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (d < -floor)
      throw new ScenarioError('scenario.init.covariance', `is not positive semi-definite (pivot ${d} in row ${j})`);
    if (d <= floor) continue;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = covariance[i][j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  const z = new Float64Array(n);
  return (out, normal) => {
    for (let a = 0; a < n; a++) z[a] = normal();
    for (let a = 0; a < n; a++) {
      let s = mean[a];
      for (let k = 0; k <= a; k++) s += l[a * n + k] * z[k];
      out[a] = s;
    }
  };
}
