/**
 * Comparisons: a base run expanded into variants × seeds. Runs of one variant differ only by
 * seed; runs of different variants share seeds and the ids of their common layers, so the engine
 * starts them from the same initial weights (it derives them from hash(seed, layer id, shape)):
 * a paired comparison. Used by the bench's "Variants" and by the presets.
 *
 * Every helper is pure: it returns a new run and never changes the one it is given.
 */
import type { RunSpec } from './experiment';
import { LayerSpec, NormLayer, withNormMode, type ActivationFn, type LayerSpecInput, type NormMode } from './model';
import type { TrainingSpec } from './training';

/** One value of the varied thing: its label and how it changes the base run. */
export interface Variant {
  name: string;
  apply: (run: RunSpec) => RunSpec;
}

/**
 * Every variant × seed as concrete runs (variant-major, so each variant's seeds sit together).
 * Findings group runs by variant name, so a repeated name is made unique ("lr 0.1 (2)") rather
 * than silently merging two different variants into one.
 */
export function expandVariants(base: RunSpec, variants: Variant[], seeds: number[]): RunSpec[] {
  const used = new Map<string, number>();
  return variants.flatMap((variant) => {
    const count = (used.get(variant.name) ?? 0) + 1;
    used.set(variant.name, count);
    const name = count === 1 ? variant.name : `${variant.name} (${count})`;
    return seeds.map((seed) => {
      const run = variant.apply(structuredClone(base));
      return { ...run, variant: name, training: { ...run.training, seed } };
    });
  });
}

/** `count` consecutive seeds starting at `first` (repeat a comparison over seeds). */
export function seedList(count: number, first = 1): number[] {
  return Array.from({ length: Math.max(0, Math.floor(count)) }, (_, i) => first + i);
}

/** One variant per value of any one setting: `label(value)` names it, `set(run, value)` applies it. */
export function valueVariants<T>(values: readonly T[], label: (value: T) => string, set: (run: RunSpec, value: T) => RunSpec): Variant[] {
  return values.map((value) => ({ name: label(value), apply: (run) => set(run, value) }));
}

/** Every pair of `outer` × `inner` as one variant named "outer · inner" (inner applied after outer). */
export function crossVariants(outer: Variant[], inner: Variant[]): Variant[] {
  return outer.flatMap((a) => inner.map((b) => ({ name: `${a.name} · ${b.name}`, apply: (run: RunSpec) => b.apply(a.apply(run)) })));
}

/** The run with its layers replaced. */
export function withLayers(run: RunSpec, layers: LayerSpec[]): RunSpec {
  return { ...run, model: { ...run.model, layers } };
}

/** The run with some training settings replaced. */
export function withTraining(run: RunSpec, change: Partial<TrainingSpec>): RunSpec {
  return { ...run, training: { ...run.training, ...change } };
}

const chosen = (layer: LayerSpec, layerIds?: readonly string[]) => !layerIds || layerIds.includes(layer.id);

/** Every norm layer (or those in `layerIds`) changed by `change`. */
export function updateNorm(run: RunSpec, change: (layer: NormLayer) => NormLayer, layerIds?: readonly string[]): RunSpec {
  return withLayers(run, run.model.layers.map((l) => (l.kind === 'norm' && chosen(l, layerIds) ? change(l) : l)));
}

/** Every norm layer (or those in `layerIds`) switched to `mode`, γ/β made consistent with it. */
export function setNormMode(run: RunSpec, mode: NormMode, layerIds?: readonly string[]): RunSpec {
  return updateNorm(run, (l) => withNormMode(l, mode), layerIds);
}

/** The run without its norm layers (or those in `layerIds`); the other layers keep their ids, so init stays paired. */
export function withoutNorm(run: RunSpec, layerIds?: readonly string[]): RunSpec {
  return withLayers(run, run.model.layers.filter((l) => !(l.kind === 'norm' && chosen(l, layerIds))));
}

/** Every activation layer (or those in `layerIds`) switched to `fn`. */
export function setActivation(run: RunSpec, fn: ActivationFn, layerIds?: readonly string[]): RunSpec {
  return withLayers(run, run.model.layers.map((l) => (l.kind === 'activation' && chosen(l, layerIds) ? { ...l, fn } : l)));
}

/** The run with `layer` (defaults filled in) inserted directly before the layer `beforeId`. */
export function insertLayerBefore(run: RunSpec, beforeId: string, layer: LayerSpecInput): RunSpec {
  const at = run.model.layers.findIndex((l) => l.id === beforeId);
  if (at < 0) throw new Error(`no layer "${beforeId}" to insert "${layer.id}" before`);
  if (run.model.layers.some((l) => l.id === layer.id)) throw new Error(`layer id "${layer.id}" is already used`);
  const layers = [...run.model.layers];
  layers.splice(at, 0, LayerSpec.parse(layer));
  return withLayers(run, layers);
}

/** Where a norm layer sits in a block: between the weights and the activation, or after the activation. */
export type NormPlacement = 'beforeActivation' | 'afterActivation';

export interface PlaceNormOptions {
  /** Which weight layers get a norm layer (default both). The output layer never does. */
  after?: ReadonlyArray<'dense' | 'conv2d'>;
  /** Settings for norm layers that are created (default: plain BN). Existing ones keep theirs. */
  settings?: Partial<Omit<NormLayer, 'kind' | 'id'>>;
  /** The id of a created norm layer, from the id of the weight layer it follows. */
  id?: (weightLayerId: string) => string;
}

/**
 * One norm layer per block — a block is a dense/conv layer and what follows it up to the next
 * one — placed before or after the block's activation (directly after the weights when the block
 * has no activation). A block that already has a norm layer keeps it (id and settings) and only
 * moves it, so "BN before vs after the activation" compares the same layers; blocks without one
 * get a new layer. Layers before the first dense/conv and the output layer are left alone.
 */
export function placeNorm(run: RunSpec, placement: NormPlacement, options: PlaceNormOptions = {}): RunSpec {
  const kinds = options.after ?? ['dense', 'conv2d'];
  const makeId = options.id ?? ((weightId: string) => `${weightId.slice(0, 37)}-bn`);
  const layers = run.model.layers;
  const starts = layers.flatMap((l, i) => (l.kind === 'dense' || l.kind === 'conv2d' ? [i] : []));
  const taken = new Set(layers.map((l) => l.id));
  const out: LayerSpec[] = layers.slice(0, starts[0] ?? layers.length);
  starts.forEach((start, b) => {
    const block = layers.slice(start, starts[b + 1] ?? layers.length);
    const weights = block[0]!;
    const isOutput = start === layers.length - 1;
    if (isOutput || !(weights.kind === 'dense' || weights.kind === 'conv2d') || !kinds.includes(weights.kind)) {
      out.push(...block);
      return;
    }
    const existing = block.find((l): l is NormLayer => l.kind === 'norm');
    const norm = existing ?? NormLayer.parse({ ...options.settings, kind: 'norm', id: uniqueId(makeId(weights.id), taken) });
    const rest = block.slice(1).filter((l) => l !== existing);
    const activation = rest.findIndex((l) => l.kind === 'activation');
    const at = placement === 'afterActivation' && activation >= 0 ? activation + 1 : 0;
    out.push(weights, ...rest.slice(0, at), norm, ...rest.slice(at));
  });
  return withLayers(run, out);
}

/** `id`, or `id2`, `id3`… if taken; the chosen id is marked as taken. */
function uniqueId(id: string, taken: Set<string>): string {
  let candidate = id;
  for (let n = 2; taken.has(candidate); n++) candidate = `${id.slice(0, 38)}${n}`;
  taken.add(candidate);
  return candidate;
}

/** One variant per norm mode (all norm layers switched; "none" is labelled "no BN"). */
export const normModeVariants = (modes: NormMode[]): Variant[] =>
  valueVariants(modes, (mode) => (mode === 'none' ? 'no BN' : mode), (run, mode) => setNormMode(run, mode));

/** One variant per learning rate. */
export const learningRateVariants = (rates: number[]): Variant[] =>
  valueVariants(rates, (lr) => `lr ${lr}`, (run, learningRate) => withTraining(run, { learningRate }));

/** One variant per batch size. */
export const batchSizeVariants = (sizes: number[]): Variant[] =>
  valueVariants(sizes, (size) => `batch ${size}`, (run, batchSize) => withTraining(run, { batchSize }));

/** Each variant of `variants` once with and once without its norm layers ("… · BN" / "… · no BN"). */
export function withAndWithoutNorm(variants: Variant[]): Variant[] {
  return crossVariants(variants, [
    { name: 'BN', apply: (run) => run },
    { name: 'no BN', apply: (run) => withoutNorm(run) },
  ]);
}
