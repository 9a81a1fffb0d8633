/**
 * The Electron main process: thin glue around the lab services (electron/lab). Each concern is a
 * small module; this file only orders them: single-instance lock → scheme → ready → lab → protocol,
 * guards, IPC, menu → window.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session } from 'electron';
import path from 'node:path';
import { createLab, type Lab } from '../lab/lab';
import { resolveDataDir } from '../lab/paths';
import { registerLabIpc } from './ipc';
import { menuTemplate } from './menuTemplate';
import { APP_ORIGIN, APP_SCHEME_PRIVILEGES, registerAppProtocol } from './protocol';
import { enableSecurityGuards } from './security';
import { mainWindowOptions } from './windowOptions';
import { loadBounds, restoreBounds, saveBounds } from './windowState';
import { createGpuWorkerFactory } from './gpuWorkerHost';
import { datasetFilePicker, experimentFilePicker } from './dialogs';
import { createWindowEvents, type WindowEvents } from './windowEvents';

// Built layout: out/main/index.js beside out/preload and out/renderer.
const outDir = path.join(import.meta.dirname, '..');
const rendererDir = path.join(outDir, 'renderer');
const preloadPath = path.join(outDir, 'preload', 'index.cjs');

let lab: Lab | null = null;
let mainWindow: BrowserWindow | null = null;

/** Starts the app; exported so the glue test can drive it against a fake `electron`. */
export async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('will-quit', () => {
    void lab?.close();
  });

  await app.whenReady();
  const dataDir = resolveDataDir(app.getPath('userData'));
  lab = await createLab({
    dataDir,
    // Packaged: extraResources puts the compressed MNIST in <resources>/mnist.
    resourcesDir: app.isPackaged ? process.resourcesPath : undefined,
    transport: 'electron',
    appVersion: app.getVersion(),
    workerFactory: createGpuWorkerFactory({ preloadPath, appOrigin: APP_ORIGIN }),
    pickDatasetFiles: datasetFilePicker(dialog, () => mainWindow),
    pickExperimentFile: experimentFilePicker(dialog, () => mainWindow),
  });

  registerAppProtocol(protocol, rendererDir);
  enableSecurityGuards(app, session.defaultSession);
  registerLabIpc(ipcMain, lab.dispatch);
  const windowEvents = createWindowEvents(ipcMain, lab.events);
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(menuTemplate((command) => lab?.events.emit({ type: 'menu', command }), process.platform === 'darwin')),
  );
  mainWindow = createMainWindow(path.join(dataDir, 'window.json'), windowEvents);
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow(path.join(dataDir, 'window.json'), windowEvents);
  });
}

function createMainWindow(boundsFile: string, windowEvents: WindowEvents): BrowserWindow {
  const displays = screen.getAllDisplays().map((display) => display.workArea);
  const bounds = restoreBounds(loadBounds(boundsFile), displays);
  const options = mainWindowOptions(preloadPath, bounds);
  const window = new BrowserWindow({
    ...options,
    webPreferences: { ...options.webPreferences, contextIsolation: true, sandbox: true, nodeIntegration: false, disableBlinkFeatures: 'Auxclick' },
  });
  if (bounds.maximized) window.maximize();
  window.once('ready-to-show', () => window.show());
  window.on('close', () => saveBounds(boundsFile, { ...window.getNormalBounds(), maximized: window.isMaximized() }));
  windowEvents.attach(window.webContents);
  void window.loadURL(`${APP_ORIGIN}/index.html`);
  return window;
}

if (!process.env.BNLAB_NO_AUTOSTART) void main();
