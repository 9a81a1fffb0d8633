/** A run's frames as columns (what runFrames carries to a page): encoding, decoding and the receiving side's check. */
import { describe, expect, it } from 'vitest';
import type { MetricFrame } from '../../../shared/engine/frame';
import { checkFrameBatch, decodeFrameBatch, encodeFrameBatch, frameCount, type FrameBatch } from '../../../shared/frameBatch';

const frames: MetricFrame[] = [
  { step: 0, epoch: 0, wallMs: 0, values: { 'train/loss': 2.302585092994046, 'train/acc': 0.1 } },
  { step: 1, epoch: 0.03125, wallMs: 12.5, values: { 'train/loss': -0, 'train/acc': 1e-300 } },
  // An evaluation step: keys the other frames lack, and one of theirs missing.
  { step: 10, epoch: 0.3125, wallMs: 130.75, values: { 'train/loss': 1.5, 'test/loss': 1.7976931348623157e308, 'test/acc': 0.875 } },
  { step: 11, epoch: 0.34375, wallMs: 141, values: {} },
];

describe('frame batches', () => {
  it('round-trip: decoding gives every frame back with exactly the keys it had', () => {
    const batch = encodeFrameBatch(frames);
    expect(frameCount(batch)).toBe(4);
    expect(decodeFrameBatch(batch)).toEqual(frames);
    expect(Object.is(decodeFrameBatch(batch)[1]!.values['train/loss'], -0)).toBe(true);
  });

  it('lists keys in first-seen order, one row of values per frame, NaN where a frame has no such key', () => {
    const batch = encodeFrameBatch(frames);
    expect(batch.keys).toEqual(['train/loss', 'train/acc', 'test/loss', 'test/acc']);
    expect(Array.from(batch.steps)).toEqual([0, 1, 10, 11]);
    expect(Array.from(batch.epochs)).toEqual([0, 0.03125, 0.3125, 0.34375]);
    expect(Array.from(batch.wallMs)).toEqual([0, 12.5, 130.75, 141]);
    const rows = Array.from({ length: 4 }, (_, i) => Array.from(batch.values.subarray(i * 4, i * 4 + 4)));
    expect(rows).toEqual([
      [2.302585092994046, 0.1, NaN, NaN],
      [-0, 1e-300, NaN, NaN],
      [1.5, NaN, 1.7976931348623157e308, 0.875],
      [NaN, NaN, NaN, NaN],
    ]);
  });

  it('an empty list of frames is an empty batch', () => {
    const batch = encodeFrameBatch([]);
    expect(batch.keys).toEqual([]);
    expect(frameCount(batch)).toBe(0);
    expect(batch.values.length).toBe(0);
    expect(decodeFrameBatch(batch)).toEqual([]);
  });

  it('the check passes a batch as encoded and as IPC clones it, and returns only its own fields', () => {
    const batch = encodeFrameBatch(frames);
    expect(checkFrameBatch(batch)).toEqual(batch);
    const cloned = structuredClone(batch);
    expect(cloned.values).toBeInstanceOf(Float64Array);
    expect(checkFrameBatch({ ...cloned, extra: 'ignored' })).toEqual(batch);
  });

  it('the check says what is wrong with a malformed batch', () => {
    const good = encodeFrameBatch(frames);
    const bad = (change: Partial<Record<keyof FrameBatch, unknown>>) => () => checkFrameBatch({ ...good, ...change });
    expect(() => checkFrameBatch(null)).toThrow('a frame batch must be an object, got null');
    expect(() => checkFrameBatch('frames')).toThrow('a frame batch must be an object, got string');
    expect(bad({ keys: 'train/loss' })).toThrow('a frame batch needs keys: an array of metric keys');
    expect(bad({ keys: ['train/loss', 7, 'test/loss', 'test/acc'] })).toThrow("a frame batch's key 1 is not a metric key: 7");
    expect(bad({ keys: ['train/loss', '', 'test/loss', 'test/acc'] })).toThrow(`a frame batch's key 1 is not a metric key: ""`);
    expect(bad({ keys: ['train/loss', 'train/acc', 'test/loss', 'train/loss'] })).toThrow('a frame batch lists a key twice');
    expect(bad({ steps: [0, 1, 10, 11] })).toThrow("a frame batch's steps must be a Float64Array");
    expect(bad({ values: new Float32Array(16) })).toThrow("a frame batch's values must be a Float64Array");
    expect(bad({ wallMs: new Float64Array(3) })).toThrow("a frame batch's columns differ in length: 4 steps, 4 epochs, 3 wall times");
    expect(bad({ values: new Float64Array(15) })).toThrow('a frame batch has 15 values, expected 4 frames × 4 keys = 16');
  });
});
