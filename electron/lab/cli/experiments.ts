/** Where `bnlab run` gets its experiment: a preset, an experiment file or a workshop file. */
import { readFileSync } from 'node:fs';
import type { RunDetail, RunSummary } from '../../../shared/api';
import { getPreset, presets, type Finding, type Preset } from '../../../shared/presets';
import { ExperimentSpec } from '../../../shared/spec/experiment';
import { parseSpec } from '../../../shared/spec/parse';
import { parseWorkshopFile } from '../../../shared/spec/workshop';
import { UserError } from '../api/dispatch';
import type { Lab } from '../lab';

export type CliFinding = Pick<Finding, 'id' | 'statement' | 'value' | 'unit'>;

/** The built-in experiments as `bnlab presets` lists them. */
export function listPresets(): Array<{ id: string; title: string; question: string; runCount: number }> {
  return presets.map((p) => ({ id: p.id, title: p.title, question: p.question, runCount: p.experiment({ quick: true }).runs.length }));
}

/** The preset with this id, if there is one. */
export function findPreset(target: string): Preset | undefined {
  return getPreset(target);
}

/** Reads an experiment (or a workshop file's experiment) from JSON, with errors naming the file. */
export function experimentFromFile(file: string): ExperimentSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `"${file}" is neither a preset id (see \`bnlab presets\`) nor an existing file` : `cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UserError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  // A workshop file carries its experiment (with prompts and locks the CLI has no use for).
  if (json && typeof json === 'object' && 'format' in json) return parseWorkshopFile(text, file).experiment;
  return parseSpec(ExperimentSpec, json, `experiment in ${file}`);
}

/** The preset's findings over the finished runs, as structured data. */
export function presetFindings(preset: Preset, lab: Lab, runs: RunSummary[]): CliFinding[] {
  const details: RunDetail[] = runs.map((r) => lab.store.getRun(r.id));
  const findings = preset.findings({
    runs: details.map((r) => ({ id: r.id, variant: r.variant, seed: r.seed, status: r.status, step: r.step, error: r.error, spec: r.spec })),
    series: (runId, key) => lab.store.series({ runIds: [runId], keys: [key] })[0] ?? null,
    snapshot: (runId) => lab.store.snapshot(runId),
  });
  return findings.map(({ id, statement, value, unit }) => ({ id, statement, value, unit }));
}

/** Every run shortened to `steps` (logging and evaluation kept within the run). */
export function withSteps(experiment: ExperimentSpec, steps: number): ExperimentSpec {
  return {
    ...experiment,
    runs: experiment.runs.map((run) => ({
      ...run,
      training: {
        ...run.training,
        duration: { steps },
        logEvery: Math.max(1, Math.min(run.training.logEvery, Math.floor(steps / 5) || 1)),
        evalEvery: Math.max(1, Math.min(run.training.evalEvery, steps)),
      },
    })),
  };
}
