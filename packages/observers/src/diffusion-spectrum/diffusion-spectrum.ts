import type { Observable } from 'rxjs';
import {
  definePlugin,
  diffusionWR,
  ScenarioError,
  symmetricEigenvalues,
  type Frame,
  type Landscape,
  type Observer,
  type ParamsOf,
  type RunContext,
  hasDiffusionFastPath,
} from '@nesslab/kernel';
import { concatChains, FinalStateAccumulator, reduceFrames, type ChainPart } from '../chain-group.ts';
import { referencePoint } from '../params.ts';

/** Largest N for the dense O(N³) eigensolver (~1 s at N = 885), and largest M·N for the per-sample gradients (2^27 doubles = 1 GiB). */
export const MAX_SPECTRUM_DIM = 4096;
export const MAX_SAMPLE_GRADIENT_DOUBLES = 2 ** 27;
/** Machine ε of the two dtypes for the rank threshold λ_max·N·ε (numpy's matrix_rank default). */
export const MACHINE_EPSILON = { float64: 2 ** -52, float32: 2 ** -23 } as const;
export type EpsilonDtype = keyof typeof MACHINE_EPSILON;

export const diffusionSpectrumInfo = definePlugin({
  kind: 'observer',
  name: 'diffusion-spectrum',
  description:
    "Eigenvalues of the diffusion matrix D = (η²/2)·Cov_B(∇L_B) of WR minibatches (004 Eq. 14, the kernel's diffusionWR) at each chain's " +
    "final state or at the run's reference point θ₀, their mean and variance, and rank(D)/N counting the eigenvalues above " +
    "λ_max·N·ε (numpy's matrix_rank threshold; ε of float64 or float32, both ranks reported). Computed once at the end of the run: " +
    'M·N doubles for the per-sample gradients (unless the landscape computes D itself, as mnist-linear does), O(M N² + N³) per ' +
    "state (blocked Gram matrix, Householder + QL eigenvalues); N ≤ 4096. θ₀ (Newton) is found only for at: 'reference'.",
  source: '003 Fig. 1, Remark 15–16; 004 Eq. 14',
  params: {
    at: {
      type: 'string',
      default: 'final',
      enum: ['final', 'reference'],
      description: "'final': D at every chain's last state; 'reference': D at the run's θ₀",
    },
    eta: {
      type: 'number',
      default: 0,
      minimum: 0,
      description: "η in D = (η²/2)Cov_B(∇L_B); 0: the run's learning rate",
    },
    batchSize: { type: 'integer', default: 1, minimum: 1, description: 'm, the minibatch size (≤ M; m = M: D = 0)' },
    epsilon: {
      type: 'string',
      default: 'float64',
      enum: ['float64', 'float32'],
      description:
        "ε in the rank threshold λ_max·N·ε: 'float64' (2^−52, the precision D is computed in) or 'float32' (2^−23: " +
        "003 computed D in float32 with PyTorch and numpy's matrix_rank uses the array dtype's ε, so its 0.3–2 % ranks are float32 ranks)",
    },
  },
  precision: 'float64',
  reads: ['theta', 'reference'],
  readsReferenceWhen: (params) => params.at === 'reference', // at: 'final' needs no θ₀ (no Newton on a net)
});

/** at: 'final': spectra[c·N + k], the eigenvalues of D at chain c's last state, descending (computed where the chain ran). */
export interface DiffusionSpectrumPartial extends ChainPart {
  spectra: Float64Array;
}

export interface DiffusionSpectrumResult {
  at: 'final' | 'reference';
  /** One row per state (each chain's final state, or θ₀ alone), descending. */
  eigenvalues: number[][];
  /** The ε of the threshold, rank and rankFraction(s): the param's dtype and its machine ε. */
  epsilon: EpsilonDtype;
  machineEpsilon: number;
  /** λ_max·N·ε per row (003 Remark 16). */
  threshold: number[];
  rank: number[];
  /** rank/N per row, and its mean over the rows. */
  rankFractions: number[];
  rankFraction: number;
  /** Both ranks whatever the param: eigenvalues above λ_max·N·2^−52 and above λ_max·N·2^−23, per row, and their mean fractions. */
  rankFloat64: number[];
  rankFloat32: number[];
  rankFractionFloat64: number;
  rankFractionFloat32: number;
  /** Mean and (population) variance of the N eigenvalues per row: tr D/N (003 Remark 15) and var λ(D) (Remark 16). */
  eigenMean: number[];
  eigenVariance: number[];
  eta: number;
  batchSize: number;
}

/** Each chain's last state; the partial holds the spectra at them (`spectrum` null: at 'reference', nothing kept). */
class FinalSpectrumAccumulator extends FinalStateAccumulator<DiffusionSpectrumPartial> {
  constructor(
    dim: number,
    private readonly spectrum: ((theta: Float64Array) => Float64Array) | null,
  ) {
    super('diffusion-spectrum', dim, spectrum !== null);
  }

  /** The O(M N² + N³) work per chain happens here, in the chain group's own thread: the workers share it. */
  partial(): DiffusionSpectrumPartial {
    const n = this.dim,
      spectra = new Float64Array(this.spectrum ? this.chains * n : 0);
    for (let c = 0; this.spectrum && c < this.chains; c++) spectra.set(this.spectrum(this.finalState(c)), c * n);
    return { dim: n, chainStart: this.chainStart, chains: this.chains, spectra };
  }
}

/** Eigenvalues of D at θ, descending. A landscape may compute D itself (mnist-linear: the same to round-off, ~10× faster). */
export function diffusionEigenvalues(
  landscape: Landscape,
  theta: Float64Array,
  eta: number,
  batchSize: number,
): Float64Array {
  return symmetricEigenvalues(diffusionWR(landscape, theta, eta, batchSize), landscape.dim).reverse();
}

/** Eigenvalues of D at θ, descending, with the rank of 003 Remark 16 for ε of `epsilon` (and both ranks). */
export function diffusionSpectrum(
  landscape: Landscape,
  theta: Float64Array,
  eta: number,
  batchSize: number,
  epsilon: EpsilonDtype = 'float64',
) {
  return spectrumStats(Array.from(diffusionEigenvalues(landscape, theta, eta, batchSize)), epsilon);
}

/** Threshold, ranks, mean and variance of N eigenvalues given descending. */
function spectrumStats(values: number[], epsilon: EpsilonDtype) {
  const n = values.length,
    lmax = Math.max(0, values[0]);
  const rankAbove = (t: number) => values.reduce((r, v) => r + (v > t ? 1 : 0), 0);
  const threshold = lmax * n * MACHINE_EPSILON[epsilon]; // λ_max·d·machine-ε
  const rankFloat64 = rankAbove(lmax * n * MACHINE_EPSILON.float64),
    rankFloat32 = rankAbove(lmax * n * MACHINE_EPSILON.float32);
  const mean = values.reduce((t, v) => t + v, 0) / n;
  const variance = values.reduce((t, v) => t + (v - mean) * (v - mean), 0) / n;
  return {
    values,
    threshold,
    rank: epsilon === 'float64' ? rankFloat64 : rankFloat32,
    rankFloat64,
    rankFloat32,
    mean,
    variance,
  };
}

/** 'diffusion-spectrum': eigenvalues and rank of D (003 Fig. 1, Remark 16). */
export class DiffusionSpectrumObserver implements Observer<DiffusionSpectrumPartial, DiffusionSpectrumResult> {
  private dim = 0;
  private at: 'final' | 'reference' = 'final';
  private eta = 0;
  private batchSize = 1;
  private epsilon: EpsilonDtype = 'float64';
  private landscape: Landscape | null = null;
  private reference: Float64Array | null = null;

  configure(params: ParamsOf<typeof diffusionSpectrumInfo>, run: RunContext): void {
    const field = (key: string) => `diffusion-spectrum.params.${key}`;
    this.at = params.at;
    const eta = params.eta;
    this.eta = eta > 0 ? eta : (run.eta ?? NaN);
    if (!(this.eta > 0))
      throw new ScenarioError(field('eta'), "is 0 (use the run's learning rate) but the run gives none: set eta > 0");
    const M = run.landscape.dataSize,
      n = run.dim;
    this.batchSize = params.batchSize;
    this.epsilon = params.epsilon;
    if (this.batchSize > M)
      throw new ScenarioError(field('batchSize'), `must be at most the landscape's M = ${M}, got ${this.batchSize}`);
    if (n > MAX_SPECTRUM_DIM)
      throw new ScenarioError(
        'diffusion-spectrum',
        `N = ${n} is above ${MAX_SPECTRUM_DIM}: the dense eigensolver is O(N³)`,
      );
    if (!hasDiffusionFastPath(run.landscape) && M * n > MAX_SAMPLE_GRADIENT_DOUBLES)
      throw new ScenarioError(
        'diffusion-spectrum',
        `M·N = ${M}·${n} per-sample gradient entries exceed 2^27 doubles (1 GiB)`,
      );
    this.reference = referencePoint('diffusion-spectrum', this.at, run);
    this.landscape = run.landscape;
    this.dim = n;
  }

  attach(frames: Observable<Frame>): Observable<DiffusionSpectrumPartial> {
    const { dim, landscape, eta, batchSize } = this;
    const spectrum =
      this.at === 'final' ? (theta: Float64Array) => diffusionEigenvalues(landscape!, theta, eta, batchSize) : null;
    return frames.pipe(reduceFrames(() => new FinalSpectrumAccumulator(dim, spectrum)));
  }

  combine(parts: DiffusionSpectrumPartial[]): DiffusionSpectrumPartial {
    return concatChains('diffusion-spectrum', parts, ['spectra']);
  }

  result(part: DiffusionSpectrumPartial): DiffusionSpectrumResult {
    const n = this.dim,
      rows =
        this.at === 'reference'
          ? [diffusionEigenvalues(this.landscape!, this.reference!, this.eta, this.batchSize)]
          : Array.from({ length: part.chains }, (_, c) => part.spectra.subarray(c * n, (c + 1) * n));
    const spectra = rows.map((values) => spectrumStats(Array.from(values), this.epsilon));
    const meanFraction = (ranks: number[]) => ranks.reduce((t, r) => t + r / n, 0) / ranks.length;
    const rankFractions = spectra.map((s) => s.rank / n);
    return {
      at: this.at,
      eigenvalues: spectra.map((s) => s.values),
      epsilon: this.epsilon,
      machineEpsilon: MACHINE_EPSILON[this.epsilon],
      threshold: spectra.map((s) => s.threshold),
      rank: spectra.map((s) => s.rank),
      rankFractions,
      rankFraction: meanFraction(spectra.map((s) => s.rank)),
      rankFloat64: spectra.map((s) => s.rankFloat64),
      rankFloat32: spectra.map((s) => s.rankFloat32),
      rankFractionFloat64: meanFraction(spectra.map((s) => s.rankFloat64)),
      rankFractionFloat32: meanFraction(spectra.map((s) => s.rankFloat32)),
      eigenMean: spectra.map((s) => s.mean),
      eigenVariance: spectra.map((s) => s.variance),
      eta: this.eta,
      batchSize: this.batchSize,
    };
  }
}
