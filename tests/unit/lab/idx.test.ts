import { describe, expect, it } from 'vitest';
import { idxImagesAndLabels, parseIdx } from '../../../electron/lab/datasets/idx';
import { idxFile } from './fixtures';

const names = { images: 'img.idx', labels: 'lab.idx' };

describe('IDX parsing', () => {
  it('reads every element type, big-endian', () => {
    expect(parseIdx(idxFile(0x08, [2, 2], [1, 2, 3, 255]), 'a')).toEqual({ dims: [2, 2], data: Uint8Array.from([1, 2, 3, 255]) });
    expect(Array.from(parseIdx(idxFile(0x09, [2], [0xff, 0x7f]), 'b').data)).toEqual([-1, 127]);
    expect(Array.from(parseIdx(idxFile(0x0b, [1], [0xff, 0xfe]), 's').data)).toEqual([-2]);
    expect(Array.from(parseIdx(idxFile(0x0c, [1], [0, 1, 0, 0]), 'i').data)).toEqual([65536]);
    expect(Array.from(parseIdx(idxFile(0x0d, [1], [0x3f, 0x80, 0, 0]), 'f').data)).toEqual([1]);
    expect(Array.from(parseIdx(idxFile(0x0e, [1], [0x40, 0, 0, 0, 0, 0, 0, 0]), 'd').data)).toEqual([2]);
  });

  it('reads an IDX file that sits inside a larger buffer', () => {
    const file = idxFile(0x0c, [2], [0, 0, 0, 7, 0, 0, 0, 9]);
    const padded = new Uint8Array(file.length + 3);
    padded.set(file, 3);
    expect(Array.from(parseIdx(padded.subarray(3), 'p').data)).toEqual([7, 9]);
  });

  it.each([
    [Uint8Array.from([0, 0]), 'f.idx: not an IDX file: 2 bytes is shorter than the 4-byte header (at byte 0)'],
    [Uint8Array.from([1, 0, 8, 1, 0, 0, 0, 1, 5]), 'f.idx: not an IDX file: the magic number must start with two zero bytes, found 0x0100 (at byte 0)'],
    [Uint8Array.from([0, 0, 7, 1, 0, 0, 0, 1, 5]), 'f.idx: unknown IDX element type 0x07 (expected 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E) (at byte 2)'],
    [Uint8Array.from([0, 0, 8, 0]), 'f.idx: unsupported number of dimensions 0 (expected 1 to 4) (at byte 3)'],
    [Uint8Array.from([0, 0, 8, 5]), 'f.idx: unsupported number of dimensions 5 (expected 1 to 4) (at byte 3)'],
    [Uint8Array.from([0, 0, 8, 2, 0, 0, 0, 1]), 'f.idx: truncated header: 2 dimensions need 12 bytes, the file has 8 (at byte 8)'],
    [idxFile(0x08, [3, 0], []), 'f.idx: dimension 2 has size 0 (at byte 8)'],
    [idxFile(0x08, [3], [1, 2]), 'f.idx: truncated data: dimensions 3 of unsigned byte need 11 bytes, the file has 10 (at byte 10)'],
    [idxFile(0x0d, [2, 2], new Array(12).fill(0)), 'f.idx: truncated data: dimensions 2×2 of float need 28 bytes, the file has 24 (at byte 24)'],
    [idxFile(0x08, [1], [1, 2]), 'f.idx: 1 unexpected bytes after the data (at byte 9)'],
  ])('rejects malformed file %# with the byte offset', (file, message) => {
    expect(() => parseIdx(file, 'f.idx')).toThrow(message);
  });
});

describe('IDX images with labels', () => {
  const images = (n: number, type = 0x08, body?: number[]) => parseIdx(idxFile(type, [n, 2, 2], body ?? new Array(4 * n * (type === 0x08 ? 1 : 4)).fill(0)), 'img.idx');
  const labels = (values: number[]) => parseIdx(idxFile(0x08, [values.length], values), 'lab.idx');

  it('keeps byte images compact (scaled by 1/255 on load) with a channel axis', () => {
    const examples = idxImagesAndLabels(images(3, 0x08, [0, 255, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), labels([0, 2, 1]), names);
    expect(examples.x).toBeInstanceOf(Uint8Array);
    expect(examples).toMatchObject({ xScale: 1 / 255, inputShape: [2, 2, 1], numClasses: 3 });
    expect(Array.from(examples.y)).toEqual([0, 2, 1]);
  });

  it('uses float images as they are', () => {
    const examples = idxImagesAndLabels(images(2, 0x0d), labels([0, 1]), names);
    expect(examples.x).toBeInstanceOf(Float32Array);
    expect(examples.xScale).toBe(1);
  });

  it('keeps colour shapes (count × height × width × channels)', () => {
    const colour = parseIdx(idxFile(0x08, [2, 2, 2, 3], new Array(24).fill(9)), 'rgb.idx');
    expect(idxImagesAndLabels(colour, labels([0, 1]), names).inputShape).toEqual([2, 2, 3]);
  });

  it.each([
    [() => idxImagesAndLabels(images(12), labels(new Array(11).fill(1)), names), 'img.idx has 12 images but lab.idx has 11 labels'],
    [() => idxImagesAndLabels(labels([1, 2]), labels([1, 2]), names), 'img.idx: expected images (at least 2 dimensions: count, then the shape of one example), found 1 dimension'],
    [() => idxImagesAndLabels(images(2), images(2), names), 'lab.idx: expected labels (1 dimension), found 3 dimensions (2×2×2)'],
    [() => idxImagesAndLabels(images(2), labels([0, 100]), names), 'lab.idx: label 2 is 100; at most 100 classes (labels 0 to 99) are supported'],
    [() => idxImagesAndLabels(images(2), parseIdx(idxFile(0x09, [2], [0, 0xff]), 'lab.idx'), names), 'lab.idx: label 2 is -1; labels must be whole numbers ≥ 0'],
    [() => idxImagesAndLabels(images(2), parseIdx(idxFile(0x0d, [2], [0, 0, 0, 0, 0x3f, 0xc0, 0, 0]), 'lab.idx'), names), 'lab.idx: label 2 is 1.5; labels must be whole numbers ≥ 0'],
    [() => idxImagesAndLabels(images(1, 0x0d, [0x7f, 0xc0, 0, 0, ...new Array(12).fill(0)]), labels([0]), names), 'img.idx: value 1 is NaN; inputs must be finite numbers'],
  ])('rejects mismatched or impossible pairs %#', (pair, message) => {
    expect(pair).toThrow(message);
  });
});
