/**
 * Native dialogs: the only way files reach the lab from the desktop app. The renderer asks for an
 * import; main asks the user; only the chosen files' bytes go on to the dataset manager.
 */
import type { BrowserWindow, Dialog } from 'electron';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Asks for a CSV file or an IDX images + labels pair; null when the user cancels. */
export function datasetFilePicker(dialog: Dialog, window: () => BrowserWindow | null) {
  return async (format: 'csv' | 'idx'): Promise<Array<{ fileName: string; bytes: Uint8Array }> | null> => {
    const options = {
      title: format === 'csv' ? 'Import a CSV dataset' : 'Import IDX images and labels (choose both files)',
      properties: format === 'csv' ? (['openFile'] as const) : (['openFile', 'multiSelections'] as const),
      filters: format === 'csv' ? [{ name: 'CSV', extensions: ['csv', 'txt'] }] : [{ name: 'IDX', extensions: ['idx', 'idx1-ubyte', 'idx3-ubyte', 'ubyte', 'gz', '*'] }],
    };
    const parent = window();
    const result = parent ? await dialog.showOpenDialog(parent, { ...options, properties: [...options.properties] }) : await dialog.showOpenDialog({ ...options, properties: [...options.properties] });
    if (result.canceled || result.filePaths.length === 0) return null;
    return Promise.all(result.filePaths.map(async (file) => ({ fileName: path.basename(file), bytes: new Uint8Array(await readFile(file)) })));
  };
}
