/**
 * Workshop files (`.bnlab.json`): an instructor's experiment with the charts to show, questions
 * for participants, and controls locked or hidden (as TensorFlow Playground's classroom links do).
 * Opened by the app and by `bnlab run file.bnlab.json`; invalid or tampered files are refused
 * with a message that says what is wrong.
 */
import { z } from 'zod';
import { ChartSpec } from '../presets/charts';
import { ExperimentSpec } from './experiment';
import { describeIssues, SpecError } from './parse';

export const WORKSHOP_FORMAT = 'bnlab-workshop';
export const WORKSHOP_VERSION = 1;
/** Far above any workshop file (64 runs of 64 layers is well under 1 MB): a larger file is not one, and is not read. */
export const MAX_WORKSHOP_FILE_BYTES = 8 * 1024 * 1024;

/** Controls of the bench an instructor can lock or hide. */
export const WorkshopControl = z.enum(['model', 'normOptions', 'data', 'training', 'variants', 'seeds']);
export type WorkshopControl = z.infer<typeof WorkshopControl>;

const Controls = z.array(WorkshopControl).refine((list) => new Set(list).size === list.length, 'a control is listed twice');

export const WorkshopFile = z
  .object({
    format: z.literal(WORKSHOP_FORMAT),
    version: z.literal(WORKSHOP_VERSION),
    experiment: ExperimentSpec,
    /** The charts to show, in order (copied from a preset or chosen by the instructor): self-contained, so a later app shows the same. */
    charts: z.array(ChartSpec).max(40).default([]),
    /** Questions shown beside the charts. */
    prompts: z.array(z.string().min(1).max(1000)).max(20).default([]),
    /** Controls participants see but cannot change. */
    locked: Controls.default([]),
    /** Controls participants do not see (and so cannot change). */
    hidden: Controls.default([]),
  })
  .strict()
  .superRefine((file, ctx) => {
    // Charts must draw what this experiment has: a chart naming a variant or layer it lacks was edited by hand.
    const variants = new Set(file.experiment.runs.map((r) => r.variant));
    const layerIds = new Set(file.experiment.runs.flatMap((r) => r.model.layers.map((l) => l.id)));
    const chartIds = new Set<string>();
    file.charts.forEach((chart, i) => {
      if (chartIds.has(chart.id)) ctx.addIssue({ code: 'custom', path: ['charts', i, 'id'], message: `chart id "${chart.id}" is used twice` });
      chartIds.add(chart.id);
      (chart.variants ?? []).forEach((variant, j) => {
        if (!variants.has(variant)) ctx.addIssue({ code: 'custom', path: ['charts', i, 'variants', j], message: `no run of the experiment is variant "${variant}"` });
      });
      if (chart.kind === 'scatter' && !layerIds.has(chart.layerId)) {
        ctx.addIssue({ code: 'custom', path: ['charts', i, 'layerId'], message: `no model of the experiment has a layer "${chart.layerId}"` });
      }
    });
  });
export type WorkshopFile = z.infer<typeof WorkshopFile>;
export type WorkshopFileInput = z.input<typeof WorkshopFile>;

/** Parses a workshop file's text; throws a SpecError naming what is wrong. */
export function parseWorkshopFile(text: string, fileName = 'workshop file'): WorkshopFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SpecError(fileName, [`not valid JSON (${(error as Error).message})`]);
  }
  if (!json || typeof json !== 'object' || (json as { format?: unknown }).format !== WORKSHOP_FORMAT) {
    throw new SpecError(fileName, [`not a BatchNorm Lab workshop file (expected "format": "${WORKSHOP_FORMAT}")`]);
  }
  const version = (json as { version?: unknown }).version;
  if (version !== WORKSHOP_VERSION) {
    throw new SpecError(fileName, [typeof version === 'number' && version > WORKSHOP_VERSION ? `made by a newer BatchNorm Lab (version ${version}); update the app` : `unknown version ${JSON.stringify(version)}`]);
  }
  const result = WorkshopFile.safeParse(json);
  if (!result.success) throw new SpecError(fileName, describeIssues(result.error));
  return result.data;
}

/** A workshop file's text for an experiment. */
export function workshopFileText(file: WorkshopFileInput): string {
  return JSON.stringify(WorkshopFile.parse(file), null, 2) + '\n';
}
