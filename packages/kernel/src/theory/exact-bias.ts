// The exact stationary mean and covariance of a sampler on a quadratic landscape, at finite η (issue 15 §2). On a
// quadratic, every per-sample gradient is affine, ∇ℓ_i(θ) = H_iθ − g_i, so the minibatch gradient is H̄θ − ḡ with
// (H̄, ḡ) the batch means, and every linear SG-MCMC step is an affine map of the chain's state x (θ and, for momentum
// methods, the momentum): x′ = A(z̄)x + b(z̄) + ξ, ξ ~ N(0, Q), with A and b affine in z̄ = (H̄, ḡ). The moments then
// follow from the first two moments of z̄ alone, exactly: no expansion in η, no Fokker–Planck limit.
import type { Landscape } from '../contracts/landscape.ts';
import type { AffineStepMap, Chain, ChainState, Optimizer } from '../contracts/optimizer.ts';
import type { Rng } from '../contracts/rng.ts';
import type { Sampler } from '../contracts/sampler.ts';
import { cholesky, solve, symmetricEigen, symmetrize } from '../linalg/dense.ts';
import { Xoshiro128 } from '../rng/xoshiro128.ts';
import { gaussianKlBits } from './langevin.ts';

/**
 * One step as an affine map (`Optimizer.affineStep`) given the batch means z̄ = (H̄, ḡ) of the per-sample H_i and g_i;
 * A and b must be affine in z̄ (every linear SG-MCMC step is).
 */
export type AffineStep = (Hbar: Float64Array, gbar: Float64Array) => AffineStepMap;

/** Per-sample gradients of a quadratic landscape as ∇ℓ_i(θ) + ∇R(θ) = H_iθ − g_i (the regulariser folded in). */
export interface QuadraticSamples {
  N: number;
  H: Float64Array[];
  g: Float64Array[];
}

/**
 * H_i and g_i of every sample, read off the landscape's own minibatch gradient (a batch of one, the regulariser
 * included) at θ = 0 and at the unit vectors: exact for a quadratic landscape, whatever its parametrisation.
 */
export function quadraticSamples(landscape: Landscape): QuadraticSamples {
  const N = landscape.dim,
    M = landscape.dataSize;
  const theta = new Float64Array(N),
    batch = new Int32Array(1);
  const at = (i: number, out: Float64Array) => {
    batch[0] = i;
    landscape.minibatchGradient(theta, batch, 1, out); // ∇ℓ_i + ∇R (the Landscape contract)
  };
  const H: Float64Array[] = [],
    g: Float64Array[] = [];
  const col = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    const gi = new Float64Array(N),
      Hi = new Float64Array(N * N);
    theta.fill(0);
    at(i, gi);
    for (let a = 0; a < N; a++) gi[a] = -gi[a]; // ∇ at 0 = −g_i
    for (let k = 0; k < N; k++) {
      theta.fill(0);
      theta[k] = 1;
      at(i, col);
      for (let a = 0; a < N; a++) Hi[a * N + k] = col[a] + gi[a]; // ∇ at e_k = H_i e_k − g_i
    }
    H.push(symmetrize(Hi, N));
    g.push(gi);
  }
  return { N, H, g };
}

/** The exact stationary state x of the chain: mean and covariance (dim = N + the optimizer's auxiliary numbers). */
export interface ExactStationary {
  dim: number;
  mean: Float64Array;
  covariance: Float64Array;
}

/**
 * Exact stationary moments with WR minibatches (004 Eq. 12: m distinct indices, uniform over the m-subsets, drawn
 * afresh each step). For any f, g affine in z̄, E[f(z̄)g(z̄)ᵀ] = f(μ)g(μ)ᵀ + c·(1/M)Σ_i (f(z_i) − f(μ))(g(z_i) − g(μ))ᵀ with
 * c = (M − m)/(m(M − 1)), the finite-population variance of a mean of m draws without repetition. So, with
 * A = A(μ), F_i = A(z_i) − A, x̄ the mean and S the covariance of x:
 *   x̄ = A x̄ + b(μ)                                          (the mean map averaged over batches)
 *   S = A S Aᵀ + c/M Σ_i [F_i S F_iᵀ + δ_i δ_iᵀ] + Q,   δ_i = F_i x̄ + b(z_i) − b(μ)
 * (x is independent of the step's batch and noise, so no cross term survives). The second is a linear system in the
 * dim² entries of S, solved by LU; it is assembled from I − A, never from A ⊗ A, so that 1 − (1 − ηh)² does not
 * cancel away at small η.
 */
export function exactStationaryWR(step: AffineStep, samples: QuadraticSamples, batchSize: number): ExactStationary {
  const { N, H, g } = samples,
    M = H.length,
    m = batchSize;
  const Hbar = new Float64Array(N * N),
    gbar = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < N * N; k++) Hbar[k] += H[i]![k]! / M;
    for (let a = 0; a < N; a++) gbar[a] += g[i]![a]! / M;
  }
  const centre = step(Hbar, gbar),
    d = centre.dim,
    A = centre.A;
  // I − A, from the map's own I − A when it gives one (exact), else by subtraction.
  const IminusA = centre.IminusA ?? A.map((v, k) => (k % (d + 1) === 0 ? 1 : 0) - v);
  const mean = solve(IminusA, d, centre.b);
  const c = M > 1 ? (M - m) / (m * (M - 1)) : 0;
  const F: Float64Array[] = [],
    delta: Float64Array[] = [];
  for (let i = 0; i < M; i++) {
    const s = step(H[i]!, g[i]!);
    const Fi = s.A.map((v, k) => v - A[k]!);
    const di = new Float64Array(d);
    for (let a = 0; a < d; a++) {
      let v = s.b[a]! - centre.b[a]!;
      for (let k = 0; k < d; k++) v += Fi[a * d + k]! * mean[k]!;
      di[a] = v;
    }
    F.push(Fi);
    delta.push(di);
  }
  // (I − A⊗A − c/M Σ F_i⊗F_i) vec S = vec R, with I − A⊗A = (I − A)⊗I + A⊗(I − A).
  const dd = d * d,
    L = new Float64Array(dd * dd),
    R = Float64Array.from(centre.Q);
  const w = c / M;
  for (let a = 0; a < d; a++)
    for (let b = 0; b < d; b++) {
      const row = (a * d + b) * dd;
      for (let p = 0; p < d; p++) {
        // ((I − A)⊗I) vec S: (I − A)_ap S_pb;  (A⊗(I − A)) vec S: A_ap S_pq (I − A)_bq
        L[row + p * d + b] += IminusA[a * d + p]!;
        for (let q = 0; q < d; q++) {
          let v = A[a * d + p]! * IminusA[b * d + q]!;
          for (let i = 0; i < M; i++) v -= w * F[i]![a * d + p]! * F[i]![b * d + q]!;
          L[row + p * d + q] += v;
        }
      }
      for (let i = 0; i < M; i++) R[a * d + b] += w * delta[i]![a]! * delta[i]![b]!;
    }
  return { dim: d, mean, covariance: symmetrize(solve(L, dd, R), d) };
}

/** A sampler's exact stationary θ-marginal against the posterior N(θ₀, H₀⁻¹) of e^{−𝓛}. */
export interface ExactBias {
  mean: Float64Array;
  /** N×N: the θ block of the stationary covariance. */
  sigma: Float64Array;
  /** D_KL(N(mean, sigma) ‖ N(θ₀, H₀⁻¹)) in bits: the Gaussian with the exact moments against the posterior (Eq. 46). */
  klBits: number;
  /** W₂ between the same two Gaussians. */
  w2: number;
}

/**
 * `exactStationaryWR` reduced to θ and scored against the posterior: H₀ is the mean per-sample Hessian (exact on a
 * quadratic), θ₀ its minimum. The stationary law of a chain with minibatch noise is not exactly Gaussian (the noise is
 * multiplicative); KL and W₂ are those of the Gaussian with its exact mean and covariance, as `kl-to-posterior`'s
 * pooled Gaussian fit measures on real chains.
 */
export function exactBias(step: AffineStep, samples: QuadraticSamples, batchSize: number): ExactBias {
  return scoredAgainstPosterior(exactStationaryWR(step, samples, batchSize), samples);
}

/** W₂(N(m₁, S₁), N(m₂, S₂)) = √(‖m₁ − m₂‖² + tr S₁ + tr S₂ − 2 tr (S₂^½ S₁ S₂^½)^½). */
export function gaussianW2(m1: Float64Array, S1: Float64Array, m2: Float64Array, S2: Float64Array, N: number): number {
  const root = (S: Float64Array) => {
    const { values, vectors } = symmetricEigen(symmetrize(S, N), N);
    const out = new Float64Array(N * N);
    for (let k = 0; k < N; k++) {
      const s = Math.sqrt(Math.max(0, values[k]!));
      for (let a = 0; a < N; a++)
        for (let b = 0; b < N; b++) out[a * N + b] += s * vectors[a * N + k]! * vectors[b * N + k]!;
    }
    return out;
  };
  if (!cholesky(symmetrize(S2, N), N)) throw new Error('gaussianW2: S₂ is not positive definite');
  const r2 = root(S2);
  const inner = new Float64Array(N * N); // S₂^½ S₁ S₂^½
  for (let a = 0; a < N; a++)
    for (let b = 0; b < N; b++) {
      let s = 0;
      for (let i = 0; i < N; i++) for (let j = 0; j < N; j++) s += r2[a * N + i]! * S1[i * N + j]! * r2[j * N + b]!;
      inner[a * N + b] = s;
    }
  const cross = root(inner);
  let w = 0;
  for (let a = 0; a < N; a++) {
    w += (m1[a]! - m2[a]!) ** 2;
    w += S1[a * N + a]! + S2[a * N + a]! - 2 * cross[a * N + a]!;
  }
  return Math.sqrt(Math.max(0, w));
}

/**
 * WOR minibatches from a permutation the caller sets: epoch after epoch, `next` cuts `permutation` into n = M/m
 * consecutive batches (a real WOR epoch), and draws nothing from the chain's stream.
 */
class ScriptedSampler implements Sampler<null> {
  readonly stepsPerEpoch: number;
  permutation: Int32Array;
  private position = 0;
  constructor(
    readonly batchSize: number,
    dataSize: number,
  ) {
    this.stepsPerEpoch = Math.floor(dataSize / batchSize);
    this.permutation = Int32Array.from({ length: dataSize }, (_, i) => i);
  }
  configure(): void {}
  init(): null {
    return null;
  }
  next(_state: null, _rng: Rng, out: Int32Array): void {
    out.set(this.permutation.subarray(this.position * this.batchSize, (this.position + 1) * this.batchSize));
    this.position = (this.position + 1) % this.stepsPerEpoch;
  }
  restart(): void {
    this.position = 0;
  }
}

/** Normals from a script (0 unless `unit` is the draw's index), counting the draws; nothing else may be drawn. */
class ScriptedNormals implements Rng {
  unit = -1;
  drawn = 0;
  nextNormal(): number {
    return this.drawn++ === this.unit ? 1 : 0;
  }
  nextU32(): number {
    throw new Error('exactStationaryWOR: the optimizer drew a uniform number; only its normals can be scripted');
  }
  nextDouble(): number {
    return this.nextU32();
  }
  nextInt(): number {
    return this.nextU32();
  }
}

/**
 * State an optimizer carries from one epoch into the next, besides θ: the named arrays of its chain state (`carried`)
 * join θ in x, in that order; `prepare` sets the rest of a fresh state as it stands mid-run (e.g. SGWORLD-LM's
 * Leimkuhler–Matthews kick: x = (θ, z), its `zReady` flag set so that z is the carried draw, not drawn anew).
 */
export interface CarriedState {
  names: readonly string[];
  prepare?: (state: ChainState) => void;
}

/**
 * Exact stationary moments at epoch boundaries with WOR minibatches, for an optimizer whose epoch is Markov in x = θ
 * and the state it carries across epochs (`carried`; none: θ alone, as SGWORLD with its Euler kick, corrected or not,
 * or any per-step optimizer with WOR batches). The epoch map of one permutation is read off the optimizer's real
 * `step`: n steps from x = 0 and from each unit vector with zero normals give A and b, and from x = 0 with each normal
 * set to 1 in turn its noise loading L (Q = LLᵀ; a carried draw such as z′ loads both θ′ and z′, which Q keeps). The
 * average over permutations is a Monte Carlo over `permutations` uniform permutations (from `seed`), solved as in
 * `exactStationaryWR`; `stdError` is the spread of KL and W₂ over 10 equal batches of them, / √10.
 */
export function exactStationaryWOR(
  make: (sampler: Sampler) => Optimizer,
  samples: QuadraticSamples,
  batchSize: number,
  options: { permutations: number; seed: number; carried?: CarriedState },
): { maps: number; moments: (subset?: [number, number]) => ExactStationary } {
  const M = samples.H.length;
  const sampler = new ScriptedSampler(batchSize, M),
    optimizer = make(sampler),
    n = sampler.stepsPerEpoch;
  const rng = new ScriptedNormals(),
    scalars = new Float64Array(Math.max(1, optimizer.scalarNames.length));
  const carried = options.carried?.names ?? [];
  const probe = optimizer.createState();
  for (const name of carried)
    if (!(probe[name] instanceof Float64Array))
      throw new Error(`exactStationaryWOR: the optimizer's state has no array "${name}" to carry`);
  const N = samples.N + carried.reduce((sum, name) => sum + probe[name]!.length, 0); // dim x
  const epoch = (x0: Float64Array, unit: number): Float64Array => {
    const theta = x0.slice(0, samples.N),
      state = optimizer.createState();
    options.carried?.prepare?.(state);
    let at = samples.N;
    for (const name of carried) {
      const a = state[name]!;
      a.set(x0.subarray(at, at + a.length));
      at += a.length;
    }
    const chain: Chain<null> = {
      index: 0,
      theta,
      rng,
      samplerState: null,
      state,
      batch: new Int32Array(batchSize),
      step: 0,
    };
    rng.unit = unit;
    rng.drawn = 0;
    sampler.restart();
    for (let t = 0; t < n; t++) {
      optimizer.step(chain as Chain, scalars);
      chain.step++;
    }
    const x = new Float64Array(N);
    x.set(theta);
    at = samples.N;
    for (const name of carried) {
      x.set(state[name]!, at);
      at += state[name]!.length;
    }
    return x;
  };
  const shuffle = Xoshiro128.fromSeed(options.seed);
  const A: Float64Array[] = [],
    b: Float64Array[] = [],
    Q: Float64Array[] = [];
  for (let k = 0; k < options.permutations; k++) {
    const p = sampler.permutation;
    for (let i = M - 1; i > 0; i--) {
      const j = shuffle.nextInt(i + 1),
        t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    const zero = new Float64Array(N),
      bk = epoch(zero, -1),
      draws = rng.drawn;
    const Ak = new Float64Array(N * N);
    for (let c = 0; c < N; c++) {
      const e = new Float64Array(N);
      e[c] = 1;
      const col = epoch(e, -1);
      for (let a = 0; a < N; a++) Ak[a * N + c] = col[a]! - bk[a]!;
    }
    const Qk = new Float64Array(N * N);
    for (let j = 0; j < draws; j++) {
      const col = epoch(zero, j);
      for (let a = 0; a < N; a++) for (let c = 0; c < N; c++) Qk[a * N + c] += (col[a]! - bk[a]!) * (col[c]! - bk[c]!);
    }
    A.push(Ak);
    b.push(bk);
    Q.push(Qk);
  }
  return {
    maps: A.length,
    moments: ([from, to] = [0, A.length]) =>
      averagedMoments(A.slice(from, to), b.slice(from, to), Q.slice(from, to), N),
  };
}

/** x̄ = Āx̄ + b̄ and S = ⟨A S Aᵀ⟩ + ⟨δδᵀ⟩ + ⟨Q⟩ over equally likely affine maps (δ = (A − Ā)x̄ + b − b̄). */
function averagedMoments(A: Float64Array[], b: Float64Array[], Q: Float64Array[], d: number): ExactStationary {
  const K = A.length,
    dd = d * d;
  const Abar = new Float64Array(dd),
    bbar = new Float64Array(d);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < dd; i++) Abar[i] += A[k]![i]! / K;
    for (let a = 0; a < d; a++) bbar[a] += b[k]![a]! / K;
  }
  const eye = (i: number) => (i % (d + 1) === 0 ? 1 : 0);
  const mean = solve(
    Abar.map((v, i) => eye(i) - v),
    d,
    bbar,
  );
  const L = new Float64Array(dd * dd),
    R = new Float64Array(dd);
  for (let k = 0; k < K; k++) {
    const Ak = A[k]!,
      IminusA = Ak.map((v, i) => eye(i) - v);
    const delta = new Float64Array(d);
    for (let a = 0; a < d; a++) {
      let v = b[k]![a]! - bbar[a]!;
      for (let c = 0; c < d; c++) v += (Ak[a * d + c]! - Abar[a * d + c]!) * mean[c]!;
      delta[a] = v;
    }
    for (let a = 0; a < d; a++)
      for (let c = 0; c < d; c++) {
        const row = (a * d + c) * dd;
        R[a * d + c] += (Q[k]![a * d + c]! + delta[a]! * delta[c]!) / K;
        for (let p = 0; p < d; p++) {
          L[row + p * d + c] += IminusA[a * d + p]! / K; // ((I − A)⊗I) vec S
          for (let q = 0; q < d; q++) L[row + p * d + q] += (Ak[a * d + p]! * IminusA[c * d + q]!) / K; // (A⊗(I − A)) vec S
        }
      }
  }
  return { dim: d, mean, covariance: symmetrize(solve(L, dd, R), d) };
}

/** The posterior N(θ₀, H₀⁻¹) of e^{−𝓛} on the samples' quadratic: H₀ the mean per-sample Hessian, θ₀ its minimum. */
export function quadraticPosterior(samples: QuadraticSamples): { mean: Float64Array; precision: Float64Array } {
  const { N, H, g } = samples,
    M = H.length;
  const H0 = new Float64Array(N * N),
    g0 = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    for (let k = 0; k < N * N; k++) H0[k] += H[i]![k]! / M;
    for (let a = 0; a < N; a++) g0[a] += g[i]![a]! / M;
  }
  return { mean: solve(H0, N, g0), precision: H0 }; // ∇𝓛 = H₀θ − ḡ = 0
}

/** The θ-marginal of exact stationary moments scored against the posterior N(θ₀, H₀⁻¹) of the samples' quadratic. */
export function scoredAgainstPosterior(x: ExactStationary, samples: QuadraticSamples): ExactBias {
  const { mean, precision } = quadraticPosterior(samples);
  return scoredAgainst(x, samples.N, mean, precision);
}

/**
 * The θ-marginal (the first N numbers of x) scored against a Gaussian target N(μ, P⁻¹): KL (bits, Eq. 46) and W₂. For
 * an optimizer whose own target is not the posterior (uncorrected SGWORLD: e^{−𝓛̂/n}, μ = θ̂₀, P = Ĥ/n).
 */
export function scoredAgainst(x: ExactStationary, N: number, target: Float64Array, precision: Float64Array): ExactBias {
  const covariance = new Float64Array(N * N);
  for (let k = 0; k < N; k++) {
    const e = new Float64Array(N);
    e[k] = 1;
    covariance.set(solve(precision, N, e), k * N); // column k of P⁻¹ (symmetric)
  }
  const d = x.dim,
    mean = x.mean.slice(0, N),
    sigma = new Float64Array(N * N);
  for (let a = 0; a < N; a++) for (let c = 0; c < N; c++) sigma[a * N + c] = x.covariance[a * d + c]!;
  const deltaSigma = sigma.map((v, k) => v - covariance[k]!),
    deltaMean = mean.map((v, a) => v - target[a]!);
  return {
    mean,
    sigma,
    klBits: gaussianKlBits(deltaSigma, deltaMean, precision, N),
    w2: gaussianW2(mean, sigma, target, covariance, N),
  };
}
