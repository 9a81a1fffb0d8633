/**
 * Browser mode's transport: LabApi calls as JSON messages over a WebSocket to the lab server
 * that served this page, and lab events as one binary message per batch (shared/pageEvents.ts).
 * The token comes from the page's URL fragment (never sent in requests).
 */
import type { CallResult, MethodName, PageEvent } from '../../../shared/api';
import type { LabTransport } from '../../../shared/apiClient';
import { decodeEventMessage, deliverPageEvents, reportToConsole } from '../../../shared/pageEvents';

type Reply = { id: number; result: CallResult };

/** Opens the bridge to the server at `location` with the token found in `hash` ("#token=…"). */
export function connectBrowserBridge(location: Pick<Location, 'host' | 'hash'>): LabTransport {
  const token = new URLSearchParams(location.hash.replace(/^#/, '')).get('token') ?? '';
  const pending = new Map<number, (result: CallResult) => void>();
  const listeners = new Set<(event: PageEvent) => void>();
  let nextId = 1;
  let socket: WebSocket | null = null;
  let opened: Promise<WebSocket> | null = null;

  function open(): Promise<WebSocket> {
    if (opened) return opened;
    opened = new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/api?token=${encodeURIComponent(token)}`);
      // Event batches arrive as bytes whose frame columns are read as views, without a copy (a Blob would need one).
      ws.binaryType = 'arraybuffer';
      ws.onopen = () => {
        socket = ws;
        resolve(ws);
      };
      ws.onerror = () => reject(new Error('cannot reach the lab server (is `npm run dev:browser` running, and was the page opened with its token?)'));
      ws.onclose = () => {
        socket = null;
        opened = null;
        for (const settle of pending.values()) settle({ ok: false, error: { message: 'the connection to the lab server closed' } });
        pending.clear();
      };
      ws.onmessage = (message: MessageEvent<ArrayBuffer | string>) => {
        if (message.data instanceof ArrayBuffer) {
          let events: unknown[];
          try {
            events = decodeEventMessage(message.data, reportToConsole);
          } catch (error) {
            return reportToConsole('a batch of lab events was unreadable and is lost', error);
          }
          return deliverPageEvents(events, listeners);
        }
        const reply = JSON.parse(message.data) as Reply;
        pending.get(reply.id)?.(reply.result);
        pending.delete(reply.id);
      };
    });
    return opened;
  }

  return {
    async call(path: MethodName, input: unknown): Promise<CallResult> {
      const ws = socket ?? (await open());
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        ws.send(JSON.stringify({ id, method: path, input }));
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      void open().catch(() => {});
      return () => listeners.delete(listener);
    },
  };
}
