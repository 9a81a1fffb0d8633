/**
 * Model specs: the network as an ordered list of layers. Every boundary (IPC, CLI, files)
 * parses with these schemas; the engine only ever sees parsed, typed specs.
 */
import { z } from 'zod';

/** A layer id names a layer across the runs of one comparison, so paired runs share its initial weights. */
export const LayerId = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9_-]{0,39}$/, 'a layer id starts with a letter and uses letters, digits, "_" or "-" (at most 40)');

export const Initializer = z.discriminatedUnion('kind', [
  /** N(0, σ²) — Ioffe & Szegedy's "small Gaussian" (σ = 0.05 in the common reproduction). */
  z.object({ kind: z.literal('gaussian'), std: z.number().positive().max(100) }),
  z.object({ kind: z.literal('glorotUniform') }),
  z.object({ kind: z.literal('glorotNormal') }),
  z.object({ kind: z.literal('heUniform') }),
  z.object({ kind: z.literal('heNormal') }),
]);
export type Initializer = z.infer<typeof Initializer>;

export const ActivationFn = z.enum(['sigmoid', 'tanh', 'relu', 'leakyRelu', 'linear']);
export type ActivationFn = z.infer<typeof ActivationFn>;

const defaultInit: Initializer = { kind: 'glorotUniform' };

export const DenseLayer = z.object({
  kind: z.literal('dense'),
  id: LayerId,
  units: z.number().int().min(1).max(4096),
  bias: z.boolean().default(true),
  init: Initializer.default(defaultInit),
});

export const Conv2dLayer = z.object({
  kind: z.literal('conv2d'),
  id: LayerId,
  filters: z.number().int().min(1).max(512),
  kernelSize: z.number().int().min(1).max(11),
  stride: z.number().int().min(1).max(4).default(1),
  padding: z.enum(['same', 'valid']).default('same'),
  bias: z.boolean().default(true),
  init: Initializer.default({ kind: 'heNormal' }),
});

export const PoolLayer = z.object({
  kind: z.enum(['maxPool', 'avgPool']),
  id: LayerId,
  poolSize: z.number().int().min(1).max(8).default(2),
  stride: z.number().int().min(1).max(8).optional(),
});

export const FlattenLayer = z.object({ kind: z.literal('flatten'), id: LayerId });

export const ActivationLayer = z.object({
  kind: z.literal('activation'),
  id: LayerId,
  fn: ActivationFn,
  /** Slope for negative inputs of leakyRelu. */
  alpha: z.number().min(0).max(1).default(0.01),
});

export const DropoutLayer = z.object({
  kind: z.literal('dropout'),
  id: LayerId,
  rate: z.number().min(0).max(0.95),
});

/**
 * What a normalization layer computes:
 * - none: passes x through (keeps the slot, so variants line up);
 * - standardize: x̂ = (x − μ_B)/√(σ²_B + ε), no γ/β;
 * - batchnorm: γ·x̂ + β (γ/β learned, fixed at init, or absent per `gamma`/`beta`);
 * - affine: γ·x + β with no standardization ("why not just γx+β?");
 * - frozen: γ·x̂ + β with γ, β fixed at their init values.
 */
export const NormMode = z.enum(['none', 'standardize', 'batchnorm', 'affine', 'frozen']);
export type NormMode = z.infer<typeof NormMode>;

/** learned: trained; fixed: kept at `init`; absent: not applied at all (γ≡1, β≡0). */
export const NormParam = z.object({
  use: z.enum(['learned', 'fixed', 'absent']).default('learned'),
  init: z.number().min(-1e3).max(1e3),
});
export type NormParam = z.infer<typeof NormParam>;

/**
 * Running-statistics conventions (BN-REFERENCE.md):
 * pytorch: running = (1−m)·running + m·batch with m = momentum (0.1), unbiased running variance;
 * keras:   moving  = m·moving + (1−m)·batch with m = momentum (0.99), biased moving variance.
 */
export const StatsConvention = z.enum(['pytorch', 'keras']);
export type StatsConvention = z.infer<typeof StatsConvention>;

export const NormLayer = z.object({
  kind: z.literal('norm'),
  id: LayerId,
  mode: NormMode.default('batchnorm'),
  gamma: NormParam.default({ use: 'learned', init: 1 }),
  beta: NormParam.default({ use: 'learned', init: 0 }),
  epsilon: z.number().positive().max(1).default(1e-5),
  convention: StatsConvention.default('pytorch'),
  /** Momentum in the convention's own sense (pytorch 0.1, keras 0.99). */
  momentum: z.number().min(0).max(1).default(0.1),
  /** Eval mode normally uses running statistics; this shows the mismatch by using the batch's. */
  evalUseBatchStats: z.boolean().default(false),
  /** Santurkar et al.'s "noisy BN": time-varying per-unit noise injected after this layer in training. */
  injectNoise: z.boolean().default(false),
});

/** Contradictions between a norm layer's mode and its γ/β settings, as messages a user can act on. */
export function normLayerProblems(layer: Pick<NormLayer, 'mode' | 'gamma' | 'beta'>): string[] {
  const problems: string[] = [];
  const params = [
    ['γ', layer.gamma],
    ['β', layer.beta],
  ] as const;
  for (const [name, param] of params) {
    if (layer.mode === 'standardize' && param.use !== 'absent') {
      problems.push(`"standardize" computes x̂ only: set ${name} to absent, or choose "batchnorm"`);
    }
    if (layer.mode === 'frozen' && param.use === 'learned') {
      problems.push(`"frozen" keeps γ and β at fixed values: set ${name} to fixed, or choose "batchnorm"`);
    }
    if (layer.mode === 'none' && param.use === 'learned') {
      problems.push(`"none" passes x through unchanged: ${name} cannot be learned`);
    }
  }
  return problems;
}

/** The norm layer switched to `mode`, with γ/β settings made consistent with it (used by editors and variants). */
export function withNormMode<L extends Pick<NormLayer, 'mode' | 'gamma' | 'beta'>>(layer: L, mode: NormMode): L {
  const set = (param: NormParam, use: NormParam['use']): NormParam => ({ ...param, use });
  switch (mode) {
    case 'none':
    case 'standardize':
      return { ...layer, mode, gamma: set(layer.gamma, 'absent'), beta: set(layer.beta, 'absent') };
    case 'frozen':
      return { ...layer, mode, gamma: set(layer.gamma, 'fixed'), beta: set(layer.beta, 'fixed') };
    case 'batchnorm':
    case 'affine': {
      // Coming from a mode without learned parameters, the natural expectation is "learn both".
      const hadNone = layer.gamma.use !== 'learned' && layer.beta.use !== 'learned';
      return hadNone
        ? { ...layer, mode, gamma: set(layer.gamma, 'learned'), beta: set(layer.beta, 'learned') }
        : { ...layer, mode };
    }
  }
}

export const LayerSpec = z.discriminatedUnion('kind', [
  DenseLayer,
  Conv2dLayer,
  PoolLayer,
  FlattenLayer,
  ActivationLayer,
  DropoutLayer,
  NormLayer,
]);
export type LayerSpec = z.infer<typeof LayerSpec>;
export type LayerSpecInput = z.input<typeof LayerSpec>;
export type DenseLayer = z.infer<typeof DenseLayer>;
export type Conv2dLayer = z.infer<typeof Conv2dLayer>;
export type PoolLayer = z.infer<typeof PoolLayer>;
export type ActivationLayer = z.infer<typeof ActivationLayer>;
export type DropoutLayer = z.infer<typeof DropoutLayer>;
export type NormLayer = z.infer<typeof NormLayer>;

export const ModelSpec = z
  .object({
    layers: z.array(LayerSpec).min(1, 'a model needs at least one layer').max(64),
  })
  .superRefine((model, ctx) => {
    const seen = new Set<string>();
    model.layers.forEach((layer, i) => {
      if (seen.has(layer.id)) {
        ctx.addIssue({ code: 'custom', path: ['layers', i, 'id'], message: `layer id "${layer.id}" is used twice` });
      }
      seen.add(layer.id);
    });
    model.layers.forEach((layer, i) => {
      if (layer.kind !== 'norm') return;
      for (const message of normLayerProblems(layer)) {
        ctx.addIssue({ code: 'custom', path: ['layers', i], message: `layer "${layer.id}": ${message}` });
      }
    });
    const last = model.layers[model.layers.length - 1];
    if (last && last.kind !== 'dense') {
      ctx.addIssue({
        code: 'custom',
        path: ['layers', model.layers.length - 1],
        message: 'the last layer must be dense (its units are the class scores)',
      });
    }
  });
export type ModelSpec = z.infer<typeof ModelSpec>;
