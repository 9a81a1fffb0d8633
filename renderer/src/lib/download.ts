/** Saves text or a data URL as a file through the browser's download (Electron shows a save dialog). */
export function downloadFile(fileName: string, content: string, mimeType: string): void {
  const url = content.startsWith('data:') ? content : URL.createObjectURL(new Blob([content], { type: mimeType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  if (!content.startsWith('data:')) setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
