/**
 * Native dialogs: the only way files reach the lab from the desktop app. The renderer asks for an
 * import or File → Open; main asks the user; only the chosen files' bytes (and their names, as
 * labels) go on: to the dataset manager, or back to the page.
 */
import type { BrowserWindow, Dialog, OpenDialogOptions } from 'electron';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PickedFile } from '../../shared/api';
import { MAX_WORKSHOP_FILE_BYTES } from '../../shared/spec/workshop';
import { UserError } from '../lab/api/dispatch';

/** The dialog, attached to the window when there is one. */
function showOpen(dialog: Dialog, parent: BrowserWindow | null, options: OpenDialogOptions) {
  return parent ? dialog.showOpenDialog(parent, options) : dialog.showOpenDialog(options);
}

/** Asks for a CSV file or an IDX images + labels pair; null when the user cancels. */
export function datasetFilePicker(dialog: Dialog, window: () => BrowserWindow | null) {
  return async (format: 'csv' | 'idx'): Promise<Array<{ fileName: string; bytes: Uint8Array }> | null> => {
    const options = {
      title: format === 'csv' ? 'Import a CSV dataset' : 'Import IDX images and labels (choose both files)',
      properties: format === 'csv' ? (['openFile'] as const) : (['openFile', 'multiSelections'] as const),
      filters: format === 'csv' ? [{ name: 'CSV', extensions: ['csv', 'txt'] }] : [{ name: 'IDX', extensions: ['idx', 'idx1-ubyte', 'idx3-ubyte', 'ubyte', 'gz', '*'] }],
    };
    const result = await showOpen(dialog, window(), { ...options, properties: [...options.properties] });
    if (result.canceled || result.filePaths.length === 0) return null;
    return Promise.all(result.filePaths.map(async (file) => ({ fileName: path.basename(file), bytes: new Uint8Array(await readFile(file)) })));
  };
}

/** Asks for a workshop file or a saved experiment (File → Open); its name and text, or null when the user cancels. */
export function experimentFilePicker(dialog: Dialog, window: () => BrowserWindow | null) {
  return async (): Promise<PickedFile | null> => {
    const result = await showOpen(dialog, window(), {
      title: 'Open a workshop file or an experiment',
      properties: ['openFile'],
      filters: [{ name: 'BatchNorm Lab files (.bnlab.json)', extensions: ['json'] }],
    });
    const [file] = result.filePaths;
    if (result.canceled || !file) return null;
    const fileName = path.basename(file);
    const { size } = await stat(file);
    if (size > MAX_WORKSHOP_FILE_BYTES) throw new UserError(`${fileName} is not a BatchNorm Lab file: ${(size / 1024 / 1024).toFixed(1)} MB is far larger than one can be`);
    return { fileName, text: await readFile(file, 'utf8') };
  };
}
