/**
 * The built-in experiments: each a question, the runs that answer it (paired on initial weights),
 * the charts to look at and the findings computed from what the runs did. Quick variants finish in
 * about two minutes or less on a 2-core laptop (wasm backend); full ones follow the papers' setups
 * where the lab can (BN-REFERENCE.md).
 */
import { metricKey } from '../engine/frame';
import type { DataSpecInput } from '../spec/data';
import { ExperimentSpec, RunSpec, type RunSpecInput } from '../spec/experiment';
import type { TrainingSpecInput } from '../spec/training';
import {
  batchSizeVariants,
  crossVariants,
  expandVariants,
  insertLayerBefore,
  learningRateVariants,
  placeNorm,
  seedList,
  setActivation,
  setNormMode,
  updateNorm,
  valueVariants,
  withAndWithoutNorm,
  withoutNorm,
  withTraining,
  type Variant,
} from '../spec/variants';
import {
  activeUnits,
  compareVariants,
  divergence,
  evalBatchEffect,
  finalAccuracy,
  finalSeriesByVariant,
  firstEvalGap,
  gammaNearZero,
  linearRegime,
  meanOverRun,
  nearChance,
  meanRatio,
  medianDrift,
  poolingShift,
  startToEnd,
  stepsToAccuracy,
  trainedParameters,
  trainEvalGap,
  undoFindings,
} from './findings';
import { mlp, smallCnn } from './models';
import type { Preset, PresetOptions } from './types';

const MNIST: DataSpecInput = { source: { kind: 'mnist' } };

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

/** The experiment: `base` (defaults filled in) expanded into variants × seeds, tagged with the preset's id. */
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
  findings: (input) => [
    ...stepsToAccuracy(input, 0.9),
    ...stepsToAccuracy(input, 0.95),
    ...finalAccuracy(input),
    ...compareVariants(input, 'with BN', 'without BN'),
    ...medianDrift(input, metricKey.preActivationUnit('act3', 0, 'p50'), "the tracked unit's sigmoid input"),
  ],
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
  findings: (input) => [
    ...undoFindings(input),
    ...(['bn1', 'bn2'] as const).flatMap((id) => [
      ...startToEnd(input, metricKey.undoDistance(id), `${id}'s undo distance (0 = BN undone)`),
      ...finalSeriesByVariant(input, metricKey.undoFraction(id), (v, x) => `${v}: at the end ${x} of ${id}'s units were within 10% of undoing BN`),
    ]),
  ],
};

// Circles in about [−1, 1]² become x·20 + 40 (like raw, unnormalized features): every first-layer tanh starts saturated
// unless something removes the offset. Scaling alone is not enough to hurt a net with biases — measured, not assumed.
const circlesBadlyScaled: DataSpecInput = { source: { kind: 'synthetic', generator: 'circles', samples: 1500, classes: 2, noise: 0.05 }, inputScale: 20, inputShift: 40 };

const standardizeFirst: Preset = {
  id: 'why-standardize',
  title: 'Why standardize first? (why not just γx + β)',
  question: 'Is BN just a learned scale and shift, or does standardizing with batch statistics matter?',
  summary: 'A tanh MLP on the circles set (a disc inside a ring) whose inputs are badly scaled and shifted (x·20 + 40, like raw unnormalized features), with its normalization layers set to none, affine (γx+β, no statistics) or batchnorm, at two learning rates, from the same initial weights.',
  varied: 'the normalization mode (none / affine / batchnorm) and the learning rate',
  heldFixed: 'initial weights, data, batch order, plain SGD, steps',
  math: ['\\text{affine: } y = \\gamma x + \\beta \\qquad \\text{BN: } y = \\gamma \\frac{x-\\mu_\\mathcal{B}}{\\sqrt{\\sigma_\\mathcal{B}^2+\\epsilon}} + \\beta'],
  prompts: ['Which mode copes with the badly scaled input?', 'Which survives the larger learning rate?'],
  experiment(options) {
    const steps = stepsFor(options, 6_000, 1_500);
    const layers = mlp({ hidden: [32, 32], activation: 'tanh', classes: 2, norm: 'beforeActivation' });
    const modes = valueVariants(['none', 'affine', 'batchnorm'] as const, (mode) => (mode === 'none' ? 'no norm' : mode), (run, mode) => setNormMode(run, mode));
    // Tiny 2-D runs: the full version can afford three seeds, so its differences are checked against seed noise.
    const seeds = seedList(options?.quick ? 1 : 3);
    return build(this.id, this.title, { variant: 'base', model: { layers }, data: circlesBadlyScaled, training: training(steps, { learningRate: 0.05, batchSize: 32 }) }, crossVariants(modes, learningRateVariants([0.05, 0.5])), seeds);
  },
  charts: [
    { kind: 'line', id: 'test-acc', title: 'Held-out accuracy', keys: [metricKey.testAcc] },
    { kind: 'line', id: 'loss', title: 'Training loss', keys: [metricKey.trainLoss], logY: true },
    { kind: 'line', id: 'linear', title: 'Fraction of tanh inputs with |z| < 1 (layer 1)', keys: [metricKey.fractionLinear('act1')] },
  ],
  findings: (input) => [
    ...finalAccuracy(input),
    ...stepsToAccuracy(input, 0.95),
    divergence(input),
    nearChance(input),
    ...compareVariants(input, 'batchnorm · lr 0.05', 'no norm · lr 0.05'),
    ...compareVariants(input, 'batchnorm · lr 0.05', 'affine · lr 0.05'),
    ...compareVariants(input, 'batchnorm · lr 0.5', 'affine · lr 0.5'),
    ...linearRegime(input, 'act1'),
  ],
};

/** What the norm layers learn in "why learn γ and β" (variant names, also used by its charts). */
const learnedNames = ['standardize', 'γ and β', 'γ only', 'β only'] as const;

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
    const activations = valueVariants(['sigmoid', 'relu'] as const, (fn) => fn, (run, fn) => setActivation(run, fn));
    const learned: Variant[] = [
      { name: learnedNames[0], apply: (run) => setNormMode(run, 'standardize') },
      { name: learnedNames[1], apply: (run) => run },
      { name: learnedNames[2], apply: (run) => updateNorm(run, (l) => ({ ...l, beta: { ...l.beta, use: 'absent' } })) },
      { name: learnedNames[3], apply: (run) => updateNorm(run, (l) => ({ ...l, gamma: { ...l.gamma, use: 'absent' } })) },
    ];
    const variants = crossVariants(activations, learned);
    const layers = mlp({ hidden: [100, 100], activation: 'sigmoid', classes: 10, norm: 'beforeActivation', flatten: true });
    return build(this.id, this.title, { variant: 'base', model: { layers }, data: MNIST, training: training(steps, { optimizer: { kind: 'momentum' }, learningRate: 0.05, batchSize: 64 }) }, variants);
  },
  charts: [
    { kind: 'line', id: 'test-acc', title: 'Held-out accuracy', keys: [metricKey.testAcc] },
    { kind: 'line', id: 'linear', title: 'Sigmoid inputs with |z| < 1 (layer 2)', keys: [metricKey.fractionLinear('act2')], variants: learnedNames.map((n) => `sigmoid · ${n}`) },
    { kind: 'line', id: 'active', title: 'Active ReLU units (z > 0, layer 2)', keys: [metricKey.fractionActive('act2')], variants: learnedNames.map((n) => `relu · ${n}`) },
  ],
  findings: (input) => [
    ...finalAccuracy(input),
    ...compareVariants(input, 'sigmoid · γ and β', 'sigmoid · standardize'),
    ...compareVariants(input, 'relu · γ and β', 'relu · standardize'),
    ...linearRegime(input, 'act2'),
    ...activeUnits(input, 'act2'),
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
  prompts: ['Is there a clear winner between before and after, beyond the spread between seeds?', 'Do the two "before a linear layer" variants end at the same accuracy?'],
  experiment(options) {
    const steps = stepsFor(options, 6_000, 1_200);
    const layers = mlp({ hidden: [100, 100], activation: 'relu', classes: 10, norm: 'beforeActivation', flatten: true });
    // A norm layer directly before the output layer: γ, β there are absorbed by W and b (the maths above).
    const beforeOutput = (run: RunSpec, mode: 'batchnorm' | 'standardize') => setNormMode(insertLayerBefore(run, 'out', { kind: 'norm', id: 'bnOut' }), mode, ['bnOut']);
    const variants: Variant[] = [
      { name: 'BN before activation', apply: (run) => run },
      { name: 'BN after activation', apply: (run) => placeNorm(run, 'afterActivation') },
      { name: 'no BN', apply: (run) => withoutNorm(run) },
      { name: 'γ/β before output layer', apply: (run) => beforeOutput(run, 'batchnorm') },
      { name: 'standardize before output layer', apply: (run) => beforeOutput(run, 'standardize') },
    ];
    const seeds = seedList(options?.quick ? 2 : 3);
    return build(this.id, this.title, { variant: 'base', model: { layers }, data: MNIST, training: training(steps, { optimizer: { kind: 'momentum' }, learningRate: 0.05, batchSize: 64 }) }, variants, seeds);
  },
  charts: [
    { kind: 'line', id: 'test-acc', title: 'Held-out accuracy', keys: [metricKey.testAcc] },
    { kind: 'line', id: 'loss', title: 'Training loss', keys: [metricKey.trainLoss], logY: true },
  ],
  findings: (input) => [
    ...finalAccuracy(input),
    ...compareVariants(input, 'BN before activation', 'BN after activation'),
    ...compareVariants(input, 'BN before activation', 'no BN'),
    ...compareVariants(input, 'γ/β before output layer', 'standardize before output layer'),
  ],
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
    return build(this.id, this.title, { variant: 'base', model: { layers }, data: MNIST, training: training(steps, { learningRate: 0.1, batchSize: 64 }) }, withAndWithoutNorm(learningRateVariants([0.03, 0.3, 1, 3, 10])));
  },
  charts: [
    { kind: 'line', id: 'test-acc', title: 'Held-out accuracy', keys: [metricKey.testAcc] },
    { kind: 'line', id: 'loss', title: 'Training loss', keys: [metricKey.trainLoss], logY: true },
  ],
  findings: (input) => [divergence(input), nearChance(input), ...stepsToAccuracy(input, 0.9), ...finalAccuracy(input), ...compareVariants(input, 'lr 0.3 · BN', 'lr 0.3 · no BN')],
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
    // Batch-statistics evaluation runs in batches of the training size: at batch 2 that is 5,000
    // passes over the full test set, so the quick version evaluates on 2,000 examples.
    const data: DataSpecInput = options?.quick ? { ...MNIST, evalLimit: 2000 } : MNIST;
    return build(this.id, this.title, { variant: 'base', model: { layers }, data, training: training(steps, { optimizer: { kind: 'momentum' }, learningRate: 0.02, batchSize: 32 }) }, batchSizeVariants([2, 4, 8, 32, 128]));
  },
  charts: [
    { kind: 'line', id: 'test-acc', title: 'Held-out accuracy (running statistics)', keys: [metricKey.testAcc] },
    { kind: 'line', id: 'test-acc-batch', title: 'Held-out accuracy (batch statistics)', keys: [metricKey.testAccBatchStats] },
  ],
  findings: (input) => [...finalAccuracy(input), ...trainEvalGap(input), ...compareVariants(input, 'batch 128', 'batch 2'), divergence(input)],
};

const trainOnlyBn: Preset = {
  id: 'train-only-bn',
  title: 'Train only BatchNorm',
  question: 'How far can a network get when only γ and β learn and every other weight stays at its random initial value — and is that because γ and β are special, or would any parameters as few do?',
  summary:
    "A BN MLP on MNIST trained normally; trained with every weight frozen at its random initialization except the norm layers' γ and β; and, as Frankle et al.'s control, with γ and β frozen too and instead two randomly chosen incoming weights of every normalized unit trained — exactly as many parameters as γ and β.",
  varied: 'which parameters train: all; only γ and β; as many random weights (2 per unit)',
  heldFixed: 'architecture, initial weights, data, optimizer',
  citation: 'Frankle, Schwab & Morcos (2021), Training BatchNorm and Only BatchNorm (the control: "two random parameters per channel")',
  math: ['\\theta_\\text{trained} = \\{\\gamma^{(k)}, \\beta^{(k)}\\}\\quad\\text{vs}\\quad \\{W_{j_1 k}, W_{j_2 k}\\},\\ j_1 \\ne j_2 \\text{ random, per unit } k'],
  prompts: ['How far above chance (10%) does training only γ and β get?', 'Does training as many random weights get as far?', 'How many γ end near zero?'],
  experiment(options) {
    const steps = stepsFor(options, 6_000, 1_500);
    const layers = mlp({ hidden: [256, 256], activation: 'relu', classes: 10, norm: 'beforeActivation', flatten: true });
    return build(
      this.id,
      this.title,
      { variant: 'base', model: { layers }, data: MNIST, training: training(steps, { optimizer: { kind: 'adam' }, learningRate: 0.01, batchSize: 64 }) },
      [
        { name: 'train everything', apply: (run) => run },
        { name: 'train only γ and β', apply: (run) => withTraining(run, { trainable: 'normOnly' }) },
        { name: 'train 2 random weights per unit', apply: (run) => withTraining(run, { trainable: 'randomPerUnit' }) },
      ],
    );
  },
  charts: [
    { kind: 'line', id: 'test-acc', title: 'Held-out accuracy', keys: [metricKey.testAcc] },
    { kind: 'scatter', id: 'gamma', title: 'γ against √(σ²+ε), bn1', layerId: 'bn1', x: 'std', y: 'gamma' },
  ],
  findings: (input) => [
    ...finalAccuracy(input),
    ...trainedParameters(input),
    ...compareVariants(input, 'train everything', 'train only γ and β'),
    ...compareVariants(input, 'train only γ and β', 'train 2 random weights per unit'),
    ...gammaNearZero(input),
  ],
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
    { kind: 'line', id: 'gradient-predictiveness', title: 'Gradient predictiveness (change of ∇L along −∇L)', keys: [metricKey.gradientPredictiveness], logY: true },
    { kind: 'line', id: 'beta-smoothness', title: 'Effective β-smoothness', keys: [metricKey.betaSmoothness], logY: true },
  ],
  findings: (input) => [
    ...finalAccuracy(input),
    ...compareVariants(input, 'BN + noise', 'with BN'),
    ...compareVariants(input, 'BN + noise', 'without BN'),
    ...meanOverRun(input, metricKey.lossVariation, (v, x) => `${v}: mean loss variation along the gradient ${x}`),
    ...meanOverRun(input, metricKey.betaSmoothness, (v, x) => `${v}: mean effective β-smoothness ${x}`),
    ...meanRatio(input, metricKey.lossVariation, 'without BN', 'with BN', 'Loss variation along the gradient'),
    ...meanRatio(input, metricKey.gradientPredictiveness, 'without BN', 'with BN', 'Gradient change along the gradient'),
    ...meanRatio(input, metricKey.betaSmoothness, 'without BN', 'with BN', 'Effective β-smoothness'),
  ],
};

const trainVsEval: Preset = {
  id: 'train-vs-eval',
  title: 'Train mode vs eval mode',
  question: 'Why does a BN network score differently with running statistics than with batch statistics, what does the momentum convention change, and what happens with single-example batches?',
  summary:
    "The same BN MLP on MNIST with PyTorch's running statistics (momentum 0.1, unbiased variance), with Keras/tf.js's (momentum 0.99, biased), trained on single-example batches, and trained on batches of 32 but evaluated one example at a time. Early in training the slow 0.99 average still holds most of its initial values; with one example per batch σ²_B = 0 and every x̂ is 0. Held-out accuracy is measured in eval mode (running statistics) and with the statistics of the test batches themselves — of the training batch size, or of one example in the single-example evaluation (which reads 500 test examples per evaluation: one at a time is slow).",
  varied: 'running-statistics convention; training batch size 32 vs 1; evaluation batch size 32 vs 1',
  heldFixed: 'architecture, initial weights, data order, optimizer, learning rate, steps',
  math: [
    '\\text{PyTorch: } r \\leftarrow 0.9\\,r + 0.1\\,b \\qquad \\text{Keras: } r \\leftarrow 0.99\\,r + 0.01\\,b',
    'm = 1:\\ \\mu_\\mathcal{B} = x,\\ \\sigma^2_\\mathcal{B} = 0 \\Rightarrow \\hat{x} = 0,\\ y = \\beta',
  ],
  prompts: [
    'Why is eval-mode accuracy low at first with momentum 0.99?',
    'When do the two curves meet?',
    'What can a network learn when every batch holds one example?',
    'A network trained on batches of 32 is shown one example at a time: why do running statistics still work, and batch statistics not?',
  ],
  experiment(options) {
    const steps = stepsFor(options, 3_000, 600);
    const every = Math.max(1, Math.round(steps / 30));
    const layers = mlp({ hidden: [100, 100], activation: 'relu', classes: 10, norm: 'beforeActivation', flatten: true });
    const pytorch = (run: RunSpec) => updateNorm(run, (l) => ({ ...l, convention: 'pytorch', momentum: 0.1, epsilon: 1e-5 }));
    return build(
      this.id,
      this.title,
      { variant: 'base', model: { layers }, data: MNIST, training: training(steps, { optimizer: { kind: 'momentum' }, learningRate: 0.05, batchSize: 32, evalEvery: every, logEvery: every }) },
      [
        { name: 'PyTorch (momentum 0.1)', apply: pytorch },
        { name: 'Keras (momentum 0.99)', apply: (run) => updateNorm(run, (l) => ({ ...l, convention: 'keras', momentum: 0.99, epsilon: 1e-3 })) },
        // Batch-statistics evaluation then runs one example at a time, so it reads 500 test examples.
        { name: 'batch of 1 (PyTorch)', apply: (run) => ({ ...withTraining(pytorch(run), { batchSize: 1 }), data: { ...run.data, evalLimit: 500 } }) },
        // Trained exactly as the PyTorch run; only the evaluation changes (capped at MAX_EVAL_BATCHES examples).
        { name: 'eval batches of 1 (PyTorch)', apply: (run) => withTraining(pytorch(run), { evalBatchSize: 1 }) },
      ],
    );
  },
  charts: [
    { kind: 'line', id: 'eval', title: 'Held-out accuracy, running statistics', keys: [metricKey.testAcc] },
    { kind: 'line', id: 'batch', title: 'Held-out accuracy, batch statistics', keys: [metricKey.testAccBatchStats] },
    { kind: 'line', id: 'running-var', title: 'Running vs batch variance, bn1 unit 0', keys: [metricKey.normStatUnit('bn1', 'runningVar', 0), metricKey.normStatUnit('bn1', 'batchVar', 0)] },
  ],
  findings: (input) => [...firstEvalGap(input), ...trainEvalGap(input), ...evalBatchEffect(input, 'eval batches of 1 (PyTorch)', 'PyTorch (momentum 0.1)'), ...finalAccuracy(input)],
};

const maxPool: Preset = {
  id: 'max-pool-statistics',
  title: 'Max pooling shifts the statistics',
  question: 'A normalized feature has mean ≈ β and spread ≈ γ. What does max-pooling it do?',
  summary:
    "A small CNN on MNIST with BN after each convolution, placed before the ReLU or after it (then the pooling acts directly on the normalized feature), and a run without BN for reference. The mean and standard deviation of each layer's output over the batch are tracked; compare the feature just before the 2×2 max pooling with its output.",
  varied: 'where BN sits (before or after the ReLU), or no BN',
  heldFixed: 'convolutions and their initial weights, data, optimizer',
  math: ['\\mathrm{E}[\\max(x_1, \\dots, x_4)] \\ge \\max_i \\mathrm{E}[x_i]'],
  prompts: ['How much does pooling raise the mean?', 'Does it shrink or grow the spread?', 'Is the pooled feature still normalized?'],
  experiment(options) {
    const steps = stepsFor(options, 2_000, 300);
    return build(
      this.id,
      this.title,
      { variant: 'base', model: { layers: smallCnn({ bn: true }) }, data: MNIST, training: training(steps, { optimizer: { kind: 'momentum' }, learningRate: 0.05, batchSize: 32 }) },
      [
        { name: 'BN before ReLU', apply: (run) => run },
        { name: 'BN after ReLU', apply: (run) => placeNorm(run, 'afterActivation') },
        { name: 'without BN', apply: (run) => withoutNorm(run) },
      ],
    );
  },
  charts: [
    { kind: 'line', id: 'means', title: 'Mean of bn1, act1 and pool1 outputs', keys: [metricKey.outputStat('bn1', 'mean'), metricKey.outputStat('act1', 'mean'), metricKey.outputStat('pool1', 'mean')] },
    { kind: 'line', id: 'stds', title: 'Standard deviation of bn1, act1 and pool1 outputs', keys: [metricKey.outputStat('bn1', 'std'), metricKey.outputStat('act1', 'std'), metricKey.outputStat('pool1', 'std')] },
  ],
  findings: (input) => [...poolingShift(input, 'pool1'), ...poolingShift(input, 'pool2'), ...finalAccuracy(input)],
};

/** Every built-in experiment, in the order the app lists them. */
export const presets: Preset[] = [ioffe, undo, standardizeFirst, learnGammaBeta, placement, lrSweep, smallBatches, trainOnlyBn, noisyBn, trainVsEval, maxPool];

