import type { Observable } from 'rxjs';
import { definePlugin, diffusionWR, ScenarioError, symmetricEigen, type Frame, type Landscape, type Observer, type RunContext } from '@nesslab/kernel';
import { ChainAccumulator, concatChains, reduceFrames, type ChainPart } from '../chain-group.ts';
import { enumParam, integerParam } from '../params.ts';

/** Largest N for the dense O(N³) Jacobi eigensolver, and largest M·N for the per-sample gradients (2^27 doubles = 1 GiB). */
export const MAX_SPECTRUM_DIM = 1024;
export const MAX_SAMPLE_GRADIENT_DOUBLES = 2 ** 27;

export const diffusionSpectrumInfo = definePlugin({
  kind: 'observer',
  name: 'diffusion-spectrum',
  description:
    'Eigenvalues of the diffusion matrix D = (η²/2)·Cov_B(∇L_B) of WR minibatches (004 Eq. 14, the kernel\'s diffusionWR) at each chain\'s ' +
    'final state or at the run\'s reference point θ₀, their mean and variance, and rank(D)/N counting the eigenvalues above ' +
    'λ_max·N·ε (ε = 2^−52, numpy\'s matrix_rank threshold). Computed once at the end of the run: M·N doubles for the per-sample ' +
    'gradients (unless the landscape computes D itself, as mnist-linear does), O(M N² + N³) per state (Jacobi); N ≤ 1024.',
  source: '003 Fig. 1, Remark 15–16; 004 Eq. 14',
  params: {
    at: { type: 'string', default: 'final', enum: ['final', 'reference'], description: "'final': D at every chain's last state; 'reference': D at the run's θ₀" },
    eta: { type: 'number', default: 0, minimum: 0, description: 'η in D = (η²/2)Cov_B(∇L_B); 0: the run\'s learning rate' },
    batchSize: { type: 'integer', default: 1, minimum: 1, description: 'm, the minibatch size (≤ M; m = M: D = 0)' },
  },
  precision: 'float64',
  reads: ['theta', 'reference'],
});

/** final[c·N + α]: θ of chain c after the last step seen. */
export interface DiffusionSpectrumPartial extends ChainPart {
  final: Float64Array;
}

export interface DiffusionSpectrumResult {
  at: 'final' | 'reference';
  /** One row per state (each chain's final state, or θ₀ alone), descending. */
  eigenvalues: number[][];
  /** λ_max·N·ε per row (003 Remark 16). */
  threshold: number[];
  rank: number[];
  /** rank/N per row, and its mean over the rows. */
  rankFractions: number[];
  rankFraction: number;
  /** Mean and (population) variance of the N eigenvalues per row: tr D/N (003 Remark 15) and var λ(D) (Remark 16). */
  eigenMean: number[];
  eigenVariance: number[];
  eta: number;
  batchSize: number;
}

class FinalStateAccumulator extends ChainAccumulator<DiffusionSpectrumPartial> {
  private final = new Float64Array(0);

  protected allocate(chains: number): void {
    this.final = new Float64Array(chains * this.dim);
  }

  protected addBlock(f: Frame): void {
    const n = f.dim, last = f.steps - 1, theta = f.theta, final = this.final;
    for (let c = 0; c < f.chains; c++) {
      const at = (c * f.blockSize + last) * n;
      for (let a = 0; a < n; a++) final[c * n + a] = theta[at + a]; // the block's last state, copied (no view per block)
    }
  }

  partial(): DiffusionSpectrumPartial {
    return { dim: this.dim, chainStart: this.chainStart, chains: this.chains, final: this.final };
  }
}

/** Eigenvalues of D at θ, descending, with the rank of 003 Remark 16. */
export function diffusionSpectrum(landscape: Landscape, theta: Float64Array, eta: number, batchSize: number) {
  const n = landscape.dim;
  // A landscape may compute D itself (mnist-linear: the same to round-off, ~10× faster, no M×N sample gradients).
  const D = diffusionWR(landscape, theta, eta, batchSize); // the landscape's own fast path when it has one
  const values = Array.from(symmetricEigen(D, n).values).reverse();
  const threshold = Math.max(0, values[0]) * n * Number.EPSILON; // λ_max·d·machine-ε
  let rank = 0, sum = 0;
  for (const v of values) {
    if (v > threshold) rank++;
    sum += v;
  }
  const mean = sum / n;
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { values, threshold, rank, mean, variance: ss / n };
}

/** 'diffusion-spectrum': eigenvalues and rank of D (003 Fig. 1, Remark 16). */
export class DiffusionSpectrumObserver implements Observer<DiffusionSpectrumPartial, DiffusionSpectrumResult> {
  private dim = 0;
  private at: 'final' | 'reference' = 'final';
  private eta = 0;
  private batchSize = 1;
  private landscape: Landscape | null = null;
  private reference: Float64Array | null = null;

  configure(params: Readonly<Record<string, unknown>>, run: RunContext): void {
    const field = (key: string) => `diffusion-spectrum.params.${key}`;
    this.at = enumParam('diffusion-spectrum', params, 'at', 'final', ['final', 'reference']);
    const eta = params.eta ?? 0;
    if (typeof eta !== 'number' || !(eta >= 0)) throw new ScenarioError(field('eta'), `must be a number ≥ 0, got ${JSON.stringify(eta)}`);
    this.eta = eta > 0 ? eta : (run.eta ?? NaN);
    if (!(this.eta > 0)) throw new ScenarioError(field('eta'), 'is 0 (use the run\'s learning rate) but the run gives none: set eta > 0');
    const M = run.landscape.dataSize, n = run.dim;
    this.batchSize = integerParam('diffusion-spectrum', params, 'batchSize', 1, 1);
    if (this.batchSize > M) throw new ScenarioError(field('batchSize'), `must be at most the landscape's M = ${M}, got ${this.batchSize}`);
    if (n > MAX_SPECTRUM_DIM) throw new ScenarioError('diffusion-spectrum', `N = ${n} is above ${MAX_SPECTRUM_DIM}: the dense eigensolver is O(N³)`);
    if (!run.landscape.diffusionWR && M * n > MAX_SAMPLE_GRADIENT_DOUBLES) throw new ScenarioError('diffusion-spectrum', `M·N = ${M}·${n} per-sample gradient entries exceed 2^27 doubles (1 GiB)`);
    if (this.at === 'reference') {
      if (!run.reference) throw new ScenarioError(field('at'), "is 'reference' but the run has no reference point θ₀ (run.reference)");
      if (run.reference.length !== n) throw new ScenarioError(field('at'), `run.reference has ${run.reference.length} components, the run has dim ${n}`);
      this.reference = Float64Array.from(run.reference);
    }
    this.landscape = run.landscape;
    this.dim = n;
  }

  attach(frames: Observable<Frame>): Observable<DiffusionSpectrumPartial> {
    const { dim } = this;
    return frames.pipe(reduceFrames(() => new FinalStateAccumulator('diffusion-spectrum', dim)));
  }

  combine(parts: DiffusionSpectrumPartial[]): DiffusionSpectrumPartial {
    return concatChains('diffusion-spectrum', parts, ['final']);
  }

  result(part: DiffusionSpectrumPartial): DiffusionSpectrumResult {
    const n = this.dim, landscape = this.landscape!;
    const states = this.at === 'reference' ? [this.reference!] : Array.from({ length: part.chains }, (_, c) => part.final.subarray(c * n, (c + 1) * n));
    const spectra = states.map((theta) => diffusionSpectrum(landscape, Float64Array.from(theta), this.eta, this.batchSize));
    const rankFractions = spectra.map((s) => s.rank / n);
    return {
      at: this.at,
      eigenvalues: spectra.map((s) => s.values),
      threshold: spectra.map((s) => s.threshold),
      rank: spectra.map((s) => s.rank),
      rankFractions,
      rankFraction: rankFractions.reduce((t, r) => t + r, 0) / rankFractions.length,
      eigenMean: spectra.map((s) => s.mean),
      eigenVariance: spectra.map((s) => s.variance),
      eta: this.eta,
      batchSize: this.batchSize,
    };
  }
}
