/** Shared builders for the dataset and store tests (and the store benchmark). */
import { ExperimentSpec } from '../../../shared/spec/experiment';
import type { MetricFrame } from '../../../shared/engine/frame';

/** Builds an IDX file: magic (0, 0, type, rank), big-endian dimension sizes, then `body`. */
export function idxFile(type: number, dims: number[], body: ArrayLike<number>): Uint8Array {
  const header = [0, 0, type, dims.length];
  for (const d of dims) header.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(Array.from(body), header.length);
  return out;
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A two-run experiment (with and without BN) on a small synthetic set. */
export function twoRunExperiment(title = 'BN vs none'): ExperimentSpec {
  return ExperimentSpec.parse({
    title,
    presetId: 'demo',
    runs: ['with BN', 'without BN'].map((variant) => ({
      variant,
      model: { layers: [{ kind: 'dense', id: 'out', units: 2 }] },
      data: { source: { kind: 'synthetic', generator: 'moons' } },
      training: { learningRate: 0.1, batchSize: 16, duration: { steps: 100 } },
    })),
  });
}

/** `count` frames every 10 steps from frame `from`, with train loss 1/(i+1) and accuracy i/100. */
export function lossFrames(count: number, from = 0): MetricFrame[] {
  return Array.from({ length: count }, (_, j) => {
    const i = from + j;
    return { step: i * 10, epoch: Math.floor(i / 50), wallMs: i * 5, values: { 'train/loss': 1 / (i + 1), 'train/acc': i / 100 } };
  });
}

/** `count` frames at consecutive steps from `from`, each with `keys` keys ("k0".."kN"). */
export function wideFrames(count: number, keys: number, from = 0): MetricFrame[] {
  return Array.from({ length: count }, (_, j) => {
    const step = from + j;
    const values: Record<string, number> = {};
    for (let k = 0; k < keys; k++) values[`k${k}`] = Math.sin(step * 0.01 + k);
    return { step, epoch: 0, wallMs: step * 2, values };
  });
}
