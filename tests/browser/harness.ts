/**
 * Browser tests drive Debian's Chromium (never a downloaded browser) with playwright-core against
 * the built renderer in browser mode, backed by the real lab services in a temp data folder.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { createLab, type Lab, type LabOptions } from '../../electron/lab/lab';
import { startBrowserServer, type BrowserServer } from '../../electron/lab/server/browserServer';

export const rootDir = path.resolve(import.meta.dirname, '../..');
export const artifactsDir = path.join(rootDir, 'test-artifacts');

/** Debian's chromium binary: CHROMIUM_PATH, else whatever `which chromium` finds. */
export function chromiumPath(): string {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  try {
    return execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('Chromium not found: install Debian\'s package (apt-get install -y chromium) or set CHROMIUM_PATH');
  }
}

export interface LabSession {
  lab: Lab;
  server: BrowserServer;
  home: string;
  close(): Promise<void>;
}

/** Starts real lab services on a fresh temp data folder and the browser-mode server over out/renderer. */
export async function startLabSession(options: Partial<LabOptions> = {}): Promise<LabSession> {
  const rendererDir = path.join(rootDir, 'out/renderer');
  if (!existsSync(path.join(rendererDir, 'index.html'))) throw new Error('out/renderer is missing: run `npm run build` first');
  const home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-browser-'));
  const lab = await createLab({ dataDir: home, transport: 'browser', appVersion: 'test', workers: 1, ...options });
  const server = await startBrowserServer({ rendererDir, dispatch: lab.dispatch, subscribe: (l) => lab.events.subscribe(l) });
  return {
    lab,
    server,
    home,
    close: async () => {
      await server.close();
      await lab.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Launches headless Debian Chromium with the flags these offline machines need. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', ...extraArgs],
  });
}

/** Saves a full-page screenshot as test-artifacts/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Records every request the page makes outside `origin` (the app must make none). */
export function recordForeignRequests(page: Page, origin: string): string[] {
  const foreign: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    const own = url.startsWith(origin) || url.startsWith(origin.replace(/^http/, 'ws')) || url.startsWith('data:') || url.startsWith('blob:');
    if (!own) foreign.push(url);
  });
  return foreign;
}

/**
 * Registers, for the calling test file, a lab session and a Chromium started before its tests and
 * closed after them; read them as `env.session` and `env.browser` inside the tests.
 */
export function labInChromium(options: { lab?: Partial<LabOptions>; chromiumArgs?: string[] } = {}): { readonly session: LabSession; readonly browser: Browser } {
  const env = {} as { session: LabSession; browser: Browser };
  beforeAll(async () => {
    env.session = await startLabSession(options.lab);
    env.browser = await launchChromium(options.chromiumArgs);
  });
  afterAll(async () => {
    await env.browser?.close();
    await env.session?.close();
  });
  return env;
}
