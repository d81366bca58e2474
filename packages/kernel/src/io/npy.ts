// NumPy's .npy format, version 1.0 (numpy.lib.format): the magic string \x93NUMPY, the version bytes 1 0, the header
// length as a little-endian uint16, an ASCII header — a Python dict literal {'descr': …, 'fortran_order': False,
// 'shape': (…), } padded with spaces and ended by '\n' so that the data starts at a multiple of 64 bytes — then the
// array's elements in C order, little-endian whatever this machine's byte order.

/** The element types written: float64 ('<f8'), int64 ('<i8'), int32 ('<i4'). */
export type NpyData = Float64Array | BigInt64Array | Int32Array;

const ALIGN = 64;

/** Python's repr of a shape tuple: (), (3,), (2, 5, 7). */
const shapeRepr = (shape: readonly number[]) => (shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`);

/** The .npy bytes of `data` with `shape` (C order; the product of shape must equal data.length). */
export function npy(data: NpyData, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0) || count !== data.length)
    throw new RangeError(`npy: shape (${shape.join(', ')}) does not hold ${data.length} elements`);
  const [descr, size] =
    data instanceof Float64Array ? ['<f8', 8] : data instanceof BigInt64Array ? ['<i8', 8] : ['<i4', 4];
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeRepr(shape)}, }`;
  const unpadded = 6 + 2 + 2 + header.length + 1;
  header += ' '.repeat((ALIGN - (unpadded % ALIGN)) % ALIGN) + '\n';
  const offset = 10 + header.length;
  const out = new Uint8Array(offset + data.length * size),
    view = new DataView(out.buffer);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]); // \x93NUMPY, version 1.0
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  if (data instanceof Float64Array)
    for (let i = 0; i < data.length; i++) view.setFloat64(offset + 8 * i, data[i]!, true);
  else if (data instanceof BigInt64Array)
    for (let i = 0; i < data.length; i++) view.setBigInt64(offset + 8 * i, data[i]!, true);
  else for (let i = 0; i < data.length; i++) view.setInt32(offset + 4 * i, data[i]!, true);
  return out;
}

/** Reads back what `npy` writes (v1.0, little-endian f8/i8/i4, C order): for tests and for tools that check files. */
export function parseNpy(bytes: Uint8Array): { descr: string; shape: number[]; data: NpyData } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== 'NUMPY') throw new Error('npy: not a .npy file');
  if (bytes[6] !== 1 || bytes[7] !== 0) throw new Error(`npy: version ${bytes[6]}.${bytes[7]}, expected 1.0`);
  const length = view.getUint16(8, true),
    header = String.fromCharCode(...bytes.subarray(10, 10 + length));
  const m = /^\{'descr': '(<f8|<i8|<i4)', 'fortran_order': False, 'shape': \(([\d, ]*)\), \} *\n$/.exec(header);
  if (!m) throw new Error(`npy: unexpected header ${JSON.stringify(header)}`);
  const shape = m[2]!
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map(Number);
  const n = shape.reduce((a, b) => a * b, 1),
    at = 10 + length;
  if (m[1] === '<f8')
    return { descr: m[1], shape, data: Float64Array.from({ length: n }, (_, i) => view.getFloat64(at + 8 * i, true)) };
  if (m[1] === '<i8')
    return {
      descr: m[1],
      shape,
      data: BigInt64Array.from({ length: n }, (_, i) => view.getBigInt64(at + 8 * i, true)),
    };
  return { descr: m[1]!, shape, data: Int32Array.from({ length: n }, (_, i) => view.getInt32(at + 4 * i, true)) };
}
