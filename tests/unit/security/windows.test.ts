/**
 * Every window the app opens runs with the one factory's secure webPreferences. The security keys
 * are also spelled out literally where each BrowserWindow is constructed (so Electronegativity can
 * see them); these tests keep the literal and the factory from drifting apart, and make a new
 * `new BrowserWindow(` somewhere else fail until it is checked here too. The guards
 * (electron/main/security.ts) are tested against hostile URLs.
 */
import { describe, expect, it, vi } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const captured = vi.hoisted(() => ({ windows: [] as Array<Record<string, unknown>> }));
vi.mock('electron', () => {
  class BrowserWindow {
    webContents = { on: () => {}, postMessage: () => {} };
    constructor(options: Record<string, unknown>) {
      captured.windows.push(options);
    }
    on() {}
    isDestroyed() {
      return false;
    }
    destroy() {}
    // No page ever says it is ready: create() fails on its start timeout, after the window exists.
    loadURL() {
      return Promise.resolve();
    }
  }
  class MessageChannelMain {
    port1 = { on: () => {}, start: () => {}, close: () => {}, postMessage: () => {} };
    port2 = {};
  }
  return { BrowserWindow, MessageChannelMain, default: { BrowserWindow, MessageChannelMain } };
});

const { secureWebPreferences, mainWindowOptions } = await import('../../../electron/main/windowOptions');
const { createGpuWorkerFactory } = await import('../../../electron/main/gpuWorkerHost');
const { enableSecurityGuards, isAppUrl } = await import('../../../electron/main/security');

const root = path.resolve(import.meta.dirname, '../../..');
function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    return e.isDirectory() ? sources(rel) : rel.endsWith('.ts') ? [rel] : [];
  });
}

describe('webPreferences', () => {
  it('the factory is locked down', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      disableBlinkFeatures: 'Auxclick',
    });
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
    expect(mainWindowOptions('/app/preload.cjs', { width: 1200, height: 800 }).webPreferences).toEqual(prefs);
  });

  it('the GPU engine windows are hidden and get exactly the factory, with their own preload', async () => {
    const factory = createGpuWorkerFactory({ preloadPath: '/app/out/preload/index.cjs', appOrigin: 'app://bnlab', startTimeoutMs: 20 });
    await expect(factory.create()).rejects.toThrow(/did not start a backend/);
    const [options] = captured.windows;
    expect(options).toMatchObject({ show: false });
    expect(options!.webPreferences).toEqual(secureWebPreferences(path.join('/app/out/preload', 'worker.cjs')));
  });

  it('windows are constructed only where these tests and the glue test check them', () => {
    const constructing = sources('electron').filter((file) => /new BrowserWindow\s*\(/.test(readFileSync(path.join(root, file), 'utf8')));
    // electron/main/index.ts: tests/unit/main/electronGlue.test.ts compares it with the factory.
    expect(constructing.sort()).toEqual(['electron/main/gpuWorkerHost.ts', 'electron/main/index.ts']);
    for (const file of constructing) {
      const text = readFileSync(path.join(root, file), 'utf8');
      // Stated literally at the call, for static checkers; the tests above keep them equal to the factory.
      for (const key of ['contextIsolation: true', 'sandbox: true', 'nodeIntegration: false', "disableBlinkFeatures: 'Auxclick'"]) expect(text, `${file}: ${key}`).toContain(key);
    }
  });
});

describe('security guards', () => {
  it('recognise only app://bnlab as the app', () => {
    for (const url of ['app://bnlab/index.html', 'app://bnlab/assets/x.js?v=1#h']) expect(isAppUrl(url), url).toBe(true);
    // 'APP://BNLAB': Node's URL keeps a custom scheme's host as written (Chromium lowercases it first); refusing is the safe side.
    for (const url of ['app://bnlab.evil/index.html', 'app://evil/index.html', 'app://user@evil/', 'app://bnlab:8080/', 'https://bnlab/', 'http://127.0.0.1/', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,x', 'blob:app://bnlab/1', 'not a url', '', 'APP://BNLAB/index.html']) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });

  it('deny navigation, redirects, new windows, webviews, permissions and every remote request', () => {
    type Handler = (...args: unknown[]) => unknown;
    const appListeners = new Map<string, Handler>();
    const session = {
      permissionRequest: null as Handler | null,
      permissionCheck: null as Handler | null,
      beforeRequest: null as Handler | null,
      setPermissionRequestHandler(fn: Handler) {
        this.permissionRequest = fn;
      },
      setPermissionCheckHandler(fn: Handler) {
        this.permissionCheck = fn;
      },
      webRequest: { onBeforeRequest: (fn: Handler) => (session.beforeRequest = fn) },
    };
    enableSecurityGuards({ on: (name: string, fn: Handler) => appListeners.set(name, fn) } as never, session as never);
    const contentsListeners = new Map<string, Handler>();
    let openHandler: Handler | null = null;
    appListeners.get('web-contents-created')!({}, { on: (name: string, fn: Handler) => contentsListeners.set(name, fn), setWindowOpenHandler: (fn: Handler) => (openHandler = fn) });

    const prevented = (event: string, url?: string) => {
      const e = { preventDefault: vi.fn() };
      contentsListeners.get(event)!(e, url);
      return e.preventDefault.mock.calls.length > 0;
    };
    for (const url of ['https://example.com/', 'file:///etc/passwd', 'app://evil/index.html', 'javascript:alert(1)']) {
      expect(prevented('will-navigate', url), url).toBe(true);
      expect(prevented('will-redirect', url), url).toBe(true);
    }
    expect(prevented('will-navigate', 'app://bnlab/index.html')).toBe(false);
    expect(prevented('will-attach-webview')).toBe(true);
    expect(openHandler!({ url: 'app://bnlab/index.html' })).toEqual({ action: 'deny' });

    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen']) {
      const callback = vi.fn();
      session.permissionRequest!({}, permission, callback);
      expect(callback).toHaveBeenCalledWith(false);
      expect(session.permissionCheck!({}, permission)).toBe(false);
    }

    const cancelled = (url: string) => {
      const callback = vi.fn();
      session.beforeRequest!({ url }, callback);
      return (callback.mock.calls[0]![0] as { cancel: boolean }).cancel;
    };
    for (const url of ['https://fonts.googleapis.com/css', 'http://127.0.0.1:5170/', 'ws://127.0.0.1:1/api', 'file:///etc/passwd', 'app://evil/x.js', 'ftp://example.com/']) expect(cancelled(url), url).toBe(true);
    for (const url of ['app://bnlab/index.html', 'app://bnlab/assets/tfjs-backend-wasm.wasm', 'data:image/png;base64,AA==', 'blob:app://bnlab/0f0e']) expect(cancelled(url), url).toBe(false);
  });
});
