/**
 * Messages between a training-worker host and the engine running inside it. Node worker threads
 * and hidden GPU windows speak exactly these, so the runner never knows which host it drives.
 */
import type { RunSpec } from '../spec/experiment';
import type { Backend, MetricFrame, NormSnapshot } from './frame';

/** A dataset as typed arrays (row-major examples), handed to workers without copying pixels through JSON. */
export interface DatasetArrays {
  /** Shape of one example: [features] or [height, width, channels]. */
  inputShape: number[];
  numClasses: number;
  classNames?: string[];
  train: { x: Float32Array; y: Int32Array };
  /** Examples set aside from training (DataSpec.validationFraction), evaluated beside the test set; absent when none. */
  validation?: { x: Float32Array; y: Int32Array };
  test: { x: Float32Array; y: Int32Array };
}

export type ToWorker =
  | { type: 'start'; runId: string; spec: RunSpec; data: DatasetArrays }
  | { type: 'cancel'; runId: string }
  /** Batch inspector: stop after the current step, then advance one step per `stepOnce`. */
  | { type: 'pause'; runId: string }
  | { type: 'resume'; runId: string }
  | { type: 'stepOnce'; runId: string }
  | { type: 'inspect'; runId: string; layerId: string };

export type RunEndStatus = 'finished' | 'diverged' | 'failed' | 'cancelled';

export interface RunProgress {
  step: number;
  totalSteps: number;
  stepsPerSecond: number;
  /** Seconds left at the current speed; null until it can be estimated. */
  etaSeconds: number | null;
  paused: boolean;
}

/** One batch through one norm layer: the formula made visible. */
export interface BatchInspection {
  layerId: string;
  step: number;
  units: number[];
  /** Per tracked unit: the batch's raw inputs, x̂ and y values. */
  inputs: number[][];
  normalized: number[][];
  outputs: number[][];
  batchMean: number[];
  batchVar: number[];
  runningMean: number[];
  runningVar: number[];
  gamma: number[];
  beta: number[];
  epsilon: number;
}

/**
 * Class probabilities of a 2-D model on a grid over its inputs (after input scale and shift):
 * cell (row r from the bottom, column c) is at x = lo + (c + ½)·w, y = lo + (r + ½)·w with
 * w = (hi − lo)/resolution; `probs` is row-major, resolution × resolution × classes.
 */
export interface DecisionBoundary {
  step: number;
  range: [number, number];
  resolution: number;
  classes: number;
  probs: number[];
}

export type FromWorker =
  | { type: 'ready'; backend: Backend }
  | { type: 'started'; runId: string; backend: Backend; totalSteps: number }
  | { type: 'frame'; runId: string; frame: MetricFrame }
  | { type: 'progress'; runId: string; progress: RunProgress }
  | { type: 'snapshot'; runId: string; snapshot: NormSnapshot }
  | { type: 'inspection'; runId: string; inspection: BatchInspection }
  | { type: 'boundary'; runId: string; boundary: DecisionBoundary }
  | { type: 'ended'; runId: string; status: RunEndStatus; step: number; message?: string };
