import type { Rng } from '@nesslab/kernel';

/** Scratch the Leimkuhler–Matthews kick keeps per chain: the carried z (N), then a flag (1 once z₀ is drawn). */
export const lmScratchSize = (dim: number): number => dim + 1;

/**
 * The Langevin kick, all randomness from the chain's own stream, no allocation.
 * Euler (004 Fig. 5): θ ← θ + σz, z ~ N(0, I) fresh.
 * Leimkuhler–Matthews (docs/science.md §7): θ ← θ + σ(z_k + z_{k+1})/2, each z shared by two consecutive kicks; z_{k+1} is
 * kept in scratch[at .. at+N) for the next kick, and the chain's first kick draws z₀ first (flag scratch[at+N] = 0 → 1).
 */
export function langevinKick(
  theta: Float64Array,
  rng: Rng,
  sigma: number,
  leimkuhlerMatthews: boolean,
  scratch: Float64Array,
  at: number,
): void {
  const N = theta.length;
  if (!leimkuhlerMatthews) {
    for (let a = 0; a < N; a++) theta[a] += sigma * rng.nextNormal();
    return;
  }
  if (scratch[at + N] === 0) {
    for (let a = 0; a < N; a++) scratch[at + a] = rng.nextNormal(); // z₀, once per chain
    scratch[at + N] = 1;
  }
  const half = sigma / 2;
  for (let a = 0; a < N; a++) {
    const z = rng.nextNormal();
    theta[a] += half * (scratch[at + a] + z);
    scratch[at + a] = z;
  }
}
