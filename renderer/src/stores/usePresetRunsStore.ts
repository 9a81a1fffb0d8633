/** Which preset's page is open, which experiment each preset last started (survives a restart), and starting one. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { z } from 'zod';
import { getPreset, presets } from '../../../shared/presets';
import { lab } from '../lab/client';
import { loadPersisted, persistOnChange } from '../lib/persist';
import { useRunsStore } from './useRunsStore';

const Saved = z.record(z.string(), z.object({ experimentId: z.string(), runIds: z.array(z.string()), quick: z.boolean() }));

export const usePresetRunsStore = defineStore('presetRuns', () => {
  const saved = loadPersisted('bnlab.presetRuns.v1', Saved, () => ({}));
  const started = ref(saved.value);
  const error = ref<string | null>(null);
  /** The preset whose page is open (File → Save saves it as a workshop file from there). */
  const selectedId = ref(presets[0]!.id);
  persistOnChange('bnlab.presetRuns.v1', () => started.value);

  /** Starts the preset's quick or full experiment. */
  async function start(presetId: string, quick: boolean): Promise<void> {
    const preset = getPreset(presetId);
    if (!preset) return;
    try {
      const { experimentId, runIds } = await lab.experiments.start({ experiment: preset.experiment({ quick }) });
      started.value = { ...started.value, [presetId]: { experimentId, runIds, quick } };
      error.value = null;
      await useRunsStore().refresh();
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    }
  }

  return { started, error, selectedId, start };
});
