/**
 * File → Open under Electron: main's native dialog picks the file and the page gets its name (a
 * label) and text, never a path; a file far too large is refused unread; browser mode and the CLI
 * have no dialog in main and say so. The picker runs against a stand-in dialog and real files.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BrowserWindow, Dialog, OpenDialogOptions } from 'electron';
import { getPreset, presetWorkshop } from '../../../shared/presets';
import { MAX_WORKSHOP_FILE_BYTES, workshopFileText } from '../../../shared/spec/workshop';
import { experimentFilePicker } from '../../../electron/main/dialogs';
import { createLab } from '../../../electron/lab/lab';

const temp = mkdtempSync(path.join(os.tmpdir(), 'bnlab-open-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** A dialog that "chooses" `filePaths` (none: cancelled) and records what it was asked. */
function fakeDialog(filePaths: string[]) {
  const asked: Array<{ parent: boolean; options: OpenDialogOptions }> = [];
  const showOpenDialog = (...args: unknown[]) => {
    const options = args.at(-1) as OpenDialogOptions;
    asked.push({ parent: args.length === 2, options });
    return Promise.resolve({ canceled: filePaths.length === 0, filePaths });
  };
  return { dialog: { showOpenDialog } as unknown as Dialog, asked };
}

describe("File → Open through main's dialog", () => {
  const text = workshopFileText(presetWorkshop(getPreset('ioffe-fig1')!));
  const file = path.join(temp, 'class.bnlab.json');
  writeFileSync(file, text);

  it('gives the page the name and the text, not the path', async () => {
    const { dialog, asked } = fakeDialog([file]);
    const window = {} as BrowserWindow;
    expect(await experimentFilePicker(dialog, () => window)()).toEqual({ fileName: 'class.bnlab.json', text });
    expect(asked).toEqual([{ parent: true, options: expect.objectContaining({ properties: ['openFile'], filters: [expect.objectContaining({ extensions: ['json'] })] }) }]);
  });

  it('null when cancelled; a file far too large is refused without being read', async () => {
    expect(await experimentFilePicker(fakeDialog([]).dialog, () => null)()).toBeNull();
    const huge = path.join(temp, 'huge.bnlab.json');
    writeFileSync(huge, Buffer.alloc(MAX_WORKSHOP_FILE_BYTES + 1, 32));
    await expect(experimentFilePicker(fakeDialog([huge]).dialog, () => null)()).rejects.toThrow(/huge\.bnlab\.json is not a BatchNorm Lab file: 8\.0 MB/);
  });

  it('is files.openExperiment of the contract, and only where main has a dialog', async () => {
    const electron = await createLab({ dataDir: path.join(temp, 'electron'), transport: 'electron', appVersion: 'test', workers: 1, pickExperimentFile: experimentFilePicker(fakeDialog([file]).dialog, () => null) });
    const browser = await createLab({ dataDir: path.join(temp, 'browser'), transport: 'browser', appVersion: 'test', workers: 1 });
    try {
      expect(await electron.dispatch('files.openExperiment', undefined)).toEqual({ ok: true, value: { fileName: 'class.bnlab.json', text } });
      // Whatever the page adds (a path of its choosing) is refused: the method takes no input.
      expect(await electron.dispatch('files.openExperiment', { path: '/etc/passwd' })).toMatchObject({ ok: false });
      expect(await browser.dispatch('files.openExperiment', undefined)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/the page opens files itself/) } });
    } finally {
      await electron.close();
      await browser.close();
    }
  });
});
