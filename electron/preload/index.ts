/**
 * The preload script only bridges LabApi: one named function per contract method (generated from
 * the contract), plus the event subscription. No Node or Electron object reaches the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channelOf, EVENT_ACK_CHANNEL, EVENT_CHANNEL, type CallResult, type PageEvent } from '../../shared/api';
import { createLabClient } from '../../shared/apiClient';
import { deliverPageEvents } from '../../shared/pageEvents';

const listeners = new Set<(event: PageEvent) => void>();
// Main sends the next batch only after this acknowledgement (main/windowEvents.ts): a page busy
// with a long task lets events coalesce in main's bounded outbox instead of piling up in IPC.
ipcRenderer.on(EVENT_CHANNEL, (_event: IpcRendererEvent, batch: unknown) => {
  deliverPageEvents(batch, listeners);
  ipcRenderer.send(EVENT_ACK_CHANNEL);
});

const api = createLabClient({
  call: (path, input) => ipcRenderer.invoke(channelOf(path), input) as Promise<CallResult>,
  subscribe(listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
});

contextBridge.exposeInMainWorld('bnlab', api);
