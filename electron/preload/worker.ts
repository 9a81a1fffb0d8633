/**
 * Preload of the hidden engine windows: hands the page the MessagePort main created for it. Only
 * the port crosses; the page gets no Node or Electron object.
 */
import { ipcRenderer } from 'electron';

// The preload runs in the page's renderer process: its window exists, but this project's Node
// typings don't include the DOM, so declare the two members used.
declare const window: { postMessage(message: string, targetOrigin: string, transfer: unknown[]): void; location: { origin: string } };

ipcRenderer.once('bnlab:worker-port', (event) => {
  window.postMessage('bnlab:worker-port', window.location.origin, event.ports);
});
