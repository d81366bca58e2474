import { describe, expect, it } from 'vitest';
import { Xoshiro128, type ChainState, type Optimizer } from '@nesslab/kernel';
import {
  PsgldOptimizer,
  SgBaoabOptimizer,
  SgdMomentumOptimizer,
  SgdOptimizer,
  SghmcOptimizer,
  SgldCvOptimizer,
  SgldLmOptimizer,
  SgldOptimizer,
  SgnhtOptimizer,
  type AffineStep,
} from './index.ts';
import { FixedOrderSampler, ScriptedRng, makeChain, type QuadraticPerSample } from './langevin-fixtures.ts';
import { applyAffine, batchMoments, randomQuadratic, relativeError } from './optimizer-checks.ts';

/**
 * Optimizer.affineStep against the real step on QuadraticPerSample (N = 3, M = 4, m = 2; ∇L_B = H̄θ − ḡ exactly): one
 * step from a random x = (θ, aux state) with scripted normals z must land on A x + b + S z, S the noise matrix the
 * update's equation gives (written out below per optimizer), and Q must be S Sᵀ.
 */
const N = 3,
  L = randomQuadratic(N, 4, 11),
  order = Int32Array.of(2, 0, 3, 1),
  sampler = new FixedOrderSampler(order, 2);

type Affine = Omit<Optimizer<ChainState>, 'affineStep'> & {
  affineStep?: (Hbar: Float64Array, gbar: Float64Array) => AffineStep;
};
interface Case {
  name: string;
  make: () => Affine;
  params: Record<string, unknown>;
  /** The chain-state arrays that make x after θ, in order. */
  aux: string[];
  /** Sets the flags of what the first step draws or computes (so the step under test is a steady one). */
  ready?: (state: ChainState) => void;
  /** S (dim × N): ξ = S z for the step's N normals z; absent: the step draws none. */
  noise?: (i: number, j: number) => number;
}

const eye = (i: number, j: number) => (i === j ? 1 : 0);
const eta = 0.05,
  h = 0.3,
  gamma = 0.7,
  alpha = 0.2,
  betaHat = 0.05;
const sghmcSigma = Math.sqrt(2 * (alpha - betaHat) * eta),
  baoabS = Math.sqrt(1 - Math.exp(-2 * gamma * h));
const cases: Case[] = [
  { name: 'sgd', make: () => new SgdOptimizer(), params: { eta }, aux: [] },
  {
    name: 'sgd-momentum',
    make: () => new SgdMomentumOptimizer(),
    params: { eta, momentum: 0.8 },
    aux: ['velocity'],
  },
  {
    name: 'sgld',
    make: () => new SgldOptimizer(),
    params: { eta },
    aux: [],
    noise: (i, j) => Math.sqrt(2 * eta) * eye(i, j),
  },
  {
    name: 'sgld-lm',
    make: () => new SgldLmOptimizer(),
    params: { eta },
    aux: ['z'],
    ready: (s) => (s.zReady[0] = 1),
    noise: (i, j) => (i < N ? Math.sqrt(2 * eta) / 2 : 1) * eye(i % N, j), // ((σ/2)z′, z′)
  },
  {
    name: 'sghmc',
    make: () => new SghmcOptimizer(),
    params: { eta, alpha, betaHat },
    aux: ['velocity'],
    noise: (i, j) => sghmcSigma * eye(i % N, j), // (σz, σz)
  },
  {
    name: 'sg-baoab',
    make: () => new SgBaoabOptimizer(),
    params: { h, gamma },
    aux: ['momentum'],
    ready: (s) => (s.momentumReady[0] = 1),
    noise: (i, j) => (i < N ? (h / 2) * baoabS : baoabS) * eye(i % N, j), // ((h/2)s z, s z)
  },
  {
    name: "sgld-cv (at: 'reference')",
    make: () => new SgldCvOptimizer(),
    params: { eta, at: 'reference' },
    aux: [],
    noise: (i, j) => Math.sqrt(2 * eta) * eye(i, j),
  },
  {
    name: "sgld-cv (at: 'start')",
    make: () => new SgldCvOptimizer(),
    params: { eta, at: 'start' },
    aux: ['anchor'],
    ready: (s) => {
      L.gradient(s.anchor, s.anchorGradient); // ∇𝓛(θ̂), as the chain's first step computes it
      s.anchorReady[0] = 1;
    },
    noise: (i, j) => (i < N ? Math.sqrt(2 * eta) * eye(i, j) : 0), // θ̂ does not move
  },
];

function configured(c: Case, landscape: QuadraticPerSample = L): Affine {
  const opt = c.make();
  opt.configure(c.params, landscape, sampler);
  return opt;
}

describe('affineStep', () => {
  for (const c of cases)
    it(`${c.name}: one real step is A x + b + S z to 1e-14, Q = S Sᵀ, A and b affine in (H̄, ḡ)`, () => {
      const opt = configured(c),
        { Hbar, gbar } = batchMoments(L, order.subarray(0, 2)); // the first batch: {2, 0}
      const s = opt.affineStep!(Hbar, gbar),
        dim = N * (1 + c.aux.length);
      expect(s.dim).toBe(dim);
      expect([s.A.length, s.b.length, s.Q.length]).toEqual([dim * dim, dim, dim * dim]);
      // I − A, written without cancellation, is I − A.
      const IminusA = s.A.map((v, k) => (k % (dim + 1) === 0 ? 1 : 0) - v);
      expect(Math.max(...s.IminusA!.map((v, k) => Math.abs(v - IminusA[k])))).toBeLessThan(1e-15);
      for (let trial = 0; trial < 3; trial++) {
        const draw = Xoshiro128.fromSeed(40 + trial),
          x = Array.from({ length: dim }, () => draw.nextNormal()),
          z = Array.from({ length: N }, () => draw.nextNormal());
        let used = 0;
        const chain = makeChain(x.slice(0, N), opt, new ScriptedRng(() => z[used++]), sampler);
        c.aux.forEach((name, k) => chain.state[name].set(x.slice(N * (k + 1), N * (k + 2))));
        c.ready?.(chain.state);
        opt.step(chain, new Float64Array(0));
        expect(used, 'normals drawn').toBe(c.noise ? N : 0);
        const real = [...chain.theta, ...c.aux.flatMap((name) => [...chain.state[name]])];
        const want = applyAffine(s, x);
        if (c.noise) for (let i = 0; i < dim; i++) for (let j = 0; j < N; j++) want[i] += c.noise(i, j) * z[j];
        expect(relativeError(real, want), `x′ (trial ${trial})`).toBeLessThan(1e-14);
      }
      // Q = S Sᵀ, entry by entry (zero without noise).
      const SSt = Array.from({ length: dim * dim }, (_, k) => {
        let v = 0;
        for (let j = 0; j < N; j++) v += (c.noise?.(Math.floor(k / dim), j) ?? 0) * (c.noise?.(k % dim, j) ?? 0);
        return v;
      });
      if (c.noise) expect(relativeError(s.Q, SSt), 'Q').toBeLessThan(1e-15);
      else expect([...s.Q].every((v) => v === 0)).toBe(true);
      // Affine in (H̄, ḡ): the map at a mixture of two batches is the mixture of the maps (Q does not depend on them).
      const m1 = batchMoments(L, [2, 0]),
        m2 = batchMoments(L, [3, 1]),
        w = 0.3,
        mix = (a: Float64Array, b: Float64Array) => a.map((v, k) => w * v + (1 - w) * b[k]);
      const s1 = opt.affineStep!(m1.Hbar, m1.gbar),
        s2 = opt.affineStep!(m2.Hbar, m2.gbar),
        sm = opt.affineStep!(mix(m1.Hbar, m2.Hbar), mix(m1.gbar, m2.gbar));
      expect(relativeError(sm.A, mix(s1.A, s2.A))).toBeLessThan(1e-14);
      expect(relativeError(sm.b, mix(s1.b, s2.b)) || 0).toBeLessThan(1e-14);
      expect([...sm.Q]).toEqual([...s1.Q]);
    });

  it('is absent where the step is not affine (psgld, sgnht) and under a cyclical schedule (not time-homogeneous)', () => {
    expect(configured({ ...cases[0], make: () => new PsgldOptimizer(), params: { eta } }).affineStep).toBeUndefined();
    expect(
      configured({ ...cases[0], make: () => new SgnhtOptimizer(), params: { h, A: 1 } }).affineStep,
    ).toBeUndefined();
    const cyclical = { schedule: 'cyclical', cycles: 2, totalSteps: 100 };
    for (const c of cases.filter((c) => !['sgd', 'sgd-momentum'].includes(c.name))) {
      expect(configured({ ...c, params: { ...c.params, ...cyclical } }).affineStep, c.name).toBeUndefined();
      expect(configured(c).affineStep, c.name).toBeTypeOf('function');
    }
  });

  it("sgld-cv's map does not depend on ḡ: the control variate cancels the minibatch's offset, leaving H̄ only", () => {
    for (const c of cases.filter((c) => c.name.startsWith('sgld-cv'))) {
      const opt = configured(c),
        { Hbar, gbar } = batchMoments(L, [2, 0]),
        a = opt.affineStep!(Hbar, gbar),
        b = opt.affineStep!(
          Hbar,
          gbar.map((v) => 3 * v - 1),
        );
      expect([...b.A, ...b.b]).toEqual([...a.A, ...a.b]);
    }
  });
});
