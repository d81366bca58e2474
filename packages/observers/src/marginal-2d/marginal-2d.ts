import type { Observable } from 'rxjs';
import {
  definePlugin,
  ScenarioError,
  type Frame,
  type Observer,
  type ParamsOf,
  type RunContext,
  preview,
} from '@nesslab/kernel';
import { ChainAccumulator, concatChains, reduceFrames, type ChainPart } from '../chain-group.ts';

export const marginal2dInfo = definePlugin({
  kind: 'observer',
  name: 'marginal-2d',
  description:
    'Two-dimensional histogram of the marginal distribution in one plane (α, γ): x = (θ_α − θ₀,α)/Θ_α, y = (θ_γ − θ₀,γ)/Θ_γ ' +
    "(θ₀ = the run's reference), square window of half-width `range` about `offset`, bins² cells; states outside the window are " +
    'counted apart. Float64 counts per chain, pooled in chain order (004 Fig. 2 heat maps).',
  source: '004 Fig. 2 (marginal of P^s in the (δθ₆, δθ₇) plane)',
  params: {
    components: {
      type: 'array',
      default: [6, 7],
      description: 'The plane: two distinct 1-based components (α, γ) of θ; 004 Fig. 2 uses 6, 7.',
    },
    scales: {
      type: 'array',
      default: [1, 1],
      description: 'Θ_α, Θ_γ: units of the two axes (004 Fig. 2: Σ_αα^{1/2} of the WR theory); positive.',
    },
    offset: {
      type: 'array',
      default: [0, 0],
      description: 'Centre of the window in scale units, relative to θ₀ (move it to follow a displaced cloud).',
    },
    range: {
      type: 'number',
      default: 4,
      exclusiveMinimum: 0,
      description: 'Half-width of the square window, in scale units.',
    },
    bins: { type: 'integer', default: 40, minimum: 1, description: 'Bins per axis.' },
    burnIn: {
      type: 'integer',
      default: 0,
      minimum: 0,
      description: 'Steps 1 … burnIn are skipped (step 0, the initial state, is never counted).',
    },
    every: {
      type: 'integer',
      default: 1,
      minimum: 1,
      description: 'Count only steps that are multiples of `every` (n = M/m: WOR states at epoch boundaries).',
    },
  },
  precision: 'float64',
  reads: ['theta', 'reference'],
});

/** The window, shared by every part: plane (0-based), units, lower edges and bin width in scale units. */
export interface Marginal2dGeometry {
  /** The plane: 0-based in partials, 1-based (as in the params) in the result. */
  components: [number, number];
  scales: [number, number];
  offset: [number, number];
  range: number;
  bins: number;
}

/** Per chain: counts[c·(B² + 1) + i·B + j] states in cell (i along x, j along y); the last entry of each chain is the outside count. */
export interface Marginal2dPartial extends ChainPart, Marginal2dGeometry {
  counts: Float64Array;
}

export interface Marginal2dResult extends Marginal2dGeometry {
  /** Bin edges along x and along y, in scale units relative to θ₀ (B + 1 each). */
  xEdges: number[];
  yEdges: number[];
  /** counts[i][j]: states in cell (i, j) over all chains. */
  counts: number[][];
  /** counts / (total · cell area): the density of (x, y) in scale units, normalised over ALL states (outside ones too). */
  density: number[][];
  /** States counted (inside and outside the window), and those outside. */
  total: number;
  outside: number;
  chains: number;
}

class Marginal2dAccumulator extends ChainAccumulator<Marginal2dPartial> {
  private counts = new Float64Array(0);

  constructor(
    dim: number,
    private readonly g: Marginal2dGeometry,
    private readonly reference: Float64Array,
    private readonly burnIn: number,
    private readonly every: number,
  ) {
    super('marginal-2d', dim);
  }

  protected allocate(chains: number): void {
    this.counts = new Float64Array(chains * (this.g.bins * this.g.bins + 1));
  }

  protected addBlock(f: Frame): void {
    const {
      components: [a, b],
      scales: [sa, sb],
      offset: [oa, ob],
      range,
      bins,
    } = this.g;
    const dim = f.dim,
      stride = f.blockSize * dim,
      theta = f.theta,
      counts = this.counts,
      cell = bins * bins + 1;
    const ra = this.reference[a],
      rb = this.reference[b],
      loA = oa - range,
      loB = ob - range,
      width = (2 * range) / bins;
    let first = Math.max(0, this.burnIn + 1 - f.stepStart);
    first += (this.every - ((f.stepStart + first) % this.every)) % this.every; // first counted step: a multiple of `every`
    for (let c = 0; c < f.chains; c++) {
      const base = c * cell;
      for (let s = first; s < f.steps; s += this.every) {
        const at = c * stride + s * dim;
        const i = Math.floor(((theta[at + a] - ra) / sa - loA) / width); // x = δθ_α/Θ_α
        const j = Math.floor(((theta[at + b] - rb) / sb - loB) / width); // y = δθ_γ/Θ_γ
        if (i >= 0 && i < bins && j >= 0 && j < bins) counts[base + i * bins + j]++;
        else counts[base + cell - 1]++; // outside the window (or not finite)
      }
    }
  }

  partial(): Marginal2dPartial {
    return { dim: this.dim, chainStart: this.chainStart, chains: this.chains, ...this.g, counts: this.counts };
  }
}

/** A pair of numbers from an array param, each passing `check` (the ParamSpec says only "array"). */
function pairParam(key: string, v: readonly unknown[], check: (v: number) => boolean, what: string): [number, number] {
  if (v.length !== 2 || !v.every((x) => typeof x === 'number' && check(x))) {
    throw new ScenarioError(`marginal-2d.params.${key}`, `must be two ${what}, got ${preview(v)}`);
  }
  return [v[0] as number, v[1] as number];
}

/** 'marginal-2d': histogram of the marginal in one plane, δθ in units Θ (004 Fig. 2). Needs `run.reference`. */
export class Marginal2dObserver implements Observer<Marginal2dPartial, Marginal2dResult> {
  private dim = 0;
  private burnIn = 0;
  private every = 1;
  private geometry: Marginal2dGeometry = { components: [0, 1], scales: [1, 1], offset: [0, 0], range: 4, bins: 40 };
  private reference = new Float64Array(0);

  configure(params: ParamsOf<typeof marginal2dInfo>, run: RunContext): void {
    const [a, b] = pairParam(
      'components',
      params.components,
      (x) => Number.isInteger(x) && x >= 1 && x <= run.dim,
      `distinct integers in 1 … ${run.dim}`,
    );
    if (a === b)
      throw new ScenarioError('marginal-2d.params.components', `must be two distinct components, got [${a}, ${b}]`);
    const scales = pairParam('scales', params.scales, (x) => Number.isFinite(x) && x > 0, 'positive finite numbers');
    const offset = pairParam('offset', params.offset, Number.isFinite, 'finite numbers');
    const { range, bins } = params;
    this.burnIn = params.burnIn;
    this.every = params.every;
    if (!run.reference) {
      throw new ScenarioError(
        'marginal-2d',
        "needs the run's reference point θ₀ (run.reference) to measure δθ = θ − θ₀ from; this run has none",
      );
    }
    if (run.reference.length !== run.dim)
      throw new ScenarioError(
        'marginal-2d',
        `run.reference has ${run.reference.length} components, the run has dim ${run.dim}`,
      );
    this.dim = run.dim;
    this.reference = Float64Array.from(run.reference);
    this.geometry = { components: [a - 1, b - 1], scales, offset, range, bins };
  }

  attach(frames: Observable<Frame>): Observable<Marginal2dPartial> {
    const { dim, geometry, reference, burnIn, every } = this;
    return frames.pipe(reduceFrames(() => new Marginal2dAccumulator(dim, geometry, reference, burnIn, every)));
  }

  combine(parts: Marginal2dPartial[]): Marginal2dPartial {
    return concatChains('marginal-2d', parts, ['counts'], ['components', 'scales', 'offset', 'range', 'bins']);
  }

  result(part: Marginal2dPartial): Marginal2dResult {
    return marginal2dResult(part.chains > 0 ? part : { ...part, ...this.geometry });
  }
}

/** Sums the per-chain counts in chain-index order (integers in float64: exact below 2⁵³). */
export function marginal2dResult(part: Marginal2dPartial): Marginal2dResult {
  const { components, scales, offset, range, bins, chains } = part,
    cell = bins * bins + 1,
    width = (2 * range) / bins;
  const pooled = new Float64Array(cell);
  for (let c = 0; c < chains; c++) for (let k = 0; k < cell; k++) pooled[k] += part.counts[c * cell + k];
  let total = 0;
  for (let k = 0; k < cell; k++) total += pooled[k];
  const counts = Array.from({ length: bins }, (_, i) => Array.from(pooled.subarray(i * bins, (i + 1) * bins)));
  const density = counts.map((row) => row.map((n) => n / (total * width * width)));
  const edges = (o: number) => Array.from({ length: bins + 1 }, (_, k) => o - range + k * width);
  const plane: [number, number] = [components[0] + 1, components[1] + 1]; // back to the 1-based numbering of the params
  return {
    components: plane,
    scales,
    offset,
    range,
    bins,
    xEdges: edges(offset[0]),
    yEdges: edges(offset[1]),
    counts,
    density,
    total,
    outside: pooled[cell - 1],
    chains,
  };
}
