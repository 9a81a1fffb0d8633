/**
 * The Electron glue, loaded against a fake of the `electron` module (the real binary can't be
 * downloaded on these machines). The fake records what main does; the lab behind it is real
 * (SQLite in a temp folder), so the IPC round trip is real too.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { channelOf, contractMethods, EVENT_ACK_CHANNEL, EVENT_CHANNEL } from '../../../shared/api';
import { secureWebPreferences } from '../../../electron/main/windowOptions';

type Handler = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const appListeners = new Map<string, Handler[]>();
  const state = {
    userData: '',
    windows: [] as Array<{ options: Record<string, unknown>; loadedUrl: string | null }>,
    ipcHandlers: new Map<string, Handler>(),
    ipcListeners: new Map<string, Handler>(),
    protocolHandlers: new Map<string, (request: Request) => Promise<Response>>(),
    privileged: [] as unknown[],
    sandboxEnabled: false,
    lockRequested: false,
    permissionHandler: null as null | Handler,
    permissionCheck: null as null | Handler,
    beforeRequest: null as null | Handler,
    menuTemplate: null as unknown,
    dialogCalls: [] as unknown[],
    appListeners,
  };
  class FakeWebContents {
    static nextId = 1;
    id = FakeWebContents.nextId++;
    sent: Array<[string, unknown]> = [];
    listeners = new Map<string, Handler>();
    openHandler: Handler | null = null;
    mainFrame = { url: 'app://bnlab/index.html' };
    on(name: string, fn: Handler) {
      this.listeners.set(name, fn);
      return this;
    }
    setWindowOpenHandler(fn: Handler) {
      this.openHandler = fn;
    }
    once(name: string, fn: Handler) {
      return this.on(name, fn);
    }
    getURL() {
      return 'app://bnlab/index.html';
    }
    isDestroyed() {
      return false;
    }
    send(channel: string, payload: unknown) {
      this.sent.push([channel, payload]);
    }
  }
  class BrowserWindow {
    static all: BrowserWindow[] = [];
    webContents = new FakeWebContents();
    record: { options: Record<string, unknown>; loadedUrl: string | null };
    constructor(options: Record<string, unknown>) {
      this.record = { options, loadedUrl: null };
      state.windows.push(this.record);
      BrowserWindow.all.push(this);
    }
    static getAllWindows() {
      return BrowserWindow.all;
    }
    loadURL(url: string) {
      this.record.loadedUrl = url;
      return Promise.resolve();
    }
    once() {}
    on() {}
    maximize() {}
    isDestroyed() {
      return false;
    }
  }
  const electron = {
    app: {
      requestSingleInstanceLock: () => ((state.lockRequested = true), true),
      enableSandbox: () => {
        state.sandboxEnabled = true;
      },
      on: (name: string, fn: Handler) => {
        appListeners.set(name, [...(appListeners.get(name) ?? []), fn]);
      },
      whenReady: () => Promise.resolve(),
      getPath: () => state.userData,
      getVersion: () => '0.0.0-test',
      isPackaged: false,
      quit: () => {},
    },
    BrowserWindow,
    ipcMain: {
      handle: (channel: string, fn: Handler) => state.ipcHandlers.set(channel, fn),
      on: (channel: string, fn: Handler) => state.ipcListeners.set(channel, fn),
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => state.privileged.push(...schemes),
      handle: (scheme: string, fn: (request: Request) => Promise<Response>) => state.protocolHandlers.set(scheme, fn),
    },
    Menu: {
      buildFromTemplate: (template: unknown) => ((state.menuTemplate = template), template),
      setApplicationMenu: () => {},
    },
    dialog: {
      showOpenDialog: (...args: unknown[]) => {
        state.dialogCalls.push(args);
        return Promise.resolve({ canceled: true, filePaths: [] });
      },
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Handler) => (state.permissionHandler = fn),
        setPermissionCheckHandler: (fn: Handler) => (state.permissionCheck = fn),
        webRequest: { onBeforeRequest: (fn: Handler) => (state.beforeRequest = fn) },
      },
    },
    FakeWebContents,
  };
  return { state, electron };
});

vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

const { state } = fake;
let home: string;

beforeAll(async () => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-glue-'));
  state.userData = home;
  process.env.BNLAB_NO_AUTOSTART = '1';
  delete process.env.BNLAB_HOME;
  const { main } = await import('../../../electron/main/index');
  await main();
});

afterAll(() => {
  for (const fn of state.appListeners.get('will-quit') ?? []) fn();
  rmSync(home, { recursive: true, force: true });
});

describe('main window', () => {
  it('is created with the secure defaults', () => {
    expect(state.windows).toHaveLength(1);
    const prefs = state.windows[0]!.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(String(prefs.preload)).toMatch(/preload[\\/]index\.cjs$/);
    // The keys spelled out at the call site (for static checkers) agree with the one factory.
    expect(prefs).toEqual(secureWebPreferences(String(prefs.preload)));
    expect(prefs.disableBlinkFeatures).toBe('Auxclick');
    expect(state.sandboxEnabled).toBe(true);
    expect(state.lockRequested).toBe(true);
  });

  it('loads the app from the app:// protocol, never from the network or file://', () => {
    expect(state.windows[0]!.loadedUrl).toBe('app://bnlab/index.html');
    expect(state.privileged).toEqual([expect.objectContaining({ scheme: 'app' })]);
  });

  it('has a File, View and Help menu', () => {
    const labels = (state.menuTemplate as Array<{ label?: string }>).map((item) => item.label).filter(Boolean);
    expect(labels).toEqual(expect.arrayContaining(['File', 'View', 'Help']));
  });

  it('gets lab events in acknowledged batches: a menu command reaches the page, the next waits for its ack', async () => {
    const contents = fake.electron.BrowserWindow.all[0]!.webContents;
    const file = (state.menuTemplate as Array<{ label?: string; submenu?: Array<{ label?: string; click?: () => void }> }>).find((m) => m.label === 'File')!;
    const click = (label: string) => file.submenu!.find((item) => item.label?.startsWith(label))!.click!();
    click('Import Dataset');
    await expect.poll(() => contents.sent.length).toBe(1);
    expect(contents.sent[0]).toEqual([EVENT_CHANNEL, [{ type: 'menu', command: 'importDataset' }]]);
    click('Open Workshop');
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(contents.sent).toHaveLength(1);
    state.ipcListeners.get(EVENT_ACK_CHANNEL)!({ senderFrame: contents.mainFrame, sender: contents });
    await expect.poll(() => contents.sent.length).toBe(2);
    expect(contents.sent[1]).toEqual([EVENT_CHANNEL, [{ type: 'menu', command: 'openExperiment' }]]);
    state.ipcListeners.get(EVENT_ACK_CHANNEL)!({ senderFrame: contents.mainFrame, sender: contents });
  });
});

describe('app:// protocol', () => {
  it('sends a strict CSP with every response', async () => {
    const handler = state.protocolHandlers.get('app')!;
    const response = await handler(new Request('app://bnlab/index.html'));
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
    expect(csp).not.toMatch(/'unsafe-eval'|script-src[^;]*'unsafe-inline'/);
    expect(csp).toContain("object-src 'none'");
  });

  it('refuses other hosts and paths outside the renderer folder', async () => {
    const handler = state.protocolHandlers.get('app')!;
    expect((await handler(new Request('app://evil/index.html'))).status).toBe(404);
    const escaped = await handler(new Request('app://bnlab/%2e%2e/%2e%2e/package.json'));
    expect([403, 404]).toContain(escaped.status);
  });
});

describe('IPC', () => {
  it('registers exactly one handler per contract method, on channels derived from the contract', () => {
    const expected = contractMethods().map(({ path: method }) => channelOf(method));
    expect([...state.ipcHandlers.keys()].sort()).toEqual([...expected].sort());
  });

  it('answers the app page and refuses other senders', async () => {
    const handler = state.ipcHandlers.get('bnlab:app.info')!;
    const mainFrame = { url: 'app://bnlab/index.html' };
    const trusted = await handler({ senderFrame: mainFrame, sender: { mainFrame } }, undefined);
    expect(trusted).toMatchObject({ ok: true, value: { transport: 'electron', appVersion: '0.0.0-test' } });

    const foreign = { url: 'https://example.com/' };
    const fromWeb = await handler({ senderFrame: foreign, sender: { mainFrame: foreign } }, undefined);
    expect(fromWeb).toMatchObject({ ok: false });
    const subFrame = { url: 'app://bnlab/index.html' };
    const fromSubFrame = await handler({ senderFrame: subFrame, sender: { mainFrame } }, undefined);
    expect(fromSubFrame).toMatchObject({ ok: false, error: { message: expect.stringContaining('refused') } });
  });

  it('rejects malformed input with a clear message', async () => {
    const handler = state.ipcHandlers.get('bnlab:runs.get')!;
    const mainFrame = { url: 'app://bnlab/index.html' };
    const result = (await handler({ senderFrame: mainFrame, sender: { mainFrame } }, { runId: '../etc/passwd' })) as {
      ok: boolean;
      error: { message: string };
    };
    expect(result.ok).toBe(false);
    expect(result.error.message).toMatch(/invalid input to runs\.get: runId: expected a run id/);
  });
});

describe('file access', () => {
  it('imports datasets through main\'s native dialog: the renderer names no path', async () => {
    const handler = state.ipcHandlers.get('bnlab:datasets.import')!;
    const mainFrame = { url: 'app://bnlab/index.html' };
    const result = await handler({ senderFrame: mainFrame, sender: { mainFrame } }, { name: 'mine', format: 'csv' });
    expect(result).toEqual({ ok: true, value: null });
    expect(state.dialogCalls).toHaveLength(1);
    const withPath = await handler({ senderFrame: mainFrame, sender: { mainFrame } }, { name: 'mine', format: 'csv', path: '/etc/passwd' });
    expect(withPath).toEqual({ ok: true, value: null }); // unknown keys are dropped, never used
    expect(state.dialogCalls).toHaveLength(2);
  });
});

describe('security guards', () => {
  it('deny new windows, foreign navigation, permissions and remote requests', () => {
    const contents = new fake.electron.FakeWebContents();
    for (const fn of state.appListeners.get('web-contents-created') ?? []) fn({}, contents);
    expect(contents.openHandler!({ url: 'https://example.com' })).toEqual({ action: 'deny' });

    const navigate = contents.listeners.get('will-navigate')!;
    const away = { preventDefault: vi.fn() };
    navigate(away, 'https://example.com/');
    expect(away.preventDefault).toHaveBeenCalled();
    const inside = { preventDefault: vi.fn() };
    navigate(inside, 'app://bnlab/index.html');
    expect(inside.preventDefault).not.toHaveBeenCalled();

    const granted = vi.fn();
    state.permissionHandler!({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(state.permissionCheck!()).toBe(false);

    const remote = vi.fn();
    state.beforeRequest!({ url: 'https://fonts.example.com/x.woff' }, remote);
    expect(remote).toHaveBeenCalledWith({ cancel: true });
    const local = vi.fn();
    state.beforeRequest!({ url: 'app://bnlab/assets/index.js' }, local);
    expect(local).toHaveBeenCalledWith({ cancel: false });
  });
});
