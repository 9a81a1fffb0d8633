import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { classRange, generateSynthetic, type SyntheticOptions } from '../../../shared/data/synthetic';

const make = (options: Partial<SyntheticOptions> & Pick<SyntheticOptions, 'generator'>) =>
  generateSynthetic({ samples: 400, noise: 0, classes: 2, seed: 1, ...options });

const digest = (p: { x: Float32Array; y: Int32Array }) =>
  createHash('sha256').update(new Uint8Array(p.x.buffer)).update(new Uint8Array(p.y.buffer)).digest('hex').slice(0, 16);

const radius = (x: Float32Array, i: number) => Math.hypot(x[2 * i]!, x[2 * i + 1]!);

describe('synthetic 2-D sets', () => {
  // Runs name their data by (generator, samples, noise, classes, seed): these bytes must never
  // change between versions, or old runs would no longer say what they trained on.
  it.each([
    ['spirals', 3, 'ef5d359710fcbda6'],
    ['moons', 2, '21f175731bf59d4c'],
    ['circles', 2, '912aa02ae6dd1baf'],
    ['xor', 2, '72ea3dcd68669106'],
    ['blobs', 4, 'fe9d9a66fee1bb19'],
  ] as const)('%s: the same seed gives the same points as in every earlier version', (generator, classes, expected) => {
    const points = generateSynthetic({ generator, samples: 300, noise: 0.1, classes, seed: 42 });
    expect(digest(points)).toBe(expected);
    expect(digest(generateSynthetic({ generator, samples: 300, noise: 0.1, classes, seed: 42 }))).toBe(expected);
    expect(digest(generateSynthetic({ generator, samples: 300, noise: 0.1, classes, seed: 43 }))).not.toBe(expected);
  });

  it.each(['spirals', 'moons', 'circles', 'xor', 'blobs'] as const)('%s: n×2 float points, classes equally common, all finite', (generator) => {
    const classes = classRange(generator)[1] > 2 ? 5 : 2;
    const points = make({ generator, samples: 1000, classes, noise: 0.3 });
    expect(points.x).toBeInstanceOf(Float32Array);
    expect(points.y).toBeInstanceOf(Int32Array);
    expect(points.x).toHaveLength(2000);
    expect(points.classes).toBe(classes);
    const counts = new Array(classes).fill(0);
    for (const label of points.y) counts[label]++;
    expect(counts).toEqual(new Array(classes).fill(1000 / classes));
    expect(points.x.every(Number.isFinite)).toBe(true);
  });

  it('draws each shape where it belongs at zero noise', () => {
    const circles = make({ generator: 'circles' });
    for (let i = 0; i < 400; i++) {
      if (circles.y[i] === 0) expect(radius(circles.x, i)).toBeLessThanOrEqual(0.4 + 1e-6);
      else expect(radius(circles.x, i)).toBeGreaterThanOrEqual(0.6 - 1e-6);
    }
    const xor = make({ generator: 'xor' });
    for (let i = 0; i < 400; i++) {
      const product = xor.x[2 * i]! * xor.x[2 * i + 1]!;
      expect(Math.abs(xor.x[2 * i]!)).toBeGreaterThanOrEqual(0.05 - 1e-6);
      expect(xor.y[i]).toBe(product > 0 ? 0 : 1);
    }
    const spirals = make({ generator: 'spirals', classes: 3 });
    for (let i = 0; i < 400; i++) {
      expect(radius(spirals.x, i)).toBeGreaterThanOrEqual(0.15 - 1e-6);
      expect(radius(spirals.x, i)).toBeLessThanOrEqual(1 + 1e-6);
    }
    // Blobs: each class's centre lies on a circle of radius 0.6, at its own angle.
    const blobs = make({ generator: 'blobs', classes: 4, samples: 4000 });
    for (let c = 0; c < 4; c++) {
      let sx = 0;
      let sy = 0;
      for (let i = c; i < 4000; i += 4) {
        sx += blobs.x[2 * i]!;
        sy += blobs.x[2 * i + 1]!;
      }
      expect(sx / 1000).toBeCloseTo(0.6 * Math.cos((Math.PI / 2) * c), 1);
      expect(sy / 1000).toBeCloseTo(0.6 * Math.sin((Math.PI / 2) * c), 1);
    }
  });

  it('spreads points more with more noise', () => {
    const spread = (noise: number) => {
      const p = make({ generator: 'circles', noise, samples: 2000 });
      let outside = 0;
      for (let i = 0; i < 2000; i++) if (p.y[i] === 0 && radius(p.x, i) > 0.4) outside++;
      return outside;
    };
    expect(spread(0)).toBe(0);
    expect(spread(0.2)).toBeGreaterThan(100);
  });

  it.each([
    [{ generator: 'moons', classes: 3 }, '"moons" always has 2 classes (asked for 3)'],
    [{ generator: 'circles', classes: 4 }, '"circles" always has 2 classes (asked for 4)'],
    [{ generator: 'xor', classes: 1 }, '"xor" always has 2 classes (asked for 1)'],
    [{ generator: 'spirals', classes: 11 }, '"spirals" takes 2 to 10 classes (asked for 11)'],
    [{ generator: 'blobs', classes: 3, samples: 2 }, '"blobs" needs a whole number of samples, at least one per class (asked for 2)'],
    [{ generator: 'blobs', samples: 10.5 }, '"blobs" needs a whole number of samples'],
    [{ generator: 'moons', noise: -1 }, 'noise must be a number ≥ 0 (asked for -1)'],
  ] as const)('refuses %j with a clear message', (options, message) => {
    expect(() => make(options)).toThrow(message);
  });

  it('says which class counts each generator supports', () => {
    expect(classRange('spirals')).toEqual([2, 10]);
    expect(classRange('blobs')).toEqual([2, 10]);
    expect(classRange('moons')).toEqual([2, 2]);
  });
});
