import type { Observable } from 'rxjs';
import {
  definePlugin,
  entropyMatrix,
  entropyRateOf,
  nessTheory,
  ScenarioError,
  type Frame,
  type Observer,
  type ParamsOf,
  type RunContext,
  preview,
} from '@nesslab/kernel';
import { ChainAccumulator, concatChains, reduceFrames, type ChainPart } from '../chain-group.ts';
import { entropyResult, type EntropyResult } from './fluctuation.ts';

export const entropyProductionInfo = definePlugin({
  kind: 'observer',
  name: 'entropy-production',
  description:
    'Entropy production σ(Ω) = Σ_k v^s(θ_k)·D₀⁻¹(θ_{k+1} − θ_k), v^s = −CΣ⁻¹δθ, pre-point θ_k as printed (Eq. 24, 27), over ' +
    'non-overlapping consecutive segments of ℓ steps per chain; per ℓ: ⟨σ⟩/ℓ (vs Eq. 29), ⟨e^{−σ}⟩ (IFT, Eq. 8) with standard ' +
    'errors from the spread over chains, and a histogram symmetric about 0 with the DFT fit of ln P(σ)/P(−σ) against σ (Eq. 9). ' +
    "Σ, C, D₀ are given, or WR SGD's (Eq. 14, 21–25) at the run's θ₀ from eta and batchSize.",
  source: '004 Eq. 8, 9, 24, 27, 29',
  params: {
    segmentLengths: {
      type: 'array',
      default: [1, 2, 3],
      description: 'ℓ values: each chain is cut into consecutive segments of ℓ steps after the burn-in, for every ℓ',
    },
    burnIn: {
      type: 'integer',
      default: 0,
      minimum: 0,
      description: 'Steps 1 … burnIn are skipped: the first increment counted is θ_burnIn → θ_burnIn+1.',
    },
    bins: {
      type: 'integer',
      default: 24,
      minimum: 1,
      description: 'Histogram bins on each side of σ = 0 (the DFT pairs bin j > 0 with its mirror)',
    },
    histogramWidth: {
      type: 'number',
      default: 4,
      exclusiveMinimum: 0,
      description:
        "Histogram half-width in units of the theory's sd of σ, √(2ℓ⟨σ⟩/ℓ) (Eq. 29); values outside are counted as under/overflow",
    },
    minBinCount: {
      type: 'integer',
      default: 20,
      minimum: 1,
      description: 'The DFT fit uses the bin pairs where both σ and −σ have at least this many segments',
    },
    sigma: {
      type: 'array',
      default: [],
      description: 'Σ (N×N rows), with circulation and diffusion; empty: WR SGD theory at θ₀ from eta and batchSize',
    },
    circulation: { type: 'array', default: [], description: 'C (N×N rows, antisymmetric), Eq. 25' },
    diffusion: { type: 'array', default: [], description: 'D₀ (N×N rows), Eq. 14' },
    diffusionRegularization: {
      type: 'number',
      default: 0,
      minimum: 0,
      description:
        'ε: D₀⁻¹ is taken of D₀ + ε·max D₀_αα·I (0: D₀ itself, by Cholesky); > 0 drops directions with almost no diffusion (MNIST: cond D₀ > 1e10)',
    },
    eta: {
      type: 'number',
      default: 0,
      minimum: 0,
      description: 'η for the WR SGD theory (when the matrices are not given)',
    },
    batchSize: {
      type: 'integer',
      default: 0,
      minimum: 0,
      description: 'm for the WR SGD theory (when the matrices are not given)',
    },
  },
  precision: 'float64',
  reads: ['theta', 'previous', 'reference'],
});

/**
 * Per chain c and length index j (slot c·L + j): count, Σσ, Σσ², Σe^{−σ} over completed segments, and the histogram
 * hist[(c·L + j)·(2B + 2) + b]: b < 2B the bins [−R + bw, −R + (b+1)w), 2B below −R, 2B + 1 at or above R.
 */
export interface EntropyPartial extends ChainPart {
  lengths: number[];
  bins: number;
  /** Half-width R_ℓ of each histogram. */
  halfWidth: number[];
  minBinCount: number;
  /** Eq. 29 for the theory the observer used. */
  theoryRate: number;
  count: Float64Array;
  sum: Float64Array;
  sumSquares: Float64Array;
  sumExp: Float64Array;
  histogram: Float64Array;
}

class EntropyAccumulator extends ChainAccumulator<EntropyPartial> {
  private count = new Float64Array(0);
  private sum = new Float64Array(0);
  private sumSquares = new Float64Array(0);
  private sumExp = new Float64Array(0);
  private histogram = new Float64Array(0);
  /** The open segment of each slot: σ so far and steps so far. */
  private open = new Float64Array(0);
  private filled = new Int32Array(0);
  private readonly delta: Float64Array;
  private readonly step: Float64Array;

  constructor(
    dim: number,
    private readonly cfg: Config,
  ) {
    super('entropy-production', dim);
    this.delta = new Float64Array(dim);
    this.step = new Float64Array(dim);
  }

  protected allocate(chains: number): void {
    const slots = chains * this.cfg.lengths.length;
    this.count = new Float64Array(slots);
    this.sum = new Float64Array(slots);
    this.sumSquares = new Float64Array(slots);
    this.sumExp = new Float64Array(slots);
    this.histogram = new Float64Array(slots * (2 * this.cfg.bins + 2));
    this.open = new Float64Array(slots);
    this.filled = new Int32Array(slots);
  }

  protected addBlock(f: Frame): void {
    const n = f.dim,
      stride = f.blockSize * n,
      theta = f.theta,
      previous = f.previous;
    const { A, reference: ref, lengths, bins, halfWidth } = this.cfg,
      L = lengths.length,
      H = 2 * bins + 2;
    const d = this.delta,
      D = this.step;
    const first = Math.max(0, this.cfg.burnIn + 1 - f.stepStart);
    for (let c = 0; c < f.chains; c++) {
      for (let s = first; s < f.steps; s++) {
        const from = s === 0 ? previous : theta;
        const at = s === 0 ? c * n : c * stride + (s - 1) * n;
        const to = c * stride + s * n;
        for (let a = 0; a < n; a++) {
          const x = from[at + a];
          d[a] = x - ref[a]; // δθ_k = θ_k − θ₀
          D[a] = theta[to + a] - x; // θ_{k+1} − θ_k
        }
        let sk = 0; // σ_k = δθ_kᵀ A Δθ_k = v^s(θ_k)·D₀⁻¹Δθ_k (Eq. 27)
        for (let i = 0, row = 0; i < n; i++, row += n) {
          let r = 0;
          for (let j = 0; j < n; j++) r += A[row + j] * D[j];
          sk += d[i] * r;
        }
        for (let j = 0, slot = c * L; j < L; j++, slot++) {
          this.open[slot] += sk;
          if (++this.filled[slot] < lengths[j]) continue;
          const sigma = this.open[slot],
            R = halfWidth[j];
          this.count[slot]++;
          this.sum[slot] += sigma;
          this.sumSquares[slot] += sigma * sigma;
          this.sumExp[slot] += Math.exp(-sigma);
          const b =
            sigma < -R
              ? 2 * bins
              : sigma >= R
                ? 2 * bins + 1
                : Math.min(2 * bins - 1, Math.floor(((sigma + R) / R) * bins));
          this.histogram[slot * H + b]++;
          this.open[slot] = 0;
          this.filled[slot] = 0;
        }
      }
    }
  }

  partial(): EntropyPartial {
    const { lengths, bins, halfWidth, minBinCount, theoryRate } = this.cfg;
    return {
      dim: this.dim,
      chainStart: this.chainStart,
      chains: this.chains,
      lengths,
      bins,
      halfWidth,
      minBinCount,
      theoryRate,
      count: this.count,
      sum: this.sum,
      sumSquares: this.sumSquares,
      sumExp: this.sumExp,
      histogram: this.histogram,
    };
  }
}

interface Config {
  lengths: number[];
  burnIn: number;
  bins: number;
  halfWidth: number[];
  minBinCount: number;
  /** Σ⁻¹CD₀⁻¹ (N×N), and Eq. 29. */
  A: Float64Array;
  reference: Float64Array;
  theoryRate: number;
}

/** 'entropy-production': σ(Ω) per segment of ℓ steps, IFT, DFT and ⟨σ⟩/ℓ (004 Eq. 8, 9, 27, 29). Needs `run.reference` (θ₀). */
export class EntropyProductionObserver implements Observer<EntropyPartial, EntropyResult> {
  private cfg!: Config;
  private dim = 0;

  configure(params: ParamsOf<typeof entropyProductionInfo>, run: RunContext): void {
    const field = (key: string) => `entropy-production.params.${key}`;
    const lengths = params.segmentLengths;
    if (lengths.length === 0 || !lengths.every((l) => Number.isSafeInteger(l) && (l as number) >= 1)) {
      throw new ScenarioError(
        field('segmentLengths'),
        `must be a non-empty array of integers ≥ 1, got ${preview(lengths)}`,
      );
    }
    if (!run.reference || run.reference.length !== run.dim)
      throw new ScenarioError(
        'entropy-production',
        "needs the run's reference point θ₀ (run.reference, dim numbers) to measure δθ = θ − θ₀ from",
      );
    const n = run.dim;
    const { sigma, circulation, diffusion } = theoryMatrices(params, run, field);
    const A = entropyMatrix(sigma, circulation, diffusion, n, params.diffusionRegularization);
    const theoryRate = entropyRateOf(A, circulation, n);
    const width = params.histogramWidth;
    this.dim = n;
    this.cfg = {
      lengths: lengths as number[],
      burnIn: params.burnIn,
      bins: params.bins,
      halfWidth: (lengths as number[]).map((l) => width * Math.sqrt(2 * l * theoryRate)), // sd of σ ≈ √(2⟨σ⟩) (Gaussian σ obeying the IFT)
      minBinCount: params.minBinCount,
      A,
      reference: Float64Array.from(run.reference),
      theoryRate,
    };
    if (!(theoryRate > 0))
      throw new ScenarioError(
        'entropy-production',
        `the theory's entropy production rate (Eq. 29) is ${theoryRate}: no NESS (C = 0) to measure`,
      );
  }

  attach(frames: Observable<Frame>): Observable<EntropyPartial> {
    const { dim, cfg } = this;
    return frames.pipe(reduceFrames(() => new EntropyAccumulator(dim, cfg)));
  }

  combine(parts: EntropyPartial[]): EntropyPartial {
    return concatChains(
      'entropy-production',
      parts,
      ['count', 'sum', 'sumSquares', 'sumExp', 'histogram'],
      ['lengths', 'bins', 'halfWidth'],
    );
  }

  result(part: EntropyPartial): EntropyResult {
    return entropyResult(part);
  }
}

/** Σ, C, D₀ from the params (N×N rows), or WR SGD's at θ₀ (Eq. 14, 21–25) from eta and batchSize. */
function theoryMatrices(
  params: ParamsOf<typeof entropyProductionInfo>,
  run: RunContext,
  field: (key: string) => string,
) {
  const n = run.dim;
  const given = [params.sigma, params.circulation, params.diffusion];
  if (given.every((g) => g.length === 0)) {
    const eta = params.eta,
      m = params.batchSize;
    if (!(eta > 0))
      throw new ScenarioError(
        field('eta'),
        `must be > 0 when sigma, circulation and diffusion are not given, got ${preview(eta)}`,
      );
    if (m < 1)
      throw new ScenarioError(
        field('batchSize'),
        `must be an integer ≥ 1 when sigma, circulation and diffusion are not given, got ${preview(m)}`,
      );
    // nessTheory takes the landscape's own fast path when it has one (mnist-linear: ~2 s instead of ~24 s at M = 60000).
    const t = nessTheory(run.landscape, Float64Array.from(run.reference!), eta, m);
    return { sigma: t.sigma, circulation: t.circulation, diffusion: t.diffusion };
  }
  const [sigma, circulation, diffusion] = ['sigma', 'circulation', 'diffusion'].map((key, i) => {
    const rows = given[i];
    if (
      rows.length !== n ||
      !rows.every(
        (r) => Array.isArray(r) && r.length === n && r.every((x) => typeof x === 'number' && Number.isFinite(x)),
      )
    ) {
      throw new ScenarioError(
        field(key),
        `must be ${n}×${n} rows of finite numbers (the run's dim), like the other two matrices`,
      );
    }
    return Float64Array.from((rows as number[][]).flat());
  });
  return { sigma, circulation, diffusion };
}
