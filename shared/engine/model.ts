/**
 * A model built from a ModelSpec: shape inference with errors a person can act on, seeded
 * initial weights (derived from the seed and each layer's id, so runs of a comparison that share
 * a layer start from identical weights), and one forward pass for training and eval modes.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { ActivationFn, Initializer, LayerSpec, ModelSpec } from '../spec/model';
import { createNormState, normForward, type NormBatchRecord, type NormState } from './norm';
import { Rng } from './random';

type Tf = typeof tfc;
type Tensor = tfc.Tensor;

export interface Param {
  layerId: string;
  name: 'kernel' | 'bias' | 'gamma' | 'beta';
  variable: tfc.Variable;
}

export interface LayerRuntime {
  spec: LayerSpec;
  /** Shape of one example going in and coming out (no batch dimension). */
  inShape: number[];
  outShape: number[];
  params: Param[];
  norm?: NormState;
}

/** Per-pass options and what the pass recorded. */
export interface ForwardContext {
  training: boolean;
  /** Eval mode, but norm layers standardize with the batch's own statistics (train-vs-eval experiments). */
  evalBatchStats?: boolean;
  /** Source of dropout masks and injected noise (training only). */
  rng?: Rng;
  /** When set, activation-layer inputs and every layer's output are kept here (for the instruments). */
  record?: { preActivations: Map<string, Tensor>; outputs: Map<string, Tensor> };
  /** Batch statistics of every standardizing norm layer in a training pass. */
  batchStats: Map<string, NormBatchRecord>;
}

export interface Model {
  layers: LayerRuntime[];
  params: Param[];
  inputShape: number[];
  numClasses: number;
  /** Forward pass from a batch [B, ...inputShape] to logits [B, classes]. */
  forward(x: Tensor, ctx: ForwardContext): Tensor;
  dispose(): void;
}

const prod = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Output shape of a layer for an input shape, or an error naming the layer and the fix. */
export function inferShape(layer: LayerSpec, inShape: number[]): number[] {
  const where = `layer "${layer.id}" (${layer.kind})`;
  switch (layer.kind) {
    case 'dense':
      if (inShape.length !== 1) throw new Error(`${where} expects a flat input but gets ${inShape.join('×')}; add a flatten layer before it`);
      return [layer.units];
    case 'conv2d': {
      if (inShape.length !== 3) throw new Error(`${where} expects an image (height×width×channels) but gets ${inShape.length === 1 ? `${inShape[0]} features` : inShape.join('×')}`);
      const [h, w] = inShape as [number, number, number];
      const out = (size: number) => (layer.padding === 'same' ? Math.ceil(size / layer.stride) : Math.floor((size - layer.kernelSize) / layer.stride) + 1);
      if (out(h) < 1 || out(w) < 1) throw new Error(`${where}: a ${layer.kernelSize}×${layer.kernelSize} kernel does not fit a ${h}×${w} input with "valid" padding`);
      return [out(h), out(w), layer.filters];
    }
    case 'maxPool':
    case 'avgPool': {
      if (inShape.length !== 3) throw new Error(`${where} expects an image (height×width×channels) but gets ${inShape.join('×')} features`);
      const stride = layer.stride ?? layer.poolSize;
      const [h, w, c] = inShape as [number, number, number];
      const out = (size: number) => Math.floor((size - layer.poolSize) / stride) + 1;
      if (out(h) < 1 || out(w) < 1) throw new Error(`${where}: a ${layer.poolSize}×${layer.poolSize} window does not fit a ${h}×${w} input`);
      return [out(h), out(w), c];
    }
    case 'flatten':
      return [prod(inShape)];
    default:
      return inShape;
  }
}

/** Builds the model and its seeded initial weights. */
export function buildModel(tf: Tf, spec: ModelSpec, inputShape: number[], numClasses: number, seed: number, options: { trainOnlyNorm?: boolean } = {}): Model {
  const layers: LayerRuntime[] = [];
  let shape = inputShape;
  for (const layer of spec.layers) {
    const outShape = inferShape(layer, shape);
    layers.push({ spec: layer, inShape: shape, outShape, params: [] });
    shape = outShape;
  }
  if (shape.length !== 1 || shape[0] !== numClasses) {
    const last = spec.layers[spec.layers.length - 1]!;
    throw new Error(`the last layer "${last.id}" outputs ${shape.join('×')} values but the dataset has ${numClasses} classes; set its units to ${numClasses}`);
  }
  // Variables are made only after every shape checks out, so a bad spec allocates nothing.
  for (const runtime of layers) createParams(tf, runtime, seed, options.trainOnlyNorm ?? false);
  const params = layers.flatMap((l) => l.params);

  return {
    layers,
    params,
    inputShape,
    numClasses,
    forward: (x, ctx) => {
      let h = x;
      for (const layer of layers) h = layerForward(tf, layer, h, ctx);
      return h;
    },
    dispose: () => {
      for (const layer of layers) {
        for (const p of layer.params) p.variable.dispose();
        layer.norm?.runningMean.dispose();
        layer.norm?.runningVar.dispose();
      }
    },
  };
}

function createParams(tf: Tf, runtime: LayerRuntime, seed: number, trainOnlyNorm: boolean): void {
  const { spec, inShape } = runtime;
  const add = (name: Param['name'], variable: tfc.Variable) => runtime.params.push({ layerId: spec.id, name, variable });
  if (spec.kind === 'dense' || spec.kind === 'conv2d') {
    const fanIn = spec.kind === 'dense' ? inShape[0]! : spec.kernelSize * spec.kernelSize * inShape[2]!;
    const fanOut = spec.kind === 'dense' ? spec.units : spec.kernelSize * spec.kernelSize * spec.filters;
    const kernelShape = spec.kind === 'dense' ? [inShape[0]!, spec.units] : [spec.kernelSize, spec.kernelSize, inShape[2]!, spec.filters];
    const values = initialValues(spec.init, prod(kernelShape), fanIn, fanOut, Rng.derive(seed, 'init', spec.id, kernelShape.join('x')));
    add('kernel', tf.variable(tf.tensor(values, kernelShape), !trainOnlyNorm));
    if (spec.bias) {
      const units = spec.kind === 'dense' ? spec.units : spec.filters;
      add('bias', tf.variable(tf.zeros([units]), !trainOnlyNorm));
    }
  } else if (spec.kind === 'norm') {
    // γ/β stay trainable under trainOnlyNorm: they are exactly what Frankle et al. train.
    const norm = createNormState(tf, spec, inShape);
    runtime.norm = norm;
    if (norm.gamma) add('gamma', norm.gamma);
    if (norm.beta) add('beta', norm.beta);
  }
}

/** Initial weights from the layer's own random stream. */
export function initialValues(init: Initializer, size: number, fanIn: number, fanOut: number, rng: Rng): Float32Array {
  const values = new Float32Array(size);
  switch (init.kind) {
    case 'gaussian':
      for (let i = 0; i < size; i++) values[i] = rng.normal(0, init.std);
      break;
    case 'glorotUniform':
    case 'heUniform': {
      const limit = init.kind === 'glorotUniform' ? Math.sqrt(6 / (fanIn + fanOut)) : Math.sqrt(6 / fanIn);
      for (let i = 0; i < size; i++) values[i] = rng.uniform(-limit, limit);
      break;
    }
    case 'glorotNormal':
    case 'heNormal': {
      const std = init.kind === 'glorotNormal' ? Math.sqrt(2 / (fanIn + fanOut)) : Math.sqrt(2 / fanIn);
      for (let i = 0; i < size; i++) values[i] = rng.normal(0, std);
      break;
    }
  }
  return values;
}

/**
 * x·W with explicit transposes in the backward pass: on tfjs's wasm backend matMul with
 * transposeA/transposeB is about ten times slower than transposing first.
 */
let denseMatMul: ((x: Tensor, w: Tensor) => Tensor) | null = null;
let denseMatMulTf: Tf | null = null;
function matMul(tf: Tf, x: Tensor, w: Tensor): Tensor {
  if (!denseMatMul || denseMatMulTf !== tf) {
    denseMatMulTf = tf;
    denseMatMul = tf.customGrad((...args: Array<Tensor | tfc.GradSaveFunc>) => {
      const [a, b, save] = args as [Tensor, Tensor, tfc.GradSaveFunc];
      save([a, b]);
      return {
        value: tf.matMul(a as tfc.Tensor2D, b as tfc.Tensor2D),
        gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
          const [sa, sb] = saved as [tfc.Tensor2D, tfc.Tensor2D];
          const g = dy as tfc.Tensor2D;
          return [tf.matMul(g, tf.transpose(sb)), tf.matMul(tf.transpose(sa), g)];
        },
      };
    }) as unknown as (x: Tensor, w: Tensor) => Tensor;
  }
  return denseMatMul(x, w);
}

/** Applies an activation function. */
export function activate(tf: Tf, fn: ActivationFn, x: Tensor, alpha: number): Tensor {
  switch (fn) {
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    case 'relu':
      return tf.relu(x);
    case 'leakyRelu':
      return tf.leakyRelu(x, alpha);
    case 'linear':
      return x;
  }
}

/** One layer's forward pass (the model's forward is these in order). */
export function layerForward(tf: Tf, layer: LayerRuntime, x: Tensor, ctx: ForwardContext): Tensor {
  const { spec } = layer;
  let y: Tensor;
  switch (spec.kind) {
    case 'dense': {
      const [kernel, bias] = layer.params;
      y = matMul(tf, x, kernel!.variable);
      if (bias) y = tf.add(y, bias.variable);
      break;
    }
    case 'conv2d': {
      const [kernel, bias] = layer.params;
      y = tf.conv2d(x as tfc.Tensor4D, kernel!.variable as tfc.Tensor4D, spec.stride, spec.padding);
      if (bias) y = tf.add(y, bias.variable);
      break;
    }
    case 'maxPool':
      y = tf.maxPool(x as tfc.Tensor4D, spec.poolSize, spec.stride ?? spec.poolSize, 'valid');
      break;
    case 'avgPool':
      y = tf.avgPool(x as tfc.Tensor4D, spec.poolSize, spec.stride ?? spec.poolSize, 'valid');
      break;
    case 'flatten':
      y = tf.reshape(x, [x.shape[0]!, -1]);
      break;
    case 'activation':
      if (ctx.record) ctx.record.preActivations.set(spec.id, x);
      y = activate(tf, spec.fn, x, spec.alpha);
      break;
    case 'dropout': {
      if (!ctx.training || spec.rate === 0 || !ctx.rng) {
        y = x;
        break;
      }
      // Masks come from the run's seeded stream (not the backend's RNG), so every backend drops the same units.
      const size = x.size;
      const mask = new Float32Array(size);
      const keep = 1 - spec.rate;
      for (let i = 0; i < size; i++) mask[i] = ctx.rng.next() < keep ? 1 / keep : 0;
      y = tf.mul(x, tf.tensor(mask, x.shape));
      break;
    }
    case 'norm': {
      const result = normForward(tf, layer.norm!, x, ctx.training || ctx.evalBatchStats === true);
      // Only training passes hand their statistics on (to update running statistics).
      if (result.batch && ctx.training) ctx.batchStats.set(spec.id, result.batch);
      y = result.y;
      if (spec.injectNoise && ctx.training && ctx.rng) y = injectNoise(tf, y, ctx.rng);
      break;
    }
  }
  if (ctx.record) ctx.record.outputs.set(spec.id, y);
  return y;
}

/**
 * Santurkar et al.'s "noisy BN": per unit and step μ ~ U(−0.5, 0.5), σ ~ U(1, 1.25); per example
 * m ~ U(μ − 0.1, μ + 0.1), s ~ N(σ, 0.1); a ← s·a + m. A deliberate, time-varying distribution shift.
 */
function injectNoise(tf: Tf, a: Tensor, rng: Rng): Tensor {
  const batch = a.shape[0]!;
  const units = a.shape[a.shape.length - 1]!;
  const scale = new Float32Array(batch * units);
  const shift = new Float32Array(batch * units);
  for (let u = 0; u < units; u++) {
    const mu = rng.uniform(-0.5, 0.5);
    const sigma = rng.uniform(1, 1.25);
    for (let b = 0; b < batch; b++) {
      shift[b * units + u] = rng.uniform(mu - 0.1, mu + 0.1);
      scale[b * units + u] = rng.normal(sigma, 0.1);
    }
  }
  const shape = a.shape.length === 2 ? [batch, units] : [batch, 1, 1, units];
  return tf.add(tf.mul(a, tf.tensor(scale, shape)), tf.tensor(shift, shape));
}
