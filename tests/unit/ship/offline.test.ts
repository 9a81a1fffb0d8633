/**
 * What ships makes no network calls of its own: the built pages and styles reference only the app's
 * own files, no bundle carries a telemetry, font-CDN or crash-reporting host, and the main process
 * neither updates itself nor opens links. (tests/browser/offline.test.ts watches the running app.)
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');
function walk(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? walk(rel) : [rel];
  });
}
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

beforeAll(() => {
  if (!existsSync(path.join(root, 'out/renderer/index.html'))) throw new Error('out/ is missing: run npm run build first (npm test does)');
});

describe('the built app is offline', () => {
  it('pages and styles load only their own files', () => {
    const files = walk('out/renderer').filter((f) => /\.(html|css)$/.test(f));
    expect(files.filter((f) => f.endsWith('.html')).length).toBeGreaterThanOrEqual(2);
    let checked = 0;
    for (const file of files) {
      const text = read(file);
      const references = [
        ...[...text.matchAll(/\b(?:src|href|action|poster)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1]!),
        ...[...text.matchAll(/url\(\s*["']?([^"')]*)["']?\s*\)/gi)].map((m) => m[1]!),
        ...[...text.matchAll(/@import\s+["']([^"']+)["']/gi)].map((m) => m[1]!),
      ];
      // Relative paths and data: URLs only: anything with a scheme or a leading // leaves the app.
      const absolute = references.filter((r) => /^([a-z][a-z0-9+.-]*:|\/\/)/i.test(r.trim()) && !r.startsWith('data:'));
      expect(absolute, file).toEqual([]);
      checked += references.length;
    }
    expect(checked).toBeGreaterThan(10); // the scripts, styles and KaTeX's fonts were seen
  });

  it('no bundle names a telemetry, font-CDN or crash-reporting host', () => {
    const hosts = ['google-analytics.com', 'googletagmanager.com', 'fonts.googleapis.com', 'fonts.gstatic.com', 'use.typekit.net', 'sentry.io', 'segment.io', 'api.segment.com', 'mixpanel.com', 'posthog.com', 'amplitude.com', 'bugsnag.com', 'datadoghq.com', 'newrelic.com', 'hotjar.com', 'crashpad', 'update.electronjs.org'];
    const bundles = [...walk('out/main'), ...walk('out/preload'), ...walk('out/renderer')].filter((f) => /\.(m?js|cjs|html|css)$/.test(f));
    expect(bundles.length).toBeGreaterThan(5);
    for (const file of bundles) {
      const text = read(file);
      for (const host of hosts) expect(text.includes(host), `${file} names ${host}`).toBe(false);
    }
  });

  it('the main process neither updates itself nor reports crashes nor opens links', () => {
    const main = walk('out/main').filter((f) => f.endsWith('.js')).map(read).join('\n');
    expect(main.length).toBeGreaterThan(1000);
    for (const api of ['autoUpdater', 'electron-updater', 'crashReporter', 'openExternal', 'net.request', 'net.fetch']) expect(main.includes(api), api).toBe(false);
  });
});
