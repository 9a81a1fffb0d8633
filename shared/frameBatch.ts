/**
 * A run's frames as columns: how a `runFrames` event reaches a page. As objects, each frame is a
 * small graph (the frame, its values record, one property per key) that the page must build and
 * then collect: 8 runs streaming thousands of frames a second set off a full garbage collection in
 * the page about every 1.4 s. As columns, a batch is one key list and four Float64Arrays, which
 * Electron's IPC clones as blocks and the browser-mode WebSocket carries as raw bytes
 * (`pageEvents.ts`), and the page appends them to its series without a per-frame object.
 */
import type { MetricFrame } from './engine/frame';

export interface FrameBatch {
  /** Every key that any frame of the batch has, in first-seen order. */
  keys: string[];
  /** One entry per frame. */
  steps: Float64Array;
  epochs: Float64Array;
  wallMs: Float64Array;
  /**
   * frames × keys, row by row: frame i's value of keys[k] is values[i * keys.length + k], NaN where
   * the frame has no such key (an evaluation's metrics come on some steps only). Frames carry
   * finite numbers only (the MetricFrame schema), so NaN never stands for a value.
   */
  values: Float64Array;
}

/** How many frames a batch holds. */
export function frameCount(batch: FrameBatch): number {
  return batch.steps.length;
}

/** The frames as one columnar batch. */
export function encodeFrameBatch(frames: readonly MetricFrame[]): FrameBatch {
  const column = new Map<string, number>();
  for (const frame of frames) for (const key in frame.values) if (!column.has(key)) column.set(key, column.size);
  const width = column.size;
  const n = frames.length;
  const batch: FrameBatch = { keys: [...column.keys()], steps: new Float64Array(n), epochs: new Float64Array(n), wallMs: new Float64Array(n), values: new Float64Array(n * width).fill(NaN) };
  frames.forEach((frame, i) => {
    batch.steps[i] = frame.step;
    batch.epochs[i] = frame.epoch;
    batch.wallMs[i] = frame.wallMs;
    for (const key in frame.values) batch.values[i * width + column.get(key)!] = frame.values[key]!;
  });
  return batch;
}

/** The batch's frames as objects again (each with only the keys it had). */
export function decodeFrameBatch(batch: FrameBatch): MetricFrame[] {
  const width = batch.keys.length;
  return Array.from({ length: frameCount(batch) }, (_, i) => {
    const values: Record<string, number> = {};
    batch.keys.forEach((key, k) => {
      const value = batch.values[i * width + k]!;
      if (!Number.isNaN(value)) values[key] = value;
    });
    return { step: batch.steps[i]!, epoch: batch.epochs[i]!, wallMs: batch.wallMs[i]!, values };
  });
}

/**
 * `value` as a FrameBatch, checked as it arrives from another process; throws an Error saying what
 * is wrong. Constant work per batch apart from the keys: the numbers themselves are not scanned.
 */
export function checkFrameBatch(value: unknown): FrameBatch {
  if (typeof value !== 'object' || value === null) throw new Error(`a frame batch must be an object, got ${value === null ? 'null' : typeof value}`);
  const batch = value as Partial<Record<keyof FrameBatch, unknown>>;
  if (!Array.isArray(batch.keys)) throw new Error('a frame batch needs keys: an array of metric keys');
  const bad = batch.keys.findIndex((key) => typeof key !== 'string' || key.length === 0);
  if (bad >= 0) throw new Error(`a frame batch's key ${bad} is not a metric key: ${JSON.stringify(batch.keys[bad]) ?? String(batch.keys[bad])}`);
  if (new Set(batch.keys).size !== batch.keys.length) throw new Error('a frame batch lists a key twice');
  for (const name of ['steps', 'epochs', 'wallMs', 'values'] as const) {
    if (!(batch[name] instanceof Float64Array)) throw new Error(`a frame batch's ${name} must be a Float64Array`);
  }
  const { steps, epochs, wallMs, values, keys } = batch as FrameBatch;
  if (epochs.length !== steps.length || wallMs.length !== steps.length) {
    throw new Error(`a frame batch's columns differ in length: ${steps.length} steps, ${epochs.length} epochs, ${wallMs.length} wall times`);
  }
  if (values.length !== steps.length * keys.length) {
    throw new Error(`a frame batch has ${values.length} values, expected ${steps.length} frames × ${keys.length} keys = ${steps.length * keys.length}`);
  }
  return { keys, steps, epochs, wallMs, values };
}
