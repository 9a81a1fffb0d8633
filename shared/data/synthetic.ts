/**
 * Seeded 2-D datasets (TensorFlow Playground style). Small and fast, so a workshop run finishes in
 * seconds and a decision boundary can be drawn; the same seed always gives the same points.
 */
import type { SyntheticGenerator } from '../spec/data';
import { Rng } from '../engine/random';

export interface SyntheticOptions {
  generator: SyntheticGenerator;
  samples: number;
  /** Standard deviation of Gaussian noise added to both coordinates (shapes span about [−1, 1]). */
  noise: number;
  classes: number;
  seed: number;
}

export interface PointSet {
  /** n × 2, row-major. */
  x: Float32Array;
  y: Int32Array;
  classes: number;
}

/** How many classes each generator can make: two-class shapes say so instead of inventing more. */
export function classRange(generator: SyntheticGenerator): [number, number] {
  return generator === 'spirals' || generator === 'blobs' ? [2, 10] : [2, 2];
}

/**
 * Generates the points: example i has class i mod k (so every class is equally common and any
 * contiguous split is balanced). Throws a clear error for a class count the shape cannot have
 * (moons, circles and XOR are two-class shapes) or a sample count / noise that makes no sense.
 */
export function generateSynthetic(options: SyntheticOptions): PointSet {
  if (!Number.isInteger(options.samples) || options.samples < options.classes) {
    throw new Error(`"${options.generator}" needs a whole number of samples, at least one per class (asked for ${options.samples})`);
  }
  if (!Number.isFinite(options.noise) || options.noise < 0) throw new Error(`noise must be a number ≥ 0 (asked for ${options.noise})`);
  const [minClasses, maxClasses] = classRange(options.generator);
  if (options.classes < minClasses || options.classes > maxClasses) {
    throw new Error(
      minClasses === maxClasses
        ? `"${options.generator}" always has ${minClasses} classes (asked for ${options.classes})`
        : `"${options.generator}" takes ${minClasses} to ${maxClasses} classes (asked for ${options.classes})`,
    );
  }
  const rng = Rng.derive(options.seed, 'synthetic', options.generator);
  const n = options.samples;
  const k = options.classes;
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  const noise = options.noise;
  for (let i = 0; i < n; i++) {
    const label = i % k;
    let px = 0;
    let py = 0;
    switch (options.generator) {
      case 'spirals': {
        const t = rng.next();
        const r = 0.15 + 0.85 * t;
        const angle = 1.75 * t * 2 * Math.PI + (2 * Math.PI * label) / k;
        px = r * Math.cos(angle);
        py = r * Math.sin(angle);
        break;
      }
      case 'moons': {
        const angle = Math.PI * rng.next();
        px = label === 0 ? Math.cos(angle) : 1 - Math.cos(angle);
        py = label === 0 ? Math.sin(angle) : 0.5 - Math.sin(angle);
        px = (px - 0.5) / 1.25;
        py = (py - 0.25) / 1.25;
        break;
      }
      case 'circles': {
        const angle = 2 * Math.PI * rng.next();
        const r = label === 0 ? rng.uniform(0, 0.4) : rng.uniform(0.6, 1);
        px = r * Math.cos(angle);
        py = r * Math.sin(angle);
        break;
      }
      case 'xor': {
        // Class 0 in the quadrants where x and y share a sign; a small margin from the axes keeps
        // the classes separable at zero noise.
        const sx = rng.next() < 0.5 ? -1 : 1;
        const sy = label === 0 ? sx : -sx;
        px = sx * rng.uniform(0.05, 1.05);
        py = sy * rng.uniform(0.05, 1.05);
        break;
      }
      case 'blobs': {
        const centreAngle = (2 * Math.PI * label) / k;
        px = 0.6 * Math.cos(centreAngle) + 0.15 * rng.normal();
        py = 0.6 * Math.sin(centreAngle) + 0.15 * rng.normal();
        break;
      }
    }
    y[i] = label;
    x[2 * i] = px + noise * rng.normal();
    x[2 * i + 1] = py + noise * rng.normal();
  }
  return { x, y, classes: k };
}
