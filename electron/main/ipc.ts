/**
 * IPC wiring: one handler per contract method, on the channel derived from the contract. Every
 * call is checked to come from the top-level frame of an app page before its input is parsed by
 * the shared dispatcher (VS Code's validatedIpcMain idea).
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { channelOf, contractMethods, type CallResult } from '../../shared/api';
import type { Dispatch } from '../lab/api/dispatch';
import { isAppUrl } from './security';

/** True when the call comes from the main frame of a page served by the app itself. */
export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame) return false;
  return isAppUrl(frame.url);
}

/** Registers every LabApi method on `ipcMain`; returns the channels registered. */
export function registerLabIpc(ipcMain: IpcMain, dispatch: Dispatch): string[] {
  return contractMethods().map(({ path }) => {
    const channel = channelOf(path);
    ipcMain.handle(channel, async (event, input: unknown): Promise<CallResult> => {
      if (!isTrustedSender(event)) return { ok: false, error: { message: 'refused: the call did not come from the app' } };
      return dispatch(path, input);
    });
    return channel;
  });
}
