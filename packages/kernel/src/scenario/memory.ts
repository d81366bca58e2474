import { totalmem } from 'node:os';
import type { RunContext } from '../contracts/observer.ts';
import type { SimulationParts } from '../engine/run-chains.ts';
import { ScenarioError, preview } from '../errors.ts';
import { blockSizeFor, type resolveSpec } from './simulation.ts';

/** Environment variable: the bytes a run may plan to hold (e.g. `8e9`, `8GB`, `512MiB`). */
export const MEMORY_LIMIT_ENV = 'NESSLAB_MEMORY_LIMIT';

export interface MemoryEstimate {
  bytes: number;
  /** The field whose value the largest share of `bytes` grows with, and that share in words. */
  field: string;
  why: string;
}

/** Engine overhead per worker: its own V8 isolate, bundle and landscape data (MNIST ≈ 25 MB). */
const PER_GROUP = 64 * 2 ** 20;
/** Per chain, beyond its arrays: the chain, RNG and sampler-state objects. */
const PER_CHAIN_OBJECTS = 512;

/**
 * What a run will hold, from its resolved spec and configured plugins, before it allocates any of it: per chain its
 * θ, the frame's block of states (blockSize·dim doubles) and scalars, the optimizer's state, the minibatch and the
 * sampler's permutation (M indices); per group the engine; per observer its `memoryBytes()` when it says, else per
 * chain 2·dim doubles and per group 2·dim² (a covariance). Conservative by design: it refuses a run that would grow
 * until the process dies, not one that fits.
 */
export function estimateMemory(
  spec: ReturnType<typeof resolveSpec>,
  parts: SimulationParts & { context: RunContext },
  groups: number,
): MemoryEstimate {
  const { dim } = parts.landscape,
    chains = spec.chains;
  const perGroupChains = Math.ceil(chains / groups);
  const blockSize = blockSizeFor(spec, perGroupChains, dim);
  const frame = chains * 8 * (blockSize * (dim + parts.optimizer.scalarNames.length) + dim);
  const state = Object.values(parts.optimizer.createState()).reduce((bytes, a) => bytes + a.byteLength, 0);
  const perChain =
    8 * dim +
    state +
    4 * Math.max(1, parts.sampler.batchSize) +
    4 * (parts.landscape.dataSize ?? 0) +
    PER_CHAIN_OBJECTS;
  const terms: { field: string; bytes: number; why: string }[] = [
    {
      field: spec.blockSize === undefined ? 'scenario.chains' : 'scenario.blockSize',
      bytes: frame,
      why: `frames of ${chains} chains × ${blockSize} steps × ${dim} doubles`,
    },
    { field: 'scenario.chains', bytes: chains * perChain, why: `${chains} chains × ${formatBytes(perChain)} of state` },
    { field: 'scenario.workers', bytes: groups * PER_GROUP, why: `${groups} workers × ${formatBytes(PER_GROUP)}` },
  ];
  parts.observers.forEach((o, i) => {
    const own = o.memoryBytes?.();
    const bytes = own ?? chains * 16 * dim + groups * 16 * dim * dim;
    terms.push({
      field: own === undefined ? 'scenario.chains' : `scenario.observers[${i}].params`,
      bytes,
      why: `observer ${spec.observers[i].name}: ${formatBytes(bytes)}`,
    });
  });
  const bytes = terms.reduce((s, t) => s + t.bytes, 0);
  const largest = terms.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return { bytes, field: largest.field, why: `mostly ${largest.why}` };
}

/** The limit: NESSLAB_MEMORY_LIMIT when set, else 3/4 of this machine's memory. */
export function memoryLimit(): number {
  const raw = process.env[MEMORY_LIMIT_ENV];
  if (raw === undefined || raw === '') return 0.75 * totalmem();
  const m = /^\s*(\d+(?:\.\d+)?(?:e\d+)?)\s*(|b|kb|mb|gb|tb|kib|mib|gib|tib)\s*$/i.exec(raw);
  const unit: Record<string, number> = {
    '': 1,
    b: 1,
    kb: 1e3,
    mb: 1e6,
    gb: 1e9,
    tb: 1e12,
    kib: 2 ** 10,
    mib: 2 ** 20,
    gib: 2 ** 30,
    tib: 2 ** 40,
  };
  const value = m ? Number(m[1]) * unit[m[2].toLowerCase()] : NaN;
  if (!Number.isFinite(value) || value <= 0)
    throw new ScenarioError(
      MEMORY_LIMIT_ENV,
      `must be a positive number of bytes (e.g. 8GB, 512MiB), got ${preview(raw.slice(0, 40))}`,
    );
  return value;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let v = bytes,
    u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v >= 100 || u === 0 ? v.toFixed(0) : v.toPrecision(2)} ${units[u]}`;
}
