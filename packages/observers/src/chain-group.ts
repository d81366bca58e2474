import { defer, map, reduce, type OperatorFunction } from 'rxjs';
import type { Frame } from '@nesslab/kernel';

/** What every partial carries: the chain range it covers and N. Per-chain arrays are laid out chain-major. */
export interface ChainPart {
  dim: number;
  /** Global index of the first chain; meaningless when chains = 0 (an observer that saw no frame). */
  chainStart: number;
  chains: number;
}

/**
 * Per-chain accumulation over the frames of ONE chain range, in step order. Subclasses allocate their
 * per-chain arrays once in `allocate` and read each block in `addBlock`; nothing is kept from the frame.
 */
export abstract class ChainAccumulator<P extends ChainPart> {
  chainStart = -1;
  chains = 0;
  private nextStep = -1;

  constructor(
    readonly name: string,
    readonly dim: number,
  ) {}

  add(frame: Frame): void {
    if (this.chainStart < 0) {
      if (frame.dim !== this.dim)
        throw new Error(`${this.name}: frames have dim ${frame.dim}, the run said ${this.dim}`);
      this.chainStart = frame.chainStart;
      this.chains = frame.chains;
      this.allocate(frame.chains);
    } else if (frame.chainStart !== this.chainStart || frame.chains !== this.chains) {
      throw new Error(
        `${this.name}: one frame stream must carry one chain range; saw chains ${this.chainStart}..${this.chainStart + this.chains - 1}, ` +
          `then ${frame.chainStart}..${frame.chainStart + frame.chains - 1}`,
      );
    } else if (frame.stepStart !== this.nextStep) {
      throw new Error(
        `${this.name}: blocks out of order: expected a block starting at step ${this.nextStep}, got ${frame.stepStart}`,
      );
    }
    this.nextStep = frame.stepStart + frame.steps;
    this.addBlock(frame);
  }

  /** Called once, at the first frame. */
  protected abstract allocate(chains: number): void;
  protected abstract addBlock(frame: Frame): void;
  /** The partial: plain data, structured-cloneable (an observer that saw no frame gives chains = 0). */
  abstract partial(): P;
}

/** Keeps each chain's last state (copied at every block's end); subclasses measure at them in `partial` (keep = false: nothing). */
export abstract class FinalStateAccumulator<P extends ChainPart> extends ChainAccumulator<P> {
  private final = new Float64Array(0);

  constructor(
    name: string,
    dim: number,
    private readonly keep: boolean,
  ) {
    super(name, dim);
  }

  protected allocate(chains: number): void {
    this.final = new Float64Array(this.keep ? chains * this.dim : 0);
  }

  protected addBlock(f: Frame): void {
    if (!this.keep) return;
    const n = f.dim,
      last = f.steps - 1,
      theta = f.theta,
      final = this.final;
    for (let c = 0; c < f.chains; c++) {
      const at = (c * f.blockSize + last) * n;
      for (let a = 0; a < n; a++) final[c * n + a] = theta[at + a]; // the block's last state, copied (no view per block)
    }
  }

  /** A copy of chain c's (of this range) final state. */
  protected finalState(c: number): Float64Array {
    return this.final.slice(c * this.dim, (c + 1) * this.dim);
  }
}

/**
 * Feeds every frame to a fresh accumulator (one per subscription, like `scan`'s state) and emits its partial
 * once, when the frames complete (also when there were none). The frame itself is never held.
 */
export const reduceFrames =
  <P extends ChainPart>(make: () => ChainAccumulator<P>): OperatorFunction<Frame, P> =>
  (frames) =>
    defer(() =>
      frames.pipe(
        reduce((acc: ChainAccumulator<P>, frame: Frame) => (acc.add(frame), acc), make()),
        map((acc) => acc.partial()),
      ),
    );

/**
 * Concatenates partials given IN CHAIN ORDER: `perChain` names the Float64Array fields laid out chain-major
 * (each chain the same stride), `shared` the fields that must be equal in every part. Parts with no chain are skipped.
 */
export function concatChains<P extends ChainPart>(
  name: string,
  parts: readonly P[],
  perChain: readonly (keyof P & string)[],
  shared: readonly (keyof P & string)[] = [],
): P {
  if (parts.length === 0) throw new Error(`${name}: combine needs at least one part`);
  const live = parts.filter((p) => p.chains > 0);
  if (live.length === 0) return parts[0];
  if (live.length === 1) return live[0];
  const first = live[0];
  let chains = 0;
  for (const p of live) {
    if (p.dim !== first.dim) throw new Error(`${name}: combine got parts of dim ${first.dim} and ${p.dim}`);
    if (p.chainStart !== first.chainStart + chains) {
      throw new Error(
        `${name}: combine needs contiguous parts in chain order; expected chain ${first.chainStart + chains}, got ${p.chainStart}`,
      );
    }
    for (const key of shared) {
      if (JSON.stringify(p[key]) !== JSON.stringify(first[key]))
        throw new Error(`${name}: combine got parts with different ${key}`);
    }
    chains += p.chains;
  }
  const out: P = { ...first, chains };
  for (const key of perChain) {
    const arrays = live.map((p) => p[key] as unknown as Float64Array);
    const joined = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
    let at = 0;
    for (const a of arrays) {
      joined.set(a, at);
      at += a.length;
    }
    (out as Record<string, unknown>)[key] = joined;
  }
  return out;
}

/** Mean and standard error (sd with n − 1, over √n) of `n` values read by `at(i)`, in index order. NaN below two values. */
export function meanAndStdError(n: number, at: (i: number) => number): { mean: number; stdError: number } {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += at(i);
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = at(i) - mean;
    ss += d * d;
  }
  return { mean, stdError: n > 1 ? Math.sqrt(ss / (n - 1)) / Math.sqrt(n) : NaN };
}
