import type { Frame } from '@nesslab/kernel';

/**
 * Called for each increment θ_k → θ_{k+ℓ} of chain c (local index in the frame's chain range), in step order: the
 * pre-point is from[fromAt … fromAt + N), the post-point to[toAt … toAt + N). Read both synchronously; keep neither.
 */
export type IncrementVisitor = (c: number, from: Float64Array, fromAt: number, to: Float64Array, toAt: number) => void;

/**
 * The states counted after a burn-in, every ℓ-th, and the increments between them, across the blocks of one chain
 * range: the states used are θ_b, θ_{b+ℓ}, θ_{b+2ℓ}, … (b = burnIn; θ_0 is the initial state, θ_k the state after
 * step k), and `forEach` visits each increment θ_{b+jℓ} → θ_{b+(j+1)ℓ}, j = 0, 1, …, in step order, whatever the
 * block size. The last state used of every chain is copied (N doubles per chain), never the frame.
 */
export class StridedIncrements {
  private last = new Float64Array(0);
  private has = new Uint8Array(0);
  private started = false;

  constructor(
    readonly dim: number,
    readonly burnIn: number,
    readonly every: number,
  ) {
    if (!(Number.isSafeInteger(every) && every >= 1)) throw new Error(`every must be an integer ≥ 1, got ${every}`);
  }

  /** Called once, with the chain range's size, before the first frame. */
  allocate(chains: number): void {
    this.last = new Float64Array(chains * this.dim);
    this.has = new Uint8Array(chains);
  }

  /** Whether step index k is a state used: k ≥ burnIn and k ≡ burnIn (mod ℓ). */
  used(k: number): boolean {
    return k >= this.burnIn && (k - this.burnIn) % this.every === 0;
  }

  forEach(f: Frame, visit: IncrementVisitor): void {
    const n = this.dim,
      stride = f.blockSize * n,
      last = this.last,
      has = this.has,
      every = this.every;
    if (!this.started) {
      // The first frame's `previous` is θ_{stepStart−1}: the initial state θ_0 in a run, used when burnIn = 0.
      this.started = true;
      if (this.used(f.stepStart - 1)) {
        for (let c = 0; c < f.chains; c++) {
          for (let a = 0; a < n; a++) last[c * n + a] = f.previous[c * n + a];
          has[c] = 1;
        }
      }
    }
    // The first used state of the block: the smallest s ≥ 0 with stepStart + s used.
    let first = Math.max(0, this.burnIn - f.stepStart);
    first += (every - ((f.stepStart + first - this.burnIn) % every)) % every;
    for (let c = 0; c < f.chains; c++) {
      const mine = c * n;
      for (let s = first; s < f.steps; s += every) {
        const at = c * stride + s * n;
        if (has[c]) visit(c, last, mine, f.theta, at);
        for (let a = 0; a < n; a++) last[mine + a] = f.theta[at + a];
        has[c] = 1;
      }
    }
  }
}
