/**
 * The experiment being edited: model layers, data, training settings and the variant plan. It is
 * kept as parsed specs (defaults filled in) so editors bind to real values, survives restarts, and
 * is validated live — problems are shown where they are, never silently fixed.
 */
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { withNormMode, type LayerSpec, type NormLayer, type NormMode } from '../../../shared/spec/model';
import { Draft, defaultDraft } from '../build/draft';
import { loadPersisted, persistOnChange } from '../lib/persist';
import { describeIssues } from '../../../shared/spec/parse';
import { duplicateLayer, insertAt, modelIssuesByLayer, moveItem, newLayer, newNormLayer, withNormAfterEvery, type LayerKind } from '../build/layers';
import { experimentFromDraft } from '../build/experiment';
import { cloneJson } from '../lib/clone';
import { useWorkshopStore } from './useWorkshopStore';

const STORAGE_KEY = 'bnlab.draft.v1';

export const useDraftStore = defineStore('draft', () => {
  const saved = loadPersisted(STORAGE_KEY, Draft, defaultDraft);
  const draft = ref<Draft>(saved.value);
  /** Why a saved draft could not be restored (shown once, so nothing vanishes unexplained). */
  const restoreProblem = ref<string | null>(saved.problem);
  persistOnChange(STORAGE_KEY, draft);

  // In workshop mode every change, through these actions or written into `draft` directly by an
  // editor, is checked at once: a change to a locked or hidden control is undone (and said why).
  const workshop = useWorkshopStore();
  draft.value = workshop.allowed(draft.value);
  watch(
    draft,
    (value) => {
      const allowed = workshop.allowed(value);
      if (allowed !== value) draft.value = allowed;
    },
    { deep: true, flush: 'sync' },
  );
  /** What training would start: the draft's experiment, or in workshop mode the workshop's as the draft changed it. */
  const experiment = computed(() => (workshop.active ? workshop.experimentFor(draft.value) : experimentFromDraft(draft.value)));

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
    setLayers(withNormAfterEvery(draft.value.layers));
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
  /** Replaces the draft with one read from an experiment file; returns what was wrong, or null. */
  function loadFromJson(text: string): string | null {
    if (workshop.active) return 'a workshop is open: leave it first (the banner at the top), then open the draft';
    try {
      const parsed = Draft.safeParse(JSON.parse(text));
      if (!parsed.success) return describeIssues(parsed.error).slice(0, 4).join('; ');
      draft.value = parsed.data;
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }
  /** Replaces the whole draft (opening or leaving a workshop); locks still apply. */
  function replace(next: Draft): void {
    draft.value = cloneJson(next);
  }
  /** Back to the first draft, or in workshop mode to the workshop's experiment as the file has it. */
  function reset(): void {
    draft.value = workshop.baseline ? cloneJson(workshop.baseline) : defaultDraft();
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
    loadFromJson,
    replace,
    reset,
    experiment,
  };
});
