/**
 * The preload script only bridges LabApi: one named function per contract method (generated from
 * the contract), plus the event subscription. No Node or Electron object reaches the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { channelOf, EVENT_CHANNEL, type CallResult, type LabEvent } from '../../shared/api';
import { createLabClient } from '../../shared/apiClient';

const api = createLabClient({
  call: (path, input) => ipcRenderer.invoke(channelOf(path), input) as Promise<CallResult>,
  subscribe(listener) {
    const handler = (_event: IpcRendererEvent, payload: LabEvent) => listener(payload);
    ipcRenderer.on(EVENT_CHANNEL, handler);
    return () => ipcRenderer.off(EVENT_CHANNEL, handler);
  },
});

contextBridge.exposeInMainWorld('bnlab', api);
