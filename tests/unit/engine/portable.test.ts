import { describe, expect, it } from 'vitest';
import { fromByteInputs, fromPortable, toByteInputs, toPortable } from '../../../shared/engine/portable';
import type { DatasetArrays, ToWorker } from '../../../shared/engine/protocol';
import type { RunSpec } from '../../../shared/spec/experiment';

/** Pixel inputs as the dataset manager widens them: fround(byte · (1/255)) in shared memory. */
function sharedPixels(bytes: number[]): Float32Array {
  const x = new Float32Array(new SharedArrayBuffer(bytes.length * 4));
  bytes.forEach((b, i) => (x[i] = b * (1 / 255)));
  return x;
}

function sharedLabels(labels: number[]): Int32Array {
  const y = new Int32Array(new SharedArrayBuffer(labels.length * 4));
  y.set(labels);
  return y;
}

const start = (data: DatasetArrays): ToWorker => ({ type: 'start', runId: 'r-1', spec: {} as RunSpec, data });
const bits = (x: Float32Array) => Array.from(new Uint32Array(x.buffer, x.byteOffset, x.length));

describe('portable start messages (dataset copies for a worker in another process)', () => {
  const allBytes = Array.from({ length: 256 }, (_, i) => i);

  it('encodes every byte value of pixel data losslessly: the page rebuilds bit-identical float32', () => {
    const x = sharedPixels([...allBytes, 0, 255, 17]);
    const encoded = toByteInputs(x);
    expect(encoded).not.toBeNull();
    expect(Array.from(encoded!.bytes)).toEqual([...allBytes, 0, 255, 17]);
    expect(bits(fromByteInputs(encoded!))).toEqual(bits(x));
  });

  it('keeps float32 for anything that is not exactly a byte over 255', () => {
    for (const values of [[0.5], [-1 / 255], [256 / 255], [Number.NaN], [0.1 + 1 / 255]]) {
      expect(toByteInputs(Float32Array.from(values))).toBeNull();
    }
    // One non-pixel value anywhere keeps the whole array in float32.
    const mostlyPixels = sharedPixels(allBytes);
    mostlyPixels[200] = 0.123;
    expect(toByteInputs(mostlyPixels)).toBeNull();
  });

  it('posts pixels as a quarter of the bytes, copies the rest out of shared memory, and round-trips the message', () => {
    const trainX = sharedPixels([0, 128, 255, 3, 4, 5, 6, 7]);
    const trainY = sharedLabels([0, 1, 0, 1]);
    const validation = { x: trainX.subarray(6), y: trainY.subarray(3) };
    const test = { x: new Float32Array(new SharedArrayBuffer(8)).fill(0.3), y: sharedLabels([1]) };
    const data: DatasetArrays = { inputShape: [2], numClasses: 2, train: { x: trainX.subarray(0, 6), y: trainY.subarray(0, 3) }, validation, test };

    const sent = toPortable(start(data));
    if (sent.type !== 'start') throw new Error('expected a start message');
    expect(sent.data.train.x).toMatchObject({ bytes: Uint8Array.from([0, 128, 255, 3, 4, 5]) });
    expect(sent.data.validation!.x).toMatchObject({ bytes: Uint8Array.from([6, 7]) });
    expect(sent.data.test.x).toBeInstanceOf(Float32Array);
    // structuredClone refuses nothing here: no shared memory is left in the message.
    const received = fromPortable(structuredClone(sent));
    if (received.type !== 'start') throw new Error('expected a start message');
    for (const split of ['train', 'validation', 'test'] as const) {
      expect(bits(received.data[split]!.x)).toEqual(bits(data[split]!.x));
      expect(Array.from(received.data[split]!.y)).toEqual(Array.from(data[split]!.y));
      expect(received.data[split]!.y.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    }
  });

  it('checks each shared array once: the next run of an experiment posts the same encoding', () => {
    const data: DatasetArrays = { inputShape: [1], numClasses: 2, train: { x: sharedPixels([1, 2]), y: sharedLabels([0, 1]) }, test: { x: sharedPixels([3]), y: sharedLabels([1]) } };
    const [first, second] = [toPortable(start(data)), toPortable(start(data))];
    if (first.type !== 'start' || second.type !== 'start') throw new Error('expected start messages');
    expect(second.data.train.x).toBe(first.data.train.x);
  });

  it('passes other messages through untouched', () => {
    const cancel: ToWorker = { type: 'cancel', runId: 'r-1' };
    expect(toPortable(cancel)).toBe(cancel);
    expect(fromPortable(cancel)).toBe(cancel);
  });
});
