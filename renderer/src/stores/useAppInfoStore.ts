/** What the lab reports about itself: versions, engine backends, where data lives. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { AppInfo } from '../../../shared/api';
import { lab } from '../lab/client';

export const useAppInfoStore = defineStore('appInfo', () => {
  const info = ref<AppInfo | null>(null);
  const error = ref<string | null>(null);

  async function load(): Promise<void> {
    try {
      info.value = await lab.app.info();
      error.value = null;
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    }
  }

  return { info, error, load };
});
