/**
 * The application menu's commands (File → Import dataset…, Export runs…, Open/Save experiment…),
 * carried out in the page: main only says which was chosen.
 */
import { onScopeDispose } from 'vue';
import type { MenuCommand } from '../../../shared/api';
import { lab } from '../lab/client';
import { useUiStore } from '../stores/useUiStore';
import { useDraftStore } from '../stores/useDraftStore';
import { useCompareStore } from '../stores/useCompareStore';
import { downloadFile } from '../lib/download';
import { pickFiles } from '../lib/files';
import { messageOf } from '../lib/errors';

export interface MenuCommandsOptions {
  /** Where problems are reported (a toast, a notice). Default: console.error. */
  onProblem?: (message: string) => void;
}

export function useMenuCommands(options: MenuCommandsOptions = {}) {
  const ui = useUiStore();
  const draft = useDraftStore();
  const compare = useCompareStore();
  const problem = options.onProblem ?? ((m: string) => console.error(m));

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
      case 'saveExperiment': {
        const name = draft.draft.title.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-|-$/g, '') || 'experiment';
        downloadFile(`${name}.bnlab.json`, JSON.stringify(draft.draft, null, 2), 'application/json');
        return;
      }
      case 'openExperiment': {
        const [file] = await pickFiles('.json,application/json', false);
        if (!file) return;
        const wrong = draft.loadFromJson(await file.text());
        if (wrong) problem(`${file.name} is not a BatchNorm Lab experiment: ${wrong}`);
        else ui.view = 'build';
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
  return { run };
}
