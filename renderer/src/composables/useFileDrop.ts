/**
 * Files dropped anywhere on the window. Every drag that brings data from outside the page has its
 * default cancelled: left alone, Chromium would navigate to a dropped file or link (Electron's
 * guard refuses such navigation too, but the page should never ask for it). The dropped file is
 * read in the page with the File API; its path is never seen.
 */
import { onScopeDispose, ref } from 'vue';

export interface FileDropOptions {
  /** Called with the dropped file (one at a time). */
  onFile: (file: File) => void;
  /** Called when several files are dropped at once. Default: ignored. */
  onProblem?: (message: string) => void;
  /** Where to listen. Default: window. */
  target?: Window | HTMLElement;
}

const carriesFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;

export function useFileDrop(options: FileDropOptions) {
  const target = options.target ?? window;
  /** A file is being dragged over the window (for a "drop to open" hint). */
  const dragging = ref(false);

  function over(event: DragEvent): void {
    // A drag carrying data came from outside (a layer card's drag carries none and keeps its own handling).
    if (event.dataTransfer?.types.length) event.preventDefault();
    if (!carriesFiles(event)) return;
    event.dataTransfer!.dropEffect = 'copy';
    dragging.value = true;
  }
  function leave(event: DragEvent): void {
    // relatedTarget is null only when the drag leaves the window itself.
    if (event.relatedTarget === null) dragging.value = false;
  }
  function drop(event: DragEvent): void {
    event.preventDefault();
    dragging.value = false;
    const files = [...(event.dataTransfer?.files ?? [])];
    if (files.length > 1) options.onProblem?.('Drop one file at a time.');
    else if (files[0]) options.onFile(files[0]);
  }

  target.addEventListener('dragover', over as EventListener);
  target.addEventListener('dragleave', leave as EventListener);
  target.addEventListener('drop', drop as EventListener);
  onScopeDispose(() => {
    target.removeEventListener('dragover', over as EventListener);
    target.removeEventListener('dragleave', leave as EventListener);
    target.removeEventListener('drop', drop as EventListener);
  });
  return { dragging };
}
