import { MINIBATCH_GRADIENT_WASM } from './minibatch-gradient-wasm.ts';
import { align, compileWasm, instantiateWasm, type WasmMemory, type WasmModule } from '../wasm.ts';

/** What minibatch-gradient.wat exports. */
interface MinibatchGradientExports {
  memory: WasmMemory;
  gradient(
    m: number,
    batch: number,
    start: number,
    labels: number,
    index: number,
    value: number,
    s: number,
    l2: number,
  ): void;
}

/** The sparse rows of the first M pooled images (mnist.ts sparseRows) and their labels. */
export interface SparseImages {
  nzStart: Int32Array;
  nzIndex: Uint8Array;
  nzValue: Float64Array;
  labels: Uint8Array;
}

const K = 10,
  P = 49,
  N = K * P,
  /** Byte offsets of the gradient (P×K, after Wᵀ) and of the images' starts. */
  GRAD = 8 * N,
  START = 16 * N;

let compiled: WasmModule | null | undefined;

/** The compiled module, or null where WebAssembly (with SIMD) is not on offer or will not compile synchronously. */
function minibatchGradientModule(): WasmModule | null {
  if (compiled === undefined) compiled = compileWasm(MINIBATCH_GRADIENT_WASM);
  return compiled;
}

/**
 * mnist-linear's minibatch gradient in WebAssembly (minibatch-gradient.wat), with the JS loop's bits: W is held
 * transposed (pixel-major), so a pixel's ten class weights are five f64x2 and each lane sums one class's entries in
 * the JS order. Each call copies θ in (transposed) and the gradient out (490 doubles each, against ~6·10⁴ multiply-adds
 * at m = 100) and the minibatch; the images are copied in once. Measured here at m = 100: 3.3–3.7× the JS loop per
 * call, 1.5–1.9× the bare steps/s of `npm run bench`'s mnist-linear row.
 * One instance per set of images and thread (`forImages`): every landscape of a thread over the same M shares it.
 */
export class WasmMinibatchGradient {
  private f64: Float64Array;
  private i32: Int32Array;

  private constructor(
    private readonly wasm: MinibatchGradientExports,
    /** Images held. */
    private readonly M: number,
    /** Byte offsets of the labels, indices, values and (last, growing as needed) the minibatch. */
    private readonly labels: number,
    private readonly index: number,
    private readonly value: number,
    private readonly batch: number,
  ) {
    this.f64 = new Float64Array(wasm.memory.buffer);
    this.i32 = new Int32Array(wasm.memory.buffer);
  }

  private static readonly cache = new WeakMap<object, Map<number, WasmMinibatchGradient | null>>();

  /**
   * The instance for the first M = labels.length of the images `data` holds (cached per `data` object and M: the
   * thread's loaded MNIST), or null where WebAssembly is not on offer: then mnist-linear keeps its JS loop.
   */
  static forImages(data: object, images: SparseImages): WasmMinibatchGradient | null {
    const M = images.labels.length;
    let bySize = WasmMinibatchGradient.cache.get(data);
    if (!bySize) WasmMinibatchGradient.cache.set(data, (bySize = new Map()));
    if (!bySize.has(M)) bySize.set(M, WasmMinibatchGradient.create(images));
    return bySize.get(M)!;
  }

  private static create(images: SparseImages): WasmMinibatchGradient | null {
    const module = minibatchGradientModule();
    if (!module) return null;
    const wasm = instantiateWasm<MinibatchGradientExports>(module);
    const M = images.labels.length,
      nnz = images.nzStart[M];
    const labels = START + 4 * (M + 1),
      index = labels + M,
      value = align(index + nnz, 8),
      batch = value + 8 * nnz,
      end = batch + 4 * 4096;
    const have = wasm.memory.buffer.byteLength;
    if (end > have) wasm.memory.grow(Math.ceil((end - have) / 65536));
    const buffer = wasm.memory.buffer;
    new Int32Array(buffer, START, M + 1).set(images.nzStart.subarray(0, M + 1));
    new Uint8Array(buffer, labels, M).set(images.labels);
    new Uint8Array(buffer, index, nnz).set(images.nzIndex.subarray(0, nnz));
    new Float64Array(buffer, value, nnz).set(images.nzValue.subarray(0, nnz));
    return new WasmMinibatchGradient(wasm, M, labels, index, value, batch);
  }

  /**
   * out = −(2/m) Σ_{k<m} r_i x_iᵀ + 2λθ, i = batch[k] (Eq. 12), as MnistLinear.minibatchGradient's JS loop; false
   * (nothing written) for a minibatch it cannot take: m not an integer in [1, batch.length], or a sample index outside
   * [0, M) (a plugin's sampler gone wrong). The caller then runs the JS loop, which gives such input the NaNs it always
   * has, where the WebAssembly would read outside the images.
   */
  gradient(theta: Float64Array, batch: Int32Array, m: number, lambda: number, out: Float64Array): boolean {
    if (!(Number.isInteger(m) && m >= 1 && m <= batch.length)) return false;
    if (this.batch + 4 * m > this.f64.byteLength) this.grow(m);
    const f64 = this.f64,
      i32 = this.i32,
      at = this.batch / 4,
      M = this.M;
    for (let k = 0; k < m; k++) {
      const i = batch[k];
      if (!(i >= 0 && i < M)) return false;
      i32[at + k] = i;
    }
    for (let c = 0; c < K; c++) for (let p = 0; p < P; p++) f64[p * K + c] = theta[c * P + p];
    this.wasm.gradient(m, this.batch, START, this.labels, this.index, this.value, -2 / m, 2 * lambda);
    for (let c = 0; c < K; c++) for (let p = 0; p < P; p++) out[c * P + p] = f64[GRAD / 8 + p * K + c];
    return true;
  }

  /** Room for a minibatch of m samples (the memory grows, and the views follow it). */
  private grow(m: number): void {
    this.wasm.memory.grow(Math.ceil((this.batch + 4 * m - this.f64.byteLength) / 65536));
    this.f64 = new Float64Array(this.wasm.memory.buffer);
    this.i32 = new Int32Array(this.wasm.memory.buffer);
  }
}
