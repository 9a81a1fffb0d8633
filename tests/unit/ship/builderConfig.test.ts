/**
 * The installer configuration, checked where installers can't be built (no Electron download here):
 * it validates against electron-builder's own schema, and every file it packs exists once
 * `npm run build` (which `npm test` runs first) and the MNIST packing step have run.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { packMnist } from '../../../scripts/pack-mnist';
import { DatasetManager } from '../../../electron/lab/datasets/manager';

const root = path.resolve(import.meta.dirname, '../../..');
const config = JSON.parse(readFileSync(path.join(root, 'build/electron-builder.json'), 'utf8')) as Record<string, unknown> & {
  files: string[];
  extraResources: Array<{ from: string; to: string }>;
  asarUnpack: string[];
  icon: string;
  publish: unknown;
};
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string; scripts: Record<string, string>; dependencies: Record<string, string> };
const temp = mkdtempSync(path.join(os.tmpdir(), 'bnlab-ship-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

describe('electron-builder configuration', () => {
  it("validates against electron-builder's schema", () => {
    const schema = JSON.parse(readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const { $schema: _ignored, ...rest } = config;
    const valid = ajv.validate(schema, rest);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('builds installers for every desktop platform, offline, with no auto-update', () => {
    expect(config).toMatchObject({
      appId: expect.stringMatching(/^[a-z]+(\.[a-z]+)+$/),
      productName: 'BatchNorm Lab',
      linux: { target: ['AppImage', 'deb'] },
      win: { target: ['nsis'] },
      mac: { target: ['dmg', 'zip'] },
      npmRebuild: true,
    });
    expect(config.publish).toBeNull();
    expect(pkg.dependencies).not.toHaveProperty('electron-updater');
    expect(pkg.scripts.dist).toMatch(/npm run build && .*pack-mnist\.ts && electron-builder --config build\/electron-builder\.json/);
  });

  it('packs files that exist after `npm run build`', () => {
    if (!existsSync(path.join(root, 'out/main/index.js'))) throw new Error('out/ is missing: run `npm run build` first (npm test does)');
    expect(existsSync(path.join(root, pkg.main))).toBe(true);
    for (const entry of ['out/main/index.js', 'out/main/nodeWorker.js', 'out/preload/index.cjs', 'out/preload/worker.cjs', 'out/renderer/index.html', 'out/renderer/worker.html']) {
      expect(existsSync(path.join(root, entry)), entry).toBe(true);
    }
    // The worker windows load the tfjs wasm binaries from the app itself.
    expect(readdirSync(path.join(root, 'out/renderer/assets')).filter((f) => f.endsWith('.wasm')).length).toBe(3);
    expect(existsSync(path.join(root, config.icon))).toBe(true);
    expect(config.files).toContain('out/**');
  });

  it('bundles MNIST compressed, and the app reads it from there', () => {
    const [mnist] = config.extraResources;
    expect(mnist).toMatchObject({ from: 'build/resources/mnist', to: 'mnist' });
    const packed = packMnist(path.join(temp, 'mnist'), 1);
    expect(packed.map((p) => path.basename(p.file)).sort()).toEqual(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
    // What a packaged app sees: <resources>/mnist/*.gz, decompressed once into its data folder.
    const manager = new DatasetManager({ dataDir: path.join(temp, 'data'), resourcesDir: temp });
    expect(manager.load({ kind: 'mnist' }).train.y.length).toBe(60_000);
  });

  it('keeps native and wasm files outside the asar archive', () => {
    expect(config.asarUnpack).toEqual(expect.arrayContaining([expect.stringContaining('better-sqlite3'), expect.stringContaining('tfjs-backend-wasm')]));
  });
});
