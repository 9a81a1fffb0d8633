/** The application menu as data: commands go to the renderer as `menu` events. */
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../../shared/api';

export function menuTemplate(send: (command: MenuCommand) => void, isMac: boolean): MenuItemConstructorOptions[] {
  return [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    {
      label: 'File',
      submenu: [
        // The page carries these out: Open asks main's dialog back (files.openExperiment: name and text, no path), Save is a download.
        { label: 'Open Workshop or Experiment File…', accelerator: 'CmdOrCtrl+O', click: () => send('openExperiment') },
        { label: 'Save as Workshop File…', accelerator: 'CmdOrCtrl+S', click: () => send('saveExperiment') },
        { type: 'separator' },
        { label: 'Import Dataset…', accelerator: 'CmdOrCtrl+I', click: () => send('importDataset') },
        { label: 'Export Runs…', accelerator: 'CmdOrCtrl+E', click: () => send('exportRuns') },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { label: 'Toggle Dark Theme', accelerator: 'CmdOrCtrl+Shift+T', click: () => send('toggleTheme') },
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    { label: 'Help', submenu: [{ label: 'About BatchNorm Lab', click: () => send('about') }] },
  ];
}
