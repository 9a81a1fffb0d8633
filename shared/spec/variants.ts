/**
 * Comparisons: a base run expanded into variants × seeds. Runs of one variant differ only by
 * seed; runs of different variants share seeds and the ids of their common layers, so the engine
 * starts them from the same initial weights (paired comparison). Used by the bench's "Variants"
 * and by the presets.
 */
import type { RunSpec } from './experiment';
import { withNormMode, type LayerSpec, type NormLayer, type NormMode } from './model';

/** One value of the varied thing: its label and how it changes the base run. */
export interface Variant {
  name: string;
  apply: (run: RunSpec) => RunSpec;
}

/** Every variant × seed as concrete runs (variant-major, so each variant's seeds sit together). */
export function expandVariants(base: RunSpec, variants: Variant[], seeds: number[]): RunSpec[] {
  return variants.flatMap((variant) =>
    seeds.map((seed) => {
      const run = variant.apply(structuredClone(base));
      return { ...run, variant: variant.name, training: { ...run.training, seed } };
    }),
  );
}

/** The run with its layers replaced. */
export function withLayers(run: RunSpec, layers: LayerSpec[]): RunSpec {
  return { ...run, model: { ...run.model, layers } };
}

/** Every norm layer (or those in `layerIds`) switched to `mode`, γ/β made consistent with it. */
export function setNormMode(run: RunSpec, mode: NormMode, layerIds?: string[]): RunSpec {
  return withLayers(
    run,
    run.model.layers.map((l) => (l.kind === 'norm' && (!layerIds || layerIds.includes(l.id)) ? withNormMode(l, mode) : l)),
  );
}

/** Every norm layer (or those in `layerIds`) changed by `change`. */
export function updateNorm(run: RunSpec, change: (layer: NormLayer) => NormLayer, layerIds?: string[]): RunSpec {
  return withLayers(run, run.model.layers.map((l) => (l.kind === 'norm' && (!layerIds || layerIds.includes(l.id)) ? change(l) : l)));
}

/** The run without its norm layers at all (the other layers keep their ids, so init is paired). */
export function withoutNorm(run: RunSpec): RunSpec {
  return withLayers(run, run.model.layers.filter((l) => l.kind !== 'norm'));
}

export const normModeVariants = (modes: NormMode[]): Variant[] =>
  modes.map((mode) => ({ name: mode === 'none' ? 'no BN' : mode, apply: (run) => setNormMode(run, mode) }));

export const learningRateVariants = (rates: number[]): Variant[] =>
  rates.map((lr) => ({ name: `lr ${lr}`, apply: (run) => ({ ...run, training: { ...run.training, learningRate: lr } }) }));

export const batchSizeVariants = (sizes: number[]): Variant[] =>
  sizes.map((batchSize) => ({ name: `batch ${batchSize}`, apply: (run) => ({ ...run, training: { ...run.training, batchSize } }) }));

/** Each variant of `variants` once with and once without its norm layers ("… with BN" / "… no BN"). */
export function withAndWithoutNorm(variants: Variant[]): Variant[] {
  return variants.flatMap((v) => [
    { name: `${v.name} · BN`, apply: v.apply },
    { name: `${v.name} · no BN`, apply: (run: RunSpec) => withoutNorm(v.apply(run)) },
  ]);
}
