/** A per-chain stream of random numbers. Implementations keep their state in plain numeric fields. */
export interface Rng {
  /** Uniform 32-bit unsigned integer. */
  nextU32(): number;
  /** Uniform double in [0, 1) with 53 random bits. */
  nextDouble(): number;
  /** Uniform integer in [0, n), unbiased; n ≤ 2^21. */
  nextInt(n: number): number;
  /** Standard normal N(0, 1). */
  nextNormal(): number;
}
