/**
 * The IDX format (MNIST, Fashion-MNIST, KMNIST): a magic number naming the element type and the
 * number of dimensions, the dimension sizes as big-endian uint32, then the data. Parsed by hand
 * so that every way a file can be wrong gets a precise message.
 */
import { MAX_CLASSES, type Examples } from './examples';

export interface IdxArray {
  dims: number[];
  /** Elements as numbers (uint8 images stay uint8). */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { name: string; bytes: number }> = {
  0x08: { name: 'unsigned byte', bytes: 1 },
  0x09: { name: 'signed byte', bytes: 1 },
  0x0b: { name: 'short', bytes: 2 },
  0x0c: { name: 'int', bytes: 4 },
  0x0d: { name: 'float', bytes: 4 },
  0x0e: { name: 'double', bytes: 8 },
};

/** Parses an IDX file's bytes; errors name the file and the byte offset. */
export function parseIdx(bytes: Uint8Array, fileName: string): IdxArray {
  const fail = (offset: number, message: string): never => {
    throw new Error(`${fileName}: ${message} (at byte ${offset})`);
  };
  if (bytes.length < 4) fail(0, `not an IDX file: ${bytes.length} bytes is shorter than the 4-byte header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail(0, `not an IDX file: the magic number must start with two zero bytes, found 0x${hex(bytes[0]!)}${hex(bytes[1]!)}`);
  }
  const type = TYPES[bytes[2]!];
  if (!type) return fail(2, `unknown IDX element type 0x${hex(bytes[2]!)} (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E)`);
  const rank = bytes[3]!;
  if (rank < 1 || rank > 4) fail(3, `unsupported number of dimensions ${rank} (expected 1 to 4)`);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) fail(bytes.length, `truncated header: ${rank} dimensions need ${headerBytes} bytes, the file has ${bytes.length}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) {
    const size = view.getUint32(4 + 4 * i, false);
    if (size === 0) fail(4 + 4 * i, `dimension ${i + 1} has size 0`);
    dims.push(size);
  }
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length < expected) {
    fail(bytes.length, `truncated data: dimensions ${dims.join('×')} of ${type.name} need ${expected} bytes, the file has ${bytes.length}`);
  }
  if (bytes.length > expected) fail(expected, `${bytes.length - expected} unexpected bytes after the data`);
  const body = bytes.subarray(headerBytes, expected);
  return { dims, data: decode(body, bytes[2]!, count) };
}

function decode(body: Uint8Array, type: number, count: number): IdxArray['data'] {
  if (type === 0x08) return body;
  if (type === 0x09) return new Int8Array(body.buffer, body.byteOffset, count);
  // Multi-byte IDX values are big-endian: read them one by one.
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  switch (type) {
    case 0x0b:
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(2 * i, false));
    case 0x0c:
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, false));
    case 0x0d:
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, false));
    default:
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, false));
  }
}

function hex(byte: number): string {
  return byte.toString(16).padStart(2, '0').toUpperCase();
}

/**
 * Pairs an images file with a labels file into examples; errors say when they don't belong
 * together. Unsigned-byte images stay one byte per pixel and are scaled to [0, 1] on load (the
 * convention of MNIST and its relatives); every other element type is used as it is.
 */
export function idxImagesAndLabels(images: IdxArray, labels: IdxArray, names: { images: string; labels: string }): Examples {
  if (images.dims.length < 2) {
    throw new Error(`${names.images}: expected images (at least 2 dimensions: count, then the shape of one example), found 1 dimension`);
  }
  if (labels.dims.length !== 1) {
    throw new Error(`${names.labels}: expected labels (1 dimension), found ${labels.dims.length} dimensions (${labels.dims.join('×')})`);
  }
  const n = images.dims[0]!;
  if (labels.dims[0] !== n) throw new Error(`${names.images} has ${n} images but ${names.labels} has ${labels.dims[0]} labels`);
  const y = new Int32Array(n);
  let maxLabel = 0;
  for (let i = 0; i < n; i++) {
    const label = labels.data[i]!;
    if (!Number.isInteger(label) || label < 0) {
      throw new Error(`${names.labels}: label ${i + 1} is ${label}; labels must be whole numbers ≥ 0`);
    }
    if (label >= MAX_CLASSES) {
      throw new Error(`${names.labels}: label ${i + 1} is ${label}; at most ${MAX_CLASSES} classes (labels 0 to ${MAX_CLASSES - 1}) are supported`);
    }
    y[i] = label;
    if (label > maxLabel) maxLabel = label;
  }
  const [, ...rest] = images.dims;
  // Greyscale images (count × height × width) get an explicit single channel, as MNIST has.
  const inputShape = rest.length === 2 ? [rest[0]!, rest[1]!, 1] : rest;
  const x = images.data instanceof Uint8Array ? images.data : Float32Array.from(images.data);
  if (x instanceof Float32Array) {
    const bad = x.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new Error(`${names.images}: value ${bad + 1} is ${x[bad]}; inputs must be finite numbers`);
  }
  return { x, xScale: x instanceof Uint8Array ? 1 / 255 : 1, y, inputShape, numClasses: maxLabel + 1 };
}
