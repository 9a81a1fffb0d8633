/**
 * Examples as the dataset manager keeps them between parsing, storing and loading: features in
 * their compact stored type (uint8 pixels stay one byte each) plus the scale that turns them into
 * model inputs. One place hashes, shuffles, splits and widens them, so MNIST, imported and
 * synthetic sets all take the same path to the arrays a worker receives.
 */
import { createHash } from 'node:crypto';
import { Rng } from '../../../shared/engine/random';
import { splitCounts, type SplitCounts, type SplitFractions } from '../../../shared/data/split';
import type { DatasetArrays } from '../../../shared/engine/protocol';
import { UserError } from '../api/dispatch';

export interface Examples {
  /** Row-major features: uint8 pixels (scaled on load) or float32 values (used as they are). */
  x: Uint8Array | Float32Array;
  /** Model input = x · xScale (1/255 for uint8 pixels, 1 for float features). */
  xScale: number;
  y: Int32Array;
  /** Shape of one example: [features] or [height, width, channels]. */
  inputShape: number[];
  numClasses: number;
  classNames?: string[];
  /** Column names of tabular data, for previews. */
  featureNames?: string[];
}

/** Imports with fewer examples than this cannot hold a useful test split. */
export const MIN_EXAMPLES = 10;
/** More distinct labels than this almost always means the wrong label column was chosen. */
export const MAX_CLASSES = 100;

/** Number of features of one example. */
export function exampleSize(inputShape: readonly number[]): number {
  return inputShape.reduce((a, b) => a * b, 1);
}

/**
 * sha256 of the normalized content: what the model sees (shape, stored type and scale, features,
 * labels, class names). File names, CSV formatting and header names do not count, so the same
 * data imported twice has the same hash and a run's dataset hash names exactly what it trained on.
 */
export function contentHash(examples: Examples): string {
  const hash = createHash('sha256');
  const header = {
    v: 1,
    inputShape: examples.inputShape,
    xType: examples.x instanceof Uint8Array ? 'u8' : 'f32',
    xScale: examples.xScale,
    numClasses: examples.numClasses,
    classNames: examples.classNames ?? null,
  };
  hash.update(JSON.stringify(header));
  hash.update(bytesOf(examples.x));
  hash.update(bytesOf(examples.y));
  return hash.digest('hex');
}

/** The raw bytes behind a typed array (no copy). */
export function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * The examples in a fixed pseudo-random order: imported files are often sorted by class, so the
 * held-out part must be a random sample, and the same one every time.
 */
export function shuffleExamples(examples: Examples): Examples {
  const n = examples.y.length;
  const size = examples.x.length / n;
  const order = new Rng(0x5eed).permutation(n);
  const x = examples.x instanceof Uint8Array ? new Uint8Array(examples.x.length) : new Float32Array(examples.x.length);
  const y = new Int32Array(n);
  for (let to = 0; to < n; to++) {
    const from = order[to]!;
    x.set(examples.x.subarray(from * size, (from + 1) * size), to * size);
    y[to] = examples.y[from]!;
  }
  return { ...examples, x, y };
}

/**
 * Split sizes (see splitCounts), or a UserError saying which hold-outs leave no training example.
 * `ownTestCount` is the size of a test set the source brings (then only validation is carved).
 */
export function checkedSplitCounts(examples: number, fractions: SplitFractions, ownTestCount?: number): SplitCounts {
  const counts = splitCounts(examples, fractions, ownTestCount);
  if (counts.train < 1) {
    const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;
    const holdOuts = [
      ...(ownTestCount === undefined ? [`${percent(fractions.testFraction)} for testing`] : []),
      ...(counts.validation > 0 ? [`${percent(fractions.validationFraction)} of the ${ownTestCount === undefined ? 'rest' : 'training examples'} for validation`] : []),
    ];
    throw new UserError(`${examples} example${examples === 1 ? ' is' : 's are'} too few to hold out ${holdOuts.join(' and ')}: no training example would be left`);
  }
  return counts;
}

/**
 * Model-ready arrays: the last `testFraction` of the (already seeded-order) examples is the test
 * split, or `test` is used as it is. Arrays live in SharedArrayBuffers so every worker thread
 * reads the same memory: post them without a transfer list and never write to them.
 */
export function toDatasetArrays(train: Examples, split: { testFraction: number } | { test: Examples }): DatasetArrays {
  const base = {
    inputShape: train.inputShape,
    numClasses: train.numClasses,
    ...(train.classNames ? { classNames: train.classNames } : {}),
  };
  if ('test' in split) {
    return { ...base, train: widen(train, 0, train.y.length), test: widen(split.test, 0, split.test.y.length) };
  }
  const n = train.y.length;
  const counts = checkedSplitCounts(n, { testFraction: split.testFraction, validationFraction: 0 });
  return { ...base, train: widen(train, 0, counts.train), test: widen(train, counts.train, n) };
}

/**
 * The arrays with the last `validationFraction` of the training examples moved to a validation
 * split (the same examples for every run and seed: the training arrays are already in their fixed
 * order, and MNIST's training file is not sorted by class). The splits are views of the same shared
 * memory, so carving them copies nothing and MNIST stays loaded once whatever the fraction.
 */
export function withValidation(data: DatasetArrays, validationFraction: number): DatasetArrays {
  if (validationFraction === 0) return data;
  const n = data.train.y.length;
  const counts = checkedSplitCounts(n, { testFraction: 0, validationFraction }, data.test.y.length);
  const size = exampleSize(data.inputShape);
  const rows = (from: number, to: number) => ({ x: data.train.x.subarray(from * size, to * size), y: data.train.y.subarray(from, to) });
  return { ...data, train: rows(0, counts.train), validation: rows(counts.train, n) };
}

/** Examples [from, to) as float32 model inputs and int32 labels in shared memory. */
function widen(examples: Examples, from: number, to: number): { x: Float32Array; y: Int32Array } {
  const size = exampleSize(examples.inputShape);
  const source = examples.x.subarray(from * size, to * size);
  const x = new Float32Array(new SharedArrayBuffer(source.length * 4));
  if (examples.xScale === 1) x.set(source);
  else for (let i = 0; i < source.length; i++) x[i] = source[i]! * examples.xScale;
  const y = new Int32Array(new SharedArrayBuffer((to - from) * 4));
  y.set(examples.y.subarray(from, to));
  return { x, y };
}
