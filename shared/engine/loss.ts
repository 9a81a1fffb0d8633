/** The training losses, each with its gradient with respect to the logits written out. */
import type * as tfc from '@tensorflow/tfjs-core';
import type { TrainingSpec } from '../spec/training';
import type { Constants, Tensor, Tf } from './ops';

/**
 * Mean loss over the batch, and ∂loss/∂logits when `withGradient`.
 * crossEntropy: −(1/B) Σ log softmax(z)_y, gradient (softmax(z) − onehot)/B;
 * mse: (1/(B·C)) Σ (z − onehot)², gradient 2(z − onehot)/(B·C) (Keras's mean over classes too).
 */
export function lossAndGradient(
  tf: Tf,
  k: Constants,
  kind: TrainingSpec['loss'],
  logits: Tensor,
  oneHot: Tensor,
  withGradient: boolean,
): { loss: tfc.Scalar; dLogits: Tensor | null } {
  const [batch, classes] = logits.shape as [number, number];
  if (kind === 'mse') {
    const diff = tf.sub(logits, oneHot);
    return {
      loss: tf.mul(tf.sum(tf.square(diff)), k.scalar(1 / (batch * classes))),
      dLogits: withGradient ? tf.mul(diff, k.scalar(2 / (batch * classes))) : null,
    };
  }
  const logProbabilities = tf.logSoftmax(logits);
  return {
    loss: tf.mul(tf.sum(tf.mul(oneHot, logProbabilities)), k.scalar(-1 / batch)),
    dLogits: withGradient ? tf.mul(tf.sub(tf.exp(logProbabilities), oneHot), k.scalar(1 / batch)) : null,
  };
}

/** How many rows' largest logit is at the label (an int32 scalar). */
export function countCorrect(tf: Tf, logits: Tensor, labels: Tensor): Tensor {
  return tf.sum(tf.equal(tf.argMax(logits, 1), labels));
}

/** One-hot rows of `labels` into `out` (row-major [labels.length, classes]). */
export function fillOneHot(labels: ArrayLike<number>, classes: number, out: Float32Array): Float32Array {
  out.fill(0);
  for (let i = 0; i < labels.length; i++) out[i * classes + labels[i]!] = 1;
  return out;
}
