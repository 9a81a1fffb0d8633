/** Lab events on their way into a page: the browser-mode binary message, and the check every transport applies. */
import { describe, expect, it } from 'vitest';
import { toPageEvent, type PageEvent } from '../../../shared/api';
import type { MetricFrame } from '../../../shared/engine/frame';
import { decodeFrameBatch, encodeFrameBatch } from '../../../shared/frameBatch';
import { admitPageEvents, decodeEventMessage, deliverPageEvents, encodeEventMessage } from '../../../shared/pageEvents';

type FramesEvent = Extract<PageEvent, { type: 'runFrames' }>;

const frames = (from: number, to: number): MetricFrame[] =>
  Array.from({ length: to - from + 1 }, (_, i) => {
    const step = from + i;
    return { step, epoch: step / 8, wallMs: step * 3.5, values: { 'train/loss': 1 / step, ...(step % 4 === 0 ? { 'test/acc': step / 100 } : {}) } };
  });

/** What decodeEventMessage reports, and the events admitted from it. */
function receive(message: Uint8Array): { events: PageEvent[]; problems: string[] } {
  const problems: string[] = [];
  const report = (m: string) => problems.push(m);
  // A page's ArrayBuffer holds just the message.
  const events = admitPageEvents(decodeEventMessage(message.slice().buffer, report), report);
  return { events, problems };
}

const batch: PageEvent[] = [
  { type: 'menu', command: 'about' },
  // Run ids of odd lengths put the payload after a header of any length: it must still be 8-byte aligned.
  toPageEvent({ type: 'runFrames', runId: 'run-a', frames: frames(1, 9) }),
  { type: 'runProgress', runId: 'run-a', backend: 'wasm', progress: { step: 9, totalSteps: 100, stepsPerSecond: 4.5, etaSeconds: 20.2, paused: false } },
  toPageEvent({ type: 'runFrames', runId: 'b', frames: frames(20, 24), gapBefore: true }),
  toPageEvent({ type: 'runFrames', runId: 'cc', frames: [] }),
  { type: 'runStatus', runId: 'b', status: 'diverged', step: 24, message: 'the training loss became NaN at step 24' },
];

describe('event messages (browser mode)', () => {
  it('round-trip: every event, in order, frames with every value and every absent key', () => {
    const { events, problems } = receive(encodeEventMessage(batch));
    expect(problems).toEqual([]);
    expect(events).toEqual(batch);
    expect(decodeFrameBatch((events[1] as FramesEvent).frames)).toEqual(frames(1, 9));
    expect(decodeFrameBatch((events[3] as FramesEvent).frames)).toEqual(frames(20, 24));
    expect((events[3] as FramesEvent).gapBefore).toBe(true);
  });

  it('frames are read as views of the message, not copied', () => {
    const data = encodeEventMessage(batch).slice().buffer;
    const events = decodeEventMessage(data, () => {}) as FramesEvent[];
    expect(events[1]!.frames.steps.buffer).toBe(data);
    expect(events[1]!.frames.values.buffer).toBe(data);
  });

  it('carries numbers as bytes: 8 per number, and a header of names', () => {
    const message = encodeEventMessage([toPageEvent({ type: 'runFrames', runId: 'r', frames: frames(1, 1000) })]);
    // 1000 frames × (step, epoch, wall time + 2 keys) = 5000 numbers.
    expect(message.byteLength - 5000 * 8).toBeLessThan(200);
  });

  it('a payload that does not match its header: each run’s frames are passed on empty and marked for a re-read, the rest stays', () => {
    const whole = encodeEventMessage(batch);
    const { events, problems } = receive(whole.subarray(0, whole.byteLength - 8));
    expect(problems[0]).toMatch(/^a lab event message's frames do not match its header \(\d+ numbers described, \d+ sent\)/);
    expect(problems.slice(1)).toEqual([
      expect.stringMatching(/^frames of run run-a were unreadable \(a frame batch must be an object, got null\): its series are read again/),
      expect.stringMatching(/^frames of run b were unreadable/),
      expect.stringMatching(/^frames of run cc were unreadable/),
    ]);
    expect(events.map((e) => e.type)).toEqual(batch.map((e) => e.type));
    for (const i of [1, 3, 4]) expect(events[i]).toMatchObject({ type: 'runFrames', gapBefore: true, frames: { keys: [], steps: new Float64Array(0) } });
    expect(events[5]).toEqual(batch[5]);
  });

  it('a header that lies about a batch’s frames is caught the same way', () => {
    /** The message with one piece of its header's text replaced by another of the same length. */
    const edited = (from: string, to: string) => {
      const message = encodeEventMessage([{ type: 'runFrames', runId: 'r', frames: encodeFrameBatch(frames(1, 3)) }]);
      const at = Buffer.from(message).indexOf(from);
      expect(at).toBeGreaterThan(0);
      message.set(new TextEncoder().encode(to), at);
      return message;
    };
    for (const [from, to, problem] of [
      ['"count":3', '"count":9', '36 numbers described, 12 sent'],
      ['"count":3', '"cOunt":3', 'a batch without keys and a frame count'],
      ['"keys":', '"kEys":', 'a batch without keys and a frame count'],
    ] as const) {
      const { events, problems } = receive(edited(from, to));
      expect(problems[0]).toContain(problem);
      expect(events).toMatchObject([{ type: 'runFrames', runId: 'r', gapBefore: true }]);
    }
  });

  it('a message whose header cannot be read is refused with a clear error', () => {
    const decode = (bytes: number[] | Uint8Array) => () => decodeEventMessage(new Uint8Array(bytes).buffer, () => {});
    expect(decode([1, 0])).toThrow('a lab event message of 2 bytes is too short to hold its header');
    expect(decode([200, 0, 0, 0, 91, 93])).toThrow('a lab event message gives its header 200 bytes, but the whole message has 6');
    expect(decode([3, 0, 0, 0, 91, 123, 93])).toThrow(/^a lab event message's header is not JSON/);
    expect(decode([2, 0, 0, 0, 123, 125, 0, 0])).toThrow("a lab event message's header must be a list of events, got {}");
  });
});

describe('events a page takes', () => {
  it('leaves out what is not an event, and says so', () => {
    const problems: string[] = [];
    expect(admitPageEvents({ type: 'menu' }, (m) => problems.push(m))).toEqual([]);
    const events = admitPageEvents([null, { command: 'about' }, { type: 'runFrames', runId: 42, frames: encodeFrameBatch([]) }, { type: 'datasetsChanged' }], (m) => problems.push(m));
    expect(events).toEqual([{ type: 'datasetsChanged' }]);
    expect(problems).toEqual([
      'a lab event batch must be an array, got object',
      'a lab event without a type was left out: null',
      'a lab event without a type was left out: {"command":"about"}',
      'frames for a run id that is not a string were left out: 42',
    ]);
  });

  it('every listener gets every event, in order, when one of them throws', () => {
    const got: string[] = [];
    const problems: string[] = [];
    const listeners = [
      (event: PageEvent) => got.push(`a:${event.type}`),
      () => {
        throw new Error('broken');
      },
      (event: PageEvent) => got.push(`c:${event.type}`),
    ];
    deliverPageEvents([{ type: 'datasetsChanged' }, { type: 'menu', command: 'about' }], listeners, (m, error) => problems.push(`${m}: ${(error as Error).message}`));
    expect(got).toEqual(['a:datasetsChanged', 'c:datasetsChanged', 'a:menu', 'c:menu']);
    expect(problems).toEqual(['an event listener failed: broken', 'an event listener failed: broken']);
  });
});
