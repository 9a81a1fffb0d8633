/** Stable per-run (and per-group) colours, the same in every chart and view, changeable, kept across restarts. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { z } from 'zod';
import { assignColors } from '../../../shared/series/colors';
import { loadPersisted, persistOnChange } from '../lib/persist';

export const useRunColorsStore = defineStore('runColors', () => {
  const colors = ref<Record<string, string>>(loadPersisted('bnlab.colors.v1', z.record(z.string(), z.string()), () => ({})).value);
  persistOnChange('bnlab.colors.v1', colors);

  /** Gives colours to ids that have none yet (the least-used palette colours among `ids`). */
  function ensure(ids: readonly string[]): void {
    if (ids.every((id) => colors.value[id] !== undefined)) return;
    colors.value = assignColors(ids, colors.value);
  }
  function colorOf(id: string): string {
    return colors.value[id] ?? '#7f7f7f';
  }
  function setColor(id: string, color: string): void {
    colors.value = { ...colors.value, [id]: color };
  }
  return { colors, ensure, colorOf, setColor };
});
