/** Optimizers and learning-rate schedules, written out so every run says exactly what it did. */
import type * as tfc from '@tensorflow/tfjs-core';
import type { LrSchedule, Optimizer } from '../spec/training';
import { kernel, newVariable, type Constants } from './ops';

type Tf = typeof tfc;

/** The learning rate at `step` (0-based) of a run of `totalSteps`. */
export function learningRateAt(base: number, schedule: LrSchedule, step: number, totalSteps: number): number {
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'step':
      return base * schedule.factor ** Math.floor(step / schedule.every);
    case 'cosine': {
      const progress = Math.min(1, step / Math.max(1, totalSteps));
      return schedule.minLr + (base - schedule.minLr) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }
  }
}

export interface OptimizerState {
  /**
   * True when `apply` wants gradients already multiplied by the learning rate (plain SGD): the
   * trainer scales ∂ℓ/∂logits once, which saves a multiply per parameter tensor per step.
   */
  readonly prescaled: boolean;
  /** Applies one update to `variables` from `grads` (same order) at learning rate `lr` (call inside a tidy). */
  apply(grads: tfc.Tensor[], lr: number): void;
  dispose(): void;
}

/** A gradient with the entries that do not train (mask 0) zeroed; no mask: unchanged. */
export function maskGradient(tf: Tf, g: tfc.Tensor, mask: tfc.Tensor | null | undefined): tfc.Tensor {
  return mask ? tf.mul(g, mask) : g;
}

/**
 * SGD, momentum (optionally Nesterov, in PyTorch's formulation) or Adam over `variables`. Weight
 * decay is L2 added to the gradient (the classic "weight decay" of SGD papers), on kernels only
 * (`decayMask`): decaying γ would pull it towards 0 and switch features off for a reason the lab
 * is not asking about. `updateMasks` (per variable, 0/1 like the variable; null: all of it) keeps
 * the masked-out entries exactly at their values: they get a zero gradient, decay included, so
 * no optimizer state builds up for them either.
 */
export function createOptimizer(tf: Tf, k: Constants, spec: Optimizer, variables: tfc.Variable[], weightDecay: number, decayMask: boolean[], updateMasks: Array<tfc.Tensor | null> = []): OptimizerState {
  const slots = () => variables.map((v) => newVariable(tf, () => tf.zerosLike(v), false));
  // The gradient a step uses: L2 decay added, entries that do not train zeroed.
  const stepGradient = (g: tfc.Tensor, i: number) =>
    maskGradient(tf, weightDecay > 0 && decayMask[i] ? tf.add(g, tf.mul(variables[i]!, k.scalar(weightDecay))) : g, updateMasks[i]);
  // A constant learning rate is one cached scalar; a scheduled one is a fresh scalar per step.
  const rate = (lr: number) => (lastLr === lr ? k.scalar(lr) : tf.scalar(lr));
  let lastLr = NaN;
  const step = (lr: number, update: (lrTensor: tfc.Tensor) => void) => {
    update(rate(lr));
    lastLr = lr;
  };

  switch (spec.kind) {
    case 'sgd':
      if (weightDecay === 0) {
        // w ← w − (lr·g), with lr·g straight from the backward pass.
        return { prescaled: true, apply: (grads) => grads.forEach((g, i) => variables[i]!.assign(kernel.sub(tf, variables[i]!, stepGradient(g, i)))), dispose: () => {} };
      }
      return {
        prescaled: false,
        apply: (grads, lr) => step(lr, (lrT) => grads.forEach((g, i) => variables[i]!.assign(tf.sub(variables[i]!, tf.mul(stepGradient(g, i), lrT))))),
        dispose: () => {},
      };
    case 'momentum': {
      const velocity = slots();
      const mu = k.scalar(spec.momentum);
      return {
        prescaled: false,
        apply: (grads, lr) =>
          step(lr, (lrT) =>
            grads.forEach((raw, i) => {
              // v ← μ·v + g; w ← w − lr·v (or, Nesterov, w ← w − lr·(g + μ·v)).
              const g = stepGradient(raw, i);
              const v = velocity[i]!;
              const next = tf.add(tf.mul(v, mu), g);
              v.assign(next);
              const direction = spec.nesterov ? tf.add(g, tf.mul(next, mu)) : next;
              variables[i]!.assign(tf.sub(variables[i]!, tf.mul(direction, lrT)));
            }),
          ),
        dispose: () => velocity.forEach((v) => v.dispose()),
      };
    }
    case 'adam': {
      const first = slots();
      const second = slots();
      const [b1, b2, oneMinusB1, oneMinusB2, eps] = [spec.beta1, spec.beta2, 1 - spec.beta1, 1 - spec.beta2, spec.epsilon].map((v) => k.scalar(v));
      let t = 0;
      return {
        prescaled: false,
        apply: (grads, lr) => {
          t++;
          // Bias correction folded into the step size (Kingma & Ba, Algorithm 1's last lines).
          const stepSize = tf.scalar((lr * Math.sqrt(1 - spec.beta2 ** t)) / (1 - spec.beta1 ** t));
          grads.forEach((raw, i) => {
            const g = stepGradient(raw, i);
            const m = first[i]!;
            const v = second[i]!;
            m.assign(tf.add(tf.mul(m, b1!), tf.mul(g, oneMinusB1!)));
            v.assign(tf.add(tf.mul(v, b2!), tf.mul(tf.square(g), oneMinusB2!)));
            variables[i]!.assign(tf.sub(variables[i]!, tf.div(tf.mul(m, stepSize), tf.add(tf.sqrt(v), eps!))));
          });
        },
        dispose: () => [...first, ...second].forEach((v) => v.dispose()),
      };
    }
  }
}
