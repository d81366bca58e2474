import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npy, parseNpy } from './npy.ts';

const values = Float64Array.from({ length: 2 * 3 * 4 }, (_, i) =>
  i % 5 === 0 ? -0 : Math.PI * (i - 7) * 1e-300 + i / 3,
);

describe('npy (NPY format v1.0)', () => {
  it('writes the magic, version 1.0, a header dict ending in \\n with the data 64-byte aligned, and the data in C order', () => {
    const bytes = npy(values, [2, 3, 4]);
    expect([...bytes.subarray(0, 8)]).toEqual([0x93, ...Buffer.from('NUMPY'), 1, 0]);
    const headerLength = bytes[8]! | (bytes[9]! << 8);
    expect((10 + headerLength) % 64).toBe(0);
    const header = Buffer.from(bytes.subarray(10, 10 + headerLength)).toString('latin1');
    expect(header).toMatch(/^\{'descr': '<f8', 'fortran_order': False, 'shape': \(2, 3, 4\), \} +\n$/);
    expect(bytes.length).toBe(10 + headerLength + 8 * values.length);
    const back = parseNpy(bytes);
    expect(back.shape).toEqual([2, 3, 4]);
    expect(back.data).toEqual(values);
    expect(Object.is(back.data[0], -0)).toBe(true);
    expect(parseNpy(npy(BigInt64Array.of(1n, -2n, 3n), [3])).shape).toEqual([3]);
    expect(Buffer.from(npy(Int32Array.of(5), [1])).toString('latin1')).toContain("'shape': (1,), }");
    expect(() => npy(values, [5, 5])).toThrow('does not hold 24 elements');
  });

  it('is read by numpy with the same shape and bits, when python3 with numpy is here', () => {
    const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log('note: python3 with numpy is not available here; the NPY header was checked against the spec only');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'nesslab-npy-'));
    try {
      writeFileSync(join(dir, 'a.npy'), npy(values, [2, 3, 4]));
      writeFileSync(join(dir, 's.npy'), npy(BigInt64Array.of(10n, 20n, 30n), [3]));
      const py = spawnSync(
        'python3',
        [
          '-c',
          'import numpy as np, sys, json; a = np.load(sys.argv[1]); s = np.load(sys.argv[2]); ' +
            'print(json.dumps([list(a.shape), str(a.dtype), a.tobytes().hex(), s.tolist(), str(s.dtype)]))',
          join(dir, 'a.npy'),
          join(dir, 's.npy'),
        ],
        { encoding: 'utf8' },
      );
      expect(py.status, py.stderr).toBe(0);
      const [shape, dtype, hex, steps, stepsType] = JSON.parse(py.stdout);
      expect(shape).toEqual([2, 3, 4]);
      expect(dtype).toBe('float64');
      expect(hex).toBe(Buffer.from(values.buffer).toString('hex')); // every bit (this machine is little-endian)
      expect(steps).toEqual([10, 20, 30]);
      expect(stepsType).toBe('int64');
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});
