/**
 * Every window's webPreferences, stated explicitly in one factory (vite-electron-builder's
 * habit). The GPU worker windows use the same secure base: only their visibility differs.
 */
import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/** The secure defaults every BatchNorm Lab page runs with. */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
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
    spellcheck: false,
    // Middle-click must not open links in new windows (Electronegativity's AUXCLICK check).
    disableBlinkFeatures: 'Auxclick',
    // The engine windows keep training while hidden; the main window keeps charts live while unfocused.
    backgroundThrottling: false,
  };
}

export interface WindowBounds {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized?: boolean;
}

/** Options of the main window at `bounds`. */
export function mainWindowOptions(preloadPath: string, bounds: WindowBounds): BrowserWindowConstructorOptions {
  return {
    ...(bounds.x !== undefined && bounds.y !== undefined ? { x: bounds.x, y: bounds.y } : {}),
    width: bounds.width,
    height: bounds.height,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'BatchNorm Lab',
    backgroundColor: '#1b1d23',
    webPreferences: secureWebPreferences(preloadPath),
  };
}
