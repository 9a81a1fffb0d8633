/** The preset registry: the built-in experiments and lookups by id. */
import type { PresetSummary } from '../api';
import { presets } from './catalog';
import type { Preset } from './types';

export { presets };
export type { ChartSpec, Finding, FindingRun, FindingsInput, Preset, PresetOptions } from './types';

/** The preset with this id, or undefined. */
export function getPreset(id: string): Preset | undefined {
  return presets.find((preset) => preset.id === id);
}

/** What lists of presets show. */
export function presetSummaries(): PresetSummary[] {
  return presets.map((preset) => ({
    id: preset.id,
    title: preset.title,
    question: preset.question,
    runCount: preset.experiment({ quick: true }).runs.length,
    ...(preset.citation ? { citation: preset.citation } : {}),
  }));
}
