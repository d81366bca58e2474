// Test helpers: synthetic frame streams that behave like the engine's (one reused Frame, synchronous Subject),
// plus poisoning: the frame is filled with NaN right after each `next()`, so an observer that kept a reference fails.
import { Subject } from 'rxjs';
import type { Frame, Landscape, Observer, RunContext } from '@nesslab/kernel';

/** trajectories[c][k][α]: chain c, state k (k = 0 the initial state, k = 1 … S after each step), component α. */
export type Trajectories = readonly (readonly (readonly number[])[])[];

/**
 * Pushes the trajectories into `sink` as frames of `blockSize` steps (the last block may be shorter), ONE frame
 * object and buffer reused for every block and poisoned with NaN after each `next()`; then completes.
 */
export function playFrames(sink: Subject<Frame>, trajectories: Trajectories, blockSize: number, chainStart = 0): void {
  const chains = trajectories.length;
  const dim = trajectories[0][0].length;
  const total = trajectories[0].length - 1;
  const frame: Frame = {
    dim,
    chainStart,
    chains,
    blockSize,
    stepStart: 1,
    steps: 0,
    theta: new Float64Array(chains * blockSize * dim),
    previous: new Float64Array(chains * dim),
    scalars: {},
  };
  for (let start = 1; start <= total; start += blockSize) {
    const steps = Math.min(blockSize, total - start + 1);
    frame.stepStart = start;
    frame.steps = steps;
    for (let c = 0; c < chains; c++) {
      const tr = trajectories[c];
      for (let a = 0; a < dim; a++) frame.previous[c * dim + a] = tr[start - 1][a];
      for (let s = 0; s < steps; s++) {
        for (let a = 0; a < dim; a++) frame.theta[(c * blockSize + s) * dim + a] = tr[start + s][a];
      }
    }
    sink.next(frame);
    frame.theta.fill(NaN); // poison: whatever an observer kept of this block is now garbage
    frame.previous.fill(NaN);
    frame.stepStart = NaN;
    frame.steps = NaN;
  }
  sink.complete();
}

/** Attaches `observer` to a poisoned frame stream of the given chains and returns the one partial it emits. */
export function observe<P>(
  observer: Observer<P, unknown>,
  trajectories: Trajectories,
  blockSize: number,
  chainStart = 0,
): P {
  const subject = new Subject<Frame>();
  const out: P[] = [];
  let failure: unknown = null;
  let completed = false;
  observer.attach(subject.asObservable()).subscribe({
    next: (p) => out.push(p),
    error: (e) => (failure = e),
    complete: () => (completed = true),
  });
  playFrames(subject, trajectories, blockSize, chainStart);
  if (failure) throw failure;
  if (!completed || out.length !== 1)
    throw new Error(`observer emitted ${out.length} partials (completed: ${completed}); expected exactly one`);
  return out[0];
}

/**
 * Runs a whole observation like a multi-worker run: the chains are cut into `parts` contiguous groups, each
 * observed by a fresh observer from `make()`; the partials go through a structured clone (as between threads),
 * are combined in chain order by another fresh observer and reduced by its `result`.
 */
export function runObserver<P, R>(
  make: () => Observer<P, R>,
  trajectories: Trajectories,
  blockSize: number,
  parts = 1,
): R {
  const chains = trajectories.length;
  const partials: P[] = [];
  for (let i = 0; i < parts; i++) {
    const lo = Math.floor((i * chains) / parts),
      hi = Math.floor(((i + 1) * chains) / parts);
    if (hi > lo) partials.push(structuredClone(observe(make(), trajectories.slice(lo, hi), blockSize, lo)));
  }
  const main = make();
  return main.result(main.combine(partials));
}

export function runContext(
  landscape: Landscape,
  dim: number,
  chains: number,
  steps: number,
  reference?: number[],
): RunContext {
  return { landscape, dim, chains, steps, reference: reference ? Float64Array.from(reference) : undefined };
}

/** A landscape that only knows its loss (every other method throws); counts the loss evaluations. */
export function fakeLandscape(dim: number, loss: (theta: Float64Array) => number): Landscape & { calls: number } {
  const no = (what: string) => () => {
    throw new Error(`fake landscape: ${what} not implemented`);
  };
  const self = {
    dim,
    dataSize: 1,
    calls: 0,
    configure: () => {},
    loss: (theta: Float64Array) => {
      self.calls++;
      return loss(theta);
    },
    gradient: no('gradient'),
    minibatchGradient: no('minibatchGradient'),
    sampleGradients: no('sampleGradients'),
    regulariserGradient: no('regulariserGradient'),
    hessian: no('hessian'),
  };
  return self;
}

/** Deep equality where numbers must be the same float64 (Object.is: NaN equals NaN, +0 differs from −0). Returns the first difference's path, or null. */
export function bitDifference(a: unknown, b: unknown, path = '$'): string | null {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) ? null : `${path}: ${a} vs ${b}`;
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b))
    return bitDifference(Array.from(a as Float64Array), Array.from(b as Float64Array), path);
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} vs ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = bitDifference(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return null;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).sort(),
      kb = Object.keys(b).sort();
    if (ka.join() !== kb.join()) return `${path}: keys ${ka.join()} vs ${kb.join()}`;
    for (const k of ka) {
      const d = bitDifference((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return null;
  }
  return Object.is(a, b) ? null : `${path}: ${String(a)} vs ${String(b)}`;
}
