/**
 * The held-out evaluation's batch size (training.evalBatchSize): eval mode with running
 * statistics does not depend on it; with the batch's own statistics a batch of one example has
 * σ²_B = 0, so x̂ = 0 and the network answers every input alike. Small eval batches read a capped
 * number of examples, and the run says how many.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend, tf } from '../../../electron/lab/engineHost/nodeBackend';
import { metricKey } from '../../../shared/engine/frame';
import { runTraining, Trainer } from '../../../shared/engine/train';
import { MAX_EVAL_BATCHES } from '../../../shared/spec/training';
import type { RunSpecInput } from '../../../shared/spec/experiment';
import { inScope, moons, moonsSpec } from './fixtures';

beforeAll(async () => {
  await initNodeBackend();
});

/** The moons BN MLP trained 60 steps (batches of 20), then evaluated once. */
async function evaluateAfterTraining(training: Partial<RunSpecInput['training']> = {}, data = moons(), specData: Partial<RunSpecInput['data']> = {}): Promise<Record<string, number>> {
  const trainer = new Trainer(tf, moonsSpec({ training, data: specData }), data);
  for (let i = 0; i < 60; i++) trainer.trainStep(false);
  const values = await trainer.evaluate();
  trainer.dispose();
  return values;
}

describe('training.evalBatchSize', () => {
  it('eval mode (running statistics) gives the same accuracy and loss whatever the eval batch size', async () => {
    const reference = await evaluateAfterTraining();
    // Sizes that divide the 100 test examples, so every size reads all of them.
    for (const evalBatchSize of [1, 4, 25, 100]) {
      const values = await evaluateAfterTraining({ evalBatchSize });
      expect(values[metricKey.testExamples], `batch ${evalBatchSize}`).toBe(100);
      expect(values[metricKey.testAcc], `batch ${evalBatchSize}`).toBe(reference[metricKey.testAcc]);
      expect(values[metricKey.testLoss]!, `batch ${evalBatchSize}`).toBeCloseTo(reference[metricKey.testLoss]!, 5);
    }
  });

  it('with batch statistics, a single-example batch normalizes every input to x̂ = 0: the network answers every example alike', async () => {
    const trainer = new Trainer(tf, moonsSpec(), moons());
    for (let i = 0; i < 60; i++) trainer.trainStep(false);
    const test = moons().test;
    const logits = inScope(tf, () =>
      Array.from({ length: 5 }, (_, i) => Array.from(trainer.model.forward(tf.tensor2d(test.x.subarray(2 * i, 2 * i + 2), [1, 2]), { training: false, evalBatchStats: true }).dataSync())),
    );
    for (const row of logits) expect(row).toEqual(logits[0]);
    // The same examples with running statistics get different answers.
    const running = inScope(tf, () => Array.from(trainer.model.forward(tf.tensor2d(test.x.subarray(0, 10), [5, 2]), { training: false }).dataSync()));
    expect(new Set(running.filter((_, i) => i % 2 === 0)).size).toBeGreaterThan(1);
    trainer.dispose();
    // So the accuracy is the share of the one class it names: the moons test set is half each class.
    const values = await evaluateAfterTraining({ evalBatchSize: 1 });
    expect(values[metricKey.testAccBatchStats]).toBe(0.5);
    expect(values[metricKey.testAcc]).toBeGreaterThan(0.75);
  });

  it('absent, batch statistics use batches of the training size: an explicit eval batch of that size gives the same numbers', async () => {
    const absent = await evaluateAfterTraining();
    const explicit = await evaluateAfterTraining({ evalBatchSize: 20 });
    expect(explicit[metricKey.testAccBatchStats]).toBe(absent[metricKey.testAccBatchStats]);
    expect(explicit[metricKey.testAcc]).toBe(absent[metricKey.testAcc]);
    // And a different eval batch changes what batch statistics give.
    const small = await evaluateAfterTraining({ evalBatchSize: 2 });
    expect(small[metricKey.testAccBatchStats]).not.toBe(absent[metricKey.testAccBatchStats]);
  });

  it(`reads whole batches only, at most ${MAX_EVAL_BATCHES} of them, and never more than evalLimit`, async () => {
    const big = moons(500, 1200);
    expect((await evaluateAfterTraining({ evalBatchSize: 1 }, big))[metricKey.testExamples]).toBe(MAX_EVAL_BATCHES);
    expect((await evaluateAfterTraining({ evalBatchSize: 2 }, big))[metricKey.testExamples]).toBe(1000);
    expect((await evaluateAfterTraining({ evalBatchSize: 1 }, big, { evalLimit: 300 }))[metricKey.testExamples]).toBe(300);
    expect((await evaluateAfterTraining({ evalBatchSize: 7 }))[metricKey.testExamples]).toBe(98);
    // Without an eval batch size nothing is capped (the existing behaviour).
    expect((await evaluateAfterTraining({}, big))[metricKey.testExamples]).toBe(1200);
  });

  it('refuses an eval batch larger than the examples evaluated, saying how many there are', async () => {
    const outcome = await runTraining(tf, moonsSpec({ training: { evalBatchSize: 150 } }), moons(), { onFrame: () => {}, isCancelled: () => false });
    expect(outcome).toEqual({ status: 'failed', step: 0, message: 'the eval batch size 150 is larger than the 100 held-out examples evaluated; choose an eval batch size of at most 100' });
  });
});
