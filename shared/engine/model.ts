/**
 * A model built from a ModelSpec: shape inference with errors a person can act on, seeded initial
 * weights (derived from the seed and each layer's id, so runs of a comparison that share a layer
 * start from identical weights), and a forward and an explicit backward pass per layer kind.
 *
 * The backward pass is written out rather than taken from tfjs's gradient tape: it needs no
 * gradient registry (tfjs-core's Node bundle registers none), it skips what nothing needs (∂ℓ/∂x
 * of the first trainable layer, gradients of frozen weights), and it avoids wasm kernels that are
 * missing (Conv2DBackpropFilter), slow (conv2dTranspose, transposed matMul) or wrong
 * (MaxPoolGrad with several channels, tfjs 4.22).
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { ActivationFn, Initializer, LayerSpec, ModelSpec } from '../spec/model';
import type { Trainable } from '../spec/training';
import { createNormState, disposeNormState, normBackward, normForward, standardizes, type NormBatch, type NormCache, type NormState } from './norm';
import { channelSum, Constants, kernel, newVariable, type Tensor, type Tf } from './ops';
import { Rng } from './random';
import { trainRandomWeightsPerUnit } from './trainable';

export interface Param {
  layerId: string;
  name: 'kernel' | 'bias' | 'gamma' | 'beta';
  variable: tfc.Variable;
  /** 1 where an entry trains, 0 where it stays at its init (trainable "randomPerUnit"); absent: every entry trains. */
  mask?: Tensor;
}

export interface LayerRuntime {
  spec: LayerSpec;
  /** Shape of one example going in and coming out (no batch dimension). */
  inShape: number[];
  outShape: number[];
  params: Param[];
  norm?: NormState;
}

/** What the instruments keep from a pass: activation-layer inputs and every layer's output. */
export interface PassRecord {
  preActivations: Map<string, Tensor>;
  outputs: Map<string, Tensor>;
}

/** One forward pass's mode, and where it leaves what later steps need. */
export interface Pass {
  /** Training mode: norm layers use (and report) batch statistics; dropout and noise apply when `rng` is given. */
  training: boolean;
  /** Eval mode with batch statistics in every standardizing norm layer (train-vs-eval experiments). */
  evalBatchStats?: boolean;
  /** Source of dropout masks and injected noise; without it neither applies (deterministic probes). */
  rng?: Rng;
  /** When given, the pass keeps here what `backward` needs. */
  tape?: LayerCache[];
  record?: PassRecord;
  /** Batch statistics of the norm layers, by layer id (training passes). */
  batchStats?: Map<string, NormBatch>;
}

/** What one layer's forward pass left for its backward pass. */
export interface LayerCache {
  layer: LayerRuntime;
  x: Tensor;
  y: Tensor;
  /** Dropout mask, noise scale or norm cache. */
  mask?: Tensor;
  norm?: NormCache | null;
}

export interface Model {
  layers: LayerRuntime[];
  params: Param[];
  inputShape: number[];
  numClasses: number;
  /** Constant tensors shared by every pass of this model. */
  constants: Constants;
  /** Forward pass from a batch [B, ...inputShape] to logits [B, classes]. */
  forward(x: Tensor, pass: Pass): Tensor;
  /** Gradients of every trainable parameter from ∂ℓ/∂logits, by variable (call inside a tidy). */
  backward(tape: LayerCache[], dLogits: Tensor): Map<tfc.Variable, Tensor>;
  dispose(): void;
}

const prod = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Output shape of a layer for an input shape, or an error naming the layer and the fix. */
export function inferShape(layer: LayerSpec, inShape: number[]): number[] {
  const where = `layer "${layer.id}" (${layer.kind})`;
  const described = inShape.length === 1 ? `${inShape[0]} features` : `a ${inShape.join('×')} input`;
  switch (layer.kind) {
    case 'dense':
      if (inShape.length !== 1) throw new Error(`${where} expects flat features but gets ${described}; add a flatten layer before it`);
      return [layer.units];
    case 'conv2d': {
      if (inShape.length !== 3) {
        throw new Error(`${where} expects a 3-D input (height×width×channels) but gets ${described}; convolutions must come before any flatten or dense layer, on image data`);
      }
      const [h, w] = inShape as [number, number, number];
      const out = (size: number) => (layer.padding === 'same' ? Math.ceil(size / layer.stride) : Math.floor((size - layer.kernelSize) / layer.stride) + 1);
      if (out(h) < 1 || out(w) < 1) throw new Error(`${where}: a ${layer.kernelSize}×${layer.kernelSize} kernel does not fit a ${h}×${w} input with "valid" padding; use "same" padding or a smaller kernel`);
      return [out(h), out(w), layer.filters];
    }
    case 'maxPool':
    case 'avgPool': {
      if (inShape.length !== 3) throw new Error(`${where} expects a 3-D input (height×width×channels) but gets ${described}; pooling must come before any flatten or dense layer`);
      const stride = layer.stride ?? layer.poolSize;
      const [h, w, c] = inShape as [number, number, number];
      const out = (size: number) => Math.floor((size - layer.poolSize) / stride) + 1;
      if (out(h) < 1 || out(w) < 1) throw new Error(`${where}: a ${layer.poolSize}×${layer.poolSize} window does not fit a ${h}×${w} input; remove a pooling layer or use a smaller window`);
      return [out(h), out(w), c];
    }
    case 'flatten':
      return [prod(inShape)];
    default:
      return inShape;
  }
}

/** Shapes of every layer, checked, with the final one matched against the number of classes. */
export function inferShapes(spec: ModelSpec, inputShape: number[], numClasses: number): Array<{ inShape: number[]; outShape: number[] }> {
  const shapes: Array<{ inShape: number[]; outShape: number[] }> = [];
  let shape = inputShape;
  for (const layer of spec.layers) {
    const outShape = inferShape(layer, shape);
    shapes.push({ inShape: shape, outShape });
    shape = outShape;
  }
  const last = spec.layers[spec.layers.length - 1]!;
  if (last.kind !== 'dense') throw new Error(`the last layer "${last.id}" must be dense: its units are the class scores`);
  if (shape[0] !== numClasses) {
    throw new Error(`the last layer "${last.id}" has ${shape[0]} units but the dataset has ${numClasses} classes; set its units to ${numClasses}`);
  }
  return shapes;
}

/** Builds the model and its seeded initial weights, with the parameters `trainable` names set to train (Frankle et al.). */
export function buildModel(tf: Tf, spec: ModelSpec, inputShape: number[], numClasses: number, seed: number, options: { trainable?: Trainable } = {}): Model {
  const shapes = inferShapes(spec, inputShape, numClasses);
  // Variables are made only after every shape checks out, so a bad spec allocates nothing.
  const layers: LayerRuntime[] = spec.layers.map((layer, i) => ({ spec: layer, ...shapes[i]!, params: [] }));
  const trainable = options.trainable ?? 'all';
  layers.forEach((runtime, i) => createParams(tf, runtime, layers[i + 1]?.spec, seed, trainable === 'all'));
  if (trainable === 'randomPerUnit') trainRandomWeightsPerUnit(tf, layers, seed);
  const params = layers.flatMap((l) => l.params);
  const constants = new Constants(tf);
  // ∂ℓ/∂x is needed only below the first layer that has something to train.
  const firstTrainable = layers.findIndex((l) => l.params.some((p) => p.variable.trainable));

  return {
    layers,
    params,
    inputShape,
    numClasses,
    constants,
    forward: (x, pass) => {
      let h = x;
      for (const layer of layers) h = layerForward(tf, constants, layer, h, pass);
      return h;
    },
    backward: (tape, dLogits) => {
      const grads = new Map<tfc.Variable, Tensor>();
      let dy = dLogits;
      for (let i = tape.length - 1; i >= 0 && i >= firstTrainable; i--) {
        const cache = tape[i]!;
        const index = layers.indexOf(cache.layer);
        const dx = layerBackward(tf, constants, cache, dy, index > firstTrainable, grads);
        if (!dx) break;
        dy = dx;
      }
      return grads;
    },
    dispose: () => {
      for (const layer of layers) {
        for (const p of layer.params) {
          p.variable.dispose();
          p.mask?.dispose();
        }
        if (layer.norm) disposeNormState(tf, layer.norm);
      }
      constants.dispose();
    },
  };
}

/** A layer's parameters; `trainWeights` false freezes kernels and biases (γ/β follow their own spec). */
function createParams(tf: Tf, runtime: LayerRuntime, next: LayerSpec | undefined, seed: number, trainWeights: boolean): void {
  const { spec, inShape } = runtime;
  const add = (name: Param['name'], variable: tfc.Variable) => runtime.params.push({ layerId: spec.id, name, variable });
  if (spec.kind === 'dense' || spec.kind === 'conv2d') {
    const dense = spec.kind === 'dense';
    const fanIn = dense ? inShape[0]! : spec.kernelSize * spec.kernelSize * inShape[2]!;
    const fanOut = dense ? spec.units : spec.kernelSize * spec.kernelSize * spec.filters;
    const kernelShape = dense ? [inShape[0]!, spec.units] : [spec.kernelSize, spec.kernelSize, inShape[2]!, spec.filters];
    // The stream depends on (seed, layer id, shape) only: paired runs that share a layer share its weights.
    const values = initialValues(spec.init, prod(kernelShape), fanIn, fanOut, Rng.derive(seed, 'init', spec.id, kernelShape.join('x')));
    add('kernel', newVariable(tf, () => tf.tensor(values, kernelShape), trainWeights));
    // A bias right before a standardizing norm layer would stay at its init of 0 for ever: its
    // gradient is exactly zero in training (BN subtracts the batch mean, and its input gradient
    // sums to zero per unit — Ioffe & Szegedy §2–3) and eval subtracts a running mean that
    // includes it. So it is left out: the same numbers, without adding zeros to every map.
    const redundant = next?.kind === 'norm' && standardizes(next);
    if (spec.bias && !redundant) add('bias', newVariable(tf, () => tf.zeros([dense ? spec.units : spec.filters]), trainWeights));
  } else if (spec.kind === 'norm') {
    // γ/β stay trainable when weights are frozen ("normOnly"): they are exactly what Frankle et al. train.
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

/** Applies an activation function. */
export function activate(tf: Tf, fn: ActivationFn, x: Tensor, alpha: number): Tensor {
  switch (fn) {
    case 'sigmoid':
      return kernel.sigmoid(tf, x);
    case 'tanh':
      return kernel.tanh(tf, x);
    case 'relu':
      return kernel.relu(tf, x);
    case 'leakyRelu':
      return tf.leakyRelu(x, alpha);
    case 'linear':
      return x;
  }
}

/** Padding [top, bottom, left, right] tfjs uses for a conv layer on an h×w input. */
function convPadding(spec: Extract<LayerSpec, { kind: 'conv2d' }>, h: number, w: number): [number, number, number, number] {
  if (spec.padding === 'valid') return [0, 0, 0, 0];
  const along = (size: number) => Math.max(0, (Math.ceil(size / spec.stride) - 1) * spec.stride + spec.kernelSize - size);
  const ph = along(h);
  const pw = along(w);
  return [Math.floor(ph / 2), ph - Math.floor(ph / 2), Math.floor(pw / 2), pw - Math.floor(pw / 2)];
}

/** One layer's forward pass (the model's forward is these in order). */
export function layerForward(tf: Tf, k: Constants, layer: LayerRuntime, x: Tensor, pass: Pass): Tensor {
  const { spec } = layer;
  let y: Tensor;
  let mask: Tensor | undefined;
  let norm: NormCache | null | undefined;
  switch (spec.kind) {
    case 'dense': {
      const [weights, bias] = layer.params;
      // Plain matMul + add: on wasm, measured faster than tf.fused.matMul with a bias.
      y = kernel.matMul(tf, x, weights!.variable);
      if (bias) y = kernel.add(tf, y, bias.variable);
      break;
    }
    case 'conv2d': {
      const [weights, bias] = layer.params;
      y = tf.conv2d(x as tfc.Tensor4D, weights!.variable as tfc.Tensor4D, spec.stride, spec.padding);
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
      if (pass.record) pass.record.preActivations.set(spec.id, x);
      y = activate(tf, spec.fn, x, spec.alpha);
      break;
    case 'dropout': {
      if (!pass.training || spec.rate === 0 || !pass.rng) {
        y = x;
        break;
      }
      // Masks come from the run's seeded stream (not the backend's RNG), so every backend drops the same units.
      const values = new Float32Array(x.size);
      const keep = 1 - spec.rate;
      for (let i = 0; i < values.length; i++) values[i] = pass.rng.next() < keep ? 1 / keep : 0;
      mask = tf.tensor(values, x.shape);
      y = tf.mul(x, mask);
      break;
    }
    case 'norm': {
      const state = layer.norm!;
      const useBatch = pass.training || pass.evalBatchStats === true || spec.evalUseBatchStats;
      const result = normForward(tf, k, state, x, useBatch, pass.training);
      norm = result.cache;
      // Only training passes hand their statistics on (to update running statistics).
      if (result.batch && pass.training && pass.batchStats) pass.batchStats.set(spec.id, result.batch);
      y = result.y;
      if (spec.injectNoise && pass.training && pass.rng) {
        const noise = noiseFor(y, pass.rng);
        mask = tf.tensor(noise.scale, noise.shape);
        y = tf.add(tf.mul(y, mask), tf.tensor(noise.shift, noise.shape));
      }
      break;
    }
  }
  if (pass.record) pass.record.outputs.set(spec.id, y);
  if (pass.tape) pass.tape.push({ layer, x, y, ...(mask ? { mask } : {}), ...(norm !== undefined ? { norm } : {}) });
  return y;
}

/**
 * One layer's backward pass: accumulates its trainable parameters' gradients into `grads` and
 * returns ∂ℓ/∂x when `needInputGrad` (null otherwise).
 */
export function layerBackward(tf: Tf, k: Constants, cache: LayerCache, dy: Tensor, needInputGrad: boolean, grads: Map<tfc.Variable, Tensor>): Tensor | null {
  const { layer, x, y } = cache;
  const { spec } = layer;
  const put = (param: Param | undefined, grad: () => Tensor) => {
    if (param?.variable.trainable) grads.set(param.variable, grad());
  };
  switch (spec.kind) {
    case 'dense': {
      const [weights, bias] = layer.params;
      // Explicit transposes: on wasm, matMul with transposeA/transposeB is ~10× slower.
      put(weights, () => kernel.matMul(tf, kernel.transpose(tf, x), dy));
      put(bias, () => channelSum(tf, k, dy));
      return needInputGrad ? kernel.matMul(tf, dy, kernel.transpose(tf, weights!.variable)) : null;
    }
    case 'conv2d': {
      const [weights, bias] = layer.params;
      put(weights, () => convKernelGrad(tf, spec, x as tfc.Tensor4D, dy as tfc.Tensor4D));
      put(bias, () => channelSum(tf, k, dy));
      return needInputGrad ? convInputGrad(tf, spec, x as tfc.Tensor4D, dy as tfc.Tensor4D, weights!.variable as tfc.Tensor4D) : null;
    }
    case 'maxPool':
    case 'avgPool':
      return needInputGrad ? poolInputGrad(tf, k, spec, x as tfc.Tensor4D, y as tfc.Tensor4D, dy as tfc.Tensor4D) : null;
    case 'flatten':
      return needInputGrad ? tf.reshape(dy, x.shape) : null;
    case 'activation': {
      if (!needInputGrad) return null;
      switch (spec.fn) {
        case 'sigmoid':
          return kernel.mul(tf, dy, kernel.mul(tf, y, kernel.sub(tf, k.scalar(1), y)));
        case 'tanh':
          return kernel.mul(tf, dy, kernel.sub(tf, k.scalar(1), kernel.square(tf, y)));
        case 'relu':
          return kernel.mul(tf, dy, kernel.step(tf, x, 0));
        case 'leakyRelu':
          return kernel.mul(tf, dy, kernel.step(tf, x, spec.alpha));
        case 'linear':
          return dy;
      }
      break;
    }
    case 'dropout':
      return needInputGrad ? (cache.mask ? tf.mul(dy, cache.mask) : dy) : null;
    case 'norm': {
      // Injected noise a ← s·a + m scales the gradient by s.
      const dNorm = cache.mask ? tf.mul(dy, cache.mask) : dy;
      if (!cache.norm) return needInputGrad ? dNorm : null;
      const result = normBackward(tf, k, layer.norm!, dNorm, cache.norm, needInputGrad);
      if (result.dGamma) put(layer.params.find((p) => p.name === 'gamma'), () => result.dGamma!);
      if (result.dBeta) put(layer.params.find((p) => p.name === 'beta'), () => result.dBeta!);
      return result.dx;
    }
  }
  return null;
}

/**
 * ∂ℓ/∂W of a convolution as another convolution: with the batch moved into the channel slot,
 * Σₙ,ᵢ,ⱼ x[n, i·s+a, j·s+b, c]·dy[n, i, j, f] is x (channels as batch) correlated with dy (dilated
 * by the stride). wasm has no Conv2DBackpropFilter kernel, and this runs on XNNPACK.
 */
function convKernelGrad(tf: Tf, spec: Extract<LayerSpec, { kind: 'conv2d' }>, x: tfc.Tensor4D, dy: tfc.Tensor4D): Tensor {
  const [top, bottom, left, right] = convPadding(spec, x.shape[1], x.shape[2]);
  const xT = tf.transpose(x, [3, 1, 2, 0]);
  const dyT = tf.transpose(dy, [1, 2, 0, 3]);
  let r = tf.conv2d(xT, dyT, 1, [[0, 0], [top, bottom], [left, right], [0, 0]], 'NHWC', spec.stride);
  const size = spec.kernelSize;
  // With "valid" padding and a stride that does not divide the input, the correlation overshoots.
  if (r.shape[1] !== size || r.shape[2] !== size) r = tf.slice(r, [0, 0, 0, 0], [r.shape[0], size, size, r.shape[3]]);
  return tf.transpose(r, [1, 2, 0, 3]);
}

/**
 * ∂ℓ/∂x of a convolution. Stride 1: a correlation of dy with the kernel flipped in space and with
 * in/out channels swapped (wasm's conv2dTranspose is ~9× slower); other strides use conv2dTranspose.
 */
function convInputGrad(tf: Tf, spec: Extract<LayerSpec, { kind: 'conv2d' }>, x: tfc.Tensor4D, dy: tfc.Tensor4D, weights: tfc.Tensor4D): Tensor {
  if (spec.stride !== 1) return tf.conv2dTranspose(dy, weights, x.shape, spec.stride, spec.padding);
  const [top, , left] = convPadding(spec, x.shape[1], x.shape[2]);
  const size = spec.kernelSize;
  const [, h, w] = x.shape;
  const [, oh, ow] = dy.shape;
  const flipped = tf.transpose(tf.reverse(weights, [0, 1]), [0, 1, 3, 2]);
  return tf.conv2d(dy, flipped, 1, [[0, 0], [size - 1 - top, h - oh + top], [size - 1 - left, w - ow + left], [0, 0]]);
}

/**
 * ∂ℓ/∂x of a pooling layer. Non-overlapping windows (stride = window, the usual case) spread dy
 * back with a nearest-neighbour upsampling: for max pooling onto the positions equal to the
 * window's maximum (every tied maximum gets it), for average pooling evenly. Overlapping or gapped
 * windows use tfjs's AvgPoolGrad kernel, or a plain-JS max-pool gradient (wasm's MaxPoolGrad
 * kernel mixes up channels in tfjs 4.22).
 */
function poolInputGrad(tf: Tf, k: Constants, spec: Extract<LayerSpec, { kind: 'maxPool' | 'avgPool' }>, x: tfc.Tensor4D, y: tfc.Tensor4D, dy: tfc.Tensor4D): Tensor {
  const size = spec.poolSize;
  const stride = spec.stride ?? size;
  const [n, h, w, c] = x.shape;
  const [, oh, ow] = y.shape;
  if (stride === size) {
    const ch = oh * size;
    const cw = ow * size;
    // Rows and columns the "valid" windows never covered get no gradient.
    const covered = ch === h && cw === w ? x : tf.slice(x, [0, 0, 0, 0], [n, ch, cw, c]);
    // Half-pixel centres map output row r to input row ⌊(r + ½)/size⌋ with margin, immune to rounding.
    const up = (t: tfc.Tensor4D) => tf.image.resizeNearestNeighbor(t, [ch, cw], false, true);
    const dx =
      spec.kind === 'maxPool'
        ? tf.mul(tf.cast(tf.equal(covered, up(y)), 'float32'), up(dy))
        : tf.mul(up(dy), k.scalar(1 / (size * size)));
    return ch === h && cw === w ? dx : tf.pad(dx, [[0, 0], [0, h - ch], [0, w - cw], [0, 0]]);
  }
  if (spec.kind === 'avgPool') return tf.engine().runKernel('AvgPoolGrad', { dy, input: x }, { filterSize: size, strides: stride, pad: 'valid' }) as Tensor;
  // Overlapping max pooling: rare in the lab's models, so a readback here is acceptable.
  const xs = x.dataSync();
  const dys = dy.dataSync();
  const dx = new Float32Array(xs.length);
  for (let b = 0; b < n; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        for (let ch = 0; ch < c; ch++) {
          // The first maximum in the window takes the gradient, as in TensorFlow.
          let best = -1;
          for (let a = 0; a < size; a++) {
            for (let d = 0; d < size; d++) {
              const at = ((b * h + i * stride + a) * w + j * stride + d) * c + ch;
              if (best < 0 || xs[at]! > xs[best]!) best = at;
            }
          }
          dx[best] = dx[best]! + dys[((b * oh + i) * ow + j) * c + ch]!;
        }
      }
    }
  }
  return tf.tensor(dx, x.shape);
}

/**
 * Santurkar et al.'s "noisy BN": per unit and step μ ~ U(−0.5, 0.5), σ ~ U(1, 1.25); per example
 * m ~ U(μ − 0.1, μ + 0.1), s ~ N(σ, 0.1); a ← s·a + m. A deliberate, time-varying distribution shift.
 */
function noiseFor(a: Tensor, rng: Rng): { scale: Float32Array; shift: Float32Array; shape: number[] } {
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
  return { scale, shift, shape: a.shape.length === 2 ? [batch, units] : [batch, 1, 1, units] };
}
