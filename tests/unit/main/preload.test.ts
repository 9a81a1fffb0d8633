/** The page's preload, against a fake `electron`: LabApi on window.bnlab, events in batches, one ack per batch. */
import { describe, expect, it, vi } from 'vitest';
import { channelOf, EVENT_ACK_CHANNEL, EVENT_CHANNEL, type LabApi, type LabEvent } from '../../../shared/api';

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
const deliver = (batch: LabEvent[]) => fake.state.handlers.get(EVENT_CHANNEL)!({}, batch);

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
});
