/**
 * Pure edits of the model draft's layer list. Every new layer is made by parsing through the spec
 * schema, so its defaults are the schema's, never a second copy of them.
 */
import { cloneJson } from '../lib/clone';
import { LayerSpec, ModelSpec, NormLayer, type LayerSpecInput } from '../../../shared/spec/model';
import { inferShape } from '../../../shared/engine/model';
import { describeIssues } from '../../../shared/spec/parse';

export type LayerKind = LayerSpec['kind'];

const ID_PREFIX: Record<LayerKind, string> = {
  dense: 'dense',
  conv2d: 'conv',
  maxPool: 'pool',
  avgPool: 'pool',
  flatten: 'flatten',
  activation: 'act',
  dropout: 'drop',
  norm: 'bn',
};

/** The first `<prefix><n>` not used by `layers`. */
export function uniqueId(prefix: string, layers: readonly { id: string }[]): string {
  const used = new Set(layers.map((l) => l.id));
  for (let n = 1; ; n++) if (!used.has(`${prefix}${n}`)) return `${prefix}${n}`;
}

/** A new layer of `kind` with the schema's defaults and a free id. */
export function newLayer(kind: LayerKind, layers: readonly LayerSpec[]): LayerSpec {
  const id = uniqueId(ID_PREFIX[kind], layers);
  const input: Record<LayerKind, LayerSpecInput> = {
    dense: { kind: 'dense', id, units: 32 },
    conv2d: { kind: 'conv2d', id, filters: 16, kernelSize: 3 },
    maxPool: { kind: 'maxPool', id },
    avgPool: { kind: 'avgPool', id },
    flatten: { kind: 'flatten', id },
    activation: { kind: 'activation', id, fn: 'relu' },
    dropout: { kind: 'dropout', id, rate: 0.2 },
    norm: { kind: 'norm', id },
  };
  return LayerSpec.parse(input[kind]);
}

/** A default batch-norm layer with a free id. */
export function newNormLayer(layers: readonly LayerSpec[]): NormLayer {
  return NormLayer.parse({ kind: 'norm', id: uniqueId('bn', layers) });
}

/** `layers` with a BN layer right after every dense/conv layer not already followed by one; the output layer is left alone. */
export function withNormAfterEvery(layers: readonly LayerSpec[]): LayerSpec[] {
  const next: LayerSpec[] = [];
  layers.forEach((layer, i) => {
    next.push(layer);
    const needs = (layer.kind === 'dense' || layer.kind === 'conv2d') && i < layers.length - 1 && layers[i + 1]!.kind !== 'norm';
    // Ids are drawn from everything present, so a new BN never takes an id used later in the list.
    if (needs) next.push(newNormLayer([...layers, ...next]));
  });
  return next;
}

export function insertAt<T>(list: readonly T[], index: number, item: T): T[] {
  const out = list.slice();
  out.splice(Math.max(0, Math.min(index, out.length)), 0, item);
  return out;
}

/** `list` with the item at `from` moved to `to` (both clamped). */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  if (from < 0 || from >= list.length) return list.slice();
  const out = list.slice();
  const [item] = out.splice(from, 1);
  out.splice(Math.max(0, Math.min(to, out.length)), 0, item!);
  return out;
}

/** A copy of layer `index` (fresh id) right after it. */
export function duplicateLayer(layers: readonly LayerSpec[], index: number): LayerSpec[] {
  const original = layers[index];
  if (!original) return layers.slice();
  const copy = { ...cloneJson(original), id: uniqueId(ID_PREFIX[original.kind], layers) } as LayerSpec;
  return insertAt(layers, index + 1, copy);
}

export type ShapeResult = { shape: number[]; error: null } | { shape: null; error: string };

/** Each layer's output shape for `inputShape`, or the error that stops the flow there (later layers: null). */
export function layerShapes(layers: readonly LayerSpec[], inputShape: number[] | null): ShapeResult[] {
  let shape: number[] | null = inputShape;
  return layers.map((layer) => {
    if (!shape) return { shape: null, error: inputShape ? 'follows a layer with a problem' : 'choose a dataset' };
    try {
      shape = inferShape(layer, shape);
      return { shape, error: null };
    } catch (e) {
      shape = null;
      return { shape: null, error: e instanceof Error ? e.message : String(e) };
    }
  });
}

/** Validation messages of the model, by layer index (-1: the model as a whole). */
export function modelIssuesByLayer(layers: readonly LayerSpec[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  const result = ModelSpec.safeParse({ layers });
  if (result.success) return out;
  const lines = describeIssues(result.error);
  result.error.issues.forEach((issue, i) => {
    const index = issue.path[0] === 'layers' && typeof issue.path[1] === 'number' ? issue.path[1] : -1;
    const text = index >= 0 ? issue.message : lines[i]!;
    out.set(index, [...(out.get(index) ?? []), text]);
  });
  return out;
}

/** "2", "16 × 16 × 8". */
export function formatShape(shape: readonly number[]): string {
  return shape.join(' × ');
}
