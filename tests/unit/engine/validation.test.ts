/** The validation split in the engine: evaluated beside the test set only when the data has one, in eval mode. */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, tf } from '../../../electron/lab/engineHost/nodeBackend';
import { metricKey, type MetricFrame } from '../../../shared/engine/frame';
import type { DatasetArrays } from '../../../shared/engine/protocol';
import { runTraining, Trainer } from '../../../shared/engine/train';
import type { RunSpec } from '../../../shared/spec/experiment';
import { moons, moonsSpec } from './fixtures';

beforeAll(async () => {
  await initNodeBackend();
});

/** Moons with a validation split of its own points (45: not a multiple of the batch size). */
function withValidationSplit(validationCount = 45): DatasetArrays {
  const data = moons();
  return { ...data, validation: moons(validationCount, 1, 9).train };
}

/** Drives a Trainer to its end and returns its frames with the trainer, still alive, to inspect. */
async function trainToEnd(spec: RunSpec, data: DatasetArrays): Promise<{ trainer: Trainer; frames: MetricFrame[] }> {
  const trainer = new Trainer(tf, spec, data);
  const frames: MetricFrame[] = [];
  while (trainer.step < trainer.totalSteps) {
    const frameStep = trainer.isFrameStep(trainer.step + 1);
    trainer.trainStep(frameStep);
    if (!frameStep) continue;
    const result = await trainer.frame();
    if ('diverged' in result) throw new Error(result.message);
    frames.push(result.frame);
  }
  return { trainer, frames };
}

/** Mean cross-entropy and accuracy of the model's eval-mode logits, computed here in plain numbers. */
function evaluateByHand(trainer: Trainer, split: { x: Float32Array; y: Int32Array }): { loss: number; acc: number } {
  const n = split.y.length;
  const logits = tf.tidy(() => trainer.model.forward(tf.tensor2d(split.x, [n, 2]), { training: false }).dataSync());
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const [a, b] = [logits[2 * i]!, logits[2 * i + 1]!];
    const max = Math.max(a, b);
    const logSum = max + Math.log(Math.exp(a - max) + Math.exp(b - max));
    loss -= (split.y[i] === 0 ? a : b) - logSum;
    if ((a >= b ? 0 : 1) === split.y[i]) correct++;
  }
  return { loss: loss / n, acc: correct / n };
}

describe('validation split in the engine', () => {
  it('logs val/loss and val/acc at every evaluation, equal to an independent eval-mode evaluation of those examples', async () => {
    const data = withValidationSplit();
    const spec = moonsSpec({ training: { duration: { steps: 60 }, logEvery: 10, evalEvery: 20 } });
    const { trainer, frames } = await trainToEnd(spec, data);
    try {
      const evalSteps = frames.filter((f) => metricKey.testAcc in f.values).map((f) => f.step);
      expect(evalSteps).toEqual([20, 40, 60]);
      // Validation is evaluated exactly when the test set is, and only then.
      expect(frames.filter((f) => metricKey.validationAcc in f.values).map((f) => f.step)).toEqual(evalSteps);
      expect(frames.filter((f) => metricKey.validationLoss in f.values).map((f) => f.step)).toEqual(evalSteps);
      const last = frames.at(-1)!.values;
      const byHand = evaluateByHand(trainer, data.validation!);
      expect(last[metricKey.validationLoss]).toBeCloseTo(byHand.loss, 5);
      expect(last[metricKey.validationAcc]).toBeCloseTo(byHand.acc, 10);
      // Every one of the 45 examples counted: accuracy is a whole number of 45ths.
      expect(Math.abs(last[metricKey.validationAcc]! * 45 - Math.round(last[metricKey.validationAcc]! * 45))).toBeLessThan(1e-4);
      // The test set is still evaluated on its own examples, with and without batch statistics.
      expect(last[metricKey.testAcc]).toBeCloseTo(evaluateByHand(trainer, data.test).acc, 10);
      expect(last).toHaveProperty(metricKey.testAccBatchStats);
    } finally {
      trainer.dispose();
    }
  });

  it('logs no validation series without a validation split, and the training curve does not change with one', async () => {
    const spec = moonsSpec();
    const run = async (data: DatasetArrays) => {
      const frames: MetricFrame[] = [];
      expect((await runTraining(tf, spec, data, { onFrame: (f) => frames.push(f), isCancelled: () => false })).status).toBe('finished');
      return frames;
    };
    const without = await run(moons());
    const withIt = await run(withValidationSplit());
    expect(without.flatMap((f) => Object.keys(f.values)).filter((key) => key.startsWith('val/'))).toEqual([]);
    expect(withIt.at(-1)!.values).toHaveProperty(metricKey.validationAcc);
    // Evaluating the validation split reads the model; it never trains it.
    for (const key of [metricKey.trainLoss, metricKey.testLoss, metricKey.testAcc]) {
      expect(withIt.map((f) => f.values[key])).toEqual(without.map((f) => f.values[key]));
    }
  });

  it('honours evalLimit, and skips a validation split smaller than a batch when eval uses batch statistics', async () => {
    const limited = await trainToEnd(moonsSpec({ data: { evalLimit: 30 } }), withValidationSplit());
    try {
      const acc = limited.frames.at(-1)!.values[metricKey.validationAcc]!;
      const firstThirty = withValidationSplit().validation!;
      expect(acc).toBeCloseTo(evaluateByHand(limited.trainer, { x: firstThirty.x.subarray(0, 60), y: firstThirty.y.subarray(0, 30) }).acc, 10);
    } finally {
      limited.trainer.dispose();
    }
    const batchStatsEval = moonsSpec({
      layers: [
        { kind: 'dense', id: 'd1', units: 12 },
        { kind: 'norm', id: 'bn1', evalUseBatchStats: true },
        { kind: 'activation', id: 'a1', fn: 'tanh' },
        { kind: 'dense', id: 'out', units: 2 },
      ],
    });
    const frames: MetricFrame[] = [];
    const outcome = await runTraining(tf, batchStatsEval, withValidationSplit(5), { onFrame: (f) => frames.push(f), isCancelled: () => false });
    expect(outcome.status).toBe('finished');
    expect(frames.at(-1)!.values).toHaveProperty(metricKey.testAcc);
    expect(frames.at(-1)!.values).not.toHaveProperty(metricKey.validationAcc);
  });

  it('refuses a validation split whose inputs and labels disagree', () => {
    const data = withValidationSplit();
    const broken = { ...data, validation: { x: data.validation!.x, y: data.validation!.y.subarray(0, 40) } };
    expect(() => new Trainer(tf, moonsSpec(), broken)).toThrow('the validation inputs hold 90 values, expected 40 examples × 2');
  });
});
