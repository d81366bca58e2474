import { describe, expect, it } from 'vitest';
import {
  diffusionWOR,
  diffusionWORApprox,
  diffusionWOREq18,
  effectiveGradient,
  effectiveLoss,
  effectiveMinimum,
  matMul,
  newtonMinimum,
  worTheory,
  Xoshiro128,
  type Landscape,
  type PerSampleHessian,
  type WorTheoryOptions,
} from '@nesslab/kernel';
import { paramsFor } from '@nesslab/kernel/testing';
import { loadMnist, sparseRows } from './mnist.ts';
import { MnistLinear, mnistLinearInfo } from './mnist-linear.ts';
import {
  blockDiffusionWOR,
  blockEffectiveGradient,
  blockEffectiveHessian,
  blockEffectiveLoss,
  blockEffectiveMinimum,
  blockWorTheory,
  mnistLinearSamples,
  mnistWorTheory,
  type LinearSamples,
} from './mnist-wor-theory.ts';

// Each test carries its own timeout: the kernel's generic WOR theory takes seconds at these sizes (more on a shared machine).
/** mnist-linear on its first M images, λ = 10⁻². */
const mnist = (dataSize: number): MnistLinear => {
  const l = new MnistLinear();
  l.configure(paramsFor(mnistLinearInfo, { dataSize }, 'scenario.landscape.params'), 0);
  return l;
};
const maxAbs = (v: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]));
  return s;
};
/** max |a − b| on the scale of b's largest entry. */
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s = Math.max(s, Math.abs(a[i] - b[i]));
  return s / maxAbs(b);
};
/** max |Σ_ab − Σ'_ab| / √(Σ'_aa Σ'_bb) over the entries whose scale is above floor·max_a Σ'_aa. */
const relErrElementwise = (a: Float64Array, b: Float64Array, n: number, floor: number) => {
  let top = 0,
    s = 0;
  for (let i = 0; i < n; i++) top = Math.max(top, b[i * n + i]);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const scale = Math.sqrt(b[i * n + i] * b[j * n + j]);
      if (scale > floor * top) s = Math.max(s, Math.abs(a[i * n + j] - b[i * n + j]) / scale);
    }
  return s;
};
const minus = (a: Float64Array, b: Float64Array) => a.map((v, i) => v - b[i]);
const randomTheta = (N: number, seed: number) => {
  const rng = Xoshiro128.fromSeed(seed);
  return Float64Array.from({ length: N }, () => 0.1 * rng.nextNormal());
};

/**
 * The same model on any K classes and P inputs, written the generic way (dense x_i, every per-sample N×N Hessian):
 * ℓ_i = |y_i − W x_i|², R = λ|θ|². A small N lets the kernel's worTheory run in full, effectiveHessian included.
 */
class DenseLinear implements Landscape, PerSampleHessian {
  readonly dim: number;
  readonly dataSize: number;
  private readonly S: Float64Array;
  constructor(
    readonly x: Float64Array,
    readonly labels: Uint8Array,
    readonly K: number,
    readonly P: number,
    readonly lambda: number,
  ) {
    this.dim = K * P;
    this.dataSize = labels.length;
    this.S = new Float64Array(P * P);
    for (let i = 0; i < this.dataSize; i++)
      for (let p = 0; p < P; p++)
        for (let q = 0; q < P; q++) this.S[p * P + q] += (x[i * P + p] * x[i * P + q]) / this.dataSize;
  }
  configure(): void {}
  private residual(theta: Float64Array, i: number): Float64Array {
    const { K, P } = this,
      r = new Float64Array(K);
    for (let c = 0; c < K; c++) {
      let f = 0;
      for (let p = 0; p < P; p++) f += theta[c * P + p] * this.x[i * P + p];
      r[c] = (this.labels[i] === c ? 1 : 0) - f;
    }
    return r;
  }
  loss(theta: Float64Array): number {
    let s = 0;
    for (let i = 0; i < this.dataSize; i++) for (const v of this.residual(theta, i)) s += v * v;
    return s / this.dataSize + this.lambda * theta.reduce((t, v) => t + v * v, 0);
  }
  sampleGradients(theta: Float64Array, out: Float64Array): void {
    const { K, P, dim: N } = this;
    for (let i = 0; i < this.dataSize; i++) {
      const r = this.residual(theta, i);
      for (let c = 0; c < K; c++) for (let p = 0; p < P; p++) out[i * N + c * P + p] = -2 * r[c] * this.x[i * P + p];
    }
  }
  gradient(theta: Float64Array, out: Float64Array): void {
    const { dim: N, dataSize: M } = this,
      g = new Float64Array(M * N);
    this.sampleGradients(theta, g);
    for (let a = 0; a < N; a++) {
      let s = 0;
      for (let i = 0; i < M; i++) s += g[i * N + a];
      out[a] = s / M + 2 * this.lambda * theta[a];
    }
  }
  minibatchGradient(): void {
    throw new Error('not used');
  }
  regulariserGradient(theta: Float64Array, out: Float64Array): void {
    for (let a = 0; a < this.dim; a++) out[a] = 2 * this.lambda * theta[a];
  }
  hessian(_theta: Float64Array, out: Float64Array): void {
    const { K, P, dim: N } = this;
    out.fill(0);
    for (let c = 0; c < K; c++)
      for (let p = 0; p < P; p++)
        for (let q = 0; q < P; q++)
          out[(c * P + p) * N + c * P + q] = 2 * this.S[p * P + q] + (p === q ? 2 * this.lambda : 0);
  }
  sampleHessian(_theta: Float64Array, i: number, out: Float64Array): void {
    const { K, P, dim: N } = this;
    out.fill(0);
    for (let c = 0; c < K; c++)
      for (let p = 0; p < P; p++)
        for (let q = 0; q < P; q++) out[(c * P + p) * N + c * P + q] = 2 * this.x[i * P + p] * this.x[i * P + q];
  }
  samples(): LinearSamples {
    const { x, labels, K, P, lambda, dataSize: M } = this;
    return { samples: { m: M, labels, ...sparseRows(x, M, P) }, K, P, lambda };
  }
}

/** The first M pooled MNIST images cut to their central 3×3 pixels (P = 9, N = 90), all ten classes. */
const centreOfMnist = (M: number, lambda: number) => {
  const { images, labels } = loadMnist('train'),
    centre = [16, 17, 18, 23, 24, 25, 30, 31, 32];
  const x = new Float64Array(M * 9);
  for (let i = 0; i < M; i++) centre.forEach((p, k) => (x[i * 9 + k] = images[i * 49 + p]));
  return new DenseLinear(x, labels.slice(0, M), 10, 9, lambda);
};

describe('mnist-wor-theory: 𝓛̂, ∇𝓛̂, θ̂₀ and ∇²𝓛̂ against the kernel (mnist-linear, M = 300, m = 50, n = 6)', () => {
  const l = mnist(300),
    d = mnistLinearSamples(l),
    N = 490,
    eta = 1e-3,
    m = 50; // ηn·h_max ≈ 0.03: the WOR corrections are ~3 % of n𝓛's, well above every tolerance below
  const theta0 = new Float64Array(N);
  l.minimumStart(theta0);

  it('𝓛̂ (Eq. 16) and ∇𝓛̂ at a generic θ equal the kernel effectiveLoss / effectiveGradient', () => {
    const theta = randomTheta(N, 1);
    const mine = new Float64Array(N),
      theirs = new Float64Array(N);
    blockEffectiveGradient(d, theta, eta, m, mine);
    effectiveGradient(l, theta, eta, m, theirs);
    // The same sums of 300 terms grouped differently (r_i ⊗ x_i instead of per-sample N-vectors and N×N Hessians):
    // round-off ~10⁻¹⁵ of the largest entry; 1e-12 leaves a factor 1000.
    expect(relErr(mine, theirs)).toBeLessThan(1e-12);
    const Lhat = blockEffectiveLoss(d, theta, eta, m);
    expect(Math.abs(Lhat - effectiveLoss(l, theta, eta, m)) / Lhat).toBeLessThan(1e-12);
    // the η correction itself: 𝓛̂ − n𝓛 agrees to 1e-9 of its own size (it is ~10⁻³ of 𝓛̂: 1e-12 relative to 𝓛̂ above)
    const corr = Lhat - 6 * l.loss(theta),
      kernelCorr = effectiveLoss(l, theta, eta, m) - 6 * l.loss(theta);
    expect(Math.abs(corr - kernelCorr)).toBeLessThan(1e-9 * Math.abs(kernelCorr));
    expect(Math.abs(kernelCorr)).toBeGreaterThan(1e-4 * Lhat);
  }, 60_000);

  it('θ̂₀ = argmin 𝓛̂ equals the kernel effectiveMinimum, and so does its shift θ̂₀ − θ₀', () => {
    const mine = blockEffectiveMinimum(d, theta0, eta, m),
      theirs = effectiveMinimum(l, theta0, eta, m);
    // Both stop at the rounding floor of ∇𝓛̂ (~10⁻¹⁵), i.e. ~10⁻¹⁵/ĥ_min ≈ 10⁻¹⁴ in θ.
    expect(relErr(mine.theta, theirs.theta)).toBeLessThan(1e-12);
    // The shift is ~10⁻⁴: the kernel's floor, |∇𝓛̂| ~ 10⁻¹⁵ over nĥ_min ≈ 0.12, is ~10⁻¹⁰ of it (measured 1.6·10⁻¹⁰).
    const shift = minus(theirs.theta, theta0);
    expect(relErr(minus(mine.theta, theta0), shift)).toBeLessThan(1e-8);
    expect(maxAbs(shift)).toBeGreaterThan(1e-5 * maxAbs(theta0));
    expect(mine.gradientNorm).toBeLessThan(1e-12);
  }, 60_000);

  it('∇²𝓛̂ = I₁₀ ⊗ Â: columns of the kernel effectiveHessian (central differences of ∇𝓛̂, step 1e-4)', () => {
    const A = blockEffectiveHessian(d, eta, m),
      P = 49;
    const gp = new Float64Array(N),
      gm = new Float64Array(N);
    for (const b of [24, 3 * 49 + 17, 7 * 49 + 30]) {
      // the kernel's effectiveHessian, column b (before it symmetrises)
      const p = Float64Array.from(theta0),
        q = Float64Array.from(theta0),
        h = 1e-4 * Math.max(1, Math.abs(theta0[b]));
      p[b] += h;
      q[b] -= h;
      effectiveGradient(l, p, eta, m, gp);
      effectiveGradient(l, q, eta, m, gm);
      const col = gp.map((v, a) => (v - gm[a]) / (p[b] - q[b]));
      const mine = new Float64Array(N),
        c = Math.floor(b / P);
      for (let k = 0; k < P; k++) mine[c * P + k] = A[k * P + (b % P)];
      // ∇𝓛̂ is linear: the differences are exact but for round-off ε·|n∇𝓛|/h ≈ 10⁻¹² against entries ~n·h ~ 10.
      expect(relErr(mine, col)).toBeLessThan(1e-10);
      // the η correction −(ηn(n−1)/2)[A² − …] alone (~1 % of nA), to 1e-8 of itself (measured 3·10⁻¹¹)
      const nH = new Float64Array(N * N);
      l.hessian(theta0, nH);
      const corrMine = mine.map((v, a) => v - 6 * nH[a * N + b]),
        corrKernel = col.map((v, a) => v - 6 * nH[a * N + b]);
      expect(relErr(corrMine, corrKernel)).toBeLessThan(1e-8);
      expect(maxAbs(corrKernel)).toBeGreaterThan(1e-3 * maxAbs(col));
    }
  }, 60_000);
});

describe('mnist-wor-theory: D̂, Σ and C against the kernel worTheory (mnist-linear, M = 60, m = 12, n = 5)', () => {
  it("worTheory({ hessian: 'leading' }): θ̂₀, Ĥ = nH, D̂ (full, exact moments), Σ_WOR, Ĉ and the eigenvalues", () => {
    const l = mnist(60),
      N = 490,
      eta = 1e-3,
      m = 12;
    const theta0 = new Float64Array(N);
    l.minimumStart(theta0);
    const opts: WorTheoryOptions = { hessian: 'leading' }; // the kernel's effectiveHessian takes minutes at N = 490
    const mine = mnistWorTheory(l, theta0, eta, m, opts),
      theirs = worTheory(l, theta0, eta, m, opts); // ~6 s: diffusionWOR's O(M²N²) and O(MN³) sums
    expect(relErr(mine.effectiveMinimum.theta, theirs.effectiveMinimum.theta)).toBeLessThan(1e-12);
    expect(relErr(mine.hessian, theirs.hessian)).toBeLessThan(1e-13); // n·(2S + 2λI): sums of 60 terms
    // D̂: the same terms, as Kronecker products summed per pixel pair instead of N×N per sample; the expansion of
    // (MS − s_i)x_i cancels ≤ 1 digit. Round-off ~10⁻¹⁵ of the largest entry; 1e-11 leaves a factor > 1000.
    expect(relErr(mine.diffusion, theirs.diffusion)).toBeLessThan(1e-11);
    // Σ, C: D̂'s error through the eigenbasis solve, amplified at most by cond(Ĥ) = h_max/h_min ≈ 3.4/0.02 ≈ 170.
    expect(relErr(mine.sigma, theirs.sigma)).toBeLessThan(1e-9);
    expect(relErr(mine.circulation, theirs.circulation)).toBeLessThan(1e-9);
    expect(relErr(mine.eigenvalues, theirs.eigenvalues)).toBeLessThan(1e-12);
    // the structure a scenario reads: Ĥ = I₁₀ ⊗ Â, eigenvectors e_c ⊗ o_α with â_α ten times each
    const O = mine.block.vectors,
      Ahat = mine.block.hessian,
      AO = matMul(Ahat, O, 49);
    for (let a = 0; a < 49; a++)
      for (let k = 0; k < 49; k++)
        expect(Math.abs(AO[k * 49 + a] - mine.block.values[a] * O[k * 49 + a])).toBeLessThan(
          1e-12 * mine.block.values[48],
        );
  }, 120_000);

  it("D̂ 'B21' (½η⁴a₂BBᵀ) and 'eq18' ((η²n³/12)HDH) equal the kernel's diffusionWORApprox and diffusionWOREq18", () => {
    const l = mnist(100),
      d = mnistLinearSamples(l),
      theta = randomTheta(490, 2);
    // As for the full D̂: round-off ~10⁻¹⁵ of the largest entry.
    expect(
      relErr(blockDiffusionWOR(d, theta, 1e-3, 20, { diffusion: 'B21' }), diffusionWORApprox(l, theta, 1e-3, 20)),
    ).toBeLessThan(1e-11);
    expect(
      relErr(blockDiffusionWOR(d, theta, 1e-3, 20, { diffusion: 'eq18' }), diffusionWOREq18(l, theta, 1e-3, 20)),
    ).toBeLessThan(1e-11);
    expect(maxAbs(blockDiffusionWOR(d, theta, 1e-3, 100))).toBe(0); // full batch: no noise
    expect(() => blockDiffusionWOR(d, theta, 1e-3, 30)).toThrow('needs n = M/m an integer; M = 100, m = 30');
  }, 60_000);
});

describe('mnist-wor-theory: the whole worTheory on a smaller N (central 3×3 pixels, N = 90, M = 120, m = 12, n = 10)', () => {
  const l = centreOfMnist(120, 0.01),
    d = l.samples(),
    N = 90,
    eta = 1e-3;
  const theta0 = newtonMinimum(l, new Float64Array(N)).theta; // θ₀: 𝓛 is quadratic, one Newton step
  const cases: WorTheoryOptions[] = [
    {},
    { time: 'discrete' },
    { moments: 'B15' },
    { diffusion: 'B21', hessian: 'leading' },
    { diffusion: 'eq18' },
  ];
  for (const opts of cases)
    it(`worTheory(${JSON.stringify(opts)}): θ̂₀, Ĥ, D̂, Σ_WOR, Ĉ, eigenvalues`, () => {
      const mine = blockWorTheory(d, theta0, eta, 12, opts),
        theirs = worTheory(l, theta0, eta, 12, opts);
      expect(relErr(mine.effectiveMinimum.theta, theirs.effectiveMinimum.theta)).toBeLessThan(1e-12);
      expect(
        relErr(minus(mine.effectiveMinimum.theta, theta0), minus(theirs.effectiveMinimum.theta, theta0)),
      ).toBeLessThan(1e-8); // the shift (~10⁻² of θ₀ here) to the same rounding floor
      // Ĥ: exact here, central differences (step 1e-4) of the exact ∇𝓛̂ in the kernel: round-off ε|n∇𝓛|/h ≲ 10⁻¹²
      // of the largest entry (measured 2·10⁻¹³).
      expect(relErr(mine.hessian, theirs.hessian)).toBeLessThan(1e-10);
      expect(relErr(mine.diffusion, theirs.diffusion)).toBeLessThan(1e-11); // as at N = 490
      // Σ and Ĉ: Ĥ's and D̂'s round-off through the eigenbasis solve, amplified at most by cond(Ĥ) ≈ 100 (measured
      // ≤ 2·10⁻¹³ for Σ, elementwise on the scale √(Σ_aa Σ_bb) wherever that is above 10⁻⁶ of the largest variance, and
      // 2·10⁻¹² for Ĉ, a difference ĤΣ − ΣĤ of nearly equal terms).
      expect(relErr(mine.sigma, theirs.sigma)).toBeLessThan(1e-10);
      expect(relErrElementwise(mine.sigma, theirs.sigma, N, 1e-6)).toBeLessThan(1e-9);
      expect(relErr(mine.circulation, theirs.circulation)).toBeLessThan(1e-9);
      expect(relErr(mine.eigenvalues, theirs.eigenvalues)).toBeLessThan(1e-11);
    }, 60_000);

  it('the options matter: each changes Σ_WOR by far more than the tolerances above', () => {
    const base = blockWorTheory(d, theta0, eta, 12).sigma;
    for (const opts of cases.slice(1))
      expect(relErr(blockWorTheory(d, theta0, eta, 12, opts).sigma, base)).toBeGreaterThan(1e-5);
  }, 60_000);
});
