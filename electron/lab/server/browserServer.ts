/**
 * Browser mode: the built renderer served over HTTP on loopback, with LabApi bridged over a
 * WebSocket to the same lab services the Electron main process uses. Used by development and by
 * the Chromium UI tests. Every API connection must present the per-launch random token and come
 * from this server's own origin; the Host header is checked so a DNS-rebinding page can't reach it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import { toPageEvent, type LabEvent } from '../../../shared/api';
import { encodeEventMessage } from '../../../shared/pageEvents';
import type { Dispatch } from '../api/dispatch';
import { contentSecurityPolicy } from '../csp';
import { subscribeBounded, type OutboxOptions } from '../runner/eventOutbox';
import { readStaticFile } from './staticFiles';

export interface BrowserServerOptions {
  /** Folder of the built renderer (index.html and assets). */
  rendererDir: string;
  dispatch: Dispatch;
  subscribe(listener: (event: LabEvent) => void): () => void;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token for tests; a random one per launch otherwise. */
  token?: string;
  /** Caps of each page's event outbox while its socket is busy (defaults: runner/eventOutbox.ts). */
  outbox?: OutboxOptions;
}

export interface BrowserServer {
  url: string;
  origin: string;
  token: string;
  port: number;
  close(): Promise<void>;
}


/**
 * Wire format of the bridge: requests carry an id and replies echo it (JSON text); each batch of
 * events is one binary message (shared/pageEvents.ts encodeEventMessage).
 */
export type BridgeRequest = { id: number; method: string; input?: unknown };
export type BridgeReply = { id: number; result: unknown };

/** Starts the server on 127.0.0.1 and resolves once it listens. */
export async function startBrowserServer(options: BrowserServerOptions): Promise<BrowserServer> {
  const token = options.token ?? randomBytes(24).toString('hex');
  let origin = '';
  let host = '';

  const http: Server = createServer((req, res) => {
    void serveStatic(req, res).catch(() => send(res, 500, 'text/plain', 'internal error'));
  });

  async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.headers.host !== host) return send(res, 421, 'text/plain', 'wrong host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'method not allowed');
    const file = await readStaticFile(options.rendererDir, new URL(req.url ?? '/', origin).pathname);
    send(res, file.status, file.mimeType, req.method === 'HEAD' ? '' : file.body);
  }

  function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Security-Policy': contentSecurityPolicy({ connect: [origin.replace(/^http/, 'ws')] }),
      'X-Content-Type-Options': 'nosniff',
      'Cross-Origin-Opener-Policy': 'same-origin',
      'Cache-Control': 'no-store',
    });
    res.end(body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 * 1024 });
  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const ok =
      url.pathname === '/api' &&
      req.headers.host === host &&
      req.headers.origin === origin &&
      tokenMatches(url.searchParams.get('token') ?? '', token);
    if (!ok) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws));
  });

  function serveSocket(ws: WebSocket): void {
    // One batch on the wire at a time: while the page reads slowly, events wait in its own bounded
    // outbox (frames coalesced, the oldest dropped and the run's next frames marked `gapBefore`).
    const { unsubscribe } = subscribeBounded(
      options,
      (batch) =>
        new Promise<void>((resolve) => {
          if (ws.readyState !== ws.OPEN) return resolve();
          // One binary message per batch: frames as raw Float64 columns, not JSON text the page would parse into objects.
          ws.send(encodeEventMessage(batch.map(toPageEvent)), () => resolve());
        }),
      options.outbox,
    );
    ws.on('message', (data) => {
      let request: BridgeRequest;
      try {
        request = JSON.parse(data.toString()) as BridgeRequest;
      } catch {
        return;
      }
      if (typeof request?.id !== 'number' || typeof request.method !== 'string') return;
      void options.dispatch(request.method, request.input).then((result) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ id: request.id, result } satisfies BridgeReply));
      });
    });
    ws.on('close', unsubscribe);
    ws.on('error', unsubscribe);
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (http.address() as { port: number }).port;
  host = `127.0.0.1:${port}`;
  origin = `http://${host}`;

  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

function tokenMatches(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
