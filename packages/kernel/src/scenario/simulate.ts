import type { Container } from 'inversify';
import type { SimulationSpec } from '../contracts/scenario.ts';
import type { Landscape } from '../contracts/landscape.ts';
import { runChains } from '../engine/run-chains.ts';
import { Xoshiro128 } from '../rng/xoshiro128.ts';
import { newtonMinimum } from '../theory/newton.ts';
import { blockSizeFor, configureParts, prepareLandscape, resolveSpec } from './simulation.ts';
import { ScenarioError } from '../errors.ts';
import { pluginInfo } from '../container.ts';

export type ResolvedSpec = ReturnType<typeof resolveSpec>;

/** One chain group's work, as plain data: what a worker thread receives. */
export interface GroupJob {
  spec: ResolvedSpec;
  chainStart: number;
  chainCount: number;
  /** θ₀ (the run's reference point), when the run has one. */
  reference?: number[];
}

export interface SimulateOptions {
  /** θ₀ if the caller already knows it; otherwise found by Newton when the run needs it. */
  reference?: Float64Array;
  /** Chain groups run concurrently (workers). The result does not depend on it. */
  groups?: number;
  /** Runs one group; default: in this thread. The CLI passes a worker-thread runner. */
  runGroup?: (job: GroupJob, onProgress: (chainSteps: number) => void) => Promise<unknown[]>;
  onProgress?(chainSteps: number, totalChainSteps: number): void;
}

export interface SimulationResult {
  spec: ResolvedSpec;
  reference?: number[];
  /** What the landscape chose at run time (e.g. the tfjs backend), when it says. */
  runtime?: Record<string, unknown>;
  /** Observer results by observer name (a repeated name gets `#k`). */
  observers: Record<string, unknown>;
}

/** Runs a simulation spec: resolve, split the chains into groups, run them, combine the observers in chain order. */
export async function simulate(container: Container, raw: unknown, options: SimulateOptions = {}): Promise<SimulationResult> {
  const spec = resolveSpec(container, raw);
  const landscape = await prepareLandscape(container, spec);
  // θ₀ by Newton only when the start or an observer needs it: some landscapes have no minimum to find (a net on random labels).
  const needsReference = spec.init.kind === 'minimum' || (spec.init.kind === 'gaussian' && !spec.init.mean) || spec.observers.some((o) => readsReference(container, o.name, o.params ?? {}));
  const reference = options.reference ?? (needsReference ? findMinimum(landscape, spec.seed) : undefined);
  if (reference && reference.length !== landscape.dim) throw new ScenarioError('reference', `θ₀ has ${reference.length} numbers, the landscape ${landscape.dim}`);
  const parts = configureParts(container, spec, landscape, reference ? { reference } : {});
  const groups = Math.max(1, Math.min(options.groups ?? spec.workers ?? 1, spec.chains));
  const runGroup = options.runGroup ?? ((job, onProgress) => runGroupHere(container, job, onProgress));
  const done = new Array<number>(groups).fill(0), total = spec.chains * spec.steps;
  const jobs: Promise<unknown[]>[] = [];
  for (let g = 0; g < groups; g++) {
    const chainStart = Math.floor((g * spec.chains) / groups), chainEnd = Math.floor(((g + 1) * spec.chains) / groups);
    const job: GroupJob = { spec, chainStart, chainCount: chainEnd - chainStart, ...(reference ? { reference: [...reference] } : {}) };
    jobs.push(runGroup(job, (n) => { done[g] = n; options.onProgress?.(done.reduce((a, b) => a + b, 0), total); }));
  }
  const partials = await Promise.all(jobs);
  const observers: Record<string, unknown> = {};
  parts.observers.forEach((observer, k) => {
    const name = spec.observers[k].name, key = name in observers ? `${name}#${k}` : name;
    observers[key] = observer.result(observer.combine(partials.map((p) => p[k])));
  });
  const runtime = landscape.runtime?.();
  return { spec, ...(reference ? { reference: [...reference] } : {}), ...(runtime ? { runtime } : {}), observers };
}

/** Runs one chain group in this thread (a worker calls this too). */
export async function runGroupHere(container: Container, job: GroupJob, onProgress?: (chainSteps: number) => void): Promise<unknown[]> {
  const { spec } = job;
  const reference = job.reference ? Float64Array.from(job.reference) : undefined;
  const parts = configureParts(container, spec, await prepareLandscape(container, spec), reference ? { reference } : {});
  const dim = parts.landscape.dim, init = spec.init;
  const gaussian = init.kind === 'gaussian' ? gaussianStart(init.mean ?? reference!, init.covariance, dim) : undefined;
  return runChains(parts, {
    seed: spec.seed, chainStart: job.chainStart, chainCount: job.chainCount, steps: spec.steps,
    blockSize: blockSizeFor(spec, job.chainCount, dim),
    onProgress,
    initialTheta(_chain, out, normal) {
      if (init.kind === 'point') {
        if (init.theta.length !== dim) throw new Error(`scenario.init.theta: needs ${dim} numbers, got ${init.theta.length}`);
        out.set(init.theta);
      } else if (init.kind === 'random') {
        if (!parts.landscape.randomInit) throw new Error('scenario.init.kind: this landscape has no random initial condition');
        parts.landscape.randomInit(out, normal);
      } else if (gaussian) {
        gaussian(out, normal);
      } else {
        out.set(reference!);
      }
    },
  });
}

/**
 * θ₀: Newton's method in float64 from the landscape's random initial condition drawn with the run's
 * seed (a landscape with symmetries has several equivalent minima; the seed picks one reproducibly).
 */
export function findMinimum(landscape: Landscape, seed: number): Float64Array {
  const start = new Float64Array(landscape.dim);
  if (landscape.minimumStart) landscape.minimumStart(start);
  else if (landscape.randomInit) {
    const rng = Xoshiro128.fromSeed(seed);
    landscape.randomInit(start, () => rng.nextNormal());
  }
  return newtonMinimum(landscape, start, landscape.gradientTolerance ? { tolerance: landscape.gradientTolerance } : {}).theta;
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
function gaussianStart(mean: ArrayLike<number>, covariance: number[][], n: number): (out: Float64Array, normal: () => number) => void {
  if (mean.length !== n || covariance.length !== n) throw new ScenarioError('scenario.init', `mean and covariance need ${n} rows (the landscape's dim), got ${mean.length} and ${covariance.length}`);
  const l = new Float64Array(n * n);
  const floor = n * Number.EPSILON * Math.max(...covariance.map((row, a) => Math.abs(row[a])));
  for (let j = 0; j < n; j++) {
    let d = covariance[j][j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (d < -floor) throw new ScenarioError('scenario.init.covariance', `is not positive semi-definite (pivot ${d} in row ${j})`);
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
