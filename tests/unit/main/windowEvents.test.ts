/** Lab events to app windows: one acknowledged batch in flight per window, a bounded outbox behind it. */
import { describe, expect, it } from 'vitest';
import type { IpcMain, WebContents } from 'electron';
import { EVENT_ACK_CHANNEL, EVENT_CHANNEL, toPageEvent, type LabEvent, type PageEvent } from '../../../shared/api';
import { frameCount } from '../../../shared/frameBatch';
import { LabEvents } from '../../../electron/lab/events';
import { createWindowEvents } from '../../../electron/main/windowEvents';

type Handler = (...args: unknown[]) => void;
type FramesEvent = Extract<LabEvent, { type: 'runFrames' }>;
type SentFrames = Extract<PageEvent, { type: 'runFrames' }>;

class FakeContents {
  static nextId = 1;
  id = FakeContents.nextId++;
  destroyed = false;
  batches: PageEvent[][] = [];
  listeners = new Map<string, Handler[]>();
  mainFrame = { url: 'app://bnlab/index.html' };
  on(name: string, fn: Handler) {
    this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
    return this;
  }
  once(name: string, fn: Handler) {
    return this.on(name, fn);
  }
  emit(name: string) {
    for (const fn of this.listeners.get(name) ?? []) fn();
  }
  isDestroyed() {
    return this.destroyed;
  }
  send(channel: string, batch: PageEvent[]) {
    expect(channel).toBe(EVENT_CHANNEL);
    this.batches.push(batch);
  }
}

function setUp() {
  const ipcListeners = new Map<string, Handler>();
  const ipcMain = { on: (channel: string, fn: Handler) => ipcListeners.set(channel, fn) } as unknown as Pick<IpcMain, 'on'>;
  const events = new LabEvents();
  const windowEvents = createWindowEvents(ipcMain, events);
  const open = () => {
    const contents = new FakeContents();
    windowEvents.attach(contents as unknown as Pick<WebContents, 'id' | 'send' | 'isDestroyed' | 'on' | 'once'>);
    return contents;
  };
  const ack = (contents: FakeContents, frameUrl = contents.mainFrame.url) =>
    ipcListeners.get(EVENT_ACK_CHANNEL)!({ senderFrame: frameUrl === contents.mainFrame.url ? contents.mainFrame : { url: frameUrl }, sender: contents });
  return { events, open, ack };
}

const frames = (from: number, to: number): FramesEvent => ({
  type: 'runFrames',
  runId: 'r',
  frames: Array.from({ length: to - from + 1 }, (_, i) => ({ step: from + i, epoch: 0, wallMs: 0, values: { 'train/loss': 1 } })),
});
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('window events', () => {
  it('keeps one batch in flight per window; what arrives meanwhile goes, coalesced, after the ack', async () => {
    const { events, open, ack } = setUp();
    const [a, b] = [open(), open()];
    events.emit(frames(1, 1));
    await settle();
    events.emit(frames(2, 2));
    events.emit({ type: 'datasetsChanged' });
    await settle();
    // Frames go to the page as one columnar batch per run.
    const sent = (from: number, to: number) => toPageEvent(frames(from, to));
    expect(a.batches).toEqual([[sent(1, 1)]]);
    expect((a.batches[0]![0] as SentFrames).frames.steps).toBeInstanceOf(Float64Array);
    ack(a);
    await settle();
    expect(a.batches).toEqual([[sent(1, 1)], [sent(2, 2), { type: 'datasetsChanged' }]]);
    // The other window, not acknowledging, is still waiting on its first batch.
    expect(b.batches).toEqual([[sent(1, 1)]]);
  });

  it('holds bounded frames for a hung page and marks the gap when it answers again', async () => {
    const { events, open, ack } = setUp();
    const hung = open();
    for (let step = 1; step <= 10_000; step++) {
      events.emit(frames(step, step));
      if (step % 1000 === 0) await settle();
    }
    expect(hung.batches).toHaveLength(1);
    ack(hung);
    await settle();
    const next = hung.batches[1]![0] as SentFrames;
    expect(next.gapBefore).toBe(true);
    expect(frameCount(next.frames)).toBeLessThanOrEqual(2000);
    expect(next.frames.steps.at(-1)).toBe(10_000);
  });

  it('ignores acknowledgements from frames that are not the app page', async () => {
    const { events, open, ack } = setUp();
    const page = open();
    events.emit(frames(1, 1));
    await settle();
    events.emit(frames(2, 2));
    ack(page, 'https://example.com/');
    await settle();
    expect(page.batches).toHaveLength(1);
  });

  it('goes on after a reload or a crash, and stops for a destroyed window', async () => {
    const { events, open } = setUp();
    const page = open();
    events.emit(frames(1, 1));
    await settle();
    events.emit(frames(2, 2));
    page.emit('did-finish-load');
    await settle();
    expect(page.batches).toHaveLength(2);
    events.emit(frames(3, 3));
    page.emit('render-process-gone');
    await settle();
    expect(page.batches).toHaveLength(3);
    page.destroyed = true;
    page.emit('destroyed');
    events.emit(frames(4, 4));
    await settle();
    expect(page.batches).toHaveLength(3);
  });
});
