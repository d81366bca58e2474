import { describe, expect, it } from 'vitest';
import type { Landscape } from '../contracts/landscape.ts';
import { Xoshiro128 } from '../rng/xoshiro128.ts';
import {
  exactBias,
  exactStationaryWOR,
  exactStationaryWR,
  gaussianW2,
  quadraticSamples,
  type AffineStep,
} from './exact-bias.ts';
import type { Chain, Optimizer } from '../contracts/optimizer.ts';
import type { Sampler } from '../contracts/sampler.ts';
import { langevinTheory } from './langevin.ts';
import { solve } from '../linalg/dense.ts';

/** ℓ_i = ½(θ − x_i)ᵀA_i(θ − x_i), A_i random SPD (so the minibatch noise is multiplicative), R = ½λ‖θ‖². */
class PerSampleQuadratic implements Landscape {
  readonly dataSize: number;
  constructor(
    readonly dim: number,
    readonly A: Float64Array[],
    readonly x: Float64Array[],
    readonly lambda: number,
  ) {
    this.dataSize = A.length;
  }
  configure(): void {}
  private sample(t: Float64Array, i: number, out: Float64Array, at = 0): void {
    const N = this.dim;
    for (let a = 0; a < N; a++) {
      let s = 0;
      for (let b = 0; b < N; b++) s += this.A[i]![a * N + b]! * (t[b]! - this.x[i]![b]!);
      out[at + a] = s;
    }
  }
  loss(t: Float64Array): number {
    const u = new Float64Array(this.dim);
    let s = 0;
    for (let i = 0; i < this.dataSize; i++) {
      this.sample(t, i, u);
      for (let a = 0; a < this.dim; a++) s += (0.5 * (t[a]! - this.x[i]![a]!) * u[a]!) / this.dataSize;
    }
    return s + 0.5 * this.lambda * t.reduce((q, v) => q + v * v, 0);
  }
  minibatchGradient(t: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    const u = new Float64Array(this.dim);
    out.fill(0);
    for (let k = 0; k < m; k++) {
      this.sample(t, batch[k]!, u);
      for (let a = 0; a < this.dim; a++) out[a] += u[a]! / m;
    }
    for (let a = 0; a < this.dim; a++) out[a] += this.lambda * t[a]!;
  }
  gradient(t: Float64Array, out: Float64Array): void {
    this.minibatchGradient(
      t,
      Int32Array.from({ length: this.dataSize }, (_, i) => i),
      this.dataSize,
      out,
    );
  }
  sampleGradients(t: Float64Array, out: Float64Array): void {
    for (let i = 0; i < this.dataSize; i++) this.sample(t, i, out, i * this.dim);
  }
  regulariserGradient(t: Float64Array, out: Float64Array): void {
    for (let a = 0; a < this.dim; a++) out[a] = this.lambda * t[a]!;
  }
  hessian(_t: Float64Array, out: Float64Array): void {
    const N = this.dim;
    out.fill(0);
    for (const A of this.A) for (let k = 0; k < N * N; k++) out[k] += A[k]! / this.dataSize;
    for (let a = 0; a < N; a++) out[a * N + a] += this.lambda;
  }
}

function randomLandscape(N: number, M: number, seed: number): PerSampleQuadratic {
  const rng = Xoshiro128.fromSeed(seed);
  const A: Float64Array[] = [],
    x: Float64Array[] = [];
  for (let i = 0; i < M; i++) {
    const B = Float64Array.from({ length: N * N }, () => rng.nextNormal());
    const Ai = new Float64Array(N * N); // BBᵀ/N + I/2: SPD, different per sample
    for (let a = 0; a < N; a++)
      for (let b = 0; b < N; b++) {
        let s = a === b ? 0.5 : 0;
        for (let k = 0; k < N; k++) s += (B[a * N + k]! * B[b * N + k]!) / N;
        Ai[a * N + b] = s;
      }
    A.push(Ai);
    x.push(Float64Array.from({ length: N }, () => rng.nextNormal()));
  }
  return new PerSampleQuadratic(N, A, x, 0.3);
}

/** θ₀: ∇𝓛 = 0, solved from the full gradient at 0 and the Hessian. */
function minimum(L: PerSampleQuadratic): Float64Array {
  const N = L.dim,
    H = new Float64Array(N * N),
    g0 = new Float64Array(N);
  L.hessian(g0, H);
  L.gradient(new Float64Array(N), g0);
  return solve(
    H,
    N,
    g0.map((v) => -v),
  );
}

/** SGLD (004 Fig. 5): θ′ = θ − η(H̄θ − ḡ) + √(2η) z. */
const sgld =
  (eta: number): AffineStep =>
  (Hbar, gbar) => {
    const N = gbar.length;
    const IminusA = Hbar.map((h) => eta * h);
    return {
      dim: N,
      A: IminusA.map((v, k) => (k % (N + 1) === 0 ? 1 : 0) - v),
      IminusA,
      b: gbar.map((g) => eta * g),
      Q: new Float64Array(N * N).map((_, k) => (k % (N + 1) === 0 ? 2 * eta : 0)),
    };
  };

describe('exact stationary moments on a quadratic landscape', () => {
  it('read H_i and g_i off the landscape exactly', () => {
    const L = randomLandscape(3, 5, 1);
    const s = quadraticSamples(L);
    for (let i = 0; i < 5; i++)
      for (let k = 0; k < 9; k++) expect(s.H[i]![k]).toBeCloseTo(L.A[i]![k]! + (k % 4 === 0 ? L.lambda : 0), 14); // ∇ℓ_i + ∇R
  });

  it('noiseless SGLD (all samples equal): Σ = H⁻¹(I − ηH/2)⁻¹ exactly, the Euler kick’s bias (sgld.ts)', () => {
    const one = randomLandscape(2, 1, 2);
    const L = new PerSampleQuadratic(2, [one.A[0]!, one.A[0]!, one.A[0]!], [one.x[0]!, one.x[0]!, one.x[0]!], 0);
    const eta = 1e-3;
    const x = exactStationaryWR(sgld(eta), quadraticSamples(L), 2);
    const H = one.A[0]!;
    // H⁻¹(I − ηH/2)⁻¹ = (H − ηH²/2)⁻¹
    const K = new Float64Array(4);
    for (let a = 0; a < 2; a++)
      for (let b = 0; b < 2; b++) {
        let h2 = 0;
        for (let k = 0; k < 2; k++) h2 += H[a * 2 + k]! * H[k * 2 + b]!;
        K[a * 2 + b] = H[a * 2 + b]! - (eta * h2) / 2;
      }
    const expected = new Float64Array(4); // (K⁻¹, by its columns)
    for (let k = 0; k < 2; k++) expected.set(solve(K, 2, Float64Array.of(k === 0 ? 1 : 0, k === 1 ? 1 : 0)), k * 2);
    for (let k = 0; k < 4; k++) expect(x.covariance[k]! / expected[k]! - 1).toBeLessThan(1e-11);
    expect(x.mean[0]).toBeCloseTo(L.x[0]![0]!, 12); // the common minimum
  });

  it('SGLD with WR minibatches equals the exact discrete-time Lyapunov theory of langevin.ts (Eq. 44 with D(θ) and its Hessian)', () => {
    const L = randomLandscape(3, 20, 3);
    const samples = quadraticSamples(L);
    for (const eta of [1e-2, 1e-3, 1e-4]) {
      const exact = exactBias(sgld(eta), samples, 10);
      const theory = langevinTheory(L, minimum(L), eta, 10, 'sgld', { time: 'discrete' });
      // Two independent float64 routes (moments of the affine map here; δΣ of the Lyapunov equation with D(θ) and its
      // Hessian there): Σ agrees to 1e-15 relative and the KL to 2e-12 (measured); allowed: 1e-13 and 1e-9.
      for (let k = 0; k < 9; k++)
        expect(Math.abs(exact.sigma[k]! - theory.sigma[k]!)).toBeLessThan(1e-13 * Math.abs(theory.sigma[0]!));
      expect(Math.abs(exact.klBits / theory.klBits - 1)).toBeLessThan(1e-9);
      expect(exact.w2).toBeGreaterThan(0);
    }
  });

  it('W₂ of two Gaussians: the 1-D and commuting closed forms', () => {
    const m1 = Float64Array.of(1, 0),
      m2 = Float64Array.of(0, 0);
    const S1 = Float64Array.of(4, 0, 0, 1),
      S2 = Float64Array.of(1, 0, 0, 9);
    // (1 − 0)² + (2 − 1)² + (1 − 3)²
    expect(gaussianW2(m1, S1, m2, S2, 2)).toBeCloseTo(Math.sqrt(1 + 1 + 4), 14);
  });

  it('WOR, read off a real step over each epoch: per-step SGLD on equal samples matches the WR result exactly', () => {
    const one = randomLandscape(2, 1, 4);
    const L = new PerSampleQuadratic(
      2,
      [0, 1, 2, 3].map(() => one.A[0]!),
      [0, 1, 2, 3].map(() => one.x[0]!),
      0.1,
    );
    const samples = quadraticSamples(L),
      eta = 1e-3;
    // SGLD written against the contracts: the sampler's batch, the landscape's minibatch gradient, a kick every step.
    const make = (sampler: Sampler): Optimizer => ({
      configure() {},
      createState: () => ({ grad: new Float64Array(2) }),
      scalarNames: [],
      step(chain: Chain) {
        sampler.next(chain.samplerState, chain.rng, chain.batch);
        L.minibatchGradient(chain.theta, chain.batch, 2, chain.state.grad!);
        for (let a = 0; a < 2; a++)
          chain.theta[a] += -eta * chain.state.grad![a]! + Math.sqrt(2 * eta) * chain.rng.nextNormal();
      },
    });
    const wor = exactStationaryWOR(make, samples, 2, { permutations: 3, seed: 1 }).moments();
    // Every epoch is two SGLD steps on the same quadratic: the epoch-boundary law is the per-step stationary law.
    const wr = exactStationaryWR(sgld(eta), samples, 2);
    for (let k = 0; k < 4; k++) expect(Math.abs(wor.covariance[k]! / wr.covariance[k]! - 1)).toBeLessThan(1e-9);
    for (let a = 0; a < 2; a++) expect(wor.mean[a]).toBeCloseTo(wr.mean[a]!, 12);
  });

  it('WOR with carried state: a Leimkuhler–Matthews kick’s z joins θ in x and gives the WR law of (θ, z) exactly', () => {
    const one = randomLandscape(2, 1, 5);
    const L = new PerSampleQuadratic(
      2,
      [0, 1, 2, 3].map(() => one.A[0]!),
      [0, 1, 2, 3].map(() => one.x[0]!),
      0.1,
    );
    const samples = quadraticSamples(L),
      eta = 1e-3,
      half = Math.sqrt(2 * eta) / 2;
    // θ′ = θ − η∇ + (σ/2)(z + z′), z ← z′ (the LM kick, z carried in the state; the first kick would draw z₀).
    const make = (sampler: Sampler): Optimizer => ({
      configure() {},
      createState: () => ({ grad: new Float64Array(2), z: new Float64Array(2), zReady: new Float64Array(1) }),
      scalarNames: [],
      step(chain: Chain) {
        const { grad, z, zReady } = chain.state as Record<string, Float64Array>;
        if (zReady![0] === 0) for (let a = 0; a < 2; a++) z![a] = chain.rng.nextNormal();
        zReady![0] = 1;
        sampler.next(chain.samplerState, chain.rng, chain.batch);
        L.minibatchGradient(chain.theta, chain.batch, 2, grad!);
        for (let a = 0; a < 2; a++) {
          const fresh = chain.rng.nextNormal();
          chain.theta[a] += -eta * grad![a]! + half * (z![a]! + fresh);
          z![a] = fresh;
        }
      },
    });
    const carried = { names: ['z'], prepare: (state: Record<string, Float64Array>) => state.zReady!.fill(1) };
    const wor = exactStationaryWOR(make, samples, 2, { permutations: 3, seed: 1, carried }).moments();
    // The same step as an affine map on x = (θ, z): A = [[I − ηH̄, (σ/2)I], [0, 0]], ξ = ((σ/2)z′, z′).
    const lm: AffineStep = (Hbar, gbar) => {
      const d = 4,
        IminusA = new Float64Array(d * d),
        b = new Float64Array(d),
        Q = new Float64Array(d * d);
      for (let a = 0; a < 2; a++) {
        for (let c = 0; c < 2; c++) IminusA[a * d + c] = eta * Hbar[a * 2 + c]!;
        IminusA[a * d + 2 + a] = -half;
        IminusA[(2 + a) * d + 2 + a] = 1;
        b[a] = eta * gbar[a]!;
        Q[a * d + a] = half * half;
        Q[a * d + 2 + a] = Q[(2 + a) * d + a] = half;
        Q[(2 + a) * d + 2 + a] = 1;
      }
      return { dim: d, A: IminusA.map((v, k) => (k % (d + 1) === 0 ? 1 : 0) - v), IminusA, b, Q };
    };
    const wr = exactStationaryWR(lm, samples, 2);
    expect(wor.dim).toBe(4);
    for (let k = 0; k < 16; k++)
      expect(Math.abs(wor.covariance[k]! - wr.covariance[k]!)).toBeLessThan(1e-9 * Math.abs(wr.covariance[0]!));
    for (let a = 0; a < 2; a++) expect(wor.mean[a]).toBeCloseTo(wr.mean[a]!, 12);
    // A carried name the state lacks is refused, not ignored.
    expect(() => exactStationaryWOR(make, samples, 2, { permutations: 1, seed: 1, carried: { names: ['v'] } })).toThrow(
      /no array "v"/,
    );
  });
});
