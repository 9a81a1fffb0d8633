/**
 * Resolving a URL path to a file of the built renderer, shared by the browser-mode server and the
 * Electron app:// protocol so both refuse the same things (anything outside the folder).
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

export type StaticFile = { status: 200; body: Buffer; mimeType: string } | { status: 403 | 404; body: string; mimeType: string };

/** Reads `urlPath` ("/assets/x.js", "/" → index.html) from `rootDir`, never escaping it. */
export async function readStaticFile(rootDir: string, urlPath: string): Promise<StaticFile> {
  const root = path.resolve(rootDir);
  let relative: string;
  try {
    relative = decodeURIComponent(urlPath);
  } catch {
    return { status: 404, body: 'not found', mimeType: 'text/plain' };
  }
  if (relative === '/' || relative === '') relative = '/index.html';
  const file = path.resolve(root, '.' + relative);
  if (!file.startsWith(root + path.sep)) return { status: 403, body: 'forbidden', mimeType: 'text/plain' };
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return { status: 404, body: 'not found', mimeType: 'text/plain' };
  return { status: 200, body: await readFile(file), mimeType: MIME[path.extname(file)] ?? 'application/octet-stream' };
}
