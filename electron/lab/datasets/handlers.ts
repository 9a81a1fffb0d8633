/** The `datasets` group of LabApi over the dataset manager. */
import type { LabHandlers } from '../../../shared/api';
import type { LabEvents } from '../events';
import { UserError } from '../api/dispatch';
import type { DatasetManager } from './manager';

/**
 * `pickFiles` is how files are chosen when the renderer sends none: main's native dialog under
 * Electron. Without it (browser mode, CLI) the renderer must upload the bytes itself.
 */
export function createDatasetHandlers(
  manager: DatasetManager,
  events: LabEvents,
  pickFiles?: (format: 'csv' | 'idx') => Promise<Array<{ fileName: string; bytes: Uint8Array }> | null>,
): LabHandlers['datasets'] {
  return {
    list: () => manager.list(),
    preview: ({ source, count }) => manager.preview(source, count),
    import: async ({ name, format, labelColumn, files }) => {
      const chosen = files
        ? files.map((f) => ({ fileName: f.fileName, bytes: new Uint8Array(Buffer.from(f.base64, 'base64')) }))
        : pickFiles
          ? await pickFiles(format)
          : (() => {
              throw new UserError('choose the file(s) to import');
            })();
      if (!chosen) return null; // the dialog was cancelled
      const info = manager.importFiles({ name, format, ...(labelColumn !== undefined ? { labelColumn } : {}), files: chosen });
      events.emit({ type: 'datasetsChanged' });
      return info;
    },
    rename: ({ hash, name }) => {
      const info = manager.rename(hash, name);
      events.emit({ type: 'datasetsChanged' });
      return info;
    },
    remove: ({ hash }) => {
      const removed = manager.remove(hash);
      if (removed) events.emit({ type: 'datasetsChanged' });
      return { removed };
    },
  };
}
