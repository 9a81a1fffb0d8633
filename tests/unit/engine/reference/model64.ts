/**
 * An independent float64 forward pass of whole models, with plain loops over plain numbers, for
 * finite-difference gradient checks and forward comparisons. It follows the layer definitions
 * (tfjs's NHWC conv with its "same" padding rule, "valid" pooling windows, Ioffe & Szegedy's BN)
 * and shares no code with the engine; BN itself comes from bn64.ts.
 */
import type { LayerSpec } from '../../../../shared/spec/model';
import { bnForward64 } from './bn64';

export interface T64 {
  shape: number[];
  data: number[];
}

/** Parameters of one layer, as plain arrays (row-major, the engine's layouts). */
export interface Params64 {
  kernel?: number[];
  bias?: number[];
  gamma?: number[];
  beta?: number[];
  runningMean?: number[];
  runningVar?: number[];
}

const idx4 = (shape: number[], n: number, i: number, j: number, c: number) => ((n * shape[1]! + i) * shape[2]! + j) * shape[3]! + c;

function dense(x: T64, spec: Extract<LayerSpec, { kind: 'dense' }>, p: Params64): T64 {
  const [batch, inputs] = x.shape as [number, number];
  const out = new Array<number>(batch * spec.units).fill(0);
  for (let b = 0; b < batch; b++) {
    for (let u = 0; u < spec.units; u++) {
      let s = p.bias ? p.bias[u]! : 0;
      for (let i = 0; i < inputs; i++) s += x.data[b * inputs + i]! * p.kernel![i * spec.units + u]!;
      out[b * spec.units + u] = s;
    }
  }
  return { shape: [batch, spec.units], data: out };
}

function conv(x: T64, spec: Extract<LayerSpec, { kind: 'conv2d' }>, p: Params64): T64 {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const { kernelSize: k, stride: s, filters: f } = spec;
  let oh: number, ow: number, top: number, left: number;
  if (spec.padding === 'same') {
    oh = Math.ceil(h / s);
    ow = Math.ceil(w / s);
    top = Math.floor(Math.max(0, (oh - 1) * s + k - h) / 2);
    left = Math.floor(Math.max(0, (ow - 1) * s + k - w) / 2);
  } else {
    oh = Math.floor((h - k) / s) + 1;
    ow = Math.floor((w - k) / s) + 1;
    top = 0;
    left = 0;
  }
  const shape = [n, oh, ow, f];
  const out = new Array<number>(n * oh * ow * f).fill(0);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < f; o++) {
          let sum = p.bias ? p.bias[o]! : 0;
          for (let a = 0; a < k; a++)
            for (let d = 0; d < k; d++) {
              const r = i * s + a - top;
              const q = j * s + d - left;
              if (r < 0 || r >= h || q < 0 || q >= w) continue;
              for (let ci = 0; ci < c; ci++) sum += x.data[idx4(x.shape, b, r, q, ci)]! * p.kernel![((a * k + d) * c + ci) * f + o]!;
            }
          out[idx4(shape, b, i, j, o)] = sum;
        }
  return { shape, data: out };
}

function pool(x: T64, spec: Extract<LayerSpec, { kind: 'maxPool' | 'avgPool' }>): T64 {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const size = spec.poolSize;
  const s = spec.stride ?? size;
  const oh = Math.floor((h - size) / s) + 1;
  const ow = Math.floor((w - size) / s) + 1;
  const shape = [n, oh, ow, c];
  const out = new Array<number>(n * oh * ow * c).fill(0);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c; ch++) {
          let acc = spec.kind === 'maxPool' ? -Infinity : 0;
          for (let a = 0; a < size; a++)
            for (let d = 0; d < size; d++) {
              const v = x.data[idx4(x.shape, b, i * s + a, j * s + d, ch)]!;
              acc = spec.kind === 'maxPool' ? Math.max(acc, v) : acc + v / (size * size);
            }
          out[idx4(shape, b, i, j, ch)] = acc;
        }
  return { shape, data: out };
}

function activation(x: T64, spec: Extract<LayerSpec, { kind: 'activation' }>): T64 {
  const f = {
    sigmoid: (z: number) => 1 / (1 + Math.exp(-z)),
    tanh: Math.tanh,
    relu: (z: number) => Math.max(0, z),
    leakyRelu: (z: number) => (z > 0 ? z : spec.alpha * z),
    linear: (z: number) => z,
  }[spec.fn];
  return { shape: x.shape, data: x.data.map(f) };
}

function norm(x: T64, spec: Extract<LayerSpec, { kind: 'norm' }>, p: Params64, training: boolean): T64 {
  if (spec.mode === 'none') return x;
  const units = x.shape[x.shape.length - 1]!;
  const rows: number[][] = [];
  for (let r = 0; r < x.data.length / units; r++) rows.push(x.data.slice(r * units, (r + 1) * units));
  const gamma = p.gamma ?? new Array<number>(units).fill(1);
  const beta = p.beta ?? new Array<number>(units).fill(0);
  const standardize = spec.mode !== 'affine';
  let y: number[][];
  if (!standardize || training || spec.evalUseBatchStats) {
    y = bnForward64(rows, gamma, beta, spec.epsilon, standardize).y;
  } else {
    y = rows.map((row) => row.map((v, j) => (gamma[j]! * (v - p.runningMean![j]!)) / Math.sqrt(p.runningVar![j]! + spec.epsilon) + beta[j]!));
  }
  return { shape: x.shape, data: y.flat() };
}

/** Logits of `layers` on `x` (dropout and noise off); `training` selects batch statistics in norm layers. */
export function forward64(layers: LayerSpec[], params: Map<string, Params64>, x: T64, training: boolean): T64 {
  let h = x;
  for (const layer of layers) {
    const p = params.get(layer.id) ?? {};
    switch (layer.kind) {
      case 'dense':
        h = dense(h, layer, p);
        break;
      case 'conv2d':
        h = conv(h, layer, p);
        break;
      case 'maxPool':
      case 'avgPool':
        h = pool(h, layer);
        break;
      case 'flatten':
        h = { shape: [h.shape[0]!, h.data.length / h.shape[0]!], data: h.data };
        break;
      case 'activation':
        h = activation(h, layer);
        break;
      case 'dropout':
        break;
      case 'norm':
        h = norm(h, layer, p, training);
        break;
    }
  }
  return h;
}

/** Mean cross-entropy (log-sum-exp form) or mean squared error against one-hot labels. */
export function loss64(logits: T64, labels: ArrayLike<number>, kind: 'crossEntropy' | 'mse'): number {
  const [batch, classes] = logits.shape as [number, number];
  let total = 0;
  for (let b = 0; b < batch; b++) {
    const row = logits.data.slice(b * classes, (b + 1) * classes);
    if (kind === 'mse') {
      row.forEach((z, c) => (total += (z - (c === labels[b] ? 1 : 0)) ** 2 / classes));
    } else {
      const max = Math.max(...row);
      const lse = max + Math.log(row.reduce((s, z) => s + Math.exp(z - max), 0));
      total += lse - row[labels[b]!]!;
    }
  }
  return total / batch;
}
