/**
 * The built-in experiments: each a question, the runs that answer it (paired on initial weights),
 * the charts to look at and the findings computed from what the runs did. Quick variants finish in
 * about two minutes or less on a 2-core laptop (wasm backend); full ones follow the papers' setups
 * where the lab can (BN-REFERENCE.md).
 */
import { metricKey } from '../engine/frame';
import type { DataSpecInput } from '../spec/data';
import { ExperimentSpec, RunSpec, type RunSpecInput } from '../spec/experiment';
import { ModelSpec, type LayerSpec, type LayerSpecInput } from '../spec/model';
import type { TrainingSpecInput } from '../spec/training';
import {
  batchSizeVariants,
  expandVariants,
  learningRateVariants,
  setNormMode,
  updateNorm,
  withAndWithoutNorm,
  withLayers,
  withoutNorm,
  type Variant,
} from '../spec/variants';
import { divergence, finalAccuracy, finalSeriesByVariant, gammaNearZero, meanOverRun, medianDrift, stepsToAccuracy, trainEvalGap, undoFindings } from './findings';
import { mlp, smallCnn } from './models';
import type { Preset, PresetOptions } from './types';

const MNIST: DataSpecInput = { source: { kind: 'mnist' } };
const pct = (v: number) => `${Math.round(v * 100)}%`;
/** Layers with their defaults filled in (variants replace a run's layers with these). */
const parsedLayers = (layers: LayerSpecInput[]): LayerSpec[] => ModelSpec.parse({ layers }).layers;

/** Steps for this invocation: explicit, quick, or full. */
function stepsFor(options: PresetOptions | undefined, full: number, quick: number): number {
  return options?.steps ?? (options?.quick ? quick : full);
}

/** Training settings with logging scaled to the run's length (about 100 frames, 20 evaluations). */
function training(steps: number, settings: Omit<TrainingSpecInput, 'duration'>): TrainingSpecInput {
  const logEvery = Math.max(1, Math.round(steps / 100));
  const evalEvery = Math.max(logEvery, Math.round(steps / 20 / logEvery) * logEvery);
  return { logEvery, evalEvery, ...settings, duration: { steps } };
}

function build(id: string, title: string, base: RunSpecInput, variants: Variant[], seeds: number[] = [1]): ExperimentSpec {
  const parsed = RunSpec.parse(base);
  // Reduced runs (a handful of steps, as in CI) evaluate on 1,000 held-out examples, not all of them.
  const steps = 'steps' in parsed.training.duration ? parsed.training.duration.steps : Infinity;
  if (steps <= 100) parsed.data = { ...parsed.data, evalLimit: Math.min(parsed.data.evalLimit ?? 1000, 1000) };
  return ExperimentSpec.parse({ title, presetId: id, runs: expandVariants(parsed, variants, seeds) });
}

const keep: Variant = { name: 'with BN', apply: (run) => run };
const noBn: Variant = { name: 'without BN', apply: withoutNorm };

const ioffe: Preset = {
  id: 'ioffe-fig1',
  title: 'Reproduce Ioffe & Szegedy, Figure 1',
  question: 'Does batch normalization make a sigmoid MLP on MNIST train faster and keep its pre-activations stable?',
  summary:
    'The paper\'s network — 784 → three hidden layers of 100 sigmoid units → 10, weights from N(0, 0.05²), batches of 60 — trained with and without BN before each sigmoid, from identical initial weights. Watch held-out accuracy, and the 15th/50th/85th percentiles of one last-hidden-layer unit\'s sigmoid input over training.',
  varied: 'BN before each sigmoid, or none',
  heldFixed: 'architecture, initial weights (same seed and layer ids), batch order, plain SGD, learning rate 0.5, batch size 60',
  citation: 'Ioffe & Szegedy (2015), Batch Normalization, §4.1 and Figure 1',
  math: ['\\hat{x} = \\frac{x - \\mu_\\mathcal{B}}{\\sqrt{\\sigma^2_\\mathcal{B} + \\epsilon}},\\quad y = \\gamma \\hat{x} + \\beta'],
  prompts: ['Which run reaches 95% test accuracy first?', 'How do the percentile bands of the unit\'s input differ early in training?'],
  experiment(options) {
    const steps = stepsFor(options, 50_000, 5_000);
    const layers = mlp({ hidden: [100, 100, 100], activation: 'sigmoid', classes: 10, norm: 'beforeActivation', init: { kind: 'gaussian', std: 0.05 }, flatten: true });
    return build(this.id, this.title, { variant: 'base', model: { layers }, data: MNIST, training: training(steps, { optimizer: { kind: 'sgd' }, learningRate: 0.5, batchSize: 60 }) }, [keep, noBn]);
  },
  charts: [
    { kind: 'line', id: 'test-acc', title: 'Held-out accuracy', keys: [metricKey.testAcc] },
    { kind: 'band', id: 'fig1-band', title: 'Sigmoid input of a last-hidden-layer unit (15/50/85th percentiles)', keys: [metricKey.preActivationUnit('act3', 0, 'p15'), metricKey.preActivationUnit('act3', 0, 'p50'), metricKey.preActivationUnit('act3', 0, 'p85')] },
    { kind: 'line', id: 'train-loss', title: 'Training loss', keys: [metricKey.trainLoss], logY: true },
  ],
  findings(input) {
    const quick = input.runs.every((r) => r.spec.training.duration && 'steps' in r.spec.training.duration && r.spec.training.duration.steps <= 5_000);
    return [...stepsToAccuracy(input, quick ? 0.9 : 0.95), ...finalAccuracy(input), ...medianDrift(input, metricKey.preActivationUnit('act3', 0, 'p50'), "the tracked unit's sigmoid input")];
  },
};

const undo: Preset = {
  id: 'gamma-beta-undo',
  title: 'Do γ and β undo BN?',
  question: 'γ = √(Var+ε) and β = E[x] would recover the input exactly. Does training go there?',
  summary: 'A BN MLP on MNIST with learned γ and β, three seeds. The "undo distance" per layer is tracked over time; at the end each unit\'s γ is compared with √(σ²+ε) and β with μ of its input.',
  varied: 'the seed',
  heldFixed: 'everything else',
  citation: 'Ioffe & Szegedy (2015), §3: "the transformation inserted in the network can represent the identity transform"',
  math: ['\\gamma^{(k)} = \\sqrt{\\mathrm{Var}[x^{(k)}] + \\epsilon},\\ \\beta^{(k)} = \\mathrm{E}[x^{(k)}] \\Rightarrow y^{(k)} = x^{(k)}'],
  prompts: ['Are most units close to undoing BN?', 'Does the undo distance shrink over training?'],
  experiment(options) {
    const steps = stepsFor(options, 20_000, 3_000);
    const layers = mlp({ hidden: [100, 100], activation: 'relu', classes: 10, norm: 'beforeActivation', flatten: true });
    return build(this.id, this.title, { variant: 'BN, learned γ and β', model: { layers }, data: MNIST, training: training(steps, { optimizer: { kind: 'momentum' }, learningRate: 0.05, batchSize: 64 }) }, [keep], [1, 2, 3]);
  },
  charts: [
    { kind: 'line', id: 'undo-1', title: 'Undo distance, bn1 (0 = BN undone)', keys: [metricKey.undoDistance('bn1')] },
    { kind: 'line', id: 'undo-2', title: 'Undo distance, bn2', keys: [metricKey.undoDistance('bn2')] },
    { kind: 'line', id: 'undo-within', title: 'Fraction of units within 10% of undoing', keys: [metricKey.undoFraction('bn1'), metricKey.undoFraction('bn2')] },
    { kind: 'scatter', id: 'gamma-vs-std', title: 'γ against √(σ²+ε), bn1', layerId: 'bn1', x: 'std', y: 'gamma' },
    { kind: 'scatter', id: 'beta-vs-mean', title: 'β against μ, bn1', layerId: 'bn1', x: 'mean', y: 'beta' },
  ],
  findings: (input) => [...undoFindings(input), ...finalSeriesByVariant(input, metricKey.undoFraction('bn1'), (v, x) => `${v}: at the end ${x} of bn1's units were within 10% of undoing BN`)],
};

const circlesScaled: DataSpecInput = { source: { kind: 'synthetic', generator: 'circles', samples: 1500, classes: 2, noise: 0.05 }, inputScale: 20 };

const standardizeFirst: Preset = {
  id: 'why-standardize',
  title: 'Why standardize first? (why not just γx + β)',
  question: 'Is BN just a learned scale and shift, or does standardizing with batch statistics matter?',
  summary: 'A tanh MLP on the circles set (a disc inside a ring) whose inputs are scaled by 20 (badly scaled data), with normalization layers set to none, affine (γx+β, no statistics) or batchnorm, at two learning rates.',
  varied: 'the normalization mode (none / affine / batchnorm) and the learning rate',
  heldFixed: 'initial weights, data, batch order, optimizer',
  math: ['\\text{affine: } y = \\gamma x + \\beta \\qquad \\text{BN: } y = \\gamma \\frac{x-\\mu_\\mathcal{B}}{\\sqrt{\\sigma_\\mathcal{B}^2+\\epsilon}} + \\beta'],
  prompts: ['Which mode copes with the badly scaled input?', 'Which survives the larger learning rate?'],
  experiment(options) {
    const steps = stepsFor(options, 6_000, 1_500);
    const layers = mlp({ hidden: [32, 32], activation: 'tanh', classes: 2, norm: 'beforeActivation' });
    const modes: Variant[] = (['none', 'affine', 'batchnorm'] as const).flatMap((mode) =>
      [0.05, 0.5].map((lr) => ({ name: `${mode === 'none' ? 'no norm' : mode} · lr ${lr}`, apply: (run: RunSpec) => ({ ...setNormMode(run, mode), training: { ...run.training, learningRate: lr } }) })),
    );
    return build(this.id, this.title, { variant: 'base', model: { layers }, data: circlesScaled, training: training(steps, { learningRate: 0.05, batchSize: 32 }) }, modes);
  },
  charts: [
    { kind: 'line', id: 'test-acc', title: 'Held-out accuracy', keys: [metricKey.testAcc] },
    { kind: 'line', id: 'loss', title: 'Training loss', keys: [metricKey.trainLoss], logY: true },
    { kind: 'line', id: 'linear', title: 'Fraction of tanh inputs with |z| < 1 (layer 1)', keys: [metricKey.fractionLinear('act1')] },
  ],
  findings: (input) => [...finalAccuracy(input), ...stepsToAccuracy(input, 0.95), divergence(input), ...finalSeriesByVariant(input, metricKey.fractionLinear('act1'), (v, x) => `${v}: ${x} of the first tanh layer's inputs were in its near-linear range |z| < 1 at the end`)],
};

const learnGammaBeta: Preset = {
  id: 'why-learn-gamma-beta',
  title: 'Why learn γ and β at all?',
  question: 'After standardizing, why not stop at zero mean and unit variance?',
  summary: 'MNIST MLPs with sigmoid and with ReLU units, normalized by standardize-only, full BN, γ only and β only. Standardized sigmoid inputs sit in the sigmoid\'s near-linear range; standardized ReLU inputs leave about half the units off.',
  varied: 'what the norm layers learn (nothing, γ and β, γ only, β only) × the activation',
  heldFixed: 'architecture, initial weights, data, optimizer',
  citation: 'Ioffe & Szegedy (2015), §3: normalizing sigmoid inputs "would constrain them to the linear regime of the nonlinearity"',
  math: ['\\sigma(z) \\approx \\tfrac12 + \\tfrac{z}{4}\\ \\text{for}\\ |z| < 1'],
  prompts: ['What fraction of sigmoid inputs are in |z| < 1 with standardize-only vs BN?', 'How many ReLU units are active?'],
  experiment(options) {
    const steps = stepsFor(options, 6_000, 1_200);
    const variants: Variant[] = (['sigmoid', 'relu'] as const).flatMap((fn) => {
      const act = (run: RunSpec) => withLayers(run, run.model.layers.map((l) => (l.kind === 'activation' ? { ...l, fn } : l)));
      return [
        { name: `${fn} · standardize`, apply: (run: RunSpec) => setNormMode(act(run), 'standardize') },
        { name: `${fn} · γ and β`, apply: (run: RunSpec) => act(run) },
        { name: `${fn} · γ only`, apply: (run: RunSpec) => updateNorm(act(run), (l) => ({ ...l, beta: { ...l.beta, use: 'absent' } })) },
        { name: `${fn} · β only`, apply: (run: RunSpec) => updateNorm(act(run), (l) => ({ ...l, gamma: { ...l.gamma, use: 'absent' } })) },
      ];
    });
    const layers = mlp({ hidden: [100, 100], activation: 'sigmoid', classes: 10, norm: 'beforeActivation', flatten: true });
    return build(this.id, this.title, { variant: 'base', model: { layers }, data: MNIST, training: training(steps, { optimizer: { kind: 'momentum' }, learningRate: 0.05, batchSize: 64 }) }, variants);
  },
  charts: [
    { kind: 'line', id: 'test-acc', title: 'Held-out accuracy', keys: [metricKey.testAcc] },
    { kind: 'line', id: 'linear', title: 'Sigmoid inputs with |z| < 1 (layer 2)', keys: [metricKey.fractionLinear('act2')] },
    { kind: 'line', id: 'active', title: 'Active ReLU units (z > 0, layer 2)', keys: [metricKey.fractionActive('act2')] },
  ],
  findings: (input) => [
    ...finalAccuracy(input),
    ...finalSeriesByVariant(input, metricKey.fractionLinear('act2'), (v, x) => `${v}: ${x} of layer 2's sigmoid inputs ended in the near-linear range |z| < 1`),
    ...finalSeriesByVariant(input, metricKey.fractionActive('act2'), (v, x) => `${v}: ${x} of layer 2's ReLU inputs ended positive (active)`),
  ],
};

const placement: Preset = {
  id: 'bn-placement',
  title: 'BN before or after the activation? And γ/β before a linear layer',
  question: 'Does it matter where BN sits, and do γ, β matter right before a linear layer (where they are absorbed)?',
  summary: 'ReLU MLPs on MNIST with BN before each activation, after it, or not at all; plus a model whose last norm layer sits directly before the output layer, once with learned γ/β and once standardize-only.',
  varied: 'where the norm layers sit; γ/β before the output layer',
  heldFixed: 'dense layers and their initial weights, data, optimizer',
  math: ['W(\\gamma \\odot \\hat{x} + \\beta) + b = (W\\,\\mathrm{diag}\\,\\gamma)\\,\\hat{x} + (W\\beta + b)'],
  prompts: ['Is there a clear winner between before and after?', 'Do the two "before a linear layer" variants end at the same accuracy?'],
  experiment(options) {
    const steps = stepsFor(options, 6_000, 1_200);
    const base = (norm: 'beforeActivation' | 'afterActivation' | 'none') => mlp({ hidden: [100, 100], activation: 'relu', classes: 10, norm, flatten: true });
    const beforeLinear = (learned: boolean): LayerSpecInput[] => {
      const layers = base('beforeActivation');
      layers.splice(layers.length - 1, 0, { kind: 'norm', id: 'bnOut', ...(learned ? {} : { mode: 'standardize', gamma: { use: 'absent', init: 1 }, beta: { use: 'absent', init: 0 } }) });
      return layers;
    };
    const variants: Variant[] = [
      { name: 'BN before activation', apply: (run) => run },
      { name: 'BN after activation', apply: (run) => withLayers(run, parsedLayers(base('afterActivation'))) },
      { name: 'no BN', apply: withoutNorm },
      { name: 'γ/β before output layer', apply: (run) => withLayers(run, parsedLayers(beforeLinear(true))) },
      { name: 'standardize before output layer', apply: (run) => withLayers(run, parsedLayers(beforeLinear(false))) },
    ];
    return build(this.id, this.title, { variant: 'base', model: { layers: base('beforeActivation') }, data: MNIST, training: training(steps, { optimizer: { kind: 'momentum' }, learningRate: 0.05, batchSize: 64 }) }, variants);
  },
  charts: [
    { kind: 'line', id: 'test-acc', title: 'Held-out accuracy', keys: [metricKey.testAcc] },
    { kind: 'line', id: 'loss', title: 'Training loss', keys: [metricKey.trainLoss], logY: true },
  ],
  findings: (input) => {
    const findings = finalAccuracy(input);
    const absorbed = findings.filter((f) => f.id.endsWith('before output layer'));
    if (absorbed.length === 2 && absorbed.every((f) => f.value !== null)) {
      const gap = Math.abs(absorbed[0]!.value! - absorbed[1]!.value!);
      findings.push({ id: 'absorbed', statement: `learned γ/β vs standardize-only directly before the output layer: final test accuracy differs by ${(100 * gap).toFixed(2)} percentage points — γ and β are absorbed by the linear layer that follows`, value: gap, unit: 'fraction', evidence: [] });
    }
    return findings;
  },
};

const lrSweep: Preset = {
  id: 'learning-rates',
  title: 'Does BN allow higher learning rates?',
  question: 'Which learning rates train, and which diverge, with and without BN?',
  summary: 'A sweep of learning rates over a ReLU MLP on MNIST, each rate with and without BN, from the same initial weights.',
  varied: 'learning rate × BN on/off',
  heldFixed: 'architecture, initial weights, data, batch order, plain SGD',
  citation: 'Bjorck et al. (2018), Understanding Batch Normalization',
  math: ['\\mathrm{BN}((aW)u) = \\mathrm{BN}(Wu),\\quad \\frac{\\partial\\,\\mathrm{BN}((aW)u)}{\\partial (aW)} = \\frac{1}{a}\\frac{\\partial\\,\\mathrm{BN}(Wu)}{\\partial W}'],
  prompts: ['What is the largest learning rate that trains without BN? With BN?'],
  experiment(options) {
    const steps = stepsFor(options, 5_000, 800);
    const layers = mlp({ hidden: [100, 100, 100], activation: 'relu', classes: 10, norm: 'beforeActivation', flatten: true });
    return build(this.id, this.title, { variant: 'base', model: { layers }, data: MNIST, training: training(steps, { learningRate: 0.1, batchSize: 64 }) }, withAndWithoutNorm(learningRateVariants([0.03, 0.3, 1, 3])));
  },
  charts: [
    { kind: 'line', id: 'test-acc', title: 'Held-out accuracy', keys: [metricKey.testAcc] },
    { kind: 'line', id: 'loss', title: 'Training loss', keys: [metricKey.trainLoss], logY: true },
  ],
  findings: (input) => [divergence(input), ...stepsToAccuracy(input, 0.9), ...finalAccuracy(input)],
};

const smallBatches: Preset = {
  id: 'small-batches',
  title: 'What happens with small batches?',
  question: 'How does BN behave as the batch shrinks, in training and at inference?',
  summary: 'The same BN MLP on MNIST at batch sizes 2, 4, 8, 32 and 128 for the same number of steps; held-out accuracy with running statistics (eval mode) and with batch statistics.',
  varied: 'batch size',
  heldFixed: 'architecture, initial weights, learning rate, steps',
  citation: 'Wu & He (2018), Group Normalization: BN error grows as the per-device batch shrinks (23.6% at 32 → 34.7% at 2 on ImageNet)',
  math: ['\\mathrm{Var}[x] = \\frac{m}{m-1}\\,\\mathrm{E}_\\mathcal{B}[\\sigma_\\mathcal{B}^2]'],
  prompts: ['At which batch size does eval-mode accuracy fall behind?', 'Why are batch statistics of 2 examples a poor estimate?'],
  experiment(options) {
    const steps = stepsFor(options, 4_000, 800);
    const layers = mlp({ hidden: [100, 100], activation: 'relu', classes: 10, norm: 'beforeActivation', flatten: true });
    return build(this.id, this.title, { variant: 'base', model: { layers }, data: MNIST, training: training(steps, { optimizer: { kind: 'momentum' }, learningRate: 0.02, batchSize: 32 }) }, batchSizeVariants([2, 4, 8, 32, 128]));
  },
  charts: [
    { kind: 'line', id: 'test-acc', title: 'Held-out accuracy (running statistics)', keys: [metricKey.testAcc] },
    { kind: 'line', id: 'test-acc-batch', title: 'Held-out accuracy (batch statistics)', keys: [metricKey.testAccBatchStats] },
  ],
  findings: (input) => [...trainEvalGap(input), divergence(input)],
};

const trainOnlyBn: Preset = {
  id: 'train-only-bn',
  title: 'Train only BatchNorm',
  question: 'How far can a network get when only γ and β learn and every other weight stays at its random initial value?',
  summary: 'A BN MLP on MNIST trained normally, and trained with every weight frozen at its random initialization except the norm layers\' γ and β.',
  varied: 'which parameters train',
  heldFixed: 'architecture, initial weights, data, optimizer',
  citation: 'Frankle, Schwab & Morcos (2021), Training BatchNorm and Only BatchNorm',
  math: ['\\theta_\\text{trained} = \\{\\gamma^{(k)}, \\beta^{(k)}\\}'],
  prompts: ['How far above chance (10%) does training only γ and β get?', 'How many γ end near zero?'],
  experiment(options) {
    const steps = stepsFor(options, 6_000, 1_500);
    const layers = mlp({ hidden: [256, 256], activation: 'relu', classes: 10, norm: 'beforeActivation', flatten: true });
    return build(
      this.id,
      this.title,
      { variant: 'base', model: { layers }, data: MNIST, training: training(steps, { optimizer: { kind: 'adam' }, learningRate: 0.01, batchSize: 64 }) },
      [
        { name: 'train everything', apply: (run) => run },
        { name: 'train only γ and β', apply: (run) => ({ ...run, training: { ...run.training, trainOnlyNorm: true } }) },
      ],
    );
  },
  charts: [
    { kind: 'line', id: 'test-acc', title: 'Held-out accuracy', keys: [metricKey.testAcc] },
    { kind: 'scatter', id: 'gamma', title: 'γ against √(σ²+ε), bn1', layerId: 'bn1', x: 'std', y: 'gamma' },
  ],
  findings: (input) => [...finalAccuracy(input), ...gammaNearZero(input)],
};

const noisyBn: Preset = {
  id: 'noisy-bn',
  title: 'Noisy BN: is it about internal covariate shift?',
  question: 'If we inject a changing distribution shift right after BN, does BN still help?',
  summary: 'A ReLU MLP on MNIST with BN, with BN plus injected time-varying noise after each norm layer, and without BN; the landscape measures (loss variation, gradient predictiveness, β-smoothness) are recorded along the gradient.',
  varied: 'BN, BN + noise, no BN',
  heldFixed: 'architecture, initial weights, data, optimizer',
  citation: 'Santurkar et al. (2018), How Does Batch Normalization Help Optimization?',
  math: ['a \\leftarrow s\\,a + m,\\ m \\sim U(\\mu \\pm 0.1),\\ s \\sim \\mathcal{N}(\\sigma, 0.1)'],
  prompts: ['Does "noisy BN" still train as well as BN?', 'Which run has the smoother loss landscape?'],
  experiment(options) {
    const steps = stepsFor(options, 4_000, 600);
    const layers = mlp({ hidden: [100, 100], activation: 'relu', classes: 10, norm: 'beforeActivation', flatten: true });
    return build(
      this.id,
      this.title,
      { variant: 'base', model: { layers }, data: MNIST, training: { ...training(steps, { learningRate: 0.1, batchSize: 64 }), diagnostics: { landscape: true } } },
      [keep, { name: 'BN + noise', apply: (run) => updateNorm(run, (l) => ({ ...l, injectNoise: true })) }, noBn],
    );
  },
  charts: [
    { kind: 'line', id: 'test-acc', title: 'Held-out accuracy', keys: [metricKey.testAcc] },
    { kind: 'line', id: 'loss-variation', title: 'Loss variation along −∇L', keys: [metricKey.lossVariation], logY: true },
    { kind: 'line', id: 'beta-smoothness', title: 'Effective β-smoothness', keys: [metricKey.betaSmoothness], logY: true },
  ],
  findings: (input) => [
    ...finalAccuracy(input),
    ...meanOverRun(input, metricKey.lossVariation, (v, x) => `${v}: mean loss variation along the gradient ${x}`),
    ...meanOverRun(input, metricKey.betaSmoothness, (v, x) => `${v}: mean effective β-smoothness ${x}`),
  ],
};

const trainVsEval: Preset = {
  id: 'train-vs-eval',
  title: 'Train mode vs eval mode',
  question: 'Why does a BN network score differently with running statistics than with batch statistics, and what does the momentum convention change?',
  summary: 'The same BN MLP on MNIST with PyTorch\'s running statistics (momentum 0.1, unbiased variance) and with Keras/tf.js\'s (momentum 0.99, biased). Early in training the slow 0.99 average still holds most of its initial values.',
  varied: 'running-statistics convention',
  heldFixed: 'everything else',
  math: ['\\text{PyTorch: } r \\leftarrow 0.9\\,r + 0.1\\,b \\qquad \\text{Keras: } r \\leftarrow 0.99\\,r + 0.01\\,b'],
  prompts: ['Why is eval-mode accuracy low at first with momentum 0.99?', 'When do the two curves meet?'],
  experiment(options) {
    const steps = stepsFor(options, 3_000, 600);
    const layers = mlp({ hidden: [100, 100], activation: 'relu', classes: 10, norm: 'beforeActivation', flatten: true });
    return build(
      this.id,
      this.title,
      { variant: 'base', model: { layers }, data: MNIST, training: training(steps, { optimizer: { kind: 'momentum' }, learningRate: 0.05, batchSize: 32, evalEvery: Math.max(1, Math.round(steps / 30)), logEvery: Math.max(1, Math.round(steps / 30)) }) },
      [
        { name: 'PyTorch (momentum 0.1)', apply: (run) => updateNorm(run, (l) => ({ ...l, convention: 'pytorch', momentum: 0.1 })) },
        { name: 'Keras (momentum 0.99)', apply: (run) => updateNorm(run, (l) => ({ ...l, convention: 'keras', momentum: 0.99, epsilon: 1e-3 })) },
      ],
    );
  },
  charts: [
    { kind: 'line', id: 'eval', title: 'Held-out accuracy, running statistics', keys: [metricKey.testAcc] },
    { kind: 'line', id: 'batch', title: 'Held-out accuracy, batch statistics', keys: [metricKey.testAccBatchStats] },
    { kind: 'line', id: 'running-var', title: 'Running vs batch variance, bn1 unit 0', keys: [metricKey.normStatUnit('bn1', 'runningVar', 0), metricKey.normStatUnit('bn1', 'batchVar', 0)] },
  ],
  findings: (input) => {
    const early = [...new Set(input.runs.map((r) => r.variant))].flatMap((variant) => {
      const run = input.runs.find((r) => r.variant === variant)!;
      const evalAcc = input.series(run.id, metricKey.testAcc);
      const batchAcc = input.series(run.id, metricKey.testAccBatchStats);
      if (!evalAcc?.values.length || !batchAcc?.values.length) return [];
      return [{ id: `first-eval:${variant}`, statement: `${variant}: at the first evaluation (step ${evalAcc.steps[0]!.toLocaleString('en-US')}) held-out accuracy was ${pct(evalAcc.values[0]!)} with running statistics and ${pct(batchAcc.values[0]!)} with batch statistics`, value: batchAcc.values[0]! - evalAcc.values[0]!, unit: 'fraction', evidence: [{ runId: run.id, key: metricKey.testAcc, step: evalAcc.steps[0]! }] }];
    });
    return [...early, ...trainEvalGap(input)];
  },
};

const maxPool: Preset = {
  id: 'max-pool-statistics',
  title: 'Max pooling shifts the statistics',
  question: 'A normalized feature has mean ≈ β and spread ≈ γ. What does max-pooling it do?',
  summary: 'A small CNN on MNIST with BN after each convolution. The mean and standard deviation of each layer\'s output are tracked; compare the normalized activations with the same features after 2×2 max pooling.',
  varied: 'nothing: the measurement is inside one network (a second run without BN for reference)',
  heldFixed: 'everything',
  math: ['\\mathrm{E}[\\max(x_1..x_4)] > \\mathrm{E}[x_i]'],
  prompts: ['How much does pooling raise the mean?', 'Does it shrink or grow the spread?'],
  experiment(options) {
    const steps = stepsFor(options, 2_000, 300);
    return build(this.id, this.title, { variant: 'with BN', model: { layers: smallCnn({ bn: true }) }, data: MNIST, training: training(steps, { optimizer: { kind: 'momentum' }, learningRate: 0.05, batchSize: 32 }) }, [keep, { name: 'without BN', apply: (run) => withLayers(run, parsedLayers(smallCnn({ bn: false }))) }]);
  },
  charts: [
    { kind: 'line', id: 'means', title: 'Mean: after ReLU vs after pooling', keys: [metricKey.outputStat('act1', 'mean'), metricKey.outputStat('pool1', 'mean')] },
    { kind: 'line', id: 'stds', title: 'Standard deviation: after ReLU vs after pooling', keys: [metricKey.outputStat('act1', 'std'), metricKey.outputStat('pool1', 'std')] },
  ],
  findings: (input) =>
    input.runs.flatMap((run) => {
      const get = (id: string, stat: 'mean' | 'std') => {
        const s = input.series(run.id, metricKey.outputStat(id, stat));
        return s?.values.at(-1) ?? null;
      };
      const [m1, s1, m2, s2] = [get('act1', 'mean'), get('act1', 'std'), get('pool1', 'mean'), get('pool1', 'std')];
      if ([m1, s1, m2, s2].some((v) => v === null)) return [];
      return [{ id: `pooling:${run.variant}`, statement: `${run.variant}: 2×2 max pooling moved the mean of the first block's activations from ${m1!.toFixed(3)} to ${m2!.toFixed(3)} and their standard deviation from ${s1!.toFixed(3)} to ${s2!.toFixed(3)}`, value: m2! - m1!, unit: '', evidence: [{ runId: run.id, key: metricKey.outputStat('pool1', 'mean') }] }];
    }),
};

/** Every built-in experiment, in the order the app lists them. */
export const presets: Preset[] = [ioffe, undo, standardizeFirst, learnGammaBeta, placement, lrSweep, smallBatches, trainOnlyBn, noisyBn, trainVsEval, maxPool];

