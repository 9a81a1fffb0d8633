/**
 * The training loop and its instruments. One `Trainer` owns a model, its data and optimizer; it
 * steps on the device without reading anything back, except at frame steps (every `logEvery`
 * and `evalEvery` steps, and the last), where it reads the accumulated loss/accuracy, the
 * divergence marker and the diagnostics in one go. `runTraining` drives a Trainer for a host.
 */
import type * as tfc from '@tensorflow/tfjs-core';
import type { RunSpec } from '../spec/experiment';
import { metricKey, type Backend, type MetricFrame, type NormSnapshot } from './frame';
import { buildModel, layerForward, type ForwardContext, type Model } from './model';
import { standardizes, updateRunningStats, type NormBatchRecord } from './norm';
import { createOptimizer, learningRateAt, type OptimizerState } from './optimizers';
import type { BatchInspection, DatasetArrays, RunEndStatus, RunProgress } from './protocol';
import { Rng } from './random';
import { percentile, summarize, trackedUnits, undoMeasure } from './stats';

type Tf = typeof tfc;
type Tensor = tfc.Tensor;

export interface TrainingHooks {
  onStarted?(info: { backend: Backend; totalSteps: number }): void;
  /** The trainer itself, for the batch inspector's questions while the run is paused. */
  onTrainer?(trainer: Trainer | null): void;
  onFrame(frame: MetricFrame): void;
  onProgress?(progress: RunProgress): void;
  onSnapshot?(snapshot: NormSnapshot): void;
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

/** How many optimizer steps a run takes on `trainCount` training examples. */
export function countSteps(spec: RunSpec, trainCount: number): number {
  const { duration, batchSize } = spec.training;
  if ('steps' in duration) return duration.steps;
  const examples = Math.min(trainCount, spec.data.trainLimit ?? Infinity);
  return Math.max(1, Math.ceil((duration.epochs * Math.floor(examples / batchSize) * batchSize) / batchSize));
}

interface StepRecord {
  preActivations: Map<string, Tensor>;
  outputs: Map<string, Tensor>;
  batchStats: Map<string, NormBatchRecord>;
  gradSquares: Tensor;
  /** Layer ids in the order of gradSquares' entries. */
  gradLayers: string[];
}

export class Trainer {
  readonly model: Model;
  readonly totalSteps: number;
  readonly backend: Backend;
  step = 0;
  private readonly optimizer: OptimizerState;
  private readonly trainable: tfc.Variable[];
  private readonly trainIndex: Int32Array;
  private readonly batchX: Float32Array;
  private readonly batchY: Int32Array;
  private readonly exampleSize: number;
  private readonly noiseRng: Rng;
  private order: Int32Array = new Int32Array(0);
  private cursor = 0;
  private epoch = 0;
  private lossSum: Tensor;
  private correctSum: Tensor;
  private firstBadStep: Tensor;
  private stepsSinceFrame = 0;
  private lastRecord: StepRecord | null = null;
  private readonly started = Date.now();
  private lastFrameTime = Date.now();
  private lastFrameStep = 0;
  private readonly tracked: Map<string, number[]> = new Map();

  constructor(
    private readonly tf: Tf,
    readonly spec: RunSpec,
    private readonly data: DatasetArrays,
  ) {
    const { training, data: dataSpec } = spec;
    this.exampleSize = data.inputShape.reduce((a, b) => a * b, 1);
    const n = data.train.y.length;
    const limit = Math.min(n, dataSpec.trainLimit ?? n);
    // trainLimit takes a seeded random subset, so a quick variant still sees every class.
    this.trainIndex = limit < n ? Rng.derive(training.seed, 'subset').permutation(n).slice(0, limit) : Int32Array.from({ length: n }, (_, i) => i);
    if (training.batchSize > this.trainIndex.length) {
      throw new Error(`the batch size ${training.batchSize} is larger than the ${this.trainIndex.length} training examples`);
    }
    this.totalSteps = countSteps(spec, this.trainIndex.length);
    this.model = buildModel(tf, spec.model, data.inputShape, data.numClasses, training.seed, { trainOnlyNorm: training.trainOnlyNorm });
    this.trainable = this.model.params.filter((p) => p.variable.trainable).map((p) => p.variable);
    if (this.trainable.length === 0) throw new Error('nothing to train: every parameter is fixed (check "train only BN" and the γ/β settings)');
    const decayMask = this.model.params.filter((p) => p.variable.trainable).map((p) => p.name === 'kernel');
    this.optimizer = createOptimizer(tf, training.optimizer, this.trainable, training.weightDecay, decayMask);
    this.batchX = new Float32Array(training.batchSize * this.exampleSize);
    this.batchY = new Int32Array(training.batchSize);
    this.noiseRng = Rng.derive(training.seed, 'noise');
    this.lossSum = tf.scalar(0);
    this.correctSum = tf.scalar(0);
    this.firstBadStep = tf.scalar(Infinity);
    this.backend = tf.getBackend() as Backend;
    for (const layer of this.model.layers) {
      const units = layer.outShape[layer.outShape.length - 1]!;
      this.tracked.set(layer.spec.id, trackedUnits(layer.spec.kind === 'activation' ? layer.inShape[layer.inShape.length - 1]! : units, training.diagnostics.trackUnits));
    }
  }

  /** One optimizer step; with `record` the step keeps what the instruments need. */
  trainStep(record: boolean): void {
    const { tf } = this;
    const lr = learningRateAt(this.spec.training.learningRate, this.spec.training.schedule, this.step, this.totalSteps);
    this.nextBatch();
    const stepNumber = this.step + 1;
    const ctx: ForwardContext = {
      training: true,
      rng: this.noiseRng,
      batchStats: new Map(),
      ...(record ? { record: { preActivations: new Map(), outputs: new Map() } } : {}),
    };
    let correct: Tensor | null = null;
    const { value: loss, grads } = tf.tidy(() => {
      const x = this.inputTensor(this.batchX, this.spec.training.batchSize);
      const y = tf.tensor1d(this.batchY, 'int32');
      return tf.variableGrads(() => {
        const logits = this.model.forward(x, ctx);
        correct = tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32')));
        for (const stats of ctx.batchStats.values()) {
          tf.keep(stats.mean);
          tf.keep(stats.variance);
        }
        if (ctx.record) {
          for (const t of ctx.record.preActivations.values()) tf.keep(t);
          for (const t of ctx.record.outputs.values()) tf.keep(t);
        }
        return this.loss(logits, y) as tfc.Scalar;
      }, this.trainable);
    });
    const gradList = this.trainable.map((v) => grads[v.name]!);
    this.optimizer.apply(gradList, lr);

    for (const layer of this.model.layers) {
      const stats = layer.norm && ctx.batchStats.get(layer.spec.id);
      if (stats) updateRunningStats(tf, layer.norm!, stats);
    }

    const previous = [this.lossSum, this.correctSum, this.firstBadStep];
    this.lossSum = tf.add(this.lossSum, loss);
    this.correctSum = tf.add(this.correctSum, correct!);
    this.firstBadStep = tf.tidy(() => tf.minimum(this.firstBadStep, tf.where(tf.isFinite(loss), tf.scalar(Infinity), tf.scalar(stepNumber))));
    tf.dispose([...previous, loss, correct!]);

    this.disposeRecord();
    if (record) {
      const gradLayers: string[] = [];
      const perLayer = new Map<string, Tensor[]>();
      this.trainable.forEach((v, i) => {
        const layerId = this.model.params.find((p) => p.variable === v)!.layerId;
        perLayer.set(layerId, [...(perLayer.get(layerId) ?? []), gradList[i]!]);
      });
      const gradSquares = tf.tidy(() =>
        tf.stack(
          [...perLayer.entries()].map(([layerId, gs]) => {
            gradLayers.push(layerId);
            return tf.addN(gs.map((g) => tf.sum(tf.square(g))));
          }),
        ),
      );
      this.lastRecord = { preActivations: ctx.record!.preActivations, outputs: ctx.record!.outputs, batchStats: ctx.batchStats, gradSquares, gradLayers };
    } else {
      for (const stats of ctx.batchStats.values()) tf.dispose([stats.mean, stats.variance]);
    }
    tf.dispose(gradList);
    this.step = stepNumber;
    this.stepsSinceFrame++;
  }

  /** Whether step `step` (1-based) gets a frame. */
  isFrameStep(step: number): boolean {
    const { logEvery, evalEvery } = this.spec.training;
    return step % logEvery === 0 || step % evalEvery === 0 || step === this.totalSteps;
  }

  /**
   * The frame for the steps since the last one. Returns `diverged` (with the exact step) instead
   * when the loss became NaN/Inf or a parameter stopped being finite.
   */
  async frame(): Promise<{ frame: MetricFrame } | { diverged: number; message: string }> {
    const { tf } = this;
    const [lossSum, correctSum, firstBad] = await Promise.all([this.lossSum.data(), this.correctSum.data(), this.firstBadStep.data()]);
    if (Number.isFinite(firstBad[0]!)) {
      return { diverged: firstBad[0]!, message: `the training loss became ${Number.isNaN(lossSum[0]) ? 'NaN' : 'infinite'} at step ${firstBad[0]}` };
    }
    const values: Record<string, number> = {};
    const steps = Math.max(1, this.stepsSinceFrame);
    values[metricKey.trainLoss] = lossSum[0]! / steps;
    values[metricKey.trainAcc] = correctSum[0]! / (steps * this.spec.training.batchSize);
    values[metricKey.learningRate] = learningRateAt(this.spec.training.learningRate, this.spec.training.schedule, this.step - 1, this.totalSteps);
    const now = Date.now();
    values[metricKey.stepsPerSecond] = ((this.step - this.lastFrameStep) * 1000) / Math.max(1, now - this.lastFrameTime);
    this.lastFrameTime = now;
    this.lastFrameStep = this.step;
    tf.dispose([this.lossSum, this.correctSum]);
    this.lossSum = tf.scalar(0);
    this.correctSum = tf.scalar(0);
    this.stepsSinceFrame = 0;

    const parametersFinite = await this.instruments(values);
    if (!parametersFinite) return { diverged: this.step, message: `a parameter became NaN or infinite by step ${this.step}` };
    if (this.step % this.spec.training.evalEvery === 0 || this.step === this.totalSteps) Object.assign(values, await this.evaluate());
    return { frame: { step: this.step, epoch: this.epochProgress(), wallMs: Date.now() - this.started, values } };
  }

  /** Held-out loss and accuracy in eval mode (and with batch statistics when the model normalizes). */
  async evaluate(): Promise<Record<string, number>> {
    const { tf } = this;
    const test = this.data.test;
    const n = Math.min(test.y.length, this.spec.data.evalLimit ?? test.y.length);
    if (n === 0) return {};
    const pass = async (chunk: number, batchStatistics: boolean) => {
      let loss: Tensor = tf.scalar(0);
      let correct: Tensor = tf.scalar(0);
      const usable = batchStatistics ? Math.floor(n / chunk) * chunk : n;
      for (let start = 0; start < usable; start += chunk) {
        const size = Math.min(chunk, usable - start);
        const [l, c] = tf.tidy(() => {
          const x = this.inputTensor(test.x.subarray(start * this.exampleSize, (start + size) * this.exampleSize), size);
          const y = tf.tensor1d(test.y.subarray(start, start + size), 'int32');
          const logits = this.model.forward(x, { training: false, evalBatchStats: batchStatistics, batchStats: new Map() });
          return [tf.mul(this.loss(logits, y), size), tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'))] as Tensor[];
        });
        const next = [tf.add(loss, l!), tf.add(correct, c!)];
        tf.dispose([loss, correct, l!, c!]);
        [loss, correct] = next as [Tensor, Tensor];
      }
      const [lossSum, correctSum] = await Promise.all([loss.data(), correct.data()]);
      tf.dispose([loss, correct]);
      return { loss: lossSum[0]! / Math.max(1, usable), acc: correctSum[0]! / Math.max(1, usable) };
    };
    const evalMode = await pass(1000, false);
    const out: Record<string, number> = { [metricKey.testLoss]: evalMode.loss, [metricKey.testAcc]: evalMode.acc };
    const normalizes = this.model.layers.some((l) => l.spec.kind === 'norm' && standardizes(l.spec));
    if (normalizes && n >= this.spec.training.batchSize) out[metricKey.testAccBatchStats] = (await pass(this.spec.training.batchSize, true)).acc;
    return out;
  }

  /** Per-unit γ, β and statistics of every norm layer (end-of-run scatter plots). */
  async snapshot(): Promise<NormSnapshot> {
    const layers = [];
    for (const layer of this.model.layers) {
      if (!layer.norm) continue;
      const norm = layer.norm;
      const batch = this.lastRecord?.batchStats.get(layer.spec.id);
      const read = async (t: Tensor | null | undefined, fill: number) => (t ? Array.from(await t.data()) : new Array<number>(norm.units).fill(fill));
      layers.push({
        id: layer.spec.id,
        gamma: await read(norm.gamma, 1),
        beta: await read(norm.beta, 0),
        runningMean: await read(norm.runningMean, 0),
        runningVar: await read(norm.runningVar, 1),
        batchMean: await read(batch?.mean, NaN),
        batchVar: await read(batch?.variance, NaN),
        epsilon: layer.spec.kind === 'norm' ? layer.spec.epsilon : 0,
      });
    }
    return { step: this.step, layers };
  }

  /** The last batch through one norm layer, unit by unit: inputs, μ_B, σ²_B, x̂ and y. */
  async inspect(layerId: string): Promise<BatchInspection> {
    const { tf } = this;
    const index = this.model.layers.findIndex((l) => l.spec.id === layerId);
    const layer = this.model.layers[index];
    if (!layer?.norm || layer.spec.kind !== 'norm') throw new Error(`"${layerId}" is not a normalization layer of this model`);
    const batchSize = this.spec.training.batchSize;
    const ctx: ForwardContext = { training: false, evalBatchStats: true, batchStats: new Map(), record: { preActivations: new Map(), outputs: new Map() } };
    const input = tf.tidy(() => this.model.layers.slice(0, index).reduce((h, l) => layerForward(tf, l, h, ctx), this.inputTensor(this.batchX, batchSize)));
    const units = layer.norm.units;
    const values = await input.data();
    input.dispose();
    const perUnit = values.length / units;
    const tracked = trackedUnits(units, Math.max(1, this.spec.training.diagnostics.trackUnits));
    const [gamma, beta, runningMean, runningVar] = await Promise.all(
      [layer.norm.gamma, layer.norm.beta, layer.norm.runningMean, layer.norm.runningVar].map(async (t, i) => (t ? Array.from(await t.data()) : new Array<number>(units).fill(i === 0 || i === 3 ? 1 : 0))),
    );
    const spec = layer.spec;
    const inputs = tracked.map((u) => Array.from({ length: perUnit }, (_, k) => values[k * units + u]!));
    const batchMean = inputs.map((xs) => xs.reduce((a, b) => a + b, 0) / xs.length);
    const batchVar = inputs.map((xs, i) => xs.reduce((a, b) => a + (b - batchMean[i]!) ** 2, 0) / xs.length);
    const normalized = inputs.map((xs, i) => (standardizes(spec) ? xs.map((x) => (x - batchMean[i]!) / Math.sqrt(batchVar[i]! + spec.epsilon)) : xs.slice()));
    const outputs = normalized.map((xs, i) => (spec.mode === 'none' ? xs.slice() : xs.map((x) => gamma![tracked[i]!]! * x + beta![tracked[i]!]!)));
    return {
      layerId,
      step: this.step,
      units: tracked,
      inputs,
      normalized,
      outputs,
      batchMean,
      batchVar,
      runningMean: tracked.map((u) => runningMean![u]!),
      runningVar: tracked.map((u) => runningVar![u]!),
      gamma: tracked.map((u) => gamma![u]!),
      beta: tracked.map((u) => beta![u]!),
      epsilon: spec.epsilon,
    };
  }

  dispose(): void {
    this.disposeRecord();
    this.tf.dispose([this.lossSum, this.correctSum, this.firstBadStep]);
    this.optimizer.dispose();
    this.model.dispose();
  }

  /** Reads the recorded step's tensors and writes the instruments' values; false if a parameter is not finite. */
  private async instruments(values: Record<string, number>): Promise<boolean> {
    const { tf } = this;
    const record = this.lastRecord;
    const diag = this.spec.training.diagnostics;
    const lr = values[metricKey.learningRate]!;
    // Weight norms and γ/β are read for every frame; everything else comes from the recorded step.
    const kernels = this.model.params.filter((p) => p.name === 'kernel');
    const weightNorms = kernels.length ? await readOnce(tf.tidy(() => tf.stack(kernels.map((p) => tf.sum(tf.square(p.variable)))))) : new Float32Array(0);
    let finite = true;
    kernels.forEach((p, i) => {
      const norm = Math.sqrt(weightNorms[i]!);
      if (!Number.isFinite(norm)) finite = false;
      values[metricKey.weightNorm(p.layerId)] = norm;
      const next = this.model.layers[this.model.layers.findIndex((l) => l.spec.id === p.layerId) + 1];
      if (next?.spec.kind === 'norm' && standardizes(next.spec)) values[metricKey.effectiveLr(p.layerId)] = lr / Math.max(1e-12, weightNorms[i]!);
    });
    if (record) {
      const gradSquares = await record.gradSquares.data();
      record.gradLayers.forEach((layerId, i) => (values[metricKey.gradNorm(layerId)] = Math.sqrt(gradSquares[i]!)));
    }

    for (const layer of this.model.layers) {
      const id = layer.spec.id;
      const tracked = this.tracked.get(id)!;
      if (layer.norm && layer.spec.kind === 'norm') {
        const norm = layer.norm;
        const spec = layer.spec;
        const [gamma, beta, runningMean, runningVar] = await Promise.all(
          [norm.gamma, norm.beta, norm.runningMean, norm.runningVar].map((t) => (t ? t.data() : Promise.resolve(null))),
        );
        for (const [name, arr] of [['gamma', gamma], ['beta', beta]] as const) {
          if (!arr) continue;
          for (const [stat, v] of Object.entries(summarize(arr))) values[metricKey.normParam(id, name, stat as 'mean')] = v;
          tracked.forEach((u) => (values[metricKey.normParamUnit(id, name, u)] = arr[u]!));
          if (!arr.every(Number.isFinite)) finite = false;
        }
        tracked.forEach((u) => {
          values[metricKey.normStatUnit(id, 'runningMean', u)] = runningMean![u]!;
          values[metricKey.normStatUnit(id, 'runningVar', u)] = runningVar![u]!;
        });
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
        const whole = sample(data, 20_000);
        whole.sort();
        for (const stat of ['p15', 'p50', 'p85'] as const) values[metricKey.preActivation(id, stat)] = percentile(whole, Number(stat.slice(1)) / 100);
        values[metricKey.preActivation(id, 'min')] = whole[0]!;
        values[metricKey.preActivation(id, 'max')] = whole[whole.length - 1]!;
        tracked.forEach((u) => {
          const unitValues = Float32Array.from({ length: data.length / units }, (_, k) => data[k * units + u]!).sort();
          for (const stat of ['p15', 'p50', 'p85'] as const) values[metricKey.preActivationUnit(id, u, stat)] = percentile(unitValues, Number(stat.slice(1)) / 100);
          values[metricKey.preActivationUnit(id, u, 'min')] = unitValues[0]!;
          values[metricKey.preActivationUnit(id, u, 'max')] = unitValues[unitValues.length - 1]!;
        });
        const fn = layer.spec.fn;
        if (fn === 'sigmoid' || fn === 'tanh') values[metricKey.fractionLinear(id)] = fraction(data, (z) => Math.abs(z) < 1);
        if (fn === 'relu' || fn === 'leakyRelu') values[metricKey.fractionActive(id)] = fraction(data, (z) => z > 0);
      }
      const out = record.outputs.get(id);
      if (out) {
        const [mean, variance] = await Promise.all(tf.tidy(() => {
          const m = tf.moments(out);
          return [tf.keep(m.mean), tf.keep(m.variance)];
        }).map(async (t) => {
          const v = (await t.data())[0]!;
          t.dispose();
          return v;
        }));
        values[metricKey.outputStat(id, 'mean')] = mean!;
        values[metricKey.outputStat(id, 'std')] = Math.sqrt(variance!);
      }
    }
    if (diag.landscape && record) Object.assign(values, await this.landscape(lr));
    return finite;
  }

  /**
   * Santurkar et al.'s landscape measures along −∇L at this step, on the current batch:
   * loss variation (range of L(w − ηg)), gradient predictiveness (range of ‖∇L(w) − ∇L(w − ηg)‖)
   * and effective β-smoothness (max of that difference over ‖ηg‖), for η = c·lr, c in landscapeSteps.
   */
  private async landscape(lr: number): Promise<Record<string, number>> {
    const { tf } = this;
    const batchSize = this.spec.training.batchSize;
    const lossAndGrad = () =>
      tf.tidy(() => {
        const x = this.inputTensor(this.batchX, batchSize);
        const y = tf.tensor1d(this.batchY, 'int32');
        const { value, grads } = tf.variableGrads(() => this.loss(this.model.forward(x, { training: false, evalBatchStats: true, batchStats: new Map() }), y) as tfc.Scalar, this.trainable);
        return { value, grads: this.trainable.map((v) => grads[v.name]!) };
      });
    const base = lossAndGrad();
    const saved = this.trainable.map((v) => tf.clone(v));
    const losses: number[] = [];
    const diffs: number[] = [];
    const smooth: number[] = [];
    const gNorm = Math.sqrt((await readOnce(tf.tidy(() => tf.addN(base.grads.map((g) => tf.sum(tf.square(g)))))))[0]!);
    for (const c of this.spec.training.diagnostics.landscapeSteps) {
      const eta = c * lr;
      tf.tidy(() => this.trainable.forEach((v, i) => v.assign(tf.sub(saved[i]!, tf.mul(base.grads[i]!, eta)))));
      const moved = lossAndGrad();
      const diff = tf.tidy(() => tf.sqrt(tf.addN(moved.grads.map((g, i) => tf.sum(tf.square(tf.sub(g, base.grads[i]!)))))));
      const [loss, d] = await Promise.all([moved.value.data(), diff.data()]);
      losses.push(loss[0]!);
      diffs.push(d[0]!);
      smooth.push(d[0]! / Math.max(1e-12, eta * gNorm));
      tf.dispose([moved.value, ...moved.grads, diff]);
    }
    this.trainable.forEach((v, i) => v.assign(saved[i]!));
    tf.dispose([base.value, ...base.grads, ...saved]);
    return {
      [metricKey.lossVariation]: Math.max(...losses) - Math.min(...losses),
      [metricKey.gradientPredictiveness]: Math.max(...diffs) - Math.min(...diffs),
      [metricKey.betaSmoothness]: Math.max(...smooth),
    };
  }

  private loss(logits: Tensor, labels: Tensor): Tensor {
    const { tf } = this;
    const oneHot = tf.oneHot(labels as tfc.Tensor1D, this.data.numClasses);
    if (this.spec.training.loss === 'mse') return tf.mean(tf.square(tf.sub(logits, oneHot)));
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)));
  }

  /** A batch tensor from row-major examples, with the data spec's scale and shift applied. */
  private inputTensor(values: Float32Array, count: number): Tensor {
    const { tf } = this;
    const { inputScale, inputShift } = this.spec.data;
    const x = tf.tensor(values.subarray(0, count * this.exampleSize), [count, ...this.data.inputShape]);
    if (inputScale === 1 && inputShift === 0) return x;
    return tf.add(tf.mul(x, inputScale), inputShift);
  }

  /** Fills the batch buffers with the next examples of this epoch's seeded order. */
  private nextBatch(): void {
    const batchSize = this.spec.training.batchSize;
    if (this.cursor + batchSize > this.order.length) {
      // Each epoch has its own order; the last incomplete batch is dropped so every batch has the same size.
      this.order = Rng.derive(this.spec.training.seed, 'order', this.epoch).shuffle(this.trainIndex.slice());
      if (this.step > 0 || this.cursor > 0) this.epoch++;
      this.cursor = 0;
    }
    const train = this.data.train;
    for (let b = 0; b < batchSize; b++) {
      const index = this.order[this.cursor + b]!;
      this.batchX.set(train.x.subarray(index * this.exampleSize, (index + 1) * this.exampleSize), b * this.exampleSize);
      this.batchY[b] = train.y[index]!;
    }
    this.cursor += batchSize;
  }

  private epochProgress(): number {
    return (this.step * this.spec.training.batchSize) / this.trainIndex.length;
  }

  private disposeRecord(): void {
    const record = this.lastRecord;
    if (!record) return;
    this.tf.dispose([...record.preActivations.values(), ...record.outputs.values(), record.gradSquares]);
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

/** Yields to the event loop so a host can deliver messages (cancel, pause) during a long run. */
const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

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
  try {
    hooks.onStarted?.({ backend: trainer.backend, totalSteps: trainer.totalSteps });
    hooks.onTrainer?.(trainer);
    let lastYield = Date.now();
    const started = Date.now();
    while (trainer.step < trainer.totalSteps) {
      if (hooks.isCancelled()) return { status: 'cancelled', step: trainer.step };
      if (hooks.waitForStep) await hooks.waitForStep();
      if (hooks.isCancelled()) return { status: 'cancelled', step: trainer.step };
      const next = trainer.step + 1;
      const frameStep = trainer.isFrameStep(next);
      trainer.trainStep(frameStep);
      if (frameStep) {
        const result = await trainer.frame();
        if ('diverged' in result) return { status: 'diverged', step: result.diverged, message: `${result.message}; try a smaller learning rate` };
        hooks.onFrame(result.frame);
        const elapsed = (Date.now() - started) / 1000;
        const rate = trainer.step / Math.max(1e-3, elapsed);
        hooks.onProgress?.({ step: trainer.step, totalSteps: trainer.totalSteps, stepsPerSecond: rate, etaSeconds: (trainer.totalSteps - trainer.step) / rate, paused: hooks.isPaused?.() ?? false });
      }
      if (Date.now() - lastYield > 50 || hooks.isPaused?.()) {
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
