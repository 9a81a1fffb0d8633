/**
 * Renders build/icons/icon.svg to build/icon.png (1024×1024) with Debian's Chromium; electron-builder
 * derives every platform's icon sizes (ico, icns, Linux set) from that PNG.
 * Run: node --import tsx scripts/icons.ts
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { chromiumPath } from '../tests/browser/harness';

const root = path.resolve(import.meta.dirname, '..');
const svg = readFileSync(path.join(root, 'build/icons/icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'] });
const page = await browser.newPage({ viewport: { width: 1024, height: 1024 } });
await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
await page.locator('svg').screenshot({ path: path.join(root, 'build/icon.png'), omitBackground: true });
await browser.close();
console.log('wrote build/icon.png');
