/**
 * No network at runtime: the whole app, in real Chromium, asks nothing of anything but its own
 * origin. Every top-level view (found from the tab bar, so a new view is covered without editing
 * this test), every built-in experiment's guided page, the dialogs the menu opens, both themes,
 * views showing stored runs (charts, decision boundary), and the engine page the desktop app's
 * GPU windows load. Requests are recorded for the whole browser context (pages and their workers),
 * and so are attempts the CSP blocked before they reached the network (a remote font or script
 * would show up only there).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { presets } from '../../shared/presets/catalog';
import { launchChromium, screenshot, startLabSession, type LabSession } from './harness';

let session: LabSession;
let browser: Browser;
let context: BrowserContext;
const requests: string[] = [];
const problems: string[] = [];

/** Own origin: the page's http origin and its WebSocket, plus in-page data:/blob: URLs. */
function isOwn(url: string): boolean {
  const origin = session.server.origin;
  return url.startsWith(`${origin}/`) || url === origin || url.startsWith(`${origin.replace(/^http/, 'ws')}/`) || url.startsWith('data:') || url.startsWith('blob:');
}
const foreign = () => requests.filter((url) => !isOwn(url));

beforeAll(async () => {
  session = await startLabSession({ workers: 1 });
  // Stored runs, so Watch and Compare draw charts and a decision boundary for real data.
  const preset = presets.find((p) => p.id === 'why-standardize')!;
  const started = await session.lab.dispatch('experiments.start', { experiment: preset.experiment({ quick: true, steps: 20 }) });
  if (!started.ok) throw new Error(started.error.message);
  const runIds = (started.value as { runIds: string[] }).runIds;
  const deadline = Date.now() + 120_000;
  const done = async () => (await session.lab.store.listRuns()).filter((r) => runIds.includes(r.id) && r.status !== 'queued' && r.status !== 'running').length;
  while ((await done()) < runIds.length) {
    if (Date.now() > deadline) throw new Error('the seeded runs did not finish in 120 s');
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  context.on('request', (request) => requests.push(request.url()));
  context.on('weberror', (error) => problems.push(`pageerror: ${error.error().message}`));
  // A CSP-blocked fetch never becomes a request: the page reports it as a violation instead. Only
  // violations that name a URL are network attempts ('eval' is zod's caught `new Function` probe).
  await context.exposeBinding('bnlabBlocked', (_source, url: string) => requests.push(url));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      if (/^[a-z][a-z0-9+.-]*:/i.test(event.blockedURI)) void (window as unknown as { bnlabBlocked(url: string): Promise<void> }).bnlabBlocked(event.blockedURI);
    });
  });
});
afterAll(async () => {
  await browser?.close();
  await session?.close();
});

function watch(page: Page): void {
  page.on('websocket', (socket) => requests.push(socket.url()));
}

describe('no network at runtime', () => {
  it('loads every view, experiment page, dialog and theme from its own origin only', async () => {
    const page = await context.newPage();
    watch(page);
    await page.goto(session.server.url);
    const tabs = page.getByRole('tab');
    await expect.poll(() => tabs.count(), { timeout: 30_000 }).toBeGreaterThanOrEqual(4);
    const tabIds = await tabs.evaluateAll((buttons) => buttons.map((b) => b.getAttribute('data-testid')!));

    const visited: string[] = [];
    for (const theme of ['first', 'second']) {
      for (const id of tabIds) {
        await page.getByTestId(id).click();
        await expect.poll(() => page.getByTestId(id).getAttribute('aria-selected')).toBe('true');
        await page.getByRole('tabpanel').waitFor();
        if (id === 'tab-experiments') {
          // Every guided page: its maths (KaTeX and its fonts) and its charts.
          for (const preset of presets) {
            await page.getByTestId(`preset-${preset.id}`).click();
            await expect.poll(() => page.locator('h2', { hasText: preset.title }).count()).toBeGreaterThan(0);
          }
        }
        if (id === 'tab-compare') {
          // Pick the stored experiment so charts, the diff and the summary render.
          await page.getByRole('button', { name: /Why standardize/ }).first().click();
          await expect.poll(() => page.locator('[data-testid=chart-canvas] canvas').count(), { timeout: 30_000 }).toBeGreaterThan(0);
        }
        await page.waitForLoadState('networkidle');
        visited.push(`${id} (${theme} theme)`);
        await screenshot(page, `offline-${id}-${theme}`);
      }
      await page.getByRole('button', { name: /Switch to (light|dark) theme/ }).click();
    }
    expect(visited).toHaveLength(tabIds.length * 2);

    // Dialogs and forms main's menu opens, through the same event path the desktop app uses.
    await page.getByRole('button', { name: 'Keyboard shortcuts' }).click();
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor();
    await page.keyboard.press('Escape');
    session.lab.events.emit({ type: 'menu', command: 'about' });
    await page.getByRole('dialog', { name: 'About BatchNorm Lab' }).waitFor();
    await page.keyboard.press('Escape');
    session.lab.events.emit({ type: 'menu', command: 'importDataset' });
    await expect.poll(() => page.getByTestId('tab-build').getAttribute('aria-selected')).toBe('true');
    await page.waitForLoadState('networkidle');

    // The page did load things (so the recorder works), all of them its own.
    expect(requests.filter(isOwn).length).toBeGreaterThan(5);
    expect(requests.some((url) => url.endsWith('.woff2') || url.endsWith('.woff') || url.endsWith('.ttf'))).toBe(true); // KaTeX's fonts, bundled
    expect(foreign()).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('runs the engine page of the GPU worker windows from its own origin only', async () => {
    const page = await context.newPage();
    watch(page);
    const before = requests.length;
    await page.goto(`${session.server.origin}/worker.html?backend=wasm`);
    // Hand it its port the way the preload does; it starts its backend and says which.
    const ready = await page.evaluate(
      () =>
        new Promise<unknown>((resolve) => {
          const channel = new MessageChannel();
          channel.port1.onmessage = (event: MessageEvent) => resolve(event.data);
          window.postMessage('bnlab:worker-port', window.location.origin, [channel.port2]);
        }),
    );
    expect(ready).toMatchObject({ type: 'ready', backend: 'wasm' });
    await page.waitForLoadState('networkidle');
    // It fetched its scripts and the tfjs wasm binary from the app.
    expect(requests.slice(before).some((url) => url.endsWith('.wasm'))).toBe(true);
    expect(foreign()).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('would notice a remote request, whether the CSP blocks it or not (the recorder itself works)', async () => {
    const page = await context.newPage();
    watch(page);
    await page.goto(session.server.url);
    const before = requests.length;
    await page.evaluate(() => {
      const image = document.createElement('img');
      image.src = 'https://fonts.example.invalid/blocked-by-csp.png';
      document.body.append(image);
    });
    await expect.poll(() => requests.slice(before)).toContain('https://fonts.example.invalid/blocked-by-csp.png');
    requests.splice(before); // the canary is not the app's
    await page.close();
  });
});
