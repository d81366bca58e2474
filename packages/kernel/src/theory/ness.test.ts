import { describe, expect, test } from 'vitest';
import type { Landscape } from '../contracts/landscape.ts';
import { identity, matMul, norm, symmetricEigen, transpose } from '../linalg/dense.ts';
import { circulation, diffusionWR, diffusionWRFromSamples, lyapunov, nessTheory } from './ness.ts';
import { newtonMinimum } from './newton.ts';

/** Seeded uniform(−½, ½) (Park–Miller). */
function uniform(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 16807) % 2147483647;
    return s / 2147483647 - 0.5;
  };
}

/** Test-only: ℓ_i = ½(θ − x_i)ᵀA(θ − x_i), R = ½r|θ|² in 2-D, so H = A + rI and ∂ℓ_i − ∇L = −A(x_i − x̄) for every θ. */
class QuadraticData implements Landscape {
  readonly dim = 2;
  readonly dataSize: number;
  constructor(
    readonly A: number[][],
    readonly x: number[][],
    readonly r: number,
  ) {
    this.dataSize = x.length;
  }
  configure(): void {}
  private sample(t: Float64Array, i: number, out: Float64Array, o: number): void {
    const u = [t[0] - this.x[i][0], t[1] - this.x[i][1]];
    for (let a = 0; a < 2; a++) out[o + a] = this.A[a][0] * u[0] + this.A[a][1] * u[1];
  }
  loss(t: Float64Array): number {
    const g = new Float64Array(2);
    let s = 0;
    for (let i = 0; i < this.dataSize; i++) {
      this.sample(t, i, g, 0);
      s += 0.5 * ((t[0] - this.x[i][0]) * g[0] + (t[1] - this.x[i][1]) * g[1]);
    }
    return s / this.dataSize + 0.5 * this.r * (t[0] * t[0] + t[1] * t[1]);
  }
  sampleGradients(t: Float64Array, out: Float64Array): void {
    for (let i = 0; i < this.dataSize; i++) this.sample(t, i, out, 2 * i);
  }
  regulariserGradient(t: Float64Array, out: Float64Array): void {
    out[0] = this.r * t[0];
    out[1] = this.r * t[1];
  }
  minibatchGradient(t: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    const g = new Float64Array(2);
    this.regulariserGradient(t, out);
    for (let k = 0; k < m; k++) {
      this.sample(t, batch[k], g, 0);
      out[0] += g[0] / m;
      out[1] += g[1] / m;
    }
  }
  gradient(t: Float64Array, out: Float64Array): void {
    this.minibatchGradient(
      t,
      Int32Array.from({ length: this.dataSize }, (_, i) => i),
      this.dataSize,
      out,
    );
  }
  hessian(_t: Float64Array, out: Float64Array): void {
    out.set([this.A[0][0] + this.r, this.A[0][1], this.A[1][0], this.A[1][1] + this.r]);
  }
}

/** Test-only non-quadratic: ℓ_i = (y_i − tanh(a_i·θ))², R = r|θ|², N = 3, so per-sample gradients vary with θ. */
class TanhData implements Landscape {
  readonly dim = 3;
  readonly dataSize: number;
  constructor(
    readonly a: number[][],
    readonly y: number[],
    readonly r: number,
  ) {
    this.dataSize = y.length;
  }
  configure(): void {}
  private act(t: Float64Array, i: number): number {
    return Math.tanh(this.a[i][0] * t[0] + this.a[i][1] * t[1] + this.a[i][2] * t[2]);
  }
  loss(t: Float64Array): number {
    let s = 0;
    for (let i = 0; i < this.dataSize; i++) s += (this.y[i] - this.act(t, i)) ** 2;
    return s / this.dataSize + this.r * norm(t) ** 2;
  }
  sampleGradients(t: Float64Array, out: Float64Array): void {
    for (let i = 0; i < this.dataSize; i++) {
      const h = this.act(t, i),
        c = -2 * (this.y[i] - h) * (1 - h * h);
      for (let k = 0; k < 3; k++) out[3 * i + k] = c * this.a[i][k];
    }
  }
  regulariserGradient(t: Float64Array, out: Float64Array): void {
    for (let k = 0; k < 3; k++) out[k] = 2 * this.r * t[k];
  }
  minibatchGradient(t: Float64Array, batch: Int32Array, m: number, out: Float64Array): void {
    const g = new Float64Array(3 * this.dataSize);
    this.sampleGradients(t, g);
    this.regulariserGradient(t, out);
    for (let j = 0; j < m; j++) for (let k = 0; k < 3; k++) out[k] += g[3 * batch[j] + k] / m;
  }
  gradient(t: Float64Array, out: Float64Array): void {
    this.minibatchGradient(
      t,
      Int32Array.from({ length: this.dataSize }, (_, i) => i),
      this.dataSize,
      out,
    );
  }
  hessian(t: Float64Array, out: Float64Array): void {
    out.fill(0);
    for (let i = 0; i < this.dataSize; i++) {
      const h = this.act(t, i),
        s = 1 - h * h,
        c = (2 * s * (s + 2 * h * (this.y[i] - h))) / this.dataSize;
      for (let p = 0; p < 3; p++) for (let q = 0; q < 3; q++) out[3 * p + q] += c * this.a[i][p] * this.a[i][q];
    }
    for (let k = 0; k < 3; k++) out[4 * k] += 2 * this.r;
  }
}
function tanhData(M: number, seed: number): TanhData {
  const rnd = uniform(seed);
  return new TanhData(
    Array.from({ length: M }, () => [2 * rnd(), 2 * rnd(), 2 * rnd()]),
    Array.from({ length: M }, () => rnd()),
    0.05,
  );
}

/** All m-subsets of {0..M−1}. */
function subsets(M: number, m: number): Int32Array[] {
  if (m === 0) return [new Int32Array(0)];
  if (M < m) return [];
  return [...subsets(M - 1, m), ...subsets(M - 1, m - 1).map((b) => Int32Array.from([...b, M - 1]))];
}
const maxAbs = (a: Float64Array) => a.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
const diff = (a: Float64Array, b: Float64Array) => a.map((v, i) => v - b[i]);
/** HΣ + ΣH − 2η⁻¹D. */
function lyapunovResidual(H: Float64Array, S: Float64Array, D: Float64Array, eta: number, n: number): Float64Array {
  const hs = matMul(H, S, n),
    sh = matMul(S, H, n);
  return hs.map((v, i) => v + sh[i] - (2 / eta) * D[i]);
}

describe('diffusionWR (004 Eq. 14 / A10)', () => {
  // Convention (Eq. 12–13, A2–A6): θ_{t+1} = θ_t − η∇𝓛 + ξ_t, ξ_t = −η(∇L_B − ∇L), D = ½⟨ξξᵀ⟩ = (η²/2)·Cov_B(∇L_B).
  test.each([
    [6, 2],
    [7, 3],
    [6, 1],
    [5, 4],
  ])('M = %i, m = %i: equals (η²/2)·Cov of ∇L_B over all C(M, m) batches', (M, m) => {
    const L = tanhData(M, 100 + M + m);
    const theta = Float64Array.from([0.3, -0.7, 1.1]);
    const eta = 0.05;
    const batches = subsets(M, m);
    const gs = batches.map((b) => {
      const g = new Float64Array(3);
      L.minibatchGradient(theta, b, m, g);
      return g;
    });
    const mean = new Float64Array(3);
    for (const g of gs) for (let k = 0; k < 3; k++) mean[k] += g[k] / gs.length;
    const cov = new Float64Array(9);
    for (const g of gs)
      for (let p = 0; p < 3; p++)
        for (let q = 0; q < 3; q++) cov[3 * p + q] += ((g[p] - mean[p]) * (g[q] - mean[q])) / gs.length;
    const full = new Float64Array(3);
    L.gradient(theta, full);
    // Exact enumeration vs closed form: both are sums of ~C(M,m) float64 terms of size ~1, so agreement to ~1e-15 relative.
    expect(maxAbs(diff(mean, full)) / maxAbs(full)).toBeLessThan(1e-14); // ∇L_B + ∇R is unbiased
    const D = diffusionWR(L, theta, eta, m);
    const want = cov.map((c) => (eta * eta * c) / 2);
    expect(maxAbs(diff(D, want)) / maxAbs(want)).toBeLessThan(1e-13);
  });

  test('full batch (m = M) has no noise; the regulariser never enters D', () => {
    const L = tanhData(6, 3);
    const theta = Float64Array.from([0.1, 0.2, 0.3]);
    expect(maxAbs(diffusionWR(L, theta, 0.1, 6))).toBe(0);
    const noReg = new TanhData(L.a, L.y, 0);
    // V is built from ∂ℓ_i alone (docs/science.md §6): identical bits whatever r is.
    expect(Array.from(diffusionWR(L, theta, 0.1, 2))).toEqual(Array.from(diffusionWR(noReg, theta, 0.1, 2)));
    expect(() => diffusionWR(L, theta, 0.1, 7)).toThrow(/batch size/);
  });
});

describe('lyapunov and circulation (004 Eq. 21–25)', () => {
  const eta = 0.01;

  test('2-D OU, diagonal H: Σ_αβ = 2D_αβ / (η(h_α + h_β))', () => {
    const h = [4, 0.25];
    const D = Float64Array.from([0.5, -0.2, -0.2, 0.3]);
    const S = lyapunov(Float64Array.from([h[0], 0, 0, h[1]]), D, eta, 2);
    const want = Float64Array.from([0, 1, 2, 3].map((k) => (2 * D[k]) / (eta * (h[k >> 1] + h[k & 1]))));
    // Diagonal H: no rotation, O = permutation, each entry is one division: exact to a few ulps.
    expect(maxAbs(diff(S, want)) / maxAbs(want)).toBeLessThan(1e-14);
  });

  test('2-D OU, non-diagonal H: the hand-solved 3×3 system and C₁₂', () => {
    // HΣ + ΣH = 2D/η for symmetric 2×2 is three equations: h11 s11 + h12 s12 = D11/η, h12 s12 + h22 s22 = D22/η,
    // h12 s11 + (h11 + h22) s12 + h12 s22 = 2 D12/η. Eliminating s11, s22:
    // s12 = [2 D12 h11 h22 − h12 (D11 h22 + D22 h11)] / (η (h11 + h22)(h11 h22 − h12²)).
    const [h11, h12, h22] = [3, 1.2, 0.7];
    const [d11, d12, d22] = [0.5, -0.2, 0.3];
    const s12 = (2 * d12 * h11 * h22 - h12 * (d11 * h22 + d22 * h11)) / (eta * (h11 + h22) * (h11 * h22 - h12 * h12));
    const s11 = (d11 / eta - h12 * s12) / h11;
    const s22 = (d22 / eta - h12 * s12) / h22;
    const H = Float64Array.from([h11, h12, h12, h22]);
    const D = Float64Array.from([d11, d12, d12, d22]);
    const S = lyapunov(H, D, eta, 2);
    // cond(H) ≈ 15 and one Jacobi rotation: agreement to ~1e-15 relative; 1e-12 leaves room.
    expect(maxAbs(diff(S, Float64Array.from([s11, s12, s12, s22])))).toBeLessThan(1e-12 * Math.abs(s11));
    // C = ½η(HΣ − ΣH) (Eq. 25): C12 = ½η[(h11 − h22) s12 + h12 (s22 − s11)], C21 = −C12.
    const C = circulation(H, S, eta, 2);
    const c12 = 0.5 * eta * ((h11 - h22) * s12 + h12 * (s22 - s11));
    expect(Math.abs(C[1] - c12)).toBeLessThan(1e-12 * Math.abs(c12));
    expect(C[2]).toBe(-C[1]);
    expect(c12).not.toBe(0); // non-commuting H and D: a genuine NESS
  });

  test('nessTheory on a 2-D quadratic data landscape: D₀ = η²(n−1)/(2(M−1))·A S_x A, Σ from the closed form', () => {
    const A = [
      [2, 0.6],
      [0.6, 1],
    ];
    const x = [
      [0.3, -1],
      [1.2, 0.4],
      [-0.5, 0.9],
      [0.1, 0.2],
      [-1.4, -0.3],
    ];
    const L = new QuadraticData(A, x, 0.5);
    const M = 5,
      m = 2,
      eta2 = 0.02;
    const t = nessTheory(L, Float64Array.from([0.4, -0.2]), eta2, m);
    // S_x = population covariance of the x_i; n − 1 = (M − m)/m = 1.5, non-integer n.
    const xb = [0, 1].map((k) => x.reduce((s, p) => s + p[k], 0) / M);
    const Sx = [0, 1, 2, 3].map(
      (k) => x.reduce((s, p) => s + (p[k >> 1] - xb[k >> 1]) * (p[k & 1] - xb[k & 1]), 0) / M,
    );
    const ASA = matMul(matMul(Float64Array.from(A.flat()), Float64Array.from(Sx), 2), Float64Array.from(A.flat()), 2);
    const D0 = ASA.map((v) => ((eta2 * eta2 * 1.5) / (2 * (M - 1))) * v);
    // D₀ is a sum of 5 outer products either way: 1e-14 relative.
    expect(maxAbs(diff(t.diffusion, D0)) / maxAbs(D0)).toBeLessThan(1e-14);
    const [h11, h12, h22] = [A[0][0] + 0.5, A[0][1], A[1][1] + 0.5];
    const [d11, d12, d22] = [D0[0], D0[1], D0[3]];
    const s12 = (2 * d12 * h11 * h22 - h12 * (d11 * h22 + d22 * h11)) / (eta2 * (h11 + h22) * (h11 * h22 - h12 * h12));
    const want = Float64Array.from([(d11 / eta2 - h12 * s12) / h11, s12, s12, (d22 / eta2 - h12 * s12) / h22]);
    // Same closed form as above, well-conditioned H: 1e-12 relative.
    expect(maxAbs(diff(t.sigma, want)) / maxAbs(want)).toBeLessThan(1e-12);
    expect(t.eigenvalues[0]).toBeLessThan(t.eigenvalues[1]);
    // Eq. 24 = Eq. 25: C = ηHΣ − D₀.
    const eq24 = matMul(t.hessian, t.sigma, 2).map((v, i) => eta2 * v - t.diffusion[i]);
    expect(maxAbs(diff(t.circulation, eq24))).toBeLessThan(1e-12 * maxAbs(t.diffusion));
  });

  test.each([
    [10, 2],
    [1e4, 3],
  ])('random 7×7 SPD H (spread %s), PSD D: residual, symmetry, Eq. 24, antisymmetric C', (spread, seed) => {
    const n = 7,
      rnd = uniform(seed);
    // H = Q diag(h) Qᵀ with h log-spaced over `spread` (1e4 ≈ the tanh regression's H₀), D = BBᵀ of rank 3.
    const Q = symmetricEigen(
      Float64Array.from({ length: n * n }, rnd).map((v, i, a) => v + a[(i % n) * n + Math.floor(i / n)]),
      n,
    ).vectors;
    const hd = new Float64Array(n * n);
    for (let k = 0; k < n; k++) hd[k * n + k] = 50 * spread ** (k / (n - 1));
    const H = matMul(matMul(Q, hd, n), transpose(Q, n), n).map(
      (v, i, a) => 0.5 * (v + a[(i % n) * n + Math.floor(i / n)]),
    );
    const B = Float64Array.from({ length: n * n }, (_, i) => (i % n < 3 ? rnd() : 0));
    const D = matMul(B, transpose(B, n), n);
    const S = lyapunov(H, D, eta, n);
    const r = lyapunovResidual(H, S, D, eta, n);
    // Backward error of an eigenbasis solve is ~n·ε·‖H‖‖Σ‖; with spread 10 that is also ≲ 1e-14 of ‖2D/η‖.
    expect(norm(r)).toBeLessThan(1e-12 * Math.max((2 / eta) * norm(D), norm(H) * norm(S)));
    if (spread === 10) expect(norm(r) / ((2 / eta) * norm(D))).toBeLessThan(1e-12);
    expect(Array.from(S)).toEqual(Array.from(transpose(S, n))); // symmetrised exactly
    expect(symmetricEigen(S, n).values[0]).toBeGreaterThan(-1e-13 * maxAbs(S)); // PSD up to round-off
    const C = circulation(H, S, eta, n);
    // (HΣ)_ij and (ΣH)_ji are the same products summed in the same order: C + Cᵀ = 0 bit for bit.
    expect(Array.from(C.map((v, i) => v + C[(i % n) * n + Math.floor(i / n)]))).toEqual(new Array(n * n).fill(0));
    const eq24 = matMul(H, S, n).map((v, i) => eta * v - D[i]);
    // Eq. 24 ⇔ Eq. 25 through Eq. 21, so they differ by ½η·residual.
    expect(maxAbs(diff(C, eq24))).toBeLessThan(1e-12 * eta * norm(H) * norm(S));
    expect(maxAbs(C)).toBeGreaterThan(1e-6 * eta * norm(H) * norm(S)); // and C is not trivially zero
  });

  test('H that is not positive definite throws', () => {
    expect(() => lyapunov(Float64Array.from([1, 2, 2, 1]), identity(2), eta, 2)).toThrow(/not positive definite/);
  });

  test('newtonMinimum → nessTheory on a non-quadratic landscape: Eq. 21 holds at θ₀', () => {
    const L = tanhData(40, 77);
    const { theta } = newtonMinimum(L, new Float64Array(3));
    const t = nessTheory(L, theta, 1e-3, 4);
    const r = lyapunovResidual(t.hessian, t.sigma, t.diffusion, 1e-3, 3);
    // Round-off level: n·ε·‖H‖‖Σ‖ with n = 3.
    expect(norm(r)).toBeLessThan(1e-13 * norm(t.hessian) * norm(t.sigma));
    expect(t.eigenvalues[0]).toBeGreaterThan(0);
  });
});

describe("nessTheory and a landscape's own fast path", () => {
  test('delegates to landscape.nessTheory when the landscape has one, with the same arguments', () => {
    const generic = new QuadraticData(
      [
        [2, 0.5],
        [0.5, 1],
      ],
      [
        [0.1, -0.2],
        [0.3, 0.4],
        [-0.5, 0.2],
        [0.1, 0.1],
      ],
      0.1,
    );
    const theta0 = newtonMinimum(generic, new Float64Array(2)).theta;
    const reference = nessTheory(generic, theta0, 1e-3, 2);
    const calls: unknown[][] = [];
    const fast = Object.assign(Object.create(generic) as QuadraticData, {
      nessTheory: (t: Float64Array, eta: number, m: number) => {
        calls.push([t, eta, m]);
        return reference;
      },
    });
    expect(nessTheory(fast, theta0, 1e-3, 2)).toBe(reference);
    expect(calls).toEqual([[theta0, 1e-3, 2]]);
  });
});

describe("diffusionWR and a landscape's own fast path", () => {
  test('delegates to landscape.diffusionWR when present; diffusionWRFromSamples always uses the per-sample gradients', () => {
    const generic = new QuadraticData(
      [
        [2, 0.5],
        [0.5, 1],
      ],
      [
        [0.1, -0.2],
        [0.3, 0.4],
        [-0.5, 0.2],
        [0.1, 0.1],
      ],
      0.1,
    );
    const theta = Float64Array.from([0.2, -0.1]);
    const fromSamples = diffusionWRFromSamples(generic, theta, 1e-3, 2);
    expect(diffusionWR(generic, theta, 1e-3, 2)).toEqual(fromSamples);
    const marker = new Float64Array(4).fill(7);
    const fast = Object.assign(Object.create(generic) as QuadraticData, { diffusionWR: () => marker });
    expect(diffusionWR(fast, theta, 1e-3, 2)).toBe(marker);
    expect(diffusionWRFromSamples(fast, theta, 1e-3, 2)).toEqual(fromSamples);
  });
});
