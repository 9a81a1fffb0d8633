/** The preset registry: the built-in experiments, lookups by id, and a preset as a workshop file. */
import type { PresetSummary } from '../api';
import { WORKSHOP_FORMAT, WORKSHOP_VERSION, type WorkshopFile } from '../spec/workshop';
import { presets } from './catalog';
import type { Preset, PresetOptions } from './types';

export { presets };
export { ChartSpec as ChartSpecSchema, chartKeys } from './charts';
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

/** A preset as the start of a workshop file: its experiment, charts and prompts, nothing locked or hidden. */
export function presetWorkshop(preset: Preset, options: PresetOptions = { quick: true }): WorkshopFile {
  return {
    format: WORKSHOP_FORMAT,
    version: WORKSHOP_VERSION,
    experiment: preset.experiment(options),
    charts: preset.charts,
    prompts: preset.prompts,
    locked: [],
    hidden: [],
  };
}
