/** Chart colours from the page's CSS variables, so charts follow the light/dark theme. */
import type { ChartColors } from './lineOption';

let cached: { theme: string; colors: ChartColors } | null = null;

/** The current theme's chart colours (read once per theme). */
export function chartColors(): ChartColors {
  const theme = document.documentElement.dataset.theme ?? 'light';
  if (cached?.theme === theme) return cached.colors;
  const style = getComputedStyle(document.documentElement);
  const read = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const colors: ChartColors = {
    text: read('--text', '#1d2330'),
    muted: read('--muted', '#5b6475'),
    grid: read('--border', '#d9dde5'),
    surface: read('--surface', '#ffffff'),
  };
  cached = { theme, colors };
  return colors;
}
