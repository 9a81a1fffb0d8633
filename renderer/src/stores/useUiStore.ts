/** Which view is open and the theme; both survive a restart. */
import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { z } from 'zod';
import { loadPersisted, persistOnChange } from '../lib/persist';

export const VIEWS = ['experiments', 'build', 'watch', 'compare'] as const;
export type ViewName = (typeof VIEWS)[number];

const UiState = z.object({
  view: z.enum(VIEWS).default('build'),
  theme: z.enum(['light', 'dark']).default('light'),
});

export const useUiStore = defineStore('ui', () => {
  const prefersDark = typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches;
  const saved = loadPersisted('bnlab.ui.v1', UiState, () => ({ view: 'build' as ViewName, theme: prefersDark ? ('dark' as const) : ('light' as const) }));
  const view = ref<ViewName>(saved.value.view);
  const theme = ref<'light' | 'dark'>(saved.value.theme);
  const shortcutsOpen = ref(false);
  /** The dataset import form (also opened by File → Import dataset…). */
  const importOpen = ref(false);
  const aboutOpen = ref(false);
  /** A message for the user that is not tied to one place (menu commands, file problems). */
  const notice = ref<string | null>(null);

  watch(theme, (t) => (document.documentElement.dataset.theme = t), { immediate: true });
  persistOnChange('bnlab.ui.v1', () => ({ view: view.value, theme: theme.value }));

  function toggleTheme(): void {
    theme.value = theme.value === 'dark' ? 'light' : 'dark';
  }

  return { view, theme, shortcutsOpen, importOpen, aboutOpen, notice, toggleTheme };
});
