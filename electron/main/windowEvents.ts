/**
 * Lab events to each app window through the window's own bounded outbox (runner/eventOutbox.ts):
 * one batch in flight per window, acknowledged by the preload once the page's listeners have run.
 * A busy or hung page makes its events coalesce (frames capped, the oldest dropped and the rest
 * marked `gapBefore`, so the page re-reads them) instead of queuing in IPC without bound; training
 * never waits for a window.
 */
import type { IpcMain, WebContents } from 'electron';
import { EVENT_ACK_CHANNEL, EVENT_CHANNEL, toPageEvent } from '../../shared/api';
import type { LabEvents } from '../lab/events';
import { subscribeBounded } from '../lab/runner/eventOutbox';
import { isTrustedSender } from './ipc';

type Contents = Pick<WebContents, 'id' | 'send' | 'isDestroyed' | 'on' | 'once'>;

export interface WindowEvents {
  /** Forwards lab events to `contents` until it is destroyed. */
  attach(contents: Contents): void;
}

export function createWindowEvents(ipcMain: Pick<IpcMain, 'on'>, events: Pick<LabEvents, 'subscribe'>): WindowEvents {
  const pendingAcks = new Map<number, () => void>();
  const release = (id: number) => {
    const ack = pendingAcks.get(id);
    pendingAcks.delete(id);
    ack?.();
  };
  ipcMain.on(EVENT_ACK_CHANNEL, (event) => {
    if (isTrustedSender(event)) release(event.sender.id);
  });
  return {
    attach(contents) {
      const { id } = contents;
      const subscription = subscribeBounded(
        events,
        (batch) =>
          new Promise<void>((resolve) => {
            if (contents.isDestroyed()) return resolve();
            pendingAcks.set(id, resolve);
            // Frames as columns: IPC's structured clone copies a typed array as one block.
            contents.send(EVENT_CHANNEL, batch.map(toPageEvent));
          }),
      );
      // A reload or a crash loses the page that would acknowledge; the next page reads the store.
      contents.on('did-finish-load', () => release(id));
      contents.on('render-process-gone', () => release(id));
      contents.once('destroyed', () => {
        subscription.unsubscribe();
        release(id);
      });
    },
  };
}
