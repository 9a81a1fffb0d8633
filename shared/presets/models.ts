/**
 * The standard models of the presets and the bench, with stable layer ids: dense/conv layers keep
 * their ids whether or not norm layers are present, so variants built from them are paired (the
 * engine derives initial weights from the seed and the layer id).
 *
 * Dense/conv layers always ask for a bias: the engine leaves it out by itself where a
 * standardizing norm layer follows (β subsumes it, Ioffe & Szegedy §3.2), so a "without BN"
 * variant made by removing the norm layers keeps its biases instead of silently losing them.
 */
import { ModelSpec, type ActivationFn, type Initializer, type LayerSpecInput } from '../spec/model';
import type { NormPlacement } from '../spec/variants';

export interface MlpOptions {
  hidden: number[];
  activation: ActivationFn;
  classes: number;
  /** Where a norm layer sits in each hidden block (none: no norm layers). */
  norm: NormPlacement | 'none';
  /** Initializer of every dense layer (default Glorot uniform). */
  init?: Initializer;
  /** Input is an image to flatten first (MNIST), not already a feature vector. */
  flatten?: boolean;
}

/** dense(dᵢ) [→ norm(bnᵢ)] → activation(actᵢ) [→ norm(bnᵢ)] per hidden layer, then dense(out). */
export function mlp(options: MlpOptions): LayerSpecInput[] {
  const init = options.init ?? { kind: 'glorotUniform' };
  const layers: LayerSpecInput[] = options.flatten ? [{ kind: 'flatten', id: 'flat' }] : [];
  options.hidden.forEach((units, i) => {
    const n = i + 1;
    layers.push({ kind: 'dense', id: `d${n}`, units, init });
    if (options.norm === 'beforeActivation') layers.push({ kind: 'norm', id: `bn${n}` });
    layers.push({ kind: 'activation', id: `act${n}`, fn: options.activation });
    if (options.norm === 'afterActivation') layers.push({ kind: 'norm', id: `bn${n}` });
  });
  layers.push({ kind: 'dense', id: 'out', units: options.classes, init });
  return layers;
}

/** A small MLP for the 2-D synthetic sets: defaults 2 → 16 → 16 → classes, ReLU, BN before each activation. */
export function planarMlp(options: Partial<Omit<MlpOptions, 'flatten'>> & Pick<MlpOptions, 'classes'>): LayerSpecInput[] {
  return mlp({ hidden: [16, 16], activation: 'relu', norm: 'beforeActivation', ...options, flatten: false });
}

export interface CnnOptions {
  /** A norm layer after every convolution and the hidden dense layer (before the ReLU). */
  bn: boolean;
  /** Filters of each block's convolutions; one block per entry (default [8, 16]). */
  filters?: number[];
  /** 3×3 convolutions per block before its pooling (VGG uses 2–3; default 1 keeps wasm runs short). */
  convsPerBlock?: number;
  /** Units of the hidden dense layer (default 64). */
  dense?: number;
  classes?: number;
}

/**
 * A small VGG-style CNN for 28×28 images: per block, convolutions cᵢ (3×3, same padding)
 * [→ bnᵢ] → actᵢ, then 2×2 max pooling poolₖ; then flatten → d1 [→ bn] → relu → out. Layers are
 * numbered by convolution (c1, bn1, act1, …), so with one convolution per block the first block is
 * c1 → bn1 → act1 → pool1.
 */
export function smallCnn(options: CnnOptions): LayerSpecInput[] {
  const filters = options.filters ?? [8, 16];
  const perBlock = options.convsPerBlock ?? 1;
  const layers: LayerSpecInput[] = [];
  let n = 0;
  const unit = (weights: LayerSpecInput) => {
    n++;
    layers.push(weights);
    if (options.bn) layers.push({ kind: 'norm', id: `bn${n}` });
    layers.push({ kind: 'activation', id: `act${n}`, fn: 'relu' });
  };
  filters.forEach((f, block) => {
    for (let c = 0; c < perBlock; c++) unit({ kind: 'conv2d', id: `c${n + 1}`, filters: f, kernelSize: 3 });
    layers.push({ kind: 'maxPool', id: `pool${block + 1}`, poolSize: 2 });
  });
  layers.push({ kind: 'flatten', id: 'flat' });
  unit({ kind: 'dense', id: 'd1', units: options.dense ?? 64 });
  layers.push({ kind: 'dense', id: 'out', units: options.classes ?? 10 });
  return layers;
}

/** A builder's layers as a validated ModelSpec (defaults filled in); throws if they are inconsistent. */
export function modelSpec(layers: LayerSpecInput[]): ModelSpec {
  return ModelSpec.parse({ layers });
}
