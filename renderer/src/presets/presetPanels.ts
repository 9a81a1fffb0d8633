/** A preset's declared charts as the bench's chart panels (lines, and p15–p85 bands around p50). */
import type { ChartSpec } from '../../../shared/presets';
import type { ChartPanel } from '../charts/panels';

const LOWER_IS_BETTER = /loss|undo\/distance|landscape|grad\//;

/** The panel for a line or band chart; scatter charts are drawn from snapshots instead (null). */
export function presetPanel(chart: ChartSpec): ChartPanel | null {
  if (chart.kind === 'scatter') return null;
  const goal = chart.keys.every((k) => LOWER_IS_BETTER.test(k)) ? 'min' : 'max';
  if (chart.kind === 'band') {
    const [lo, mid, hi] = chart.keys;
    return { id: chart.id, title: chart.title, ...(chart.note ? { hint: chart.note } : {}), lines: [{ key: mid, label: '50th percentile', dash: 'solid' }], bands: [{ lo, hi, label: '15th–85th percentile' }], goal, logDefault: false };
  }
  const dashes = ['solid', 'dashed', 'dotted'] as const;
  return {
    id: chart.id,
    title: chart.title,
    ...(chart.note ? { hint: chart.note } : {}),
    lines: chart.keys.map((key, i) => ({ key, label: key, dash: dashes[i % dashes.length]! })),
    bands: [],
    goal,
    logDefault: chart.logY ?? false,
  };
}
