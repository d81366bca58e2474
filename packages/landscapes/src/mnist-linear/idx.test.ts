import { describe, expect, it } from 'vitest';
import { IMAGES_MAGIC, LABELS_MAGIC, parseIdx, parseImages, parseLabels } from './idx.ts';

/** An IDX file: big-endian magic and dims, then the bytes. */
function idx(magic: number, dims: number[], data: number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

describe('IDX parsing', () => {
  it('reads the big-endian header and the data of a 2×2×3 image file', () => {
    const data = Array.from({ length: 12 }, (_, k) => 20 * k);
    const img = parseImages(idx(IMAGES_MAGIC, [2, 2, 3], data), 'tiny');
    expect([img.count, img.rows, img.cols]).toEqual([2, 2, 3]);
    expect(Array.from(img.pixels)).toEqual(data);
    // Dimensions above 255 exercise every byte of the big-endian uint32.
    expect(parseIdx(idx(LABELS_MAGIC, [70000], new Array(70000).fill(1)), LABELS_MAGIC, 'big').dims).toEqual([70000]);
  });

  it('reads labels and rejects a label that is not a digit', () => {
    expect(Array.from(parseLabels(idx(LABELS_MAGIC, [3], [0, 9, 5]), 'l'))).toEqual([0, 9, 5]);
    expect(() => parseLabels(idx(LABELS_MAGIC, [3], [0, 10, 5]), 'l')).toThrow('l: label 1 is 10, not a digit 0–9');
  });

  it('rejects a wrong magic number, naming the file and both numbers', () => {
    const labels = idx(LABELS_MAGIC, [2], [1, 2]);
    expect(() => parseImages(labels, 'train-labels')).toThrow(
      'train-labels: IDX magic number 2049 (0x00000801), expected 2051 (0x00000803)',
    );
    // Little-endian headers (a common corruption) read as a huge magic number.
    const swapped = labels.slice();
    swapped.set([1, 8, 0, 0], 0);
    expect(() => parseLabels(swapped, 'x')).toThrow('expected 2049');
  });

  it('rejects a truncated file, too many bytes, and a file shorter than its header', () => {
    expect(() => parseImages(idx(IMAGES_MAGIC, [2, 2, 3], new Array(11).fill(0)), 'cut')).toThrow(
      'cut: IDX header announces 2×2×3 = 12 bytes of data, the file has 11',
    );
    expect(() => parseLabels(idx(LABELS_MAGIC, [2], [1, 2, 3]), 'long')).toThrow(
      'announces 2 = 2 bytes of data, the file has 3',
    );
    expect(() => parseImages(idx(IMAGES_MAGIC, [], []), 'h')).toThrow(
      'h: IDX header announces 3 dimensions but the file has only 4 bytes',
    );
    expect(() => parseLabels(new Uint8Array([0, 0]), 'e')).toThrow('e: not an IDX file');
  });
});
