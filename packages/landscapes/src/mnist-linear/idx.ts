/**
 * The IDX format of the MNIST files (LeCun et al., http://yann.lecun.com/exdb/mnist/): a big-endian header
 * (magic number 0x0000TTDD, TT = 0x08 for unsigned bytes, DD = the number of dimensions; then one uint32 per
 * dimension) followed by the unsigned bytes, row-major. Images: magic 2051, dims [count, 28, 28]; labels: magic
 * 2049, dims [count].
 */

/** 0x00000803: unsigned bytes, 3 dimensions (count × rows × columns). */
export const IMAGES_MAGIC = 2051;
/** 0x00000801: unsigned bytes, 1 dimension (count). */
export const LABELS_MAGIC = 2049;

export interface IdxArray {
  /** The sizes of the dimensions, the first one the number of items. */
  dims: number[];
  /** The bytes after the header, exactly the product of dims of them (a view into the file's buffer). */
  data: Uint8Array;
}

/**
 * Parses an IDX file of unsigned bytes, checking the magic number (`expectedMagic`), the header and that the
 * file holds exactly the bytes the header announces. `name` names the file in error messages.
 */
export function parseIdx(bytes: Uint8Array, expectedMagic: number, name: string): IdxArray {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 4)
    throw new Error(`${name}: not an IDX file (${bytes.byteLength} bytes, shorter than the header)`);
  const magic = view.getUint32(0, false);
  if (magic !== expectedMagic) {
    throw new Error(
      `${name}: IDX magic number ${magic} (0x${magic.toString(16).padStart(8, '0')}), expected ${expectedMagic} (0x${expectedMagic.toString(16).padStart(8, '0')})`,
    );
  }
  const rank = magic & 0xff;
  const header = 4 + 4 * rank;
  if (bytes.byteLength < header)
    throw new Error(`${name}: IDX header announces ${rank} dimensions but the file has only ${bytes.byteLength} bytes`);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const size = dims.reduce((a, b) => a * b, 1);
  if (bytes.byteLength !== header + size) {
    throw new Error(
      `${name}: IDX header announces ${dims.join('×')} = ${size} bytes of data, the file has ${bytes.byteLength - header}`,
    );
  }
  return { dims, data: bytes.subarray(header) };
}

/** Images of an IDX file (magic 2051): count, rows, columns and the count·rows·columns pixel bytes (0 = white). */
export function parseImages(
  bytes: Uint8Array,
  name: string,
): { count: number; rows: number; cols: number; pixels: Uint8Array } {
  const { dims, data } = parseIdx(bytes, IMAGES_MAGIC, name);
  return { count: dims[0], rows: dims[1], cols: dims[2], pixels: data };
}

/** Labels of an IDX file (magic 2049), each checked to be a digit 0–9. */
export function parseLabels(bytes: Uint8Array, name: string): Uint8Array {
  const { data } = parseIdx(bytes, LABELS_MAGIC, name);
  for (let i = 0; i < data.length; i++) {
    if (data[i] > 9) throw new Error(`${name}: label ${i} is ${data[i]}, not a digit 0–9`);
  }
  return data;
}
