/**
 * Lab events on their way into a page. Both transports hand a page's listeners checked events
 * (`deliverPageEvents`): a run's frames that arrive malformed are reported and passed on as an
 * empty batch marked `gapBefore`, so the page reads that run's series again from the lab's store
 * and nothing is lost. Browser mode carries each batch of events as one binary WebSocket message
 * (`encodeEventMessage`): the frames' numbers as raw Float64 bytes, never as JSON text, which the
 * page would have to parse into objects and collect.
 */
import type { PageEvent } from './api';
import { checkFrameBatch, encodeFrameBatch, type FrameBatch } from './frameBatch';

type Listener = (event: PageEvent) => void;

type Report = (message: string, error?: unknown) => void;
/** Problems with what arrived go to the page's console, where a developer looks. */
export const reportToConsole: Report = (message, error) => console.error(`[bnlab] ${message}`, ...(error === undefined ? [] : [error]));

/**
 * Checks each event of a batch a page received and calls every listener with it, in order. A
 * listener that throws is reported and the others still run.
 */
export function deliverPageEvents(batch: unknown, listeners: Iterable<Listener>, report: Report = reportToConsole): void {
  for (const event of admitPageEvents(batch, report)) {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        report('an event listener failed', error);
      }
    }
  }
}

/**
 * The batch's events that a page can take: anything that is not an event is reported and left
 * out; a runFrames event whose frames are malformed becomes an empty batch marked `gapBefore`.
 */
export function admitPageEvents(batch: unknown, report: (message: string) => void): PageEvent[] {
  if (!Array.isArray(batch)) {
    report(`a lab event batch must be an array, got ${typeof batch}`);
    return [];
  }
  const admitted: PageEvent[] = [];
  for (const event of batch as unknown[]) {
    const type = (event as { type?: unknown } | null)?.type;
    if (typeof type !== 'string') {
      report(`a lab event without a type was left out: ${describe(event)}`);
      continue;
    }
    if (type !== 'runFrames') {
      admitted.push(event as PageEvent);
      continue;
    }
    const { runId, frames, gapBefore } = event as { runId?: unknown; frames?: unknown; gapBefore?: unknown };
    if (typeof runId !== 'string') {
      report(`frames for a run id that is not a string were left out: ${describe(runId)}`);
      continue;
    }
    try {
      admitted.push({ type, runId, frames: checkFrameBatch(frames), ...(gapBefore === true ? { gapBefore } : {}) });
    } catch (error) {
      report(`frames of run ${runId} were unreadable (${error instanceof Error ? error.message : String(error)}): its series are read again from the lab's store`);
      admitted.push({ type, runId, frames: encodeFrameBatch([]), gapBefore: true });
    }
  }
  return admitted;
}

function describe(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).slice(0, 120);
}

/*
 * One batch as one binary WebSocket message:
 *   [header length: uint32, little-endian][header: UTF-8 JSON][zero bytes up to a multiple of 8][payload]
 * The header is the batch's events, each runFrames event's frames given as { keys, count }; the
 * payload holds, for each runFrames event in order, its steps, epochs and wall times (count each)
 * and its values (count × keys), as Float64 in the platform's byte order: the lab and the page run
 * on one machine (the server listens on loopback only). The page reads each column as a view of
 * the message's buffer, without copying.
 */
const HEADER_LENGTH_BYTES = 4;
const alignTo8 = (n: number) => Math.ceil(n / 8) * 8;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

type FramesHeader = { keys: string[]; count: number };

/** The batch as one binary WebSocket message. */
export function encodeEventMessage(events: readonly PageEvent[]): Uint8Array {
  const columns: Float64Array[] = [];
  const header = events.map((event) => {
    if (event.type !== 'runFrames') return event;
    const { keys, steps, epochs, wallMs, values } = event.frames;
    columns.push(steps, epochs, wallMs, values);
    return { ...event, frames: { keys, count: steps.length } satisfies FramesHeader };
  });
  const text = encoder.encode(JSON.stringify(header));
  const payloadStart = alignTo8(HEADER_LENGTH_BYTES + text.length);
  const message = new Uint8Array(payloadStart + columns.reduce((bytes, column) => bytes + column.byteLength, 0));
  new DataView(message.buffer).setUint32(0, text.length, true);
  message.set(text, HEADER_LENGTH_BYTES);
  let offset = payloadStart;
  for (const column of columns) {
    message.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), offset);
    offset += column.byteLength;
  }
  return message;
}

/**
 * The events of a message made by encodeEventMessage, each runFrames event's columns as views of
 * `data`. Throws when the header cannot be read (no event in it can be trusted). When the payload
 * does not match what the header describes, every runFrames event of the message is passed on
 * without frames (null), which admitPageEvents turns into a re-read of the run; `report` says why.
 */
export function decodeEventMessage(data: ArrayBuffer, report: (message: string) => void): unknown[] {
  if (data.byteLength < HEADER_LENGTH_BYTES) throw new Error(`a lab event message of ${data.byteLength} bytes is too short to hold its header's length`);
  const headerBytes = new DataView(data).getUint32(0, true);
  if (HEADER_LENGTH_BYTES + headerBytes > data.byteLength) {
    throw new Error(`a lab event message gives its header ${headerBytes} bytes, but the whole message has ${data.byteLength}`);
  }
  let events: unknown;
  try {
    events = JSON.parse(decoder.decode(new Uint8Array(data, HEADER_LENGTH_BYTES, headerBytes)));
  } catch (error) {
    throw new Error(`a lab event message's header is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(events)) throw new Error(`a lab event message's header must be a list of events, got ${describe(events)}`);

  const frameEvents = (events as unknown[]).filter((e): e is { frames: unknown } => (e as { type?: unknown } | null)?.type === 'runFrames');
  const payloadStart = alignTo8(HEADER_LENGTH_BYTES + headerBytes);
  const payloadNumbers = (data.byteLength - payloadStart) / 8;
  let described = 0;
  for (const event of frameEvents) {
    const columns = event.frames as Partial<FramesHeader> | null;
    const count = columns?.count;
    if (!Array.isArray(columns?.keys) || !Number.isSafeInteger(count) || count! < 0) {
      described = NaN;
      break;
    }
    described += count! * (3 + columns.keys.length);
  }
  if (described !== payloadNumbers) {
    report(`a lab event message's frames do not match its header (${Number.isNaN(described) ? 'a batch without keys and a frame count' : `${described} numbers described`}, ${payloadNumbers} sent)`);
    for (const event of frameEvents) event.frames = null;
    return events as unknown[];
  }
  let offset = payloadStart;
  const take = (length: number) => {
    const column = new Float64Array(data, offset, length);
    offset += length * 8;
    return column;
  };
  for (const event of frameEvents) {
    const { keys, count } = event.frames as FramesHeader;
    event.frames = { keys, steps: take(count), epochs: take(count), wallMs: take(count), values: take(count * keys.length) } satisfies FrameBatch;
  }
  return events as unknown[];
}
