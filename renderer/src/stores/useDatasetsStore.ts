/** The datasets the lab can train on: built-in and imported, kept fresh on `datasetsChanged`. */
import { defineStore } from 'pinia';
import { ref } from 'vue';
import type { DatasetInfo } from '../../../shared/api';
import { lab } from '../lab/client';

export const useDatasetsStore = defineStore('datasets', () => {
  const datasets = ref<DatasetInfo[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      datasets.value = await lab.datasets.list();
      error.value = null;
    } catch (e) {
      error.value = e instanceof Error ? e.message : String(e);
    } finally {
      loading.value = false;
    }
  }

  lab.onEvent((event) => {
    if (event.type === 'datasetsChanged') void refresh();
  });

  return { datasets, loading, error, refresh };
});
