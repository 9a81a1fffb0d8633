/**
 * The training loop and its instruments. One `Trainer` owns a model, its data and optimizer. It
 * steps without reading anything back from the device: each step's loss and hit count stay on
 * the device and are read in one go at frame steps (every `logEvery` and `evalEvery` steps and
 * the last) and at divergence checks, so the exact step a loss stopped being finite is known.
 * `runTraining` drives a Trainer for a host.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { RunSpec } from '../spec/experiment';
import { MAX_EVAL_BATCHES } from '../spec/training';
import { metricKey, type Backend, type MetricFrame, type NormSnapshot } from './frame';
import { countCorrect, exampleLosses, fillOneHot, hits, lossAndGradient, lossGradient } from './loss';
import { buildModel, layerForward, type LayerCache, type Model, type Pass, type PassRecord } from './model';
import { flushRunningStats, queueRunningStats, standardizes, type NormBatch } from './norm';
import type { Tensor, Tf } from './ops';
import { createOptimizer, learningRateAt, maskGradient, type OptimizerState } from './optimizers';
import type { BatchInspection, DatasetArrays, DecisionBoundary, RunEndStatus, RunProgress } from './protocol';
import { Rng } from './random';
import { percentile, summarize, trackedUnits, undoMeasure } from './stats';

export interface TrainingHooks {
  onStarted?(info: { backend: Backend; totalSteps: number }): void;
  /** The trainer itself while it exists (null after), for the batch inspector's questions. */
  onTrainer?(trainer: Trainer | null): void;
  onFrame(frame: MetricFrame): void;
  onProgress?(progress: RunProgress): void;
  onSnapshot?(snapshot: NormSnapshot): void;
  /** For 2-D inputs: the model's class regions at every evaluation (the decision-boundary view). */
  onBoundary?(boundary: DecisionBoundary): void;
  isCancelled(): boolean;
  /** Batch inspector: resolves when the loop may take its next step (a paused run waits here). */
  waitForStep?(): Promise<void>;
  isPaused?(): boolean;
}

export interface RunOutcome {
  status: RunEndStatus;
  step: number;
  message?: string;
}

/** How many optimizer steps a run takes on `trainCount` training examples (before trainLimit). */
export function countSteps(spec: RunSpec, trainCount: number): number {
  const { duration, batchSize } = spec.training;
  if ('steps' in duration) return duration.steps;
  const examples = Math.min(trainCount, spec.data.trainLimit ?? Infinity);
  // An epoch is every full batch of the (limited) training set; the last partial batch is dropped.
  return Math.max(1, Math.ceil(duration.epochs * Math.floor(examples / batchSize)));
}

/** What a frame step keeps for the instruments until the frame is read. */
interface StepRecord extends PassRecord {
  batchStats: Map<string, NormBatch>;
  /** Σ g² per layer, in the order of `gradLayers`. */
  gradSquares: Tensor | null;
  gradLayers: string[];
  /** What the recorded gradients were multiplied by (lr when the optimizer takes them prescaled). */
  gradScale: number;
}

/** Steps between reads of the per-step losses when no frame is due: bounds how long a diverged run goes on. */
const CHECK_EVERY = 100;
/** Per-step scalars are stacked into one tensor every this many steps (fewer live tensors). */
const CHUNK = 32;

export class Trainer {
  readonly model: Model;
  readonly totalSteps: number;
  readonly backend: Backend;
  step = 0;
  private readonly tf: Tf;
  private readonly optimizer: OptimizerState;
  private readonly trainable: tfc.Variable[];
  /** Layer id of each trainable variable. */
  private readonly trainableLayer: string[];
  /** Each trainable variable's update mask (null: every entry trains). */
  private readonly trainableMask: Array<Tensor | null>;
  /** Parameter values that train (masked-out entries not counted). */
  readonly trainableCount: number;
  private readonly trainIndex: Int32Array;
  private readonly batchX: Float32Array;
  private readonly batchY: Int32Array;
  private readonly batchOneHot: Float32Array;
  private readonly exampleSize: number;
  private readonly noiseRng: Rng;
  private order: Int32Array = new Int32Array(0);
  private cursor = 0;
  private epoch = 0;
  /**
   * Per-step logits and labels whose loss and hit count are not yet computed (they are, for CHUNK
   * steps at once: a step's own would cost a dozen kernels), and chunks of computed losses and hit
   * counts not yet read.
   */
  private pending: Array<{ logits: Tensor; labels: Int32Array }> = [];
  private chunks: Array<{ loss: Tensor; correct: Tensor }> = [];
  /** Values read back since the last frame, one per step from `lastFrameStep + 1`. */
  private losses: number[] = [];
  private correct: number[] = [];
  private lastRecord: StepRecord | null = null;
  private readonly started = Date.now();
  private lastFrameTime = Date.now();
  private lastFrameStep = 0;
  private readonly tracked = new Map<string, number[]>();

  constructor(
    tf: Tf,
    readonly spec: RunSpec,
    private readonly data: DatasetArrays,
  ) {
    this.tf = tf;
    const { training, data: dataSpec } = spec;
    this.exampleSize = data.inputShape.reduce((a, b) => a * b, 1);
    const n = data.train.y.length;
    for (const [name, split] of [
      ['training', data.train],
      ['test', data.test],
      ...(data.validation ? [['validation', data.validation] as const] : []),
    ] as const) {
      if (split.x.length !== split.y.length * this.exampleSize) throw new Error(`the ${name} inputs hold ${split.x.length} values, expected ${split.y.length} examples × ${this.exampleSize}`);
      // A label out of range would silently land in the next example's one-hot row.
      const bad = split.y.findIndex((label) => !(label >= 0 && label < data.numClasses));
      if (bad >= 0) throw new Error(`${name} example ${bad} has label ${split.y[bad]}, outside the dataset's ${data.numClasses} classes (0–${data.numClasses - 1})`);
    }
    const limit = Math.min(n, dataSpec.trainLimit ?? n);
    // trainLimit takes a seeded random subset, so a quick variant still sees every class.
    this.trainIndex = limit < n ? Rng.derive(training.seed, 'subset').permutation(n).slice(0, limit) : Int32Array.from({ length: n }, (_, i) => i);
    if (training.batchSize > this.trainIndex.length) {
      throw new Error(`the batch size ${training.batchSize} is larger than the ${this.trainIndex.length} training examples; choose a batch size of at most ${this.trainIndex.length}`);
    }
    const evaluated = Math.min(data.test.y.length, dataSpec.evalLimit ?? Infinity);
    if (training.evalBatchSize !== undefined && training.evalBatchSize > evaluated) {
      throw new Error(`the eval batch size ${training.evalBatchSize} is larger than the ${evaluated} held-out examples evaluated; choose an eval batch size of at most ${evaluated}`);
    }
    this.totalSteps = countSteps(spec, n);
    this.model = buildModel(tf, spec.model, data.inputShape, data.numClasses, training.seed, { trainable: training.trainable });
    const trainableParams = this.model.params.filter((p) => p.variable.trainable);
    if (trainableParams.length === 0) {
      this.model.dispose();
      throw new Error('nothing to train: every parameter is fixed (check which parameters train, and the γ/β settings)');
    }
    this.trainable = trainableParams.map((p) => p.variable);
    this.trainableLayer = trainableParams.map((p) => p.layerId);
    this.trainableMask = trainableParams.map((p) => p.mask ?? null);
    this.trainableCount = trainableParams.reduce((sum, p) => sum + (p.mask ? Array.from(p.mask.dataSync() as Float32Array).reduce((a, b) => a + b, 0) : p.variable.size), 0);
    this.optimizer = createOptimizer(tf, this.model.constants, training.optimizer, this.trainable, training.weightDecay, trainableParams.map((p) => p.name === 'kernel'), this.trainableMask);
    this.batchX = new Float32Array(training.batchSize * this.exampleSize);
    this.batchY = new Int32Array(training.batchSize);
    this.batchOneHot = new Float32Array(training.batchSize * data.numClasses);
    this.noiseRng = Rng.derive(training.seed, 'noise');
    this.backend = tf.getBackend() as Backend;
    for (const layer of this.model.layers) {
      // An activation layer's tracked units are those of its input (the pre-activation).
      const shape = layer.spec.kind === 'activation' ? layer.inShape : layer.outShape;
      this.tracked.set(layer.spec.id, trackedUnits(shape[shape.length - 1]!, training.diagnostics.trackUnits));
    }
  }

  /** One optimizer step; with `record` the step keeps what the instruments need. */
  trainStep(record: boolean): void {
    const { tf, spec } = this;
    const { training } = spec;
    const k = this.model.constants;
    const lr = learningRateAt(training.learningRate, training.schedule, this.step, this.totalSteps);
    this.nextBatch();
    const batchStats = new Map<string, NormBatch>();
    const pass: Pass = { training: true, rng: this.noiseRng, tape: [], batchStats, ...(record ? { record: { preActivations: new Map(), outputs: new Map() } } : {}) };
    const gradLayers: string[] = [];
    const recordedStats = new Map<string, NormBatch>();
    const result = tf.tidy(() => {
      const x = this.inputTensor(this.batchX, training.batchSize);
      const logits = this.model.forward(x, pass);
      const oneHot = tf.tensor2d(this.batchOneHot, [training.batchSize, this.data.numClasses]);
      // Every gradient is linear in ∂ℓ/∂logits: scaling it by lr here scales them all.
      const seed = lossGradient(tf, k, training.loss, logits, oneHot, this.optimizer.prescaled ? lr : 1, training.schedule.kind !== 'constant');
      const grads = this.model.backward(pass.tape!, seed);
      const gradList = this.trainable.map((v) => grads.get(v)!);
      const gradSquares = record ? [this.gradSquares(gradList, gradLayers)] : [];
      this.optimizer.apply(gradList, lr);
      for (const layer of this.model.layers) {
        const stats = layer.norm && batchStats.get(layer.spec.id);
        if (!stats) continue;
        queueRunningStats(tf, layer.norm!, stats);
        // The record keeps tensors of its own: the queue frees its ones when it folds them in.
        if (record) recordedStats.set(layer.spec.id, { ...stats, mean: tf.keep(tf.clone(stats.mean)), variance: tf.keep(tf.clone(stats.variance)) });
      }
      if (record) {
        // A frame reads the running statistics: they are brought up to date now.
        this.flushRunningStats();
        for (const t of pass.record!.preActivations.values()) tf.keep(t);
        for (const t of pass.record!.outputs.values()) tf.keep(t);
      }
      // The record frees its outputs (the logits among them), so pending keeps a copy of its own then.
      return { logits: record ? tf.clone(logits) : logits, gradSquares };
    });
    this.disposeRecord();
    if (record) this.lastRecord = { ...pass.record!, batchStats: recordedStats, gradSquares: result.gradSquares[0] ?? null, gradLayers, gradScale: this.optimizer.prescaled ? lr : 1 };
    this.pending.push({ logits: result.logits, labels: this.batchY.slice() });
    if (this.pending.length === CHUNK) this.stackPending();
    this.step++;
  }

  /** Whether step `step` (1-based) gets a frame. */
  isFrameStep(step: number): boolean {
    const { logEvery, evalEvery } = this.spec.training;
    return step % logEvery === 0 || step % evalEvery === 0 || step === this.totalSteps;
  }

  /** Reads the per-step losses taken since the last read; the first step whose loss is NaN/Inf, if any. */
  async checkDivergence(): Promise<number | null> {
    const { tf } = this;
    this.stackPending();
    if (this.chunks.length === 0) return this.firstBadStep();
    const losses = tf.concat(this.chunks.map((c) => c.loss));
    const correct = tf.concat(this.chunks.map((c) => c.correct));
    tf.dispose(this.chunks.flatMap((c) => [c.loss, c.correct]));
    this.chunks = [];
    const [lossValues, correctValues] = await Promise.all([losses.data(), correct.data()]);
    tf.dispose([losses, correct]);
    for (let i = 0; i < lossValues.length; i++) {
      this.losses.push(lossValues[i]!);
      this.correct.push(correctValues[i]!);
    }
    return this.firstBadStep();
  }

  /**
   * The frame for the steps since the last one, or `diverged` with the exact step when the loss
   * became NaN/Inf (or a parameter stopped being finite).
   */
  async frame(): Promise<{ frame: MetricFrame } | { diverged: number; message: string }> {
    const bad = await this.checkDivergence();
    if (bad !== null) return { diverged: bad, message: this.divergenceMessage(bad) };
    const { training } = this.spec;
    const values: Record<string, number> = {};
    const steps = Math.max(1, this.losses.length);
    values[metricKey.trainLoss] = this.losses.reduce((a, b) => a + b, 0) / steps;
    values[metricKey.trainAcc] = this.correct.reduce((a, b) => a + b, 0) / (steps * training.batchSize);
    values[metricKey.learningRate] = learningRateAt(training.learningRate, training.schedule, this.step - 1, this.totalSteps);
    values[metricKey.trainableParams] = this.trainableCount;
    const now = Date.now();
    values[metricKey.stepsPerSecond] = ((this.step - this.lastFrameStep) * 1000) / Math.max(1, now - this.lastFrameTime);
    this.lastFrameTime = now;
    this.lastFrameStep = this.step;
    this.losses = [];
    this.correct = [];

    const parametersFinite = await this.instruments(values);
    if (!parametersFinite) return { diverged: this.step, message: `a parameter became NaN or infinite by step ${this.step}` };
    if (this.isEvalStep()) Object.assign(values, await this.evaluate());
    // Frames carry finite numbers only (the MetricFrame schema, and JSON, have no NaN/∞): a value
    // that is not finite (say an eval loss overflowing in eval mode) is left out, not stored as junk.
    for (const [key, value] of Object.entries(values)) if (!Number.isFinite(value)) delete values[key];
    return { frame: { step: this.step, epoch: this.epochProgress(), wallMs: Date.now() - this.started, values } };
  }

  /** Whether the current step is one with a held-out evaluation. */
  isEvalStep(): boolean {
    return this.step % this.spec.training.evalEvery === 0 || this.step === this.totalSteps;
  }

  /**
   * Held-out loss and accuracy in eval mode (and with batch statistics when the model normalizes),
   * plus eval-mode loss and accuracy on the validation split when there is one.
   */
  async evaluate(): Promise<Record<string, number>> {
    const { tf } = this;
    const k = this.model.constants;
    const { batchSize, evalBatchSize, loss: lossKind } = this.spec.training;
    // The batches whose statistics normalize, where batch statistics are used.
    const statsBatch = evalBatchSize ?? batchSize;
    // Small eval batches mean many passes: an evaluation reads at most MAX_EVAL_BATCHES of them.
    const examplesOf = (split: { y: Int32Array }) => Math.min(split.y.length, this.spec.data.evalLimit ?? split.y.length, evalBatchSize ? MAX_EVAL_BATCHES * evalBatchSize : Infinity);
    const test = this.data.test;
    const n = examplesOf(test);
    if (n === 0) return {};
    const normLayers = this.model.layers.filter((l) => l.spec.kind === 'norm' && standardizes(l.spec));
    const pass = async (batchStatistics: boolean, split: { x: Float32Array; y: Int32Array } = test, count = n) => {
      // Whenever batch statistics are in play, evaluate in batches of the training batch size, so the
      // statistics mean the same thing; an explicit eval batch size applies to every pass.
      const chunk = evalBatchSize ?? (batchStatistics || normLayers.some((l) => l.spec.kind === 'norm' && l.spec.evalUseBatchStats) ? batchSize : this.evalChunk());
      const usable = chunk === statsBatch ? Math.floor(count / chunk) * chunk : count;
      // Fewer examples than one batch of batch statistics: nothing can be evaluated.
      if (usable === 0) return null;
      const partial: Tensor[] = [];
      for (let start = 0; start < usable; start += chunk) {
        const size = Math.min(chunk, usable - start);
        partial.push(
          tf.tidy(() => {
            const x = this.inputTensor(split.x.subarray(start * this.exampleSize, (start + size) * this.exampleSize), size);
            const labels = split.y.subarray(start, start + size);
            const logits = this.model.forward(x, { training: false, evalBatchStats: batchStatistics });
            const oneHot = tf.tensor2d(fillOneHot(labels, this.data.numClasses, new Float32Array(size * this.data.numClasses)), [size, this.data.numClasses]);
            const { loss } = lossAndGradient(tf, k, lossKind, logits, oneHot, false);
            return tf.stack([tf.mul(loss, size), tf.cast(countCorrect(tf, logits, tf.tensor1d(labels, 'int32')), 'float32')]);
          }),
        );
      }
      const sums = await readOnce(tf.tidy(() => tf.sum(tf.stack(partial), 0)));
      tf.dispose(partial);
      return { loss: sums[0]! / Math.max(1, usable), acc: sums[1]! / Math.max(1, usable), examples: usable };
    };
    const evalMode = await pass(false);
    const out: Record<string, number> = evalMode ? { [metricKey.testLoss]: evalMode.loss, [metricKey.testAcc]: evalMode.acc, [metricKey.testExamples]: evalMode.examples } : {};
    if (normLayers.length > 0 && n >= statsBatch) out[metricKey.testAccBatchStats] = (await pass(true))!.acc;
    const validation = this.data.validation;
    const validationMode = validation && (await pass(false, validation, examplesOf(validation)));
    if (validationMode) Object.assign(out, { [metricKey.validationLoss]: validationMode.loss, [metricKey.validationAcc]: validationMode.acc });
    return out;
  }

  /**
   * Examples per eval batch: up to 1000, fewer when one example's largest activation is big, so a
   * chunk's activations stay around 16 MB (wasm memory only ever grows).
   */
  private evalChunk(): number {
    const largest = Math.max(...this.model.layers.map((l) => l.outShape.reduce((a, b) => a * b, 1)));
    return Math.max(1, Math.min(1000, Math.floor(2 ** 22 / largest)));
  }

  /**
   * Per-unit γ, β and statistics of every norm layer that transforms (scatter plots of γ vs
   * √(σ²+ε), β vs μ). Batch statistics are those of the last recorded step; empty if there was none.
   */
  /** Whether examples are 2-D points (the decision boundary can be drawn). */
  inputIs2d(): boolean {
    return this.data.inputShape.length === 1 && this.data.inputShape[0] === 2;
  }

  /**
   * Class probabilities on a resolution × resolution grid covering the training points as the
   * network sees them (after scale and shift), in eval mode. The grid is fed to the network as it
   * is: it is already in input coordinates.
   */
  async boundary(resolution: number): Promise<DecisionBoundary> {
    const { tf } = this;
    const { inputScale, inputShift } = this.spec.data;
    const xs = this.data.train.x;
    let extent = 0;
    for (let i = 0; i < xs.length; i++) extent = Math.max(extent, Math.abs(xs[i]! * inputScale + inputShift));
    const hi = extent * 1.1 || 1;
    const range: [number, number] = [-hi, hi];
    const width = (range[1] - range[0]) / resolution;
    const grid = new Float32Array(resolution * resolution * 2);
    for (let r = 0; r < resolution; r++) {
      for (let c = 0; c < resolution; c++) {
        grid[2 * (r * resolution + c)] = range[0] + (c + 0.5) * width;
        grid[2 * (r * resolution + c) + 1] = range[0] + (r + 0.5) * width;
      }
    }
    const probs = await readOnce(tf.tidy(() => tf.softmax(this.model.forward(tf.tensor2d(grid, [resolution * resolution, 2]), { training: false }))));
    return { step: this.step, range, resolution, classes: this.data.numClasses, probs: Array.from(probs) };
  }

  async snapshot(): Promise<NormSnapshot> {
    this.flushRunningStats();
    const layers: NormSnapshot['layers'] = [];
    for (const layer of this.model.layers) {
      if (!layer.norm || layer.spec.kind !== 'norm' || layer.spec.mode === 'none') continue;
      const norm = layer.norm;
      const batch = this.lastRecord?.batchStats.get(layer.spec.id);
      // Absent γ/β act as 1 and 0.
      const read = async (t: Tensor | null, fill: number) => (t ? Array.from(await t.data()) : new Array<number>(norm.units).fill(fill));
      layers.push({
        id: layer.spec.id,
        gamma: await read(norm.gamma, 1),
        beta: await read(norm.beta, 0),
        runningMean: await read(norm.runningMean, 0),
        runningVar: await read(norm.runningVar, 1),
        batchMean: batch ? Array.from(await batch.mean.data()) : [],
        batchVar: batch ? Array.from(await batch.variance.data()) : [],
        epsilon: layer.spec.epsilon,
      });
    }
    return { step: this.step, layers };
  }

  /**
   * The last training batch through one norm layer, unit by unit (current weights, no update):
   * inputs, μ_B, σ²_B, x̂ and y — the formula made visible.
   */
  async inspect(layerId: string): Promise<BatchInspection> {
    const { tf } = this;
    const index = this.model.layers.findIndex((l) => l.spec.id === layerId);
    const layer = this.model.layers[index];
    if (!layer?.norm || layer.spec.kind !== 'norm') throw new Error(`"${layerId}" is not a normalization layer of this model`);
    const spec = layer.spec;
    const norm = layer.norm;
    flushRunningStats(tf, norm);
    const batchSize = this.spec.training.batchSize;
    // Training-mode statistics without dropout or noise: what this layer sees of this batch.
    const pass: Pass = { training: true };
    const k = this.model.constants;
    const input = tf.tidy(() => this.model.layers.slice(0, index).reduce((h, l) => layerForward(tf, k, l, h, pass), this.inputTensor(this.batchX, batchSize)));
    const units = norm.units;
    const values = await input.data();
    input.dispose();
    const perUnit = values.length / units;
    const tracked = trackedUnits(units, Math.max(1, this.spec.training.diagnostics.trackUnits));
    const readOr = async (t: Tensor | null, fill: number) => (t ? Array.from(await t.data()) : new Array<number>(units).fill(fill));
    const [gamma, beta, runningMean, runningVar] = await Promise.all([readOr(norm.gamma, 1), readOr(norm.beta, 0), readOr(norm.runningMean, 0), readOr(norm.runningVar, 1)]);
    const inputs = tracked.map((u) => Array.from({ length: perUnit }, (_, j) => values[j * units + u]!));
    const batchMean = inputs.map((xs) => xs.reduce((a, b) => a + b, 0) / xs.length);
    const batchVar = inputs.map((xs, i) => xs.reduce((a, b) => a + (b - batchMean[i]!) ** 2, 0) / xs.length);
    const normalized = inputs.map((xs, i) => (standardizes(spec) ? xs.map((v) => (v - batchMean[i]!) / Math.sqrt(batchVar[i]! + spec.epsilon)) : xs.slice()));
    const outputs = normalized.map((xs, i) => (spec.mode === 'none' ? xs.slice() : xs.map((v) => gamma[tracked[i]!]! * v + beta[tracked[i]!]!)));
    return {
      layerId,
      step: this.step,
      units: tracked,
      inputs,
      normalized,
      outputs,
      batchMean,
      batchVar,
      runningMean: tracked.map((u) => runningMean[u]!),
      runningVar: tracked.map((u) => runningVar[u]!),
      gamma: tracked.map((u) => gamma[u]!),
      beta: tracked.map((u) => beta[u]!),
      epsilon: spec.epsilon,
    };
  }

  dispose(): void {
    this.disposeRecord();
    this.tf.dispose([...this.pending.map((p) => p.logits), ...this.chunks.flatMap((c) => [c.loss, c.correct])]);
    this.pending = [];
    this.chunks = [];
    this.optimizer.dispose();
    this.model.dispose();
  }

  /** Says how the loss at `step` (one read since the last frame) stopped being finite. */
  divergenceMessage(step: number): string {
    const value = this.losses[step - this.lastFrameStep - 1];
    return `the training loss became ${value !== undefined && Number.isNaN(value) ? 'NaN' : 'infinite'} at step ${step}`;
  }

  /** The 1-based step of the first non-finite loss read since the last frame, or null. */
  private firstBadStep(): number | null {
    const index = this.losses.findIndex((v) => !Number.isFinite(v));
    return index < 0 ? null : this.lastFrameStep + index + 1;
  }

  /** Computes the pending steps' losses and hit counts, one per step, into a chunk. */
  private stackPending(): void {
    if (this.pending.length === 0) return;
    const { tf } = this;
    const { batchSize, loss: lossKind } = this.spec.training;
    const classes = this.data.numClasses;
    const perStep = [this.pending.length, batchSize];
    const labels = new Int32Array(this.pending.length * batchSize);
    this.pending.forEach((p, i) => labels.set(p.labels, i * batchSize));
    const chunk = tf.tidy(() => {
      const logits = tf.concat(this.pending.map((p) => p.logits));
      const oneHot = tf.tensor2d(fillOneHot(labels, classes, new Float32Array(labels.length * classes)), [labels.length, classes]);
      return {
        loss: tf.mean(tf.reshape(exampleLosses(tf, lossKind, logits, oneHot), perStep), 1),
        correct: tf.sum(tf.reshape(tf.cast(hits(tf, logits, tf.tensor1d(labels, 'int32')), 'int32'), perStep), 1),
      };
    });
    tf.dispose(this.pending.map((p) => p.logits));
    this.pending = [];
    this.chunks.push(chunk);
  }

  /** Σ g² per layer as one tensor (read with the frame), layer ids into `layers`. */
  private gradSquares(grads: Tensor[], layers: string[]): Tensor {
    const { tf } = this;
    const perLayer = new Map<string, Tensor[]>();
    grads.forEach((g, i) => {
      const id = this.trainableLayer[i]!;
      // The gradient of what trains: masked-out entries do not count.
      perLayer.set(id, [...(perLayer.get(id) ?? []), tf.sum(tf.square(maskGradient(tf, g, this.trainableMask[i])))]);
    });
    layers.push(...perLayer.keys());
    return tf.keep(tf.stack([...perLayer.values()].map((sums) => (sums.length === 1 ? sums[0]! : tf.addN(sums)))));
  }

  /** Reads the recorded step's tensors and writes the instruments' values; false if a parameter is not finite. */
  private async instruments(values: Record<string, number>): Promise<boolean> {
    const { tf } = this;
    const record = this.lastRecord;
    const diag = this.spec.training.diagnostics;
    const lr = values[metricKey.learningRate]!;
    this.flushRunningStats();
    const kernels = this.model.params.filter((p) => p.name === 'kernel');
    const weightSquares = kernels.length ? await readOnce(tf.tidy(() => tf.stack(kernels.map((p) => tf.sum(tf.square(p.variable)))))) : new Float32Array(0);
    let finite = true;
    kernels.forEach((p, i) => {
      const squares = weightSquares[i]!;
      if (!Number.isFinite(squares)) finite = false;
      values[metricKey.weightNorm(p.layerId)] = Math.sqrt(squares);
      // BN's scale invariance (Ioffe & Szegedy §3.3) makes lr/‖W‖² the step that matters for W.
      const next = this.model.layers[this.model.layers.findIndex((l) => l.spec.id === p.layerId) + 1];
      if (next?.spec.kind === 'norm' && standardizes(next.spec)) values[metricKey.effectiveLr(p.layerId)] = lr / Math.max(1e-12, squares);
    });
    if (record?.gradSquares) {
      const gradSquares = await record.gradSquares.data();
      record.gradLayers.forEach((layerId, i) => (values[metricKey.gradNorm(layerId)] = Math.sqrt(gradSquares[i]!) / record.gradScale));
    }

    for (const layer of this.model.layers) {
      const id = layer.spec.id;
      const tracked = this.tracked.get(id)!;
      if (layer.norm && layer.spec.kind === 'norm') {
        const norm = layer.norm;
        const spec = layer.spec;
        const [gamma, beta, runningMean, runningVar] = await Promise.all([norm.gamma, norm.beta, norm.runningMean, norm.runningVar].map((t) => (t ? t.data() : Promise.resolve(null))));
        for (const [name, arr] of [
          ['gamma', gamma],
          ['beta', beta],
        ] as const) {
          if (!arr) continue;
          for (const [stat, v] of Object.entries(summarize(arr))) values[metricKey.normParam(id, name, stat as 'mean')] = v;
          tracked.forEach((u) => (values[metricKey.normParamUnit(id, name, u)] = arr[u]!));
          if (!arr.every(Number.isFinite)) finite = false;
        }
        if (spec.mode !== 'none') {
          tracked.forEach((u) => {
            values[metricKey.normStatUnit(id, 'runningMean', u)] = runningMean![u]!;
            values[metricKey.normStatUnit(id, 'runningVar', u)] = runningVar![u]!;
          });
        }
        const batch = record?.batchStats.get(id);
        if (batch) {
          const [mean, variance] = await Promise.all([batch.mean.data(), batch.variance.data()]);
          tracked.forEach((u) => {
            values[metricKey.normStatUnit(id, 'batchMean', u)] = mean[u]!;
            values[metricKey.normStatUnit(id, 'batchVar', u)] = variance[u]!;
          });
        }
        if (standardizes(spec)) {
          const undo = undoMeasure(gamma, beta, runningMean!, runningVar!, spec.epsilon);
          values[metricKey.undoDistance(id)] = undo.distance;
          values[metricKey.undoFraction(id)] = undo.within10;
        }
      }
      if (!record) continue;
      const pre = record.preActivations.get(id);
      if (pre && layer.spec.kind === 'activation') {
        const data = await pre.data();
        const units = pre.shape[pre.shape.length - 1]!;
        const whole = sample(data, 20_000).sort();
        for (const stat of ['p15', 'p50', 'p85'] as const) values[metricKey.preActivation(id, stat)] = percentile(whole, Number(stat.slice(1)) / 100);
        values[metricKey.preActivation(id, 'min')] = whole[0]!;
        values[metricKey.preActivation(id, 'max')] = whole[whole.length - 1]!;
        tracked.forEach((u) => {
          const unitValues = Float32Array.from({ length: data.length / units }, (_, j) => data[j * units + u]!).sort();
          for (const stat of ['p15', 'p50', 'p85'] as const) values[metricKey.preActivationUnit(id, u, stat)] = percentile(unitValues, Number(stat.slice(1)) / 100);
          values[metricKey.preActivationUnit(id, u, 'min')] = unitValues[0]!;
          values[metricKey.preActivationUnit(id, u, 'max')] = unitValues[unitValues.length - 1]!;
        });
        const fn = layer.spec.fn;
        if (fn === 'sigmoid' || fn === 'tanh') values[metricKey.fractionLinear(id)] = fraction(data, (z) => Math.abs(z) < 1);
        if (fn === 'relu' || fn === 'leakyRelu') values[metricKey.fractionActive(id)] = fraction(data, (z) => z > 0);
      }
    }
    if (record) {
      // Mean and standard deviation of every layer's output, all read in one go.
      const ids = [...record.outputs.keys()];
      const moments = tf.tidy(() =>
        tf.stack(
          [...record.outputs.values()].flatMap((t) => {
            const m = tf.moments(t);
            return [m.mean, m.variance];
          }),
        ),
      );
      const stats = await readOnce(moments);
      ids.forEach((id, i) => {
        values[metricKey.outputStat(id, 'mean')] = stats[2 * i]!;
        values[metricKey.outputStat(id, 'std')] = Math.sqrt(stats[2 * i + 1]!);
      });
    }
    if (diag.landscape && record) Object.assign(values, await this.landscape(lr));
    return finite;
  }

  /** Loss and gradients (in `trainable` order, masked entries zeroed) on the current batch, training-mode statistics, no noise or dropout, no updates. */
  private lossAndGrads(): { loss: Tensor; grads: Tensor[] } {
    const { tf } = this;
    const { batchSize, loss: lossKind } = this.spec.training;
    return tf.tidy(() => {
      const pass: Pass = { training: true, tape: [] as LayerCache[] };
      const logits = this.model.forward(this.inputTensor(this.batchX, batchSize), pass);
      const oneHot = tf.tensor2d(this.batchOneHot, [batchSize, this.data.numClasses]);
      const { loss, dLogits } = lossAndGradient(tf, this.model.constants, lossKind, logits, oneHot, true);
      const grads = this.model.backward(pass.tape!, dLogits!);
      return { loss, grads: this.trainable.map((v, i) => maskGradient(tf, grads.get(v)!, this.trainableMask[i])) };
    });
  }

  /**
   * Santurkar et al.'s landscape measures along −∇L at this step, on the current batch:
   * loss variation (range of L(w − ηg)), gradient predictiveness (range of ‖∇L(w) − ∇L(w − ηg)‖)
   * and effective β-smoothness (max of that difference over ‖ηg‖), for η = c·lr, c in landscapeSteps.
   */
  private async landscape(lr: number): Promise<Record<string, number>> {
    const { tf } = this;
    const base = this.lossAndGrads();
    const saved = this.trainable.map((v) => tf.clone(v));
    const losses: number[] = [];
    const diffs: number[] = [];
    const smooth: number[] = [];
    const gNorm = (await readOnce(tf.tidy(() => tf.sqrt(tf.addN(base.grads.map((g) => tf.sum(tf.square(g))))))))[0]!;
    try {
      for (const c of this.spec.training.diagnostics.landscapeSteps) {
        const eta = c * lr;
        tf.tidy(() => this.trainable.forEach((v, i) => v.assign(tf.sub(saved[i]!, tf.mul(base.grads[i]!, eta)))));
        const moved = this.lossAndGrads();
        const [loss, d] = await readOnce(tf.tidy(() => tf.stack([moved.loss, tf.sqrt(tf.addN(moved.grads.map((g, i) => tf.sum(tf.square(tf.sub(g, base.grads[i]!))))))])));
        tf.dispose([moved.loss, ...moved.grads]);
        losses.push(loss!);
        diffs.push(d!);
        smooth.push(d! / Math.max(1e-12, eta * gNorm));
      }
    } finally {
      this.trainable.forEach((v, i) => v.assign(saved[i]!));
      tf.dispose([base.loss, ...base.grads, ...saved]);
    }
    return {
      [metricKey.lossVariation]: Math.max(...losses) - Math.min(...losses),
      [metricKey.gradientPredictiveness]: Math.max(...diffs) - Math.min(...diffs),
      [metricKey.betaSmoothness]: Math.max(...smooth),
    };
  }

  /** A batch tensor from row-major examples, with the data spec's scale and shift applied. */
  private inputTensor(values: Float32Array, count: number): Tensor {
    const { tf } = this;
    const k = this.model.constants;
    const { inputScale, inputShift } = this.spec.data;
    let x: Tensor = tf.tensor(values.subarray(0, count * this.exampleSize), [count, ...this.data.inputShape]);
    if (inputScale !== 1) x = tf.mul(x, k.scalar(inputScale));
    if (inputShift !== 0) x = tf.add(x, k.scalar(inputShift));
    return x;
  }

  /** Fills the batch buffers with the next examples of this epoch's seeded order. */
  private nextBatch(): void {
    const batchSize = this.spec.training.batchSize;
    if (this.cursor + batchSize > this.order.length) {
      // Each epoch has its own order; the last incomplete batch is dropped so every batch has the same size.
      if (this.order.length > 0) this.epoch++;
      this.order = Rng.derive(this.spec.training.seed, 'order', this.epoch).shuffle(this.trainIndex.slice());
      this.cursor = 0;
    }
    const train = this.data.train;
    for (let b = 0; b < batchSize; b++) {
      const index = this.order[this.cursor + b]!;
      this.batchX.set(train.x.subarray(index * this.exampleSize, (index + 1) * this.exampleSize), b * this.exampleSize);
      this.batchY[b] = train.y[index]!;
    }
    fillOneHot(this.batchY, this.data.numClasses, this.batchOneHot);
    this.cursor += batchSize;
  }

  private epochProgress(): number {
    return (this.step * this.spec.training.batchSize) / this.trainIndex.length;
  }

  /** Folds every norm layer's queued batch statistics into its running statistics (before they are read). */
  private flushRunningStats(): void {
    for (const layer of this.model.layers) if (layer.norm) flushRunningStats(this.tf, layer.norm);
  }

  private disposeRecord(): void {
    const record = this.lastRecord;
    if (!record) return;
    this.tf.dispose([...record.preActivations.values(), ...record.outputs.values(), ...(record.gradSquares ? [record.gradSquares] : [])]);
    for (const stats of record.batchStats.values()) this.tf.dispose([stats.mean, stats.variance]);
    this.lastRecord = null;
  }
}

/** Reads a tensor's values and disposes it. */
async function readOnce(tensor: Tensor): Promise<Float32Array> {
  const values = (await tensor.data()) as Float32Array;
  tensor.dispose();
  return values;
}

function sample(data: ArrayLike<number>, max: number): Float32Array {
  if (data.length <= max) return Float32Array.from(data);
  const stride = data.length / max;
  return Float32Array.from({ length: max }, (_, i) => data[Math.floor(i * stride)]!);
}

function fraction(data: ArrayLike<number>, predicate: (z: number) => boolean): number {
  let count = 0;
  for (let i = 0; i < data.length; i++) if (predicate(data[i]!)) count++;
  return count / data.length;
}

/**
 * Yields to the event loop so a host can deliver messages (cancel, pause) during a long run. A
 * MessageChannel round trip is not clamped the way nested setTimeouts are in pages (4 ms, or 1 s
 * in a background window).
 */
function yieldToEventLoop(): Promise<void> {
  if (typeof MessageChannel === 'undefined') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.addEventListener('message', () => {
      channel.port1.close();
      resolve();
    });
    channel.port1.start();
    channel.port2.postMessage(null);
  });
}

/** Milliseconds of training between yields to the host's event loop. */
const YIELD_EVERY_MS = 50;
/** Grid cells per side of the decision-boundary view (48² forward passes of a small model per evaluation). */
const BOUNDARY_RESOLUTION = 48;
/** Milliseconds between progress reports when frames are further apart. */
const PROGRESS_EVERY_MS = 500;

/**
 * Trains `spec` on `data` with the tfjs module `tf` (already set to a backend by the host),
 * reporting through `hooks`. Never throws for training problems: they come back as the outcome.
 */
export async function runTraining(tf: Tf, spec: RunSpec, data: DatasetArrays, hooks: TrainingHooks): Promise<RunOutcome> {
  let trainer: Trainer;
  try {
    trainer = new Trainer(tf, spec, data);
  } catch (error) {
    return { status: 'failed', step: 0, message: (error as Error).message };
  }
  const started = Date.now();
  let lastProgress = 0;
  const progress = () => {
    lastProgress = Date.now();
    const rate = trainer.step / Math.max(1e-3, (lastProgress - started) / 1000);
    hooks.onProgress?.({
      step: trainer.step,
      totalSteps: trainer.totalSteps,
      stepsPerSecond: rate,
      etaSeconds: trainer.step > 0 ? (trainer.totalSteps - trainer.step) / rate : null,
      paused: hooks.isPaused?.() ?? false,
    });
  };
  const diverged = (step: number, message: string): RunOutcome => ({ status: 'diverged', step, message: `${message}; try a smaller learning rate` });
  try {
    hooks.onStarted?.({ backend: trainer.backend, totalSteps: trainer.totalSteps });
    hooks.onTrainer?.(trainer);
    let lastYield = Date.now();
    while (trainer.step < trainer.totalSteps) {
      if (hooks.isCancelled()) return { status: 'cancelled', step: trainer.step };
      if (hooks.waitForStep) {
        // A paused run says so (and where it stands) before it waits.
        if (hooks.isPaused?.()) progress();
        await hooks.waitForStep();
      }
      if (hooks.isCancelled()) return { status: 'cancelled', step: trainer.step };
      const frameStep = trainer.isFrameStep(trainer.step + 1);
      trainer.trainStep(frameStep);
      if (frameStep) {
        const result = await trainer.frame();
        if ('diverged' in result) return diverged(result.diverged, result.message);
        hooks.onFrame(result.frame);
        if (trainer.isEvalStep() && trainer.step < trainer.totalSteps) hooks.onSnapshot?.(await trainer.snapshot());
        if (trainer.isEvalStep() && hooks.onBoundary && trainer.inputIs2d()) hooks.onBoundary(await trainer.boundary(BOUNDARY_RESOLUTION));
        progress();
      } else if (trainer.step % CHECK_EVERY === 0) {
        const bad = await trainer.checkDivergence();
        if (bad !== null) return diverged(bad, trainer.divergenceMessage(bad));
      }
      const now = Date.now();
      if (now - lastProgress > PROGRESS_EVERY_MS) progress();
      if (now - lastYield > YIELD_EVERY_MS || hooks.isPaused?.()) {
        await yieldToEventLoop();
        lastYield = Date.now();
      }
    }
    hooks.onSnapshot?.(await trainer.snapshot());
    return { status: 'finished', step: trainer.step };
  } catch (error) {
    return { status: 'failed', step: trainer.step, message: (error as Error).message };
  } finally {
    hooks.onTrainer?.(null);
    trainer.dispose();
  }
}
