import { Xoshiro128, type Chain, type FusedBlockRunner, type Sampler } from '@nesslab/kernel';
import { FUSED_STEP_WASM } from './fused-step-wasm.ts';
import { align, compileWasm, instantiateWasm, type WasmMemory, type WasmModule } from '../wasm.ts';

/** What fused-step.wat exports. */
interface FusedStepExports {
  memory: WasmMemory;
  /** V8's Math.expm1 (fdlibm), ported; and the tanh of tanh-regression.ts, for tests. */
  expm1(x: number): number;
  tanh(u: number): number;
  /** Lane 0 of the two-lane expm1 of (a, b), for tests. */
  expm1x2(a: number, b: number): number;
  run(
    steps: number,
    M: number,
    m: number,
    s: number,
    l2: number,
    eta: number,
    picks: number,
    tanhs: number,
    out: number,
    wor: number,
    epoch: number,
  ): void;
}

let compiled: WasmModule | null | undefined;

/**
 * The compiled module, or null where WebAssembly (with SIMD) is not on offer or will not compile synchronously
 * (a browser's main thread): then tanh-regression offers no fused runner and the engine steps as always.
 */
export function fusedStepModule(): WasmModule | null {
  if (compiled === undefined) compiled = compileWasm(FUSED_STEP_WASM);
  return compiled;
}

/** A fresh instance of fused-step.wat (its own memory), or null as for `fusedStepModule`. */
export function fusedStepInstance(): FusedStepExports | null {
  const module = fusedStepModule();
  return module && instantiateWasm<FusedStepExports>(module);
}

const THETA = 0,
  RNG = 56,
  BATCH = 72,
  X = 80,
  N = 7;

/** The minibatch draws fused-step.wat can take inline (Sampler.draw). */
export type FusedDraw = NonNullable<Sampler['draw']>;

/**
 * WR or WOR SGD on tanh-regression a whole block per call, in WebAssembly (fused-step.wat): the sampler's draw (WR's
 * partial Fisher–Yates, or WOR's full shuffle at each epoch's start and consecutive batches of it) with the chain's own
 * Xoshiro128 stream, tanh with a port of V8's expm1, the hidden units' two tanh in the two lanes of an f64x2, the sums
 * and the SGD update in minibatchGradient's and the optimizer's order. Every θ, the stream and the sampler's state come
 * out bit-identical to the generic path's (fused-step.test.ts). The chain's state stays in JS between blocks: each call
 * copies θ, the stream's four words, the order (M ints) and WOR's position in the epoch in and out (so a block may end
 * mid-epoch, and either path continues from the state the other leaves), and the block's θ into the frame. One
 * instance serves every chain of a group; `run` allocates only the frame's view, once per block.
 */
export class TanhRegressionFusedBlock implements FusedBlockRunner {
  private readonly wasm: FusedStepExports;
  private readonly f64: Float64Array;
  private readonly i32: Int32Array;
  private readonly picks: number;
  private readonly tanhs: number;
  private readonly out: number;
  private readonly M: number;
  private capacity: number;

  constructor(
    wasm: FusedStepExports,
    x: Float64Array,
    y: Float64Array,
    private readonly m: number,
    /** −(M/ε²)/m, 2λ and η, computed as minibatchGradient and the optimizer compute them. */
    private readonly s: number,
    private readonly l2: number,
    private readonly eta: number,
    private readonly draw: FusedDraw = 'partial-fisher-yates',
    /** n = ⌊M/m⌋, minibatches per epoch (WOR). */
    private readonly epoch: number = Math.floor(x.length / m),
  ) {
    const M = x.length;
    this.wasm = wasm;
    this.picks = align(X + 20 * M, 16);
    this.tanhs = align(this.picks + 4 * m, 16);
    this.out = this.tanhs + 16 * m;
    this.M = M;
    this.capacity = 0;
    this.reserve(4096); // the engine's largest default block
    this.f64 = new Float64Array(wasm.memory.buffer);
    this.i32 = new Int32Array(wasm.memory.buffer);
    this.f64.set(x, X / 8);
    this.f64.set(y, X / 8 + M);
  }

  /** Grows the memory to hold `steps` steps of output: only before the views are made (the constructor). */
  private reserve(steps: number): void {
    const need = this.out + steps * N * 8,
      have = this.wasm.memory.buffer.byteLength;
    if (need > have) this.wasm.memory.grow(Math.ceil((need - have) / 65536));
    this.capacity = Math.floor((this.wasm.memory.buffer.byteLength - this.out) / (N * 8));
  }

  run(chain: Chain, steps: number, out: Float64Array, offset: number): boolean {
    const rng = chain.rng,
      state = chain.samplerState as { order?: unknown; batch?: unknown },
      wor = this.draw === 'epoch-permutation';
    if (!(rng instanceof Xoshiro128) || !(state.order instanceof Int32Array) || state.order.length !== this.M)
      return false;
    const batch = state.batch;
    if (wor && !(typeof batch === 'number' && Number.isInteger(batch) && batch >= 0 && batch <= this.epoch))
      return false;
    if (steps <= 0) return true;
    const order = state.order,
      M = this.M,
      m = this.m,
      f64 = this.f64,
      i32 = this.i32;
    f64.set(chain.theta, THETA / 8);
    rng.saveState(i32, RNG / 4);
    i32[BATCH / 4] = wor ? (batch as number) : 0;
    i32.set(order, (X + 16 * M) / 4);
    for (let done = 0; done < steps;) {
      const n = Math.min(steps - done, this.capacity);
      this.wasm.run(n, M, m, this.s, this.l2, this.eta, this.picks, this.tanhs, this.out, wor ? 1 : 0, this.epoch);
      out.set(f64.subarray(this.out / 8, this.out / 8 + n * N), offset + done * N);
      done += n;
    }
    chain.theta.set(f64.subarray(THETA / 8, THETA / 8 + N));
    rng.loadState(i32, RNG / 4);
    order.set(i32.subarray((X + 16 * M) / 4, (X + 16 * M) / 4 + M));
    // the last minibatch, as the sampler leaves it: WR's first m slots, WOR's batch before the position it leaves
    const last = wor ? (i32[BATCH / 4] - 1) * m : 0;
    if (wor) (state as { batch: number }).batch = i32[BATCH / 4];
    chain.batch.set(order.subarray(last, last + m));
    chain.step += steps;
    return true;
  }
}
