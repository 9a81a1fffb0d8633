/** The page's preload, against a fake `electron`: LabApi on window.bnlab, events in batches, one ack per batch. */
import { describe, expect, it, vi } from 'vitest';
import { channelOf, EVENT_ACK_CHANNEL, EVENT_CHANNEL, toPageEvent, type LabApi, type PageEvent } from '../../../shared/api';
import type { MetricFrame } from '../../../shared/engine/frame';
import { decodeFrameBatch } from '../../../shared/frameBatch';

const fake = vi.hoisted(() => {
  const state = { exposed: new Map<string, unknown>(), handlers: new Map<string, (...args: unknown[]) => void>(), sent: [] as string[], invoked: [] as unknown[][] };
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => state.exposed.set(key, api) },
    ipcRenderer: {
      on: (channel: string, fn: (...args: unknown[]) => void) => state.handlers.set(channel, fn),
      send: (channel: string) => state.sent.push(channel),
      invoke: (...args: unknown[]) => (state.invoked.push(args), Promise.resolve({ ok: true, value: 'pong' })),
    },
  };
  return { state, electron };
});
vi.mock('electron', () => ({ ...fake.electron, default: fake.electron }));

await import('../../../electron/preload/index');
const api = fake.state.exposed.get('bnlab') as LabApi;
/** A batch as main's IPC delivers it: a structured clone of what windowEvents sent. */
const deliver = (batch: unknown[]) => fake.state.handlers.get(EVENT_CHANNEL)!({}, structuredClone(batch));

describe('preload', () => {
  it('exposes only LabApi, calling main on the contract channels', async () => {
    expect([...fake.state.exposed.keys()]).toEqual(['bnlab']);
    await expect(api.app.info()).resolves.toBe('pong');
    expect(fake.state.invoked[0]![0]).toBe(channelOf('app.info'));
  });

  it('hands each batch to every listener in order, then acknowledges it once, even when a listener throws', () => {
    const got: string[] = [];
    const stop = api.onEvent((event) => got.push(`a:${event.type}`));
    api.onEvent((event) => {
      got.push(`b:${event.type}`);
      throw new Error('a broken listener');
    });
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    deliver([{ type: 'datasetsChanged' }, { type: 'menu', command: 'about' }]);
    expect(got).toEqual(['a:datasetsChanged', 'b:datasetsChanged', 'a:menu', 'b:menu']);
    expect(fake.state.sent).toEqual([EVENT_ACK_CHANNEL]);
    expect(error).toHaveBeenCalledTimes(2);
    stop();
    deliver([{ type: 'datasetsChanged' }]);
    expect(got.slice(4)).toEqual(['b:datasetsChanged']);
    expect(fake.state.sent).toEqual([EVENT_ACK_CHANNEL, EVENT_ACK_CHANNEL]);
    error.mockRestore();
  });

  it('hands frames on as the columnar batch main sent; a malformed batch is reported and passed on empty, marked gapBefore', () => {
    const got: PageEvent[] = [];
    const stop = api.onEvent((event) => got.push(event));
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const frames: MetricFrame[] = [
      { step: 1, epoch: 0, wallMs: 5, values: { 'train/loss': 0.5 } },
      { step: 2, epoch: 0, wallMs: 9, values: { 'train/loss': 0.4, 'test/acc': 0.9 } },
    ];
    const sent = toPageEvent({ type: 'runFrames', runId: 'r', frames });
    deliver([sent, { type: 'runFrames', runId: 'broken', frames: { keys: ['train/loss'], steps: [1, 2] } }, { type: 'datasetsChanged' }]);
    expect(got).toHaveLength(3);
    expect(got[0]).toEqual(sent);
    expect(decodeFrameBatch((got[0] as Extract<PageEvent, { type: 'runFrames' }>).frames)).toEqual(frames);
    expect(got[1]).toMatchObject({ type: 'runFrames', runId: 'broken', gapBefore: true, frames: { keys: [] } });
    expect(got[2]).toEqual({ type: 'datasetsChanged' });
    // (The throwing listener of the test above is still subscribed: its failures are reported too.)
    const problems = error.mock.calls.map(([message]) => String(message)).filter((message) => !message.includes('listener failed'));
    expect(problems).toEqual([expect.stringMatching(/frames of run broken were unreadable \(a frame batch's steps must be a Float64Array\)/)]);
    expect(fake.state.sent.at(-1)).toBe(EVENT_ACK_CHANNEL);
    stop();
    error.mockRestore();
  });
});
