/**
 * The app icon in every size the installers need, rendered from build/icon.svg with Debian's
 * Chromium (no image tools needed) and committed, so `npm run dist` never converts images:
 * - build/icons/<n>x<n>.png: the Linux set (AppImage and deb install them into hicolor/<n>x<n>);
 * - build/icon.ico: Windows (NSIS installer, exe, shortcuts), PNG-compressed entries 16–256;
 * - build/icon.icns: macOS (dmg, app bundle), PNG entries 16–1024 incl. the @2x ones;
 * - build/icon.png: 1024 px, the fallback electron-builder reads when a platform names none.
 * Below 64 px the formula is left out: it would be a grey smudge.
 * Run: npm run icons (node --import tsx scripts/icons.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** Sizes of the Linux PNG set (freedesktop hicolor sizes electron-builder installs). */
export const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024] as const;
/** Sizes in the Windows .ico (256 is the largest an .ico entry can be). */
export const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256] as const;
/** macOS icon types holding PNG data, with their pixel size. */
export const ICNS_TYPES = [
  ['icp4', 16],
  ['icp5', 32],
  ['icp6', 64],
  ['ic07', 128],
  ['ic08', 256],
  ['ic09', 512],
  ['ic10', 1024],
  ['ic11', 32],
  ['ic12', 64],
  ['ic13', 256],
  ['ic14', 512],
] as const;

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk; throws if `png` is not a PNG. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || !png.subarray(0, 8).equals(PNG_SIGNATURE) || png.toString('latin1', 12, 16) !== 'IHDR') throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** An .ico file whose entries are the given PNGs (supported since Windows Vista). */
export function encodeIco(pngs: Buffer[]): Buffer {
  const header = Buffer.alloc(6 + 16 * pngs.length);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // 1 = icon
  header.writeUInt16LE(pngs.length, 4);
  let offset = header.length;
  pngs.forEach((png, i) => {
    const { width, height } = pngSize(png);
    const entry = 6 + 16 * i;
    header.writeUInt8(width >= 256 ? 0 : width, entry); // 0 means 256
    header.writeUInt8(height >= 256 ? 0 : height, entry + 1);
    header.writeUInt16LE(1, entry + 4); // colour planes
    header.writeUInt16LE(32, entry + 6); // bits per pixel
    header.writeUInt32LE(png.length, entry + 8);
    header.writeUInt32LE(offset, entry + 12);
    offset += png.length;
  });
  return Buffer.concat([header, ...pngs]);
}

/** The entries of an .ico file: declared size and the PNG stored for it. */
export function decodeIco(ico: Buffer): Array<{ width: number; height: number; png: Buffer }> {
  if (ico.readUInt16LE(0) !== 0 || ico.readUInt16LE(2) !== 1) throw new Error('not an .ico file');
  return Array.from({ length: ico.readUInt16LE(4) }, (_, i) => {
    const entry = 6 + 16 * i;
    const size = ico.readUInt32LE(entry + 8);
    const offset = ico.readUInt32LE(entry + 12);
    return { width: ico.readUInt8(entry) || 256, height: ico.readUInt8(entry + 1) || 256, png: ico.subarray(offset, offset + size) };
  });
}

/** An .icns file from (type, PNG) pairs. */
export function encodeIcns(entries: Array<[type: string, png: Buffer]>): Buffer {
  const chunks = entries.map(([type, png]) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(8 + png.length, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + chunks.reduce((sum, c) => sum + c.length, 0), 4);
  return Buffer.concat([head, ...chunks]);
}

/** The (type, data) chunks of an .icns file; throws if its lengths don't add up. */
export function decodeIcns(icns: Buffer): Array<{ type: string; data: Buffer }> {
  if (icns.toString('latin1', 0, 4) !== 'icns' || icns.readUInt32BE(4) !== icns.length) throw new Error('not an .icns file');
  const chunks: Array<{ type: string; data: Buffer }> = [];
  for (let offset = 8; offset < icns.length; ) {
    const length = icns.readUInt32BE(offset + 4);
    if (length < 8 || offset + length > icns.length) throw new Error(`bad .icns chunk at ${offset}`);
    chunks.push({ type: icns.toString('latin1', offset, offset + 4), data: icns.subarray(offset + 8, offset + length) });
    offset += length;
  }
  return chunks;
}

async function main(): Promise<void> {
  const { chromium } = await import('playwright-core');
  const { chromiumPath } = await import('../tests/browser/harness');
  const root = path.resolve(import.meta.dirname, '..');
  const svg = readFileSync(path.join(root, 'build/icon.svg'), 'utf8');
  const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'] });
  const page = await browser.newPage();
  const rendered = new Map<number, Buffer>();
  for (const size of new Set([...LINUX_SIZES, ...ICO_SIZES, ...ICNS_TYPES.map(([, s]) => s)])) {
    await page.setViewportSize({ width: size, height: size });
    const hideText = size < 64 ? 'svg text { display: none }' : '';
    await page.setContent(`<html><head><style>html,body{margin:0;background:transparent} svg{display:block;width:${size}px;height:${size}px} ${hideText}</style></head><body>${svg}</body></html>`);
    rendered.set(size, await page.locator('svg').screenshot({ omitBackground: true }));
  }
  await browser.close();
  const png = (size: number) => {
    const image = rendered.get(size)!;
    const actual = pngSize(image);
    if (actual.width !== size || actual.height !== size) throw new Error(`rendered ${actual.width}×${actual.height}, wanted ${size}`);
    return image;
  };
  for (const size of LINUX_SIZES) writeFileSync(path.join(root, `build/icons/${size}x${size}.png`), png(size));
  writeFileSync(path.join(root, 'build/icon.png'), png(1024));
  writeFileSync(path.join(root, 'build/icon.ico'), encodeIco(ICO_SIZES.map(png)));
  writeFileSync(path.join(root, 'build/icon.icns'), encodeIcns(ICNS_TYPES.map(([type, size]) => [type, png(size)])));
  console.log('wrote build/icons/*.png, build/icon.png, build/icon.ico, build/icon.icns');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
