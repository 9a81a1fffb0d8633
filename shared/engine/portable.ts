/**
 * Start messages for a worker in another process (a hidden GPU window). Shared memory cannot cross
 * processes, so the dataset travels as a copy; pixel data (bytes scaled by 1/255, e.g. MNIST) goes
 * as its bytes, a quarter of the float32 size (full MNIST: 55 MB instead of 220 MB, well under
 * Chromium's per-message limit), and the page rebuilds bit-identical float32 arrays.
 */
import type { DatasetArrays, ToWorker } from './protocol';

/** Model inputs stored as bytes: input = fround(byte · scale), exactly as the dataset manager widened them. */
export interface ByteInputs {
  bytes: Uint8Array;
  scale: number;
}

interface PortableSplit {
  x: Float32Array | ByteInputs;
  y: Int32Array;
}

export type PortableDataset = Omit<DatasetArrays, 'train' | 'validation' | 'test'> & {
  train: PortableSplit;
  validation?: PortableSplit;
  test: PortableSplit;
};

/** What a host in another process posts: a ToWorker message whose dataset may hold byte inputs. */
export type PortableToWorker = Exclude<ToWorker, { type: 'start' }> | (Omit<Extract<ToWorker, { type: 'start' }>, 'data'> & { data: PortableDataset });

const PIXEL_SCALE = 1 / 255;

/** The bytes that widen to exactly `x` with the pixel scale, or null when `x` is not pixel data. */
export function toByteInputs(x: Float32Array): ByteInputs | null {
  const bytes = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const byte = Math.round(x[i]! / PIXEL_SCALE);
    // The check makes the encoding lossless whatever the data: any other value keeps float32.
    if (!(byte >= 0 && byte <= 255) || Math.fround(byte * PIXEL_SCALE) !== x[i]) return null;
    bytes[i] = byte;
  }
  return { bytes, scale: PIXEL_SCALE };
}

export function fromByteInputs({ bytes, scale }: ByteInputs): Float32Array {
  const x = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) x[i] = bytes[i]! * scale;
  return x;
}

/**
 * Encodings are kept per array: every run of an experiment posts the same (shared) arrays, and
 * checking full MNIST costs a pass over 55M values. Keyed by the array object and the buffer span,
 * because the validation split is a fresh view per load.
 */
const encoded = new WeakMap<ArrayBufferLike, Map<string, Float32Array | ByteInputs>>();

function portableInputs(x: Float32Array): Float32Array | ByteInputs {
  const spans = encoded.get(x.buffer) ?? new Map<string, Float32Array | ByteInputs>();
  encoded.set(x.buffer, spans);
  const span = `${x.byteOffset}:${x.length}`;
  let result = spans.get(span);
  if (!result) {
    // Shared memory must be copied anyway; an ordinary buffer is posted as it is.
    result = toByteInputs(x) ?? (x.buffer instanceof SharedArrayBuffer ? x.slice() : x);
    spans.set(span, result);
  }
  return result;
}

const unshared = (y: Int32Array): Int32Array => (y.buffer instanceof SharedArrayBuffer ? y.slice() : y);

/** The message as a host in another process must post it: no shared memory, pixel inputs as bytes. */
export function toPortable(message: ToWorker): PortableToWorker {
  if (message.type !== 'start') return message;
  const split = ({ x, y }: { x: Float32Array; y: Int32Array }): PortableSplit => ({ x: portableInputs(x), y: unshared(y) });
  const { train, validation, test, ...shape } = message.data;
  return { ...message, data: { ...shape, train: split(train), ...(validation ? { validation: split(validation) } : {}), test: split(test) } };
}

/** The ToWorker message the engine handles, with byte inputs widened back to float32. */
export function fromPortable(message: PortableToWorker): ToWorker {
  if (message.type !== 'start') return message;
  const split = ({ x, y }: PortableSplit) => ({ x: x instanceof Float32Array ? x : fromByteInputs(x), y });
  const { train, validation, test, ...shape } = message.data;
  return { ...message, data: { ...shape, train: split(train), ...(validation ? { validation: split(validation) } : {}), test: split(test) } };
}
