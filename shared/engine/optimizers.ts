/** Optimizers and learning-rate schedules, written out so every run says exactly what it did. */
import type * as tfc from '@tensorflow/tfjs-core';
import type { LrSchedule, Optimizer } from '../spec/training';

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
  /** Applies one update to `variables` from `grads` (same order) at learning rate `lr`. */
  apply(grads: tfc.Tensor[], lr: number): void;
  dispose(): void;
}

/**
 * SGD, momentum (optionally Nesterov) or Adam over `variables`. Weight decay is L2 added to the
 * gradient (classic "weight decay" of SGD papers), applied to kernels only when `decayMask` says so.
 */
export function createOptimizer(tf: Tf, spec: Optimizer, variables: tfc.Variable[], weightDecay: number, decayMask: boolean[]): OptimizerState {
  const slots = (count: number) => variables.map((v) => Array.from({ length: count }, () => tf.variable(tf.zerosLike(v), false)));
  const withDecay = (g: tfc.Tensor, i: number) => (weightDecay > 0 && decayMask[i] ? tf.add(g, tf.mul(variables[i]!, weightDecay)) : g);

  switch (spec.kind) {
    case 'sgd':
      return {
        apply: (grads, lr) =>
          tf.tidy(() => {
            grads.forEach((g, i) => variables[i]!.assign(tf.sub(variables[i]!, tf.mul(withDecay(g, i), lr))));
          }),
        dispose: () => {},
      };
    case 'momentum': {
      const velocity = slots(1);
      return {
        apply: (grads, lr) =>
          tf.tidy(() => {
            grads.forEach((raw, i) => {
              const g = withDecay(raw, i);
              const v = velocity[i]![0]!;
              const next = tf.add(tf.mul(v, spec.momentum), g);
              v.assign(next);
              const step = spec.nesterov ? tf.add(g, tf.mul(next, spec.momentum)) : next;
              variables[i]!.assign(tf.sub(variables[i]!, tf.mul(step, lr)));
            });
          }),
        dispose: () => velocity.flat().forEach((v) => v.dispose()),
      };
    }
    case 'adam': {
      const moments = slots(2);
      let t = 0;
      return {
        apply: (grads, lr) => {
          t++;
          // Bias correction folded into the step size (Kingma & Ba, Algorithm 1's last lines).
          const stepSize = (lr * Math.sqrt(1 - spec.beta2 ** t)) / (1 - spec.beta1 ** t);
          tf.tidy(() => {
            grads.forEach((raw, i) => {
              const g = withDecay(raw, i);
              const [m, v] = moments[i] as [tfc.Variable, tfc.Variable];
              m.assign(tf.add(tf.mul(m, spec.beta1), tf.mul(g, 1 - spec.beta1)));
              v.assign(tf.add(tf.mul(v, spec.beta2), tf.mul(tf.square(g), 1 - spec.beta2)));
              variables[i]!.assign(tf.sub(variables[i]!, tf.div(tf.mul(m, stepSize), tf.add(tf.sqrt(v), spec.epsilon))));
            });
          });
        },
        dispose: () => moments.flat().forEach((v) => v.dispose()),
      };
    }
  }
}
