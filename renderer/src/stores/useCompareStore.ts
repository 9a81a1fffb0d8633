/**
 * The open comparison: which runs, how they are drawn (overlay or side by side, smoothing, axes,
 * groups) and what is hidden. It survives restarts; run data itself comes from the runs store.
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { z } from 'zod';
import { loadPersisted, persistOnChange } from '../lib/persist';
import { useRunsStore } from './useRunsStore';
import { useRunColorsStore } from './useRunColorsStore';
import { useDatasetsStore } from './useDatasetsStore';
import { epochsPerStep, plotEntries, trainCountOf } from '../compare/entries';
import type { PlotEntry, PlotSettings } from '../charts/plot';
import { getPreset } from '../../../shared/presets';

const CompareState = z.object({
  runIds: z.array(z.string()).default([]),
  hidden: z.array(z.string()).default([]),
  layout: z.enum(['overlay', 'sideBySide']).default('overlay'),
  smoothing: z.number().min(0).max(0.99).default(0.6),
  xAxis: z.enum(['step', 'epoch', 'wall']).default('step'),
  /** Per-panel log/linear choice; panels without one use their default. */
  logPanels: z.record(z.string(), z.boolean()).default({}),
  ignoreOutliers: z.boolean().default(false),
  groupSeeds: z.boolean().default(true),
  band: z.enum(['minmax', 'std']).default('minmax'),
  filter: z.string().default(''),
  targetAccuracy: z.number().min(0).max(1).default(0.9),
  diffOnly: z.boolean().default(true),
  /** The hover tooltip lists runs largest value first, or nearest the pointer first. */
  tooltipOrder: z.enum(['value', 'nearest']).default('value'),
});
export type CompareState = z.infer<typeof CompareState>;

export const useCompareStore = defineStore('compare', () => {
  const runsStore = useRunsStore();
  const colors = useRunColorsStore();
  const datasets = useDatasetsStore();
  const state = ref<CompareState>(loadPersisted('bnlab.compare.v1', CompareState, () => CompareState.parse({})).value);
  persistOnChange('bnlab.compare.v1', state);

  /** Selected runs that still exist, in selection order. */
  const selectedRuns = computed(() => {
    const byId = new Map(runsStore.runs.map((r) => [r.id, r]));
    return state.value.runIds.map((id) => byId.get(id)).filter((r) => r !== undefined);
  });

  const entries = computed<PlotEntry[]>(() => {
    const runs = selectedRuns.value;
    const list = plotEntries(runs, {
      group: state.value.groupSeeds,
      colorOf: (id) => colors.colorOf(id),
      epochsPerStep: (id) => {
        const detail = runsStore.details[id];
        return epochsPerStep(detail, detail && trainCountOf(detail.spec, datasets.datasets));
      },
    });
    return list;
  });
  const visibleEntries = computed(() => entries.value.filter((e) => !state.value.hidden.includes(e.id)));

  /** The built-in question the selected runs answer, when they all come from one preset. */
  const preset = computed(() => {
    const ids = new Set(selectedRuns.value.map((r) => runsStore.details[r.id]?.presetId ?? null));
    const [only] = [...ids];
    return ids.size === 1 && only ? (getPreset(only) ?? null) : null;
  });

  /** The colour a run is drawn in right now: its seed group's when grouped, else its own. */
  function colorOfRun(runId: string): string {
    return entries.value.find((e) => e.runIds.includes(runId))?.color ?? colors.colorOf(runId);
  }

  function plotSettings(panelId: string, logDefault: boolean): PlotSettings {
    return {
      smoothing: state.value.smoothing,
      xAxis: state.value.xAxis,
      log: state.value.logPanels[panelId] ?? logDefault,
      ignoreOutliers: state.value.ignoreOutliers,
      band: state.value.band,
      tooltipOrder: state.value.tooltipOrder,
    };
  }

  function select(runIds: string[]): void {
    state.value.runIds = [...new Set(runIds)];
    colors.ensure(state.value.runIds);
    void loadDetails();
  }
  function toggleRun(runId: string): void {
    select(state.value.runIds.includes(runId) ? state.value.runIds.filter((id) => id !== runId) : [...state.value.runIds, runId]);
  }
  function toggleHidden(entryId: string): void {
    const h = state.value.hidden;
    state.value.hidden = h.includes(entryId) ? h.filter((id) => id !== entryId) : [...h, entryId];
  }
  function setLog(panelId: string, log: boolean): void {
    state.value.logPanels = { ...state.value.logPanels, [panelId]: log };
  }
  async function loadDetails(): Promise<void> {
    await Promise.all(state.value.runIds.map((id) => runsStore.loadDetail(id).catch(() => null)));
  }

  /** Group colours must exist too: give them when groups appear. */
  function ensureColors(): void {
    colors.ensure(entries.value.map((e) => e.id));
  }

  return { state, selectedRuns, entries, preset, colorOfRun, visibleEntries, plotSettings, select, toggleRun, toggleHidden, setLog, loadDetails, ensureColors };
});
