/** Reading files the user picked (browser mode sends their bytes; Electron's main asks with a dialog instead). */

/** The file's bytes as base64 (what `datasets.import` carries). */
export async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

/** Opens the browser's file picker and resolves to the chosen files (empty when cancelled). */
export function pickFiles(accept: string, multiple: boolean): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.multiple = multiple;
    input.addEventListener('change', () => resolve([...(input.files ?? [])]));
    input.addEventListener('cancel', () => resolve([]));
    input.click();
  });
}

/** Whether the lab runs under Electron, where main picks files with a native dialog. */
export function hasNativeDialogs(): boolean {
  return typeof window.bnlab !== 'undefined';
}
