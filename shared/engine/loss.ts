/** The training losses, each with its gradient with respect to the logits written out. */
import type * as tfc from '@tensorflow/tfjs-core';
import type { TrainingSpec } from '../spec/training';
import { kernel, type Constants, type Tensor, type Tf } from './ops';

/**
 * Each row's loss ([rows]): crossEntropy −Σ_c y_c·log softmax(z)_c; mse (1/C)·Σ_c (z_c − y_c)²
 * (Keras's mean over classes too). A batch's loss is their mean.
 */
export function exampleLosses(tf: Tf, kind: TrainingSpec['loss'], logits: Tensor, oneHot: Tensor): Tensor {
  if (kind === 'mse') return tf.mean(tf.squaredDifference(logits, oneHot), 1);
  return tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1));
}

/**
 * ∂(mean loss over the batch)/∂logits, times `scale`: crossEntropy (softmax(z) − onehot)·scale/B,
 * mse 2(z − onehot)·scale/(B·C). `scale` (say, the learning rate) costs nothing extra: it joins the
 * 1/B factor. A `varyingScale` (a scheduled learning rate) gets a fresh scalar instead of a cached one.
 */
export function lossGradient(tf: Tf, k: Constants, kind: TrainingSpec['loss'], logits: Tensor, oneHot: Tensor, scale = 1, varyingScale = false): Tensor {
  const [batch, classes] = logits.shape as [number, number];
  const factor = kind === 'mse' ? (2 * scale) / (batch * classes) : scale / batch;
  const difference = kernel.sub(tf, kind === 'mse' ? logits : kernel.softmax(tf, logits), oneHot);
  return kernel.mul(tf, difference, varyingScale ? tf.scalar(factor) : k.scalar(factor));
}

/** Mean loss over the batch, and ∂loss/∂logits when `withGradient`. */
export function lossAndGradient(
  tf: Tf,
  k: Constants,
  kind: TrainingSpec['loss'],
  logits: Tensor,
  oneHot: Tensor,
  withGradient: boolean,
): { loss: tfc.Scalar; dLogits: Tensor | null } {
  return { loss: tf.mean(exampleLosses(tf, kind, logits, oneHot)), dLogits: withGradient ? lossGradient(tf, k, kind, logits, oneHot) : null };
}

/** Whether each row's largest logit is at its label (a bool [rows]). */
export function hits(tf: Tf, logits: Tensor, labels: Tensor): Tensor {
  return tf.equal(tf.argMax(logits, 1), labels);
}

/** How many rows' largest logit is at the label (an int32 scalar). */
export function countCorrect(tf: Tf, logits: Tensor, labels: Tensor): Tensor {
  return tf.sum(hits(tf, logits, labels));
}

/** One-hot rows of `labels` into `out` (row-major [labels.length, classes]). */
export function fillOneHot(labels: ArrayLike<number>, classes: number, out: Float32Array): Float32Array {
  out.fill(0);
  for (let i = 0; i < labels.length; i++) out[i * classes + labels[i]!] = 1;
  return out;
}
