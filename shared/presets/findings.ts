/**
 * Findings computed from the runs. Every statement names the numbers it rests on and changes when
 * the data changes; a run that diverged, failed or never reached a target is said to have done so,
 * and a missing series yields no finding (or says nothing was logged) rather than a made-up one.
 *
 * Families: accuracy and training (final/best accuracy, steps to a target, divergence, variant
 * comparisons against seed noise); series summaries (final value, mean over the run, drift, ratio
 * between variants); normalization (undoing BN, γ near zero, train vs eval statistics, pooling).
 */
import { metricKey } from '../engine/frame';
import { standardizes } from '../engine/norm';
import { undoMeasure } from '../engine/stats';
import type { Finding, FindingRun, FindingsInput } from './types';

// ---------------------------------------------------------------- formatting and helpers

/** 0.912 → "91.2%". */
export const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
/** A difference of fractions in percentage points: 0.031 → "3.1 points". */
const points = (v: number): string => `${(100 * v).toFixed(1)} points`;
/** Three significant digits; thousands with separators. */
export const num = (v: number, digits = 3): string =>
  Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : Number(v.toPrecision(digits)).toString();
const stepText = (s: number): string => s.toLocaleString('en-US');

/** Runs grouped by variant, in first-appearance order. */
export function byVariant(input: FindingsInput): Map<string, FindingRun[]> {
  const groups = new Map<string, FindingRun[]>();
  for (const run of input.runs) groups.set(run.variant, [...(groups.get(run.variant) ?? []), run]);
  return groups;
}

/** The finite values of a series (with their steps), or empty if it was never logged. */
function finitePoints(input: FindingsInput, runId: string, key: string): Array<{ step: number; value: number }> {
  const s = input.series(runId, key);
  if (!s) return [];
  return s.values.flatMap((value, i) => (Number.isFinite(value) ? [{ step: s.steps[i]!, value }] : []));
}

/** The last finite value of a series, or null. */
export function finalValue(input: FindingsInput, runId: string, key: string): number | null {
  return finitePoints(input, runId, key).at(-1)?.value ?? null;
}

/** The first step at which a series reaches `target` (≥), or null. */
export function stepsToTarget(input: FindingsInput, runId: string, key: string, target: number): number | null {
  return finitePoints(input, runId, key).find((p) => p.value >= target)?.step ?? null;
}

export interface Spread {
  mean: number;
  min: number;
  max: number;
  /** How many runs had a value. */
  n: number;
}

/** Mean, min and max over a variant's runs of a per-run number (nulls and non-finite values skipped). */
export function spread(values: Array<number | null>): Spread | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return null;
  return { mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v), n: v.length };
}

function describeSpread(s: Spread, format: (v: number) => string): string {
  return s.n > 1 ? `${format(s.mean)} (${s.n} seeds: ${format(s.min)}–${format(s.max)})` : format(s.mean);
}

/** Why a run has no (or only part of a) result, or null if it finished. */
function unfinished(run: FindingRun): string | null {
  if (run.status === 'diverged') return `diverged at step ${stepText(run.step)}`;
  if (run.status === 'failed') return `failed (${run.error ?? 'no reason recorded'})`;
  if (run.status === 'cancelled' || run.status === 'interrupted') return `${run.status} at step ${stepText(run.step)}`;
  if (run.status === 'queued' || run.status === 'running') return `still ${run.status}`;
  return null;
}

/** "; diverged at step 340, failed (…)" for a variant's unfinished runs, or "". */
function problemsOf(runs: FindingRun[]): string {
  const problems = runs.map(unfinished).filter((p): p is string => p !== null);
  return problems.length ? `; ${problems.join(', ')}` : '';
}

/** A per-variant number from each run, summarized over seeds: one finding per variant that has one. */
function perVariant(
  input: FindingsInput,
  measure: (run: FindingRun) => number | null,
  make: (variant: string, runs: FindingRun[], s: Spread) => Finding,
): Finding[] {
  return [...byVariant(input)].flatMap(([variant, runs]) => {
    const s = spread(runs.map(measure));
    return s ? [make(variant, runs, s)] : [];
  });
}

// ---------------------------------------------------------------- accuracy and training

/**
 * Final held-out accuracy per variant with the seed spread (and the best reached when it was
 * higher); a variant with nothing logged says so, with what happened to its runs.
 */
export function finalAccuracy(input: FindingsInput, key: string = metricKey.testAcc, what = 'test accuracy'): Finding[] {
  return [...byVariant(input)].map(([variant, runs]) => {
    const final = spread(runs.map((r) => finalValue(input, r.id, key)));
    const best = spread(runs.map((r) => Math.max(...finitePoints(input, r.id, key).map((p) => p.value))));
    const bestNote = final && best && best.mean - final.mean >= 0.0005 ? ` (best ${pct(best.mean)}${best.n > 1 ? ' on average' : ''})` : '';
    const statement = final
      ? `${variant}: final ${what} ${describeSpread(final, pct)}${bestNote}${problemsOf(runs)}`
      : `${variant}: no ${what} was logged${problemsOf(runs)}`;
    return { id: `final:${key}:${variant}`, statement, value: final?.mean ?? null, unit: 'fraction', evidence: runs.map((r) => ({ runId: r.id, key })) };
  });
}

/** The step at which each variant first reached `target` held-out accuracy ("never within N steps" otherwise). */
export function stepsToAccuracy(input: FindingsInput, target: number): Finding[] {
  const key = metricKey.testAcc;
  return [...byVariant(input)].map(([variant, runs]) => {
    const steps = runs.map((r) => stepsToTarget(input, r.id, key, target));
    const reached = spread(steps);
    const longest = Math.max(...runs.map((r) => r.step));
    const missed = runs.length - (reached?.n ?? 0);
    const statement = reached
      ? `${variant}: test accuracy reached ${pct(target)} at step ${describeSpread(reached, (v) => stepText(Math.round(v)))}${missed ? ` (${missed} of ${runs.length} seeds never did)` : ''}`
      : `${variant}: test accuracy never reached ${pct(target)} within ${stepText(longest)} steps${problemsOf(runs)}`;
    return {
      id: `steps-to-${target}:${variant}`,
      statement,
      value: reached?.mean ?? null,
      unit: 'steps',
      evidence: runs.map((r, i) => ({ runId: r.id, key, ...(steps[i] !== null ? { step: steps[i]! } : {}) })),
    };
  });
}

/** Which runs diverged (loss became NaN/∞), and at which step. */
export function divergence(input: FindingsInput): Finding {
  const diverged = input.runs.filter((r) => r.status === 'diverged');
  const groups = byVariant(input);
  // The seed matters only where a variant has several runs.
  const name = (r: FindingRun) => (groups.get(r.variant)!.length > 1 ? `${r.variant} (seed ${r.seed})` : r.variant);
  return {
    id: 'divergence',
    statement: diverged.length
      ? `${diverged.length} of ${input.runs.length} runs diverged: ${diverged.map((r) => `${name(r)} at step ${stepText(r.step)}`).join('; ')}`
      : `none of the ${input.runs.length} runs diverged`,
    value: diverged.length,
    unit: 'runs',
    evidence: diverged.map((r) => ({ runId: r.id, step: r.step })),
  };
}

/**
 * Runs whose best held-out accuracy never rose more than `margin` above chance (1 / classes, the
 * output layer's units): they learned nothing, whether or not their loss became NaN.
 */
export function nearChance(input: FindingsInput, margin = 0.05): Finding {
  const key = metricKey.testAcc;
  const stuck = input.runs.flatMap((run) => {
    const out = run.spec.model.layers.at(-1);
    const chance = out?.kind === 'dense' ? 1 / out.units : null;
    const best = spread([Math.max(...finitePoints(input, run.id, key).map((p) => p.value))]);
    return chance !== null && best && best.max < chance + margin ? [{ run, best: best.max, chance }] : [];
  });
  const groups = byVariant(input);
  const name = (r: FindingRun) => (groups.get(r.variant)!.length > 1 ? `${r.variant} (seed ${r.seed})` : r.variant);
  return {
    id: 'near-chance',
    statement: stuck.length
      ? `${stuck.length} of ${input.runs.length} runs never rose more than ${points(margin)} above chance: ${stuck.map((s) => `${name(s.run)} (best ${pct(s.best)}, chance ${pct(s.chance)})`).join('; ')}`
      : `every run that logged accuracy rose more than ${points(margin)} above chance`,
    value: stuck.length,
    unit: 'runs',
    evidence: stuck.map((s) => ({ runId: s.run.id, key })),
  };
}

/**
 * Variant `a` against `b` on the final value of `key` (default test accuracy): the difference, and
 * whether it exceeds the spread between seeds within either variant (unknown with one seed each).
 */
export function compareVariants(input: FindingsInput, a: string, b: string, key: string = metricKey.testAcc, what = 'test accuracy'): Finding[] {
  const groups = byVariant(input);
  const runsA = groups.get(a) ?? [];
  const runsB = groups.get(b) ?? [];
  const sa = spread(runsA.map((r) => finalValue(input, r.id, key)));
  const sb = spread(runsB.map((r) => finalValue(input, r.id, key)));
  if (!sa || !sb) return [];
  const gap = sa.mean - sb.mean;
  const noise = Math.max(sa.max - sa.min, sb.max - sb.min);
  const verdict =
    sa.n < 2 && sb.n < 2
      ? 'with one seed each, seed noise is not measured'
      : `the widest spread between seeds is ${points(noise)}, so the difference is ${Math.abs(gap) > noise ? 'larger than' : 'within'} seed noise`;
  return [
    {
      id: `compare:${key}:${a}|${b}`,
      statement: `final ${what}: ${a} ${describeSpread(sa, pct)} vs ${b} ${describeSpread(sb, pct)} — a difference of ${points(gap)}; ${verdict}`,
      value: gap,
      unit: 'fraction',
      evidence: [...runsA, ...runsB].map((r) => ({ runId: r.id, key })),
    },
  ];
}

/** The best and the worst variant by final `key` compared (see compareVariants). */
export function beyondSeedNoise(input: FindingsInput, key: string = metricKey.testAcc, what = 'test accuracy'): Finding[] {
  const ranked = [...byVariant(input)]
    .map(([variant, runs]) => ({ variant, s: spread(runs.map((r) => finalValue(input, r.id, key))) }))
    .filter((g): g is { variant: string; s: Spread } => g.s !== null)
    .sort((x, y) => y.s.mean - x.s.mean);
  if (ranked.length < 2) return [];
  return compareVariants(input, ranked[0]!.variant, ranked.at(-1)!.variant, key, what).map((f) => ({ ...f, id: `beyond-seed-noise:${key}` }));
}

// ---------------------------------------------------------------- series summaries

/** The final value of a series per variant (seed spread where several); `describe` gets the formatted number. */
export function finalSeriesByVariant(
  input: FindingsInput,
  key: string,
  describe: (variant: string, value: string) => string,
  format: (v: number) => string = pct,
  unit = format === pct ? 'fraction' : '',
): Finding[] {
  return perVariant(
    input,
    (r) => finalValue(input, r.id, key),
    (variant, runs, s) => ({ id: `final:${key}:${variant}`, statement: describe(variant, describeSpread(s, format)), value: s.mean, unit, evidence: runs.map((r) => ({ runId: r.id, key })) }),
  );
}

/** Mean of a series over the whole run, per variant (e.g. the landscape measures). */
export function meanOverRun(input: FindingsInput, key: string, describe: (variant: string, value: string) => string): Finding[] {
  return perVariant(input, (r) => seriesMean(input, r.id, key), (variant, runs, s) => ({
    id: `mean:${key}:${variant}`,
    statement: describe(variant, describeSpread(s, (v) => num(v))),
    value: s.mean,
    unit: '',
    evidence: runs.map((r) => ({ runId: r.id, key })),
  }));
}

function seriesMean(input: FindingsInput, runId: string, key: string): number | null {
  const v = finitePoints(input, runId, key).map((p) => p.value);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
}

/** How far a series moved over training (max − min), per variant: e.g. the drift of a percentile band's median. */
export function medianDrift(input: FindingsInput, key: string, what: string): Finding[] {
  return perVariant(
    input,
    (r) => {
      const v = finitePoints(input, r.id, key).map((p) => p.value);
      return v.length ? Math.max(...v) - Math.min(...v) : null;
    },
    (variant, runs, s) => ({
      id: `drift:${key}:${variant}`,
      statement: `${variant}: the median of ${what} moved over a range of ${describeSpread(s, (v) => num(v))} during training`,
      value: s.mean,
      unit: '',
      evidence: runs.map((r) => ({ runId: r.id, key })),
    }),
  );
}

/** Where a series started and ended, per variant (first and last finite values, averaged over seeds): did it shrink or grow? */
export function startToEnd(input: FindingsInput, key: string, what: string): Finding[] {
  return [...byVariant(input)].flatMap(([variant, runs]) => {
    const logged = runs.map((r) => finitePoints(input, r.id, key)).filter((p) => p.length > 1);
    if (logged.length === 0) return [];
    const first = spread(logged.map((p) => p[0]!.value))!;
    const last = spread(logged.map((p) => p.at(-1)!.value))!;
    const change = last.mean - first.mean;
    const trend = Math.abs(change) <= 0.01 * Math.max(Math.abs(first.mean), 1e-12) ? 'barely changed' : change < 0 ? 'shrank' : 'grew';
    return [
      {
        id: `start-end:${key}:${variant}`,
        statement: `${variant}: ${what} ${trend}, from ${describeSpread(first, (v) => num(v))} at step ${stepText(logged[0]![0]!.step)} to ${describeSpread(last, (v) => num(v))} at step ${stepText(logged[0]!.at(-1)!.step)}`,
        value: change,
        unit: '',
        evidence: runs.map((r) => ({ runId: r.id, key })),
      },
    ];
  });
}

/** How many times larger a series' mean over the run was in variant `a` than in `b` (e.g. β-smoothness without vs with BN). */
export function meanRatio(input: FindingsInput, key: string, a: string, b: string, what: string): Finding[] {
  const groups = byVariant(input);
  const sa = spread((groups.get(a) ?? []).map((r) => seriesMean(input, r.id, key)));
  const sb = spread((groups.get(b) ?? []).map((r) => seriesMean(input, r.id, key)));
  if (!sa || !sb || sb.mean === 0) return [];
  const ratio = sa.mean / sb.mean;
  return [
    {
      id: `ratio:${key}:${a}|${b}`,
      statement: `${what} averaged ${num(sa.mean)} for ${a} and ${num(sb.mean)} for ${b}: ${num(ratio, 2)} times as much`,
      value: ratio,
      unit: 'ratio',
      evidence: [...(groups.get(a) ?? []), ...(groups.get(b) ?? [])].map((r) => ({ runId: r.id, key })),
    },
  ];
}

/** Fraction of a sigmoid/tanh layer's inputs in its near-linear range |z| < 1 at the end, per variant (runs without that series are skipped). */
export function linearRegime(input: FindingsInput, activationId: string): Finding[] {
  return finalSeriesByVariant(input, metricKey.fractionLinear(activationId), (v, x) => `${v}: ${x} of ${activationId}'s inputs ended in the near-linear range |z| < 1`);
}

/** Fraction of a ReLU layer's inputs that are positive (units active) at the end, per variant. */
export function activeUnits(input: FindingsInput, activationId: string): Finding[] {
  return finalSeriesByVariant(input, metricKey.fractionActive(activationId), (v, x) => `${v}: ${x} of ${activationId}'s inputs ended positive (ReLU active)`);
}

// ---------------------------------------------------------------- normalization

/**
 * How far γ and β ended from undoing each standardizing norm layer, from the end-of-run
 * snapshots: the range of γ/√(σ²+ε) over units (1 everywhere would undo the scaling) and the
 * fraction of units within 10% of the identity (γ ≈ √(σ²+ε) and β ≈ μ, running statistics) —
 * the same criterion as the engine's undo series.
 */
export function undoFindings(input: FindingsInput): Finding[] {
  const findings: Finding[] = [];
  for (const run of input.runs) {
    const snapshot = input.snapshot(run.id);
    for (const layer of snapshot?.layers ?? []) {
      const spec = run.spec.model.layers.find((l) => l.id === layer.id);
      if (!spec || spec.kind !== 'norm' || !standardizes(spec) || layer.gamma.length === 0) continue;
      const ratios = layer.gamma.map((g, u) => g / Math.sqrt(layer.runningVar[u]! + layer.epsilon));
      const fraction = undoMeasure(layer.gamma, layer.beta, layer.runningMean, layer.runningVar, layer.epsilon).within10;
      const within = Math.round(fraction * layer.gamma.length);
      findings.push({
        id: `undo:${run.variant}:${run.seed}:${layer.id}`,
        statement: `${run.variant} (seed ${run.seed}), ${layer.id}: γ/√(σ²+ε) ended between ${num(Math.min(...ratios))} and ${num(Math.max(...ratios))}; ${within} of ${layer.gamma.length} units (${pct(fraction)}) are within 10% of undoing the normalization — ${fraction > 0.5 ? 'mostly undone' : 'BN was not undone'}`,
        value: fraction,
        unit: 'fraction of units',
        evidence: [{ runId: run.id, step: snapshot!.step }],
      });
    }
  }
  return findings;
}

/** γ values that ended near zero (|γ| < threshold) over all learned norm layers of each run: units switched off. */
export function gammaNearZero(input: FindingsInput, threshold = 0.05): Finding[] {
  return input.runs.flatMap((run) => {
    const snapshot = input.snapshot(run.id);
    // γ frozen in favour of random weights (trainable "randomPerUnit") did not train: nothing to report.
    const learned = (id: string) => run.spec.training.trainable !== 'randomPerUnit' && run.spec.model.layers.some((l) => l.id === id && l.kind === 'norm' && l.gamma.use !== 'absent' && l.mode !== 'standardize');
    const all = (snapshot?.layers ?? []).filter((l) => learned(l.id)).flatMap((l) => l.gamma);
    if (all.length === 0) return [];
    const off = all.filter((g) => Math.abs(g) < threshold).length;
    return [
      {
        id: `gamma-near-zero:${run.variant}:${run.seed}`,
        statement: `${run.variant} (seed ${run.seed}): ${off} of ${all.length} γ (${pct(off / all.length)}) ended with |γ| < ${threshold} — ${off ? 'units switched off' : 'no unit was switched off'}`,
        value: off / all.length,
        unit: 'fraction of units',
        evidence: [{ runId: run.id, step: snapshot!.step }],
      },
    ];
  });
}

/** Held-out accuracy with batch statistics minus with running statistics (eval mode) at the end, per variant. */
export function trainEvalGap(input: FindingsInput): Finding[] {
  return [...byVariant(input)].flatMap(([variant, runs]) => {
    const evalAcc = spread(runs.map((r) => finalValue(input, r.id, metricKey.testAcc)));
    const batchAcc = spread(runs.map((r) => finalValue(input, r.id, metricKey.testAccBatchStats)));
    const trainAcc = spread(runs.map((r) => finalValue(input, r.id, metricKey.trainAcc)));
    if (!evalAcc || !batchAcc) return [];
    return [
      {
        id: `train-eval-gap:${variant}`,
        statement: `${variant}: held-out accuracy ${pct(evalAcc.mean)} with running statistics vs ${pct(batchAcc.mean)} with batch statistics${trainAcc ? ` (training batches: ${pct(trainAcc.mean)})` : ''} — batch statistics ${gapText(batchAcc.mean - evalAcc.mean)}${problemsOf(runs)}`,
        value: batchAcc.mean - evalAcc.mean,
        unit: 'fraction',
        evidence: runs.flatMap((r) => [{ runId: r.id, key: metricKey.testAcc }, { runId: r.id, key: metricKey.testAccBatchStats }]),
      },
    ];
  });
}

/**
 * What the size of the evaluation batches does, for `variant` (runs with training.evalBatchSize
 * set): held-out accuracy with running statistics against the batches' own statistics on the
 * examples it read (with one example σ²_B = 0, so x̂ = 0 and every norm layer outputs β whatever the
 * input), next to chance and to `reference` — runs trained the same way, evaluated as usual.
 */
export function evalBatchEffect(input: FindingsInput, variant: string, reference: string): Finding[] {
  const groups = byVariant(input);
  const runs = groups.get(variant) ?? [];
  const final = (list: FindingRun[], key: string) => spread(list.map((r) => finalValue(input, r.id, key)));
  const evalAcc = final(runs, metricKey.testAcc);
  const batchAcc = final(runs, metricKey.testAccBatchStats);
  const examples = final(runs, metricKey.testExamples);
  if (!evalAcc || !batchAcc || !examples) return [];
  const batches = (run: FindingRun) => run.spec.training.evalBatchSize ?? run.spec.training.batchSize;
  const inBatches = (size: number) => (size === 1 ? 'one example at a time' : `in batches of ${size}`);
  const out = runs[0]!.spec.model.layers.at(-1);
  const chance = out?.kind === 'dense' ? ` (chance: ${pct(1 / out.units)})` : '';
  const referenceRuns = groups.get(reference) ?? [];
  const [refEval, refBatch, refExamples] = [metricKey.testAcc, metricKey.testAccBatchStats, metricKey.testExamples].map((key) => final(referenceRuns, key));
  const compared =
    refEval && refBatch && refExamples
      ? `; ${reference}, trained the same way and evaluated on ${num(refExamples.mean)} examples, scored ${pct(refEval.mean)} with running statistics and ${pct(refBatch.mean)} with the statistics of batches of ${batches(referenceRuns[0]!)}`
      : '';
  return [
    {
      id: `eval-batch:${variant}`,
      statement: `${variant}: evaluated ${inBatches(batches(runs[0]!))} on ${num(examples.mean)} held-out examples, accuracy was ${pct(evalAcc.mean)} with running statistics and ${pct(batchAcc.mean)} with the batches' own statistics${chance}${compared}${problemsOf(runs)}`,
      value: batchAcc.mean - evalAcc.mean,
      unit: 'fraction',
      evidence: [...runs, ...referenceRuns].flatMap((r) => [metricKey.testAcc, metricKey.testAccBatchStats, metricKey.testExamples].map((key) => ({ runId: r.id, key }))),
    },
  ];
}

/**
 * How many parameter values each variant trained (all, only γ/β, or random weights standing in
 * for them), as a share of the variant that trained the most, and which variants trained equally many.
 */
export function trainedParameters(input: FindingsInput): Finding[] {
  const key = metricKey.trainableParams;
  const counts = [...byVariant(input)].flatMap(([variant, runs]) => {
    const s = spread(runs.map((r) => finalValue(input, r.id, key)));
    return s ? [{ variant, runs, count: s.mean }] : [];
  });
  const most = counts.reduce<(typeof counts)[number] | null>((best, c) => (best && best.count >= c.count ? best : c), null);
  return counts.map(({ variant, runs, count }) => {
    const share = most && most.variant !== variant ? ` (${pct(count / most.count)} of the ${num(most.count)} of ${most.variant})` : '';
    const equal = counts.filter((c) => c.variant !== variant && c.count === count).map((c) => c.variant);
    return {
      id: `trained-parameters:${variant}`,
      statement: `${variant}: ${num(count)} parameters trained${share}${equal.length ? ` — as many as ${equal.join(' and ')}` : ''}`,
      value: count,
      unit: 'parameters',
      evidence: runs.map((r) => ({ runId: r.id, key })),
    };
  });
}

/** "3.1 points higher" / "3.1 points lower" / "the same". */
function gapText(diff: number): string {
  if (Math.abs(diff) < 0.0005) return 'the same';
  return `${points(Math.abs(diff))} ${diff > 0 ? 'higher' : 'lower'}`;
}

/** Running vs batch statistics at the first evaluation, per variant (first seed): where a slow running average shows. */
export function firstEvalGap(input: FindingsInput): Finding[] {
  return [...byVariant(input)].flatMap(([variant, runs]) => {
    const run = runs[0]!;
    const evalAcc = finitePoints(input, run.id, metricKey.testAcc)[0];
    const batchAcc = finitePoints(input, run.id, metricKey.testAccBatchStats).find((p) => p.step === evalAcc?.step);
    if (!evalAcc || !batchAcc) return [];
    return [
      {
        id: `first-eval:${variant}`,
        statement: `${variant}: at the first evaluation (step ${stepText(evalAcc.step)}) held-out accuracy was ${pct(evalAcc.value)} with running statistics and ${pct(batchAcc.value)} with batch statistics`,
        value: batchAcc.value - evalAcc.value,
        unit: 'fraction',
        evidence: [
          { runId: run.id, key: metricKey.testAcc, step: evalAcc.step },
          { runId: run.id, key: metricKey.testAccBatchStats, step: batchAcc.step },
        ],
      },
    ];
  });
}

/**
 * What a pooling layer did to the statistics of its input: the mean and standard deviation of the
 * output of the layer right before `poolId` (in each run's own model: a norm layer where BN sits
 * after the ReLU, the ReLU otherwise) against the pooled output, at the end, per run.
 */
export function poolingShift(input: FindingsInput, poolId: string): Finding[] {
  return input.runs.flatMap((run) => {
    const layers = run.spec.model.layers;
    const at = layers.findIndex((l) => l.id === poolId);
    const beforeId = at > 0 ? layers[at - 1]!.id : null;
    if (beforeId === null) return [];
    const get = (id: string, stat: 'mean' | 'std') => finalValue(input, run.id, metricKey.outputStat(id, stat));
    const [m1, s1, m2, s2] = [get(beforeId, 'mean'), get(beforeId, 'std'), get(poolId, 'mean'), get(poolId, 'std')];
    if (m1 === null || s1 === null || m2 === null || s2 === null) return [];
    return [
      {
        id: `pooling:${poolId}:${run.variant}:${run.seed}`,
        statement: `${run.variant}: ${poolId} moved the mean of ${beforeId}'s output from ${num(m1)} to ${num(m2)} (${m2 >= m1 ? '+' : ''}${num(m2 - m1)}) and its standard deviation from ${num(s1)} to ${num(s2)}`,
        value: m2 - m1,
        unit: '',
        evidence: [beforeId, poolId].flatMap((id) => [{ runId: run.id, key: metricKey.outputStat(id, 'mean') }, { runId: run.id, key: metricKey.outputStat(id, 'std') }]),
      },
    ];
  });
}
