/** The standard models of the presets, with stable layer ids so their variants are paired. */
import type { Initializer, LayerSpecInput } from '../spec/model';

export interface MlpOptions {
  hidden: number[];
  activation: 'sigmoid' | 'tanh' | 'relu';
  classes: number;
  /** Where a norm layer sits in each hidden block (none: no norm layers). */
  norm: 'beforeActivation' | 'afterActivation' | 'none';
  init?: Initializer;
  /** Input already flat ([features]) or an image to flatten first. */
  flatten?: boolean;
}

/**
 * dense(dᵢ) [→ bn(bnᵢ)] → activation(actᵢ) [→ bn] per hidden layer, then dense(out). With a
 * standardizing norm layer right after it a dense layer's bias is redundant (β subsumes it), so
 * the bias is left out there, as Ioffe & Szegedy do.
 */
export function mlp(options: MlpOptions): LayerSpecInput[] {
  const init = options.init ?? { kind: 'glorotUniform' };
  const layers: LayerSpecInput[] = options.flatten ? [{ kind: 'flatten', id: 'flat' }] : [];
  options.hidden.forEach((units, i) => {
    const n = i + 1;
    layers.push({ kind: 'dense', id: `d${n}`, units, init, bias: options.norm !== 'beforeActivation' });
    if (options.norm === 'beforeActivation') layers.push({ kind: 'norm', id: `bn${n}` });
    layers.push({ kind: 'activation', id: `act${n}`, fn: options.activation });
    if (options.norm === 'afterActivation') layers.push({ kind: 'norm', id: `bn${n}` });
  });
  layers.push({ kind: 'dense', id: 'out', units: options.classes, init });
  return layers;
}

/** A small VGG-style CNN for 28×28 inputs: (conv → [bn] → relu) ×2 → max-pool, twice, then dense. */
export function smallCnn(options: { bn: boolean; filters?: [number, number] }): LayerSpecInput[] {
  const [f1, f2] = options.filters ?? [8, 16];
  const block = (n: number, filters: number): LayerSpecInput[] => [
    { kind: 'conv2d', id: `c${n}`, filters, kernelSize: 3, bias: !options.bn },
    ...(options.bn ? [{ kind: 'norm' as const, id: `bn${n}` }] : []),
    { kind: 'activation', id: `act${n}`, fn: 'relu' as const },
  ];
  return [
    ...block(1, f1),
    { kind: 'maxPool', id: 'pool1', poolSize: 2 },
    ...block(2, f2),
    { kind: 'maxPool', id: 'pool2', poolSize: 2 },
    { kind: 'flatten', id: 'flat' },
    { kind: 'dense', id: 'd1', units: 64, bias: !options.bn },
    ...(options.bn ? [{ kind: 'norm' as const, id: 'bn3' }] : []),
    { kind: 'activation', id: 'act3', fn: 'relu' as const },
    { kind: 'dense', id: 'out', units: 10 },
  ];
}
