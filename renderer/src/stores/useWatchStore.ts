/** The runs being watched (by default the experiment just started) and how the live charts are drawn. */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { z } from 'zod';
import { loadPersisted, persistOnChange } from '../lib/persist';
import { useRunsStore } from './useRunsStore';
import { useRunColorsStore } from './useRunColorsStore';
import { plotEntries } from '../compare/entries';
import type { PlotSettings } from '../charts/plot';

const WatchState = z.object({
  runIds: z.array(z.string()).default([]),
  smoothing: z.number().min(0).max(0.99).default(0),
  logPanels: z.record(z.string(), z.boolean()).default({}),
});

export const useWatchStore = defineStore('watch', () => {
  const runsStore = useRunsStore();
  const colors = useRunColorsStore();
  const state = ref(loadPersisted('bnlab.watch.v1', WatchState, () => WatchState.parse({})).value);
  persistOnChange('bnlab.watch.v1', state);

  const watchedRuns = computed(() => {
    const byId = new Map(runsStore.runs.map((r) => [r.id, r]));
    return state.value.runIds.map((id) => byId.get(id)).filter((r) => r !== undefined);
  });
  const entries = computed(() => plotEntries(watchedRuns.value, { group: false, colorOf: (id) => colors.colorOf(id), epochsPerStep: () => null }));

  function watch(runIds: string[]): void {
    state.value.runIds = runIds;
    colors.ensure(runIds);
  }
  function plotSettings(panelId: string, logDefault: boolean): PlotSettings {
    return { smoothing: state.value.smoothing, xAxis: 'step', log: state.value.logPanels[panelId] ?? logDefault, ignoreOutliers: false, band: 'minmax' };
  }
  function setLog(panelId: string, log: boolean): void {
    state.value.logPanels = { ...state.value.logPanels, [panelId]: log };
  }
  return { state, watchedRuns, entries, watch, plotSettings, setLog };
});
