import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { DatasetManager, type ImportRequest } from '../../../electron/lab/datasets/manager';
import { UserError } from '../../../electron/lab/api/dispatch';
import type { DatasetSource } from '../../../shared/spec/data';
import { idxFile, utf8 } from './fixtures';

let home: string;
let manager: DatasetManager;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-datasets-'));
  manager = new DatasetManager({ dataDir: home });
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const importsDir = () => path.join(home, 'datasets');
const hashOf = (source: DatasetSource) => (source as { hash: string }).hash;

/** 30 rows sorted by class (as exported files often are): x1 = row, x2 = row mod 7. */
const sortedCsv = 'x1,x2,label\n' + Array.from({ length: 30 }, (_, i) => `${i},${i % 7},${i < 15 ? 'a' : 'b'}`).join('\n');
const csvRequest = (text = sortedCsv, name = 'toy'): ImportRequest => ({ name, format: 'csv', labelColumn: 'label', files: [{ fileName: 'toy.csv', bytes: utf8(text) }] });
const idxRequest = (n = 12, classes = 3): ImportRequest => ({
  name: 'tiny',
  format: 'idx',
  files: [
    { fileName: 'labels.idx', bytes: idxFile(0x08, [n], Array.from({ length: n }, (_, i) => i % classes)) },
    { fileName: 'images.idx', bytes: idxFile(0x08, [n, 2, 2], Array.from({ length: 4 * n }, (_, i) => (i * 5) % 256)) },
  ],
});

describe('DatasetManager: built-in sets', () => {
  it('lists MNIST and every synthetic generator with its defaults', () => {
    const list = manager.list();
    expect(list.map((d) => d.name)).toEqual(['MNIST', 'Spirals', 'Moons', 'Circles', 'XOR', 'Gaussian blobs']);
    expect(list[0]).toMatchObject({ kind: 'mnist', inputShape: [28, 28, 1], numClasses: 10, trainCount: 60_000, testCount: 10_000 });
    expect(list[1]).toMatchObject({ kind: 'synthetic', source: { generator: 'spirals', samples: 1000, noise: 0.1, classes: 2, seed: 1 }, trainCount: 800, testCount: 200 });
    expect(list[1]!.description).toContain('classes');
    expect(list[2]!.description).not.toContain('classes');
  });

  it('splits a synthetic set by the test fraction, from a source or a DataSpec, cached', () => {
    const source: DatasetSource = { kind: 'synthetic', generator: 'xor', samples: 500, noise: 0, classes: 2, seed: 1 };
    const data = manager.load(source, 0.3);
    expect(data.train.y).toHaveLength(350);
    expect(data.test.y).toHaveLength(150);
    expect(data.train.x).toHaveLength(700);
    expect(manager.load({ source, testFraction: 0.3 })).toBe(data);
    expect(manager.load(source, 0.2).test.y).toHaveLength(100);
    // At zero noise XOR's label is the sign of x·y.
    for (let i = 0; i < 350; i++) expect(data.train.y[i]).toBe(data.train.x[2 * i]! * data.train.x[2 * i + 1]! > 0 ? 0 : 1);
    // Shared memory: every worker thread reads the same bytes.
    expect(data.train.x.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(data.test.y.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('passes a generator error on as a user error', () => {
    expect(() => manager.load({ kind: 'synthetic', generator: 'moons', samples: 100, noise: 0, classes: 3, seed: 1 })).toThrow(UserError);
  });

  it('previews 2-D sets as points', () => {
    const preview = manager.preview({ kind: 'synthetic', generator: 'blobs', samples: 100, noise: 0.1, classes: 4, seed: 3 }, 8);
    expect(preview.kind).toBe('points');
    if (preview.kind !== 'points') return;
    expect(preview.points).toHaveLength(8);
    expect(preview.points.map((p) => p[2])).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
  });
});

describe('DatasetManager: imports', () => {
  it('stores a CSV set compactly under its content hash, lists, loads, renames and removes it', () => {
    const info = manager.importFiles(csvRequest());
    const hash = hashOf(info.source);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(info).toMatchObject({ name: 'toy', kind: 'imported', inputShape: [2], numClasses: 2, classNames: ['a', 'b'], trainCount: 24, testCount: 6, sizeBytes: 30 * 2 * 4 + 30 * 4 });
    expect(readdirSync(path.join(importsDir(), hash)).sort()).toEqual(['meta.json', 'x.f32', 'y.i32']);
    expect(statSync(path.join(importsDir(), hash, 'x.f32')).size).toBe(30 * 2 * 4);
    expect(manager.list().at(-1)).toEqual(info);
    expect(manager.describe(info.source)).toEqual(info);

    const data = manager.load(info.source, 0.2);
    expect(data.train.y.length + data.test.y.length).toBe(30);
    // The held-out rows are a mix of classes even though the file is sorted by class…
    expect(new Set(data.test.y).size).toBe(2);
    // …and every row is still there, with its own label.
    const rows = [...Array(30).keys()].map((i) => (i < 24 ? [data.train.x[2 * i]!, data.train.y[i]!] : [data.test.x[2 * (i - 24)]!, data.test.y[i - 24]!]));
    expect(rows.map(([x1]) => x1).sort((a, b) => a! - b!)).toEqual([...Array(30).keys()]);
    for (const [x1, label] of rows) expect(label).toBe(x1! < 15 ? 0 : 1);

    expect(manager.rename(hash, '  toy 2 ')).toMatchObject({ name: 'toy 2', source: info.source });
    // A new process sees the new name.
    expect(new DatasetManager({ dataDir: home }).describe(info.source).name).toBe('toy 2');
    expect(manager.remove(hash)).toBe(true);
    expect(manager.remove(hash)).toBe(false);
    expect(manager.list().map((d) => d.name)).not.toContain('toy 2');
    expect(readdirSync(importsDir())).toEqual([]);
    expect(() => manager.load(info.source)).toThrow(/no imported dataset with hash/);
  });

  it('names data by content: the same numbers in another file layout get the same hash and are refused', () => {
    const info = manager.importFiles(csvRequest());
    const reformatted = sortedCsv.replace(/,/g, ';').replace(/\n/g, '\r\n').replace('x1;x2', 'first;second');
    expect(() => manager.importFiles(csvRequest(reformatted, 'again'))).toThrow(`this data is already imported as "toy" (hash ${hashOf(info.source).slice(0, 12)}…)`);
    // Other class names are other data.
    const renamedClasses = manager.importFiles(csvRequest(sortedCsv.replace(/,a$/gm, ',alpha'), 'alpha'));
    expect(hashOf(renamedClasses.source)).not.toBe(hashOf(info.source));
  });

  it('imports an IDX image/label pair in either order, one byte per pixel', () => {
    const info = manager.importFiles(idxRequest());
    expect(info).toMatchObject({ inputShape: [2, 2, 1], numClasses: 3, sizeBytes: 12 * 4 + 12 * 4 });
    const dir = path.join(importsDir(), hashOf(info.source));
    expect(statSync(path.join(dir, 'x.u8')).size).toBe(48);
    const data = manager.load(info.source);
    expect(Math.max(...data.train.x, ...data.test.x)).toBeLessThanOrEqual(1);
    expect([...data.train.x].every((v) => Number.isInteger(Math.round(v * 255 * 1e4) / 1e4))).toBe(true);
    manager.remove(hashOf(info.source));
    const swapped = idxRequest();
    swapped.files.reverse();
    swapped.files.forEach((f) => (f.fileName = `renamed-${f.fileName}`));
    expect(hashOf(manager.importFiles(swapped).source)).toBe(hashOf(info.source));
  });

  it('reads gzip-compressed files (as Fashion-MNIST ships) and files named by path', () => {
    const plain = idxRequest();
    const gz = { ...plain, files: plain.files.map((f) => ({ fileName: `${f.fileName}.gz`, bytes: gzipSync(f.bytes) })) };
    const info = manager.importFiles(gz);
    expect(info.description).toBe('Imported from labels.idx.gz + images.idx.gz (IDX); 12 examples, 20% held out for testing.');
    manager.remove(hashOf(info.source));
    for (const f of gz.files) writeFileSync(path.join(home, f.fileName), f.bytes);
    const byPath = manager.importPaths({ name: 'from disk', format: 'idx', paths: gz.files.map((f) => path.join(home, f.fileName)) });
    expect(byPath.source).toEqual(info.source);
    expect(() => manager.importPaths({ name: 'x', format: 'csv', paths: [path.join(home, 'nope.csv')] })).toThrow(`cannot read ${path.join(home, 'nope.csv')}: no such file or folder`);
    const broken = { ...plain, files: [plain.files[0]!, { fileName: 'images.idx.gz', bytes: gzipSync(plain.files[1]!.bytes).subarray(0, 20) }] };
    expect(() => manager.importFiles(broken)).toThrow(/^images\.idx\.gz: looks gzip-compressed but could not be decompressed/);
    // Offsets in messages refer to the decompressed bytes, under the name without ".gz".
    const truncated = { ...plain, files: [plain.files[0]!, { fileName: 'images.idx.gz', bytes: gzipSync(plain.files[1]!.bytes.subarray(0, 40)) }] };
    expect(() => manager.importFiles(truncated)).toThrow('images.idx: truncated data: dimensions 12×2×2 of unsigned byte need 64 bytes, the file has 40 (at byte 40)');
  });

  it('previews imported tables and images', () => {
    expect(manager.preview(manager.importFiles(csvRequest()).source, 3).kind).toBe('points'); // two features: a scatter
    const threeFeatures = 'p,q,r,label\n' + Array.from({ length: 12 }, (_, i) => `${i},1,2,${i % 2}`).join('\n');
    const table = manager.preview(manager.importFiles(csvRequest(threeFeatures, 'three')).source, 3);
    expect(table).toMatchObject({ kind: 'table', columns: ['p', 'q', 'r'] });
    if (table.kind === 'table') {
      expect(table.rows).toHaveLength(3);
      expect(table.labels).toHaveLength(3);
    }
    const images = manager.preview(manager.importFiles(idxRequest()).source, 2);
    expect(images).toMatchObject({ kind: 'images', width: 2, height: 2, channels: 1 });
    if (images.kind === 'images') for (const pixel of images.pixels.flat()) expect(pixel % 5).toBe(0); // the bytes written were multiples of 5 (mod 256)
  });

  const badImports: Array<[string, ImportRequest, string]> = [
    ['a ragged CSV', csvRequest(sortedCsv + '\n1,2'), 'toy.csv, line 32: has 2 columns, expected 3 (as on line 1)'],
    ['too few rows', csvRequest('a,label\n1,0\n2,1\n'), 'toy.csv has 2 data rows; at least 10 are needed to hold some out for testing'],
    ['a CSV with two files', { ...csvRequest(), files: [...csvRequest().files, ...csvRequest().files] }, 'a CSV import takes one file, got 2'],
    ['an IDX import with one file', { ...idxRequest(), files: idxRequest().files.slice(0, 1) }, 'an IDX import takes two files (images and labels), got 1'],
    ['IDX counts that differ', { ...idxRequest(), files: [idxRequest().files[1]!, { fileName: 'l.idx', bytes: idxFile(0x08, [11], new Array(11).fill(1)) }] }, 'images.idx has 12 images but l.idx has 11 labels'],
    ['a single IDX class', idxRequest(12, 1), 'labels.idx: every label is 0; at least 2 classes are needed'],
    ['too few IDX examples', idxRequest(6), 'images.idx has 6 examples; at least 10 are needed'],
    ['a truncated IDX file', { ...idxRequest(), files: [idxRequest().files[0]!, { fileName: 'images.idx', bytes: idxRequest().files[1]!.bytes.slice(0, 40) }] }, 'images.idx: truncated data: dimensions 12×2×2 of unsigned byte need 64 bytes, the file has 40 (at byte 40)'],
    ['an empty name', { ...csvRequest(), name: '   ' }, 'give the dataset a name'],
  ];
  it.each(badImports)('refuses %s with a precise message and leaves nothing behind', (_what, request, message) => {
    manager.importFiles(idxRequest(20)); // something already there, which must stay as it is
    const before = readdirSync(importsDir());
    let error: unknown;
    try {
      manager.importFiles(request);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toContain(message);
    expect(readdirSync(importsDir())).toEqual(before);
  });

  it('reports a folder it cannot write to and leaves nothing behind', () => {
    // A file where the datasets folder should be: fails for root too, unlike a chmod.
    writeFileSync(importsDir(), 'not a folder');
    expect(() => manager.importFiles(csvRequest())).toThrow(new RegExp(`^could not store the dataset in ${importsDir()}: `));
    expect(readdirSync(home)).toEqual(['datasets']);
  });

  it('sweeps away the temporary folder of an import a killed process left behind', () => {
    mkdirSync(path.join(importsDir(), '.import-999999999-abc'), { recursive: true });
    writeFileSync(path.join(importsDir(), '.import-999999999-abc', 'x.f32'), 'half');
    const live = path.join(importsDir(), `.import-${process.pid}-other`);
    mkdirSync(live);
    manager.importFiles(csvRequest());
    expect(existsSync(path.join(importsDir(), '.import-999999999-abc'))).toBe(false);
    expect(existsSync(live)).toBe(true); // a live process's import in progress stays
    expect(manager.list().filter((d) => d.kind === 'imported')).toHaveLength(1);
  });

  it('notices damaged stored files instead of training on them', () => {
    const info = manager.importFiles(csvRequest());
    const dir = path.join(importsDir(), hashOf(info.source));
    const x = readFileSync(path.join(dir, 'x.f32'));
    x[5] ^= 0xff;
    writeFileSync(path.join(dir, 'x.f32'), x);
    const fresh = () => new DatasetManager({ dataDir: home });
    expect(() => fresh().load(info.source)).toThrow('the stored dataset "toy" is damaged (its content no longer matches its hash); delete it and import it again');
    writeFileSync(path.join(dir, 'x.f32'), x.subarray(0, 12));
    expect(() => fresh().load(info.source)).toThrow('the stored dataset "toy" is damaged (its files have the wrong size)');
    writeFileSync(path.join(dir, 'meta.json'), '{ broken');
    expect(() => fresh().load(info.source)).toThrow(/the imported dataset [0-9a-f]{12}… is damaged/);
    expect(fresh().list().filter((d) => d.kind === 'imported')).toEqual([]); // skipped, not fatal to the list
  });

  it('refuses anything but a sha256 as a dataset hash (it becomes part of a path)', () => {
    expect(() => manager.remove('../../etc')).toThrow('"../../etc" is not a dataset hash (64 hex digits)');
    expect(() => manager.rename('abc', 'x')).toThrow('is not a dataset hash');
  });
});
