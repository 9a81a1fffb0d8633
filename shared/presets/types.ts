/** What a built-in experiment is: the question, the runs, the charts that answer it, its findings. */
import type { NormSnapshot, RunStatus } from '../engine/frame';
import type { ExperimentSpec, RunSpec } from '../spec/experiment';
import type { ChartSpec } from './charts';

export type { ChartSpec };

/** A statement computed from the runs, with the numbers it rests on. */
export interface Finding {
  id: string;
  statement: string;
  value: number | null;
  unit: string;
  evidence: Array<{ runId?: string; key?: string; step?: number }>;
}

/** One run as findings see it: what it was, what happened to it (step: the last step it reached, where it diverged if it did). */
export interface FindingRun {
  id: string;
  variant: string;
  seed: number;
  status: RunStatus;
  step: number;
  error: string | null;
  spec: RunSpec;
}

/** What findings read: the runs, their series and end-of-run snapshots. */
export interface FindingsInput {
  runs: FindingRun[];
  series(runId: string, key: string): { steps: number[]; values: number[] } | null;
  snapshot(runId: string): NormSnapshot | null;
}

export interface PresetOptions {
  /** The short workshop version (≤ 2 minutes on a 2-core laptop). */
  quick?: boolean;
  /** Every run shortened to this many steps (CI's reduced mode, `bnlab run --steps`). */
  steps?: number;
}

export interface Preset {
  id: string;
  title: string;
  question: string;
  /** What the experiment does, in two or three sentences. */
  summary: string;
  varied: string;
  heldFixed: string;
  citation?: string;
  /** KaTeX sources of the relevant maths. */
  math: string[];
  /** Questions for participants to answer from the charts (workshop mode). */
  prompts: string[];
  experiment(options?: PresetOptions): ExperimentSpec;
  charts: ChartSpec[];
  findings(input: FindingsInput): Finding[];
}
