/** The browser-mode server's guards: loopback only, token, origin and host checks, no path escape. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from 'node:http';
import WebSocket from 'ws';
import { startBrowserServer, type BrowserServer } from '../../../electron/lab/server/browserServer';
import type { LabEvent, PageEvent } from '../../../shared/api';
import type { MetricFrame } from '../../../shared/engine/frame';
import { decodeFrameBatch } from '../../../shared/frameBatch';
import { admitPageEvents, decodeEventMessage } from '../../../shared/pageEvents';

let dir: string;
let server: BrowserServer;
const listeners = new Set<(event: LabEvent) => void>();

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'bnlab-server-'));
  mkdirSync(path.join(dir, 'renderer'));
  writeFileSync(path.join(dir, 'renderer/index.html'), '<h1>lab</h1>');
  writeFileSync(path.join(dir, 'secret.txt'), 'secret');
  server = await startBrowserServer({
    rendererDir: path.join(dir, 'renderer'),
    dispatch: async (method, input) => ({ ok: true, value: { method, input } }),
    subscribe: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
    token: 't0ken',
  });
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(pathname: string, host = `127.0.0.1:${server.port}`): Promise<{ status: number; body: string; csp: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path: pathname, headers: { host } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, csp: String(res.headers['content-security-policy'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A message as the page reads it: a reply as JSON text, a batch of events as one binary message. */
function read(data: WebSocket.RawData, isBinary: boolean): unknown {
  if (!isBinary) return JSON.parse(data.toString());
  // The page gets an ArrayBuffer of its own; ws hands Node a Buffer that may sit anywhere in a shared one.
  const problems: string[] = [];
  const events = admitPageEvents(decodeEventMessage(new Uint8Array(data as Buffer).slice().buffer, (m) => problems.push(m)), (m) => problems.push(m));
  expect(problems).toEqual([]);
  return events;
}

function connect(query: string, origin = server.origin): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api${query}`, { origin });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
}

describe('static files', () => {
  it('serves the renderer with a strict CSP that allows only its own socket', async () => {
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.body).toBe('<h1>lab</h1>');
    expect(page.csp).toContain(`connect-src 'self' ws://127.0.0.1:${server.port}`);
    expect(page.csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  });

  it('never serves files outside the renderer folder', async () => {
    expect((await get('/../secret.txt')).body).not.toBe('secret');
    expect((await get('/%2e%2e/secret.txt')).status).toBe(404); // URL parsing already removes the dots
    expect((await get('/..%2Fsecret.txt')).status).toBe(403); // decoded after parsing: caught by the folder check
  });

  it('refuses requests for another host name (DNS rebinding)', async () => {
    expect((await get('/', 'evil.example:80')).status).toBe(421);
  });

  it('listens on loopback only', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });
});

describe('the API socket', () => {
  it('refuses connections without the token, with a wrong one, or from another origin', async () => {
    await expect(connect('')).rejects.toThrow(/403/);
    await expect(connect('?token=wrong')).rejects.toThrow(/403/);
    await expect(connect('?token=t0ken', 'http://evil.example')).rejects.toThrow(/403/);
  });

  it('carries calls and events for a page with the token', async () => {
    const ws = await connect('?token=t0ken');
    const messages: unknown[] = [];
    ws.on('message', (data, isBinary) => messages.push(read(data, isBinary)));
    ws.send(JSON.stringify({ id: 7, method: 'app.info', input: { a: 1 } }));
    await expect.poll(() => messages.length).toBe(1);
    expect(messages[0]).toEqual({ id: 7, result: { ok: true, value: { method: 'app.info', input: { a: 1 } } } });
    for (const listener of listeners) listener({ type: 'datasetsChanged' });
    await expect.poll(() => messages.length).toBe(2);
    expect(messages[1]).toEqual([{ type: 'datasetsChanged' }]);
    // Events of one tick travel as one message; frames keep every value and where a key was absent.
    const frames: MetricFrame[] = [
      { step: 1, epoch: 0.5, wallMs: 10, values: { 'train/loss': 2.5, 'train/acc': 0.125 } },
      { step: 2, epoch: 1, wallMs: 20.25, values: { 'train/loss': 1.5, 'test/acc': -1e-300 } },
    ];
    for (const listener of listeners) {
      listener({ type: 'runFrames', runId: 'r', frames });
      listener({ type: 'runStatus', runId: 'r', status: 'finished', step: 2 });
    }
    await expect.poll(() => messages.length).toBe(3);
    const [sentFrames, status] = messages[2] as PageEvent[];
    expect(sentFrames).toMatchObject({ type: 'runFrames', runId: 'r' });
    expect(decodeFrameBatch((sentFrames as Extract<PageEvent, { type: 'runFrames' }>).frames)).toEqual(frames);
    expect(status).toEqual({ type: 'runStatus', runId: 'r', status: 'finished', step: 2 });
    ws.close();
  });
});

describe('a page that reads slowly', () => {
  it('gets one batch at a time, holds bounded frames meanwhile, and is told where frames were dropped', async () => {
    const slow = await startBrowserServer({
      rendererDir: path.join(dir, 'renderer'),
      dispatch: async () => ({ ok: true, value: null }),
      subscribe: (listener) => (listeners.add(listener), () => listeners.delete(listener)),
      token: 't0ken',
      outbox: { maxFramesPerRun: 20 },
    });
    const ws = await new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(`ws://127.0.0.1:${slow.port}/api?token=t0ken`, { origin: slow.origin });
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
    const received: Array<{ steps: number[]; gapBefore?: true }> = [];
    ws.on('message', (data, isBinary) => {
      for (const event of read(data, isBinary) as PageEvent[]) if (event.type === 'runFrames') received.push({ steps: Array.from(event.frames.steps), ...(event.gapBefore ? { gapBefore: true } : {}) });
    });
    // The page stops reading; frames big enough to fill the loopback socket's buffers.
    const socket = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();
    const values = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`layer${i}/gamma/mean`, i / 7]));
    const emitted = 2000;
    for (let step = 1; step <= emitted; step++) {
      for (const listener of listeners) listener({ type: 'runFrames', runId: 'r', frames: [{ step, epoch: 0, wallMs: step, values }] });
      if (step % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    socket.resume();
    await expect.poll(() => received.at(-1)?.steps.at(-1), { timeout: 10_000 }).toBe(emitted);
    const steps = received.flatMap((event) => event.steps);
    // Fewer frames than emitted arrived, in order, and the first batch after each drop says so.
    expect(steps.length).toBeLessThan(emitted);
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    received.forEach((event, i) => {
      const previous = received[i - 1]?.steps.at(-1) ?? 0;
      expect(event.gapBefore === true).toBe(event.steps[0] !== previous + 1);
    });
    ws.close();
    await slow.close();
  });
});

describe('the token, the host and the interface', () => {
  it('accepts only the exact token, in the query, on /api, for its own host name', async () => {
    for (const query of ['?token=t0ke', '?token=t0ken0', '?token=T0KEN', '?token=%20t0ken', '?Token=t0ken', '?tok=t0ken', '?token=', '?token=wrong&token=t0ken']) {
      await expect(connect(query), query).rejects.toThrow(/403/);
    }
    await expect(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/other?token=t0ken`, { origin: server.origin });
        ws.once('open', resolve);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      }),
    ).rejects.toThrow(/403/);
    // DNS rebinding: a page on evil.example resolving to 127.0.0.1 sends its own Host and Origin.
    await expect(
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=t0ken`, { origin: 'http://evil.example', headers: { host: 'evil.example' } });
        ws.once('open', resolve);
        ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      }),
    ).rejects.toThrow(/403/);
  });

  it('makes a new unguessable token for every launch', async () => {
    const servers = await Promise.all([0, 1].map(() => startBrowserServer({ rendererDir: path.join(dir, 'renderer'), dispatch: async () => ({ ok: true, value: null }), subscribe: () => () => {} })));
    const [a, b] = servers.map((s) => s.token);
    expect(a).toMatch(/^[0-9a-f]{48}$/); // 192 random bits
    expect(a).not.toBe(b);
    expect(servers[0]!.url).toBe(`${servers[0]!.origin}/#token=${a}`); // in the fragment: never sent in a request line or Referer
    await Promise.all(servers.map((s) => s.close()));
  });

  it('cannot be reached on any other interface of the machine', async () => {
    const external = Object.values(os.networkInterfaces())
      .flat()
      .filter((i) => i && !i.internal && i.family === 'IPv4')
      .map((i) => i!.address);
    for (const address of [...external, '::1']) {
      const outcome = await new Promise<string>((resolve) => {
        const req = request({ host: address, port: server.port, path: '/', timeout: 2000 }, () => resolve('answered'));
        req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
        req.on('timeout', () => (req.destroy(), resolve('timeout')));
        req.end();
      });
      expect(outcome, address).not.toBe('answered');
    }
  });

  it('keeps serving a page that sends garbage, and never answers what is not a call', async () => {
    const ws = await connect('?token=t0ken');
    const messages: unknown[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(data.toString())));
    for (const garbage of ['not json', '{"id":"1","method":"app.info"}', '{"method":"app.info"}', '{"id":1}', 'null', '[]', '{"__proto__":{"id":1},"method":"app.info"}', '\u0000'.repeat(1000)]) ws.send(garbage);
    ws.send(JSON.stringify({ id: 8, method: 'app.info' }));
    await expect.poll(() => messages.length).toBe(1);
    expect(messages[0]).toMatchObject({ id: 8, result: { ok: true } });
    ws.close();
  });
});
