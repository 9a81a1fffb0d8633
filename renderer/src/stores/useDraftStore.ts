/**
 * The experiment being edited: model layers, data, training settings and the variant plan. It is
 * kept as parsed specs (defaults filled in) so editors bind to real values, survives restarts, and
 * is validated live — problems are shown where they are, never silently fixed.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { z } from 'zod';
import { DataSpec } from '../../../shared/spec/data';
import { LayerSpec, NormMode, withNormMode, type NormLayer } from '../../../shared/spec/model';
import { TrainingSpec } from '../../../shared/spec/training';
import { loadPersisted, persistOnChange } from '../lib/persist';
import { duplicateLayer, insertAt, modelIssuesByLayer, moveItem, newLayer, newNormLayer, type LayerKind } from '../build/layers';

/** What the comparison varies: one run per value (times the seeds), paired on initial weights. */
export const VariantPlan = z.object({
  vary: z.enum(['nothing', 'normMode', 'learningRate', 'batchSize']).default('nothing'),
  normModes: z.array(NormMode).default(['none', 'batchnorm']),
  learningRates: z.array(z.number().positive()).default([0.01, 0.1, 1]),
  batchSizes: z.array(z.number().int().positive()).default([4, 16, 64]),
  /** Each variant repeated over this many seeds (seed, seed+1, …). */
  seeds: z.number().int().min(1).max(16).default(1),
});
export type VariantPlan = z.infer<typeof VariantPlan>;

export const Draft = z.object({
  title: z.string().default('My experiment'),
  layers: z.array(LayerSpec),
  data: DataSpec,
  training: TrainingSpec,
  plan: VariantPlan,
});
export type Draft = z.infer<typeof Draft>;

/** A first experiment that finishes in seconds: a small MLP with BN on a 2-D set. */
export function defaultDraft(): Draft {
  return Draft.parse({
    title: 'BN on two moons',
    layers: [
      { kind: 'dense', id: 'dense1', units: 16 },
      { kind: 'norm', id: 'bn1' },
      { kind: 'activation', id: 'act1', fn: 'relu' },
      { kind: 'dense', id: 'dense2', units: 16 },
      { kind: 'norm', id: 'bn2' },
      { kind: 'activation', id: 'act2', fn: 'relu' },
      { kind: 'dense', id: 'out', units: 2 },
    ],
    data: { source: { kind: 'synthetic', generator: 'moons', samples: 1000, noise: 0.1, classes: 2, seed: 1 } },
    training: { learningRate: 0.1, batchSize: 32, duration: { steps: 1000 }, logEvery: 10, evalEvery: 50 },
    plan: {},
  });
}

const STORAGE_KEY = 'bnlab.draft.v1';

export const useDraftStore = defineStore('draft', () => {
  const saved = loadPersisted(STORAGE_KEY, Draft, defaultDraft);
  const draft = ref<Draft>(saved.value);
  /** Why a saved draft could not be restored (shown once, so nothing vanishes unexplained). */
  const restoreProblem = ref<string | null>(saved.problem);
  persistOnChange(STORAGE_KEY, draft);

  const layers = computed(() => draft.value.layers);
  const issuesByLayer = computed(() => modelIssuesByLayer(draft.value.layers));

  function setLayers(next: LayerSpec[]): void {
    draft.value.layers = next;
  }
  function addLayer(kind: LayerKind, index = draft.value.layers.length - 1): void {
    setLayers(insertAt(draft.value.layers, index, newLayer(kind, draft.value.layers)));
  }
  function insertNormAt(index: number): void {
    setLayers(insertAt(draft.value.layers, index, newNormLayer(draft.value.layers)));
  }
  /** A BN layer right after every dense/conv layer that lacks one (the output layer excepted). */
  function normAfterEvery(): void {
    let next = draft.value.layers.slice();
    for (let i = next.length - 2; i >= 0; i--) {
      const layer = next[i]!;
      if ((layer.kind === 'dense' || layer.kind === 'conv2d') && next[i + 1]?.kind !== 'norm') {
        next = insertAt(next, i + 1, newNormLayer(next));
      }
    }
    setLayers(next);
  }
  function removeLayer(index: number): void {
    setLayers(draft.value.layers.filter((_, i) => i !== index));
  }
  function moveLayer(from: number, to: number): void {
    setLayers(moveItem(draft.value.layers, from, to));
  }
  function duplicate(index: number): void {
    setLayers(duplicateLayer(draft.value.layers, index));
  }
  function updateLayer(index: number, patch: Partial<LayerSpec>): void {
    const next = draft.value.layers.slice();
    next[index] = { ...next[index]!, ...patch } as LayerSpec;
    setLayers(next);
  }
  /** Switches a norm layer's mode with γ/β made consistent (the spec's own helper). */
  function setNormMode(index: number, mode: NormMode): void {
    const layer = draft.value.layers[index];
    if (layer?.kind !== 'norm') return;
    updateLayer(index, withNormMode<NormLayer>(layer, mode));
  }
  function reset(): void {
    draft.value = defaultDraft();
    restoreProblem.value = null;
  }

  return {
    draft,
    layers,
    issuesByLayer,
    restoreProblem,
    addLayer,
    insertNormAt,
    normAfterEvery,
    removeLayer,
    moveLayer,
    duplicate,
    updateLayer,
    setNormMode,
    reset,
  };
});
