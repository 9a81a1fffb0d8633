/**
 * The application menu's commands (File → Import dataset…, Export runs…, Open/Save experiment…),
 * carried out in the page: main only says which was chosen. A file to open comes from main's
 * native dialog under Electron (as name and text), else from the page's file picker or a drop
 * (read with the File API): the page never names a path.
 */
import { onScopeDispose } from 'vue';
import type { MenuCommand } from '../../../shared/api';
import { lab } from '../lab/client';
import { useUiStore } from '../stores/useUiStore';
import { useDraftStore } from '../stores/useDraftStore';
import { useCompareStore } from '../stores/useCompareStore';
import { useWorkshopStore } from '../stores/useWorkshopStore';
import { usePresetRunsStore } from '../stores/usePresetRunsStore';
import { downloadFile } from '../lib/download';
import { hasNativeDialogs, pickFiles } from '../lib/files';
import { messageOf } from '../lib/errors';
import { isDraftFile } from '../build/draft';
import { MAX_WORKSHOP_FILE_BYTES } from '../../../shared/spec/workshop';

export interface MenuCommandsOptions {
  /** Where problems are reported (a toast, a notice). Default: console.error. */
  onProblem?: (message: string) => void;
}

export function useMenuCommands(options: MenuCommandsOptions = {}) {
  const ui = useUiStore();
  const draft = useDraftStore();
  const compare = useCompareStore();
  const workshop = useWorkshopStore();
  const presetRuns = usePresetRunsStore();
  const problem = options.onProblem ?? ((m: string) => console.error(m));

  /**
   * Opens a workshop file's text, or an experiment draft saved by an earlier version (those have
   * no "format" field). A file that is neither, or is invalid, is reported and changes nothing.
   */
  function openText(text: string, fileName: string): void {
    let wrong: string | null;
    if (isDraftFile(text)) {
      const why = draft.loadFromJson(text);
      wrong = why && `${fileName} is not a BatchNorm Lab experiment: ${why}`;
    } else {
      wrong = workshop.open(text, fileName);
    }
    if (wrong) {
      problem(wrong);
      return;
    }
    ui.notice = null;
    ui.view = 'build';
  }

  /** Opens a file the page was given (its picker, a drop). */
  async function openFile(file: File): Promise<void> {
    if (file.size > MAX_WORKSHOP_FILE_BYTES) {
      problem(`${file.name} is not a BatchNorm Lab file: ${(file.size / 1024 / 1024).toFixed(1)} MB is far larger than one can be`);
      return;
    }
    openText(await file.text(), file.name);
  }

  async function run(command: MenuCommand): Promise<void> {
    switch (command) {
      case 'importDataset':
        ui.view = 'build';
        ui.importOpen = true;
        return;
      case 'toggleTheme':
        ui.toggleTheme();
        return;
      case 'about':
        ui.aboutOpen = true;
        return;
      case 'saveExperiment':
        // From a preset's page its experiment and charts; anywhere else the bench's experiment.
        workshop.saving = ui.view === 'experiments' ? { kind: 'preset', presetId: presetRuns.selectedId } : { kind: 'bench' };
        return;
      case 'openExperiment': {
        if (hasNativeDialogs()) {
          // A file input clicked on behalf of a menu item has no user activation, so Chromium
          // would not show it: main's dialog asks instead and sends back the name and text.
          try {
            const picked = await lab.files.openExperiment();
            if (picked) openText(picked.text, picked.fileName);
          } catch (e) {
            problem(messageOf(e));
          }
          return;
        }
        const [file] = await pickFiles('.json,application/json', false);
        if (file) await openFile(file);
        return;
      }
      case 'exportRuns': {
        const runIds = compare.state.runIds;
        if (runIds.length === 0) {
          ui.view = 'compare';
          problem('Select the runs to export in Compare first.');
          return;
        }
        try {
          const file = await lab.runs.export({ runIds, format: 'json' });
          downloadFile(file.fileName, file.content, file.mimeType);
        } catch (e) {
          problem(messageOf(e));
        }
        return;
      }
    }
  }

  const stop = lab.onEvent((event) => {
    if (event.type === 'menu') void run(event.command);
  });
  onScopeDispose(stop);
  return { run, openFile };
}
