/** The optional validation split: its sizes, that it is disjoint from training and test, stable, and refused when too big. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../../electron/lab/api/dispatch';
import { checkedSplitCounts, MIN_EXAMPLES, withValidation } from '../../../electron/lab/datasets/examples';
import { DatasetManager } from '../../../electron/lab/datasets/manager';
import { heldOutCount, splitCounts } from '../../../shared/data/split';
import { toPortable } from '../../../shared/engine/portable';
import type { DatasetArrays } from '../../../shared/engine/protocol';
import type { RunSpec } from '../../../shared/spec/experiment';
import { DataSpec, type DatasetSource } from '../../../shared/spec/data';
import { utf8 } from './fixtures';

let home: string;
let manager: DatasetManager;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-validation-'));
  manager = new DatasetManager({ dataDir: home });
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const blobs: DatasetSource = { kind: 'synthetic', generator: 'blobs', samples: 500, noise: 0.3, classes: 3, seed: 4 };

/** Each example of a 2-D split as "x,y→label". */
const rowsOf = (split: { x: Float32Array; y: Int32Array }) => Array.from(split.y, (label, i) => `${split.x[2 * i]},${split.x[2 * i + 1]}→${label}`);

describe('split sizes', () => {
  it('hold validation out of what the test split leaves, or out of a source’s own training set', () => {
    expect(splitCounts(1000, { testFraction: 0.2, validationFraction: 0.1 })).toEqual({ train: 720, validation: 80, test: 200 });
    expect(splitCounts(1000, { testFraction: 0.2, validationFraction: 0 })).toEqual({ train: 800, validation: 0, test: 200 });
    // MNIST: its 10k test digits stay, validation comes out of the 60k training digits.
    expect(splitCounts(60_000, { testFraction: 0.2, validationFraction: 0.1 }, 10_000)).toEqual({ train: 54_000, validation: 6_000, test: 10_000 });
    // A tiny fraction still holds out one example; none holds out none.
    expect(heldOutCount(30, 0.01)).toBe(1);
    expect(heldOutCount(30, 0)).toBe(0);
  });

  it('is optional in a DataSpec, off by default, and at most 30%', () => {
    expect(DataSpec.parse({ source: blobs }).validationFraction).toBe(0);
    expect(DataSpec.parse({ source: blobs, validationFraction: 0.3 }).validationFraction).toBe(0.3);
    expect(DataSpec.safeParse({ source: blobs, validationFraction: 0.31 }).success).toBe(false);
    expect(DataSpec.safeParse({ source: blobs, validationFraction: -0.1 }).success).toBe(false);
  });

  it('refuses a split that leaves no training example, saying which hold-outs took them', () => {
    expect(() => checkedSplitCounts(2, { testFraction: 0.5, validationFraction: 0.3 })).toThrow(UserError);
    expect(() => checkedSplitCounts(2, { testFraction: 0.5, validationFraction: 0.3 })).toThrow(
      '2 examples are too few to hold out 50% for testing and 30% of the rest for validation: no training example would be left',
    );
    expect(() => checkedSplitCounts(1, { testFraction: 0.2, validationFraction: 0 })).toThrow('1 example is too few to hold out 20% for testing: no training example would be left');
    const one: DatasetArrays = { inputShape: [2], numClasses: 2, train: { x: new Float32Array(2), y: new Int32Array(1) }, test: { x: new Float32Array(2), y: new Int32Array(1) } };
    expect(() => withValidation(one, 0.1)).toThrow('1 example is too few to hold out 10% of the training examples for validation: no training example would be left');
    expect(withValidation(one, 0)).toBe(one);
  });
});

describe('DatasetManager with a validation split', () => {
  it('carves validation from the training examples of a synthetic set: counts as described, disjoint, nothing lost', () => {
    const split = { testFraction: 0.2, validationFraction: 0.25 };
    const data = manager.load({ source: blobs, ...split });
    expect(manager.describe(blobs, split)).toMatchObject({ trainCount: 300, validationCount: 100, testCount: 100 });
    expect([data.train.y.length, data.validation!.y.length, data.test.y.length]).toEqual([300, 100, 100]);
    expect(data.validation!.x).toHaveLength(200);
    const [train, validation, test] = [rowsOf(data.train), rowsOf(data.validation!), rowsOf(data.test)];
    const all = new Set([...train, ...validation, ...test]);
    // Disjoint (no example in two splits) and complete (the same 500 examples as without validation).
    expect(all.size).toBe(500);
    const plain = manager.load({ source: blobs, testFraction: 0.2 });
    expect(plain.validation).toBeUndefined();
    expect(new Set([...rowsOf(plain.train), ...rowsOf(plain.test)])).toEqual(all);
    // The test split is untouched by validation: the same examples, the same memory.
    expect(data.test).toBe(plain.test);
    // Every class is in the validation split.
    expect(new Set(data.validation!.y)).toEqual(new Set([0, 1, 2]));
  });

  it('gives the same validation examples every time, in a new process too, as views of shared memory', () => {
    const spec = { source: blobs, testFraction: 0.2, validationFraction: 0.1 };
    const first = manager.load(spec);
    const again = new DatasetManager({ dataDir: home }).load(spec);
    expect(rowsOf(again.validation!)).toEqual(rowsOf(first.validation!));
    expect(rowsOf(again.train)).toEqual(rowsOf(first.train));
    // Workers read the validation split from the same shared buffer as training: nothing was copied.
    expect(first.validation!.x.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(first.validation!.x.buffer).toBe(first.train.x.buffer);
    // A larger fraction takes more from the end of the training examples; the smaller one is within it.
    const larger = manager.load({ ...spec, validationFraction: 0.3 });
    expect(rowsOf(larger.validation!).slice(-first.validation!.y.length)).toEqual(rowsOf(first.validation!));
  });

  it('splits an imported set (stored sorted by class) into three disjoint parts with every row once', () => {
    const csv = 'x1,x2,label\n' + Array.from({ length: 30 }, (_, i) => `${i},${i % 7},${i < 15 ? 'a' : 'b'}`).join('\n');
    const info = manager.importFiles({ name: 'toy', format: 'csv', labelColumn: 'label', files: [{ fileName: 'toy.csv', bytes: utf8(csv) }] });
    const split = { testFraction: 0.2, validationFraction: 0.3 };
    const described = manager.describe(info.source, split);
    expect(described).toMatchObject({ trainCount: 17, validationCount: 7, testCount: 6 });
    expect(described.description).toContain('30 examples, 20% held out for testing and 30% of the rest for validation.');
    const data = manager.load({ source: info.source, ...split });
    const firstColumn = (s: { x: Float32Array }) => Array.from(s.x.filter((_, i) => i % 2 === 0));
    const [train, validation, test] = [firstColumn(data.train), firstColumn(data.validation!), firstColumn(data.test)];
    expect([train.length, validation.length, test.length]).toEqual([17, 7, 6]);
    expect([...train, ...validation, ...test].sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
    // Rows keep their labels in the validation split.
    validation.forEach((x1, i) => expect(data.validation!.y[i]).toBe(x1 < 15 ? 0 : 1));
  });

  it('leaves training examples in the smallest sets a spec allows at the largest fractions', () => {
    const largest = { testFraction: 0.5, validationFraction: 0.3 };
    expect(manager.describe({ ...blobs, samples: 20 }, largest)).toMatchObject({ trainCount: 7, validationCount: 3, testCount: 10 });
    expect(checkedSplitCounts(MIN_EXAMPLES, largest)).toEqual({ train: 3, validation: 2, test: 5 });
  });

  it('crosses to a GPU window (another process) as ordinary copies of exactly the validation examples', () => {
    const data = manager.load({ source: blobs, testFraction: 0.2, validationFraction: 0.1 });
    const start = (arrays: DatasetArrays) => {
      const message = toPortable({ type: 'start', runId: 'r-1', spec: {} as RunSpec, data: arrays });
      if (message.type !== 'start') throw new Error('expected a start message');
      // Blob features are not pixel bytes: they cross as float32.
      const floats = ({ x, y }: { x: unknown; y: Int32Array }) => {
        if (!(x instanceof Float32Array)) throw new Error('expected float32 inputs');
        return { x, y };
      };
      const { train, validation, test } = message.data;
      return { train: floats(train), test: floats(test), ...(validation ? { validation: floats(validation) } : {}) };
    };
    const sent = start(data);
    for (const array of [sent.validation!.x, sent.validation!.y, sent.train.x, sent.test.y]) expect(array.buffer).not.toBeInstanceOf(SharedArrayBuffer);
    // Only the validation rows are copied, not the training buffer they are a view of.
    expect(sent.validation!.x.buffer.byteLength).toBe(40 * 2 * 4);
    expect(rowsOf(sent.validation!)).toEqual(rowsOf(data.validation!));
    expect(rowsOf(sent.train)).toEqual(rowsOf(data.train));
    expect(start(manager.load({ source: blobs, testFraction: 0.2 }))).not.toHaveProperty('validation');
  });
});
