/**
 * The two sides of `kernel-wr-regression` (and of tools/wasm-proto): the plain hand-written baseline of `npm run bench` (and of tools/wasm-proto): WR SGD on the tanh regression (N = 7,
 * M = 200 paper points), everything inline in one scalar Float64Array loop, with the same RNG, minibatch draw and tanh
 * as the plugins. It stays plain JS on purpose: `kernel-wr-regression`'s ratio to it measures the kernel's speed-up.
 */
import { Xoshiro128, simulate } from '@nesslab/kernel';
import { tanh, PAPER_X, PAPER_Y } from '@nesslab/landscapes';

/** Steps/s of `steps` steps from theta0, timed by `clock` (ms; wall by default, CPU time on a shared machine). */
export function handLoop(
  theta0: Float64Array,
  steps: number,
  { eta, m, epsilon, lambda }: { eta: number; m: number; epsilon: number; lambda: number },
  clock: () => number = () => performance.now(),
): number {
  const x = Float64Array.from(PAPER_X),
    y = Float64Array.from(PAPER_Y);
  const M = x.length,
    scale = M / (epsilon * epsilon) / m; // ∇ℓ_i = −(M/ε²) r ∇f, averaged over m
  const theta = Float64Array.from(theta0),
    order = new Int32Array(M).map((_, i) => i);
  const rng = Xoshiro128.fromSeed(3);
  const t0 = clock();
  for (let k = 0; k < steps; k++) {
    const [a1, a2, b1, b2, v1, v2, c] = theta;
    let g1 = 0,
      g2 = 0,
      g3 = 0,
      g4 = 0,
      g5 = 0,
      g6 = 0,
      g7 = 0;
    for (let i = 0; i < m; i++) {
      const j = i + rng.nextInt(M - i),
        idx = order[j];
      order[j] = order[i];
      order[i] = idx;
      const xi = x[idx],
        t1 = tanh(a1 * xi + b1),
        t2 = tanh(a2 * xi + b2);
      const r = y[idx] - (v1 * t1 + v2 * t2 + c),
        s1 = v1 * (1 - t1 * t1) * r,
        s2 = v2 * (1 - t2 * t2) * r;
      g1 += s1 * xi;
      g2 += s2 * xi;
      g3 += s1;
      g4 += s2;
      g5 += t1 * r;
      g6 += t2 * r;
      g7 += r;
    }
    theta[0] -= eta * (-scale * g1 + 2 * lambda * a1);
    theta[1] -= eta * (-scale * g2 + 2 * lambda * a2);
    theta[2] -= eta * (-scale * g3 + 2 * lambda * b1);
    theta[3] -= eta * (-scale * g4 + 2 * lambda * b2);
    theta[4] -= eta * (-scale * g5 + 2 * lambda * v1);
    theta[5] -= eta * (-scale * g6 + 2 * lambda * v2);
    theta[6] -= eta * (-scale * g7 + 2 * lambda * c);
  }
  if (!Number.isFinite(theta[0])) throw new Error('hand loop diverged');
  return steps / ((clock() - t0) / 1000);
}

/** Steps/s of the same WR SGD through the kernel (DI-resolved plugins, RxJS blocks, moments observer, 4 chains). */
export async function kernelRun(
  container: Parameters<typeof simulate>[0],
  theta0: Float64Array,
  steps: number,
  { eta, m }: { eta: number; m: number },
  clock: () => number = () => performance.now(),
): Promise<number> {
  const t0 = clock();
  await simulate(
    container,
    {
      seed: 3,
      landscape: { name: 'tanh-regression' },
      sampler: { name: 'with-replacement', params: { batchSize: m } },
      optimizer: { name: 'sgd', params: { eta } },
      observers: [{ name: 'moments' }],
      chains: 4,
      steps: steps / 4,
      init: { kind: 'minimum' },
    },
    { reference: theta0, groups: 1 },
  );
  return steps / ((clock() - t0) / 1000);
}
