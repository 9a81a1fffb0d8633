/**
 * Findings computed from the runs. Every statement names the numbers it rests on and changes when
 * the data changes; a run that diverged, failed or never reached a target is said to have done so.
 */
import { metricKey } from '../engine/frame';
import type { Finding, FindingRun, FindingsInput } from './types';

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const num = (v: number, digits = 3) => (Math.abs(v) >= 1000 ? Math.round(v).toLocaleString('en-US') : Number(v.toPrecision(digits)).toString());
const stepText = (s: number) => s.toLocaleString('en-US');

/** Runs grouped by variant, in first-appearance order. */
export function byVariant(input: FindingsInput): Map<string, FindingRun[]> {
  const groups = new Map<string, FindingRun[]>();
  for (const run of input.runs) groups.set(run.variant, [...(groups.get(run.variant) ?? []), run]);
  return groups;
}

/** The last finite value of a series, or null. */
export function finalValue(input: FindingsInput, runId: string, key: string): number | null {
  const s = input.series(runId, key);
  if (!s) return null;
  for (let i = s.values.length - 1; i >= 0; i--) if (Number.isFinite(s.values[i])) return s.values[i]!;
  return null;
}

/** The first step at which a series reaches `target` (≥), or null. */
export function stepsToTarget(input: FindingsInput, runId: string, key: string, target: number): number | null {
  const s = input.series(runId, key);
  if (!s) return null;
  const i = s.values.findIndex((v) => v >= target);
  return i < 0 ? null : s.steps[i]!;
}

/** Mean, min and max over a variant's runs of a per-run number (nulls skipped). */
export function spread(values: Array<number | null>): { mean: number; min: number; max: number; n: number } | null {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return null;
  return { mean: v.reduce((a, b) => a + b, 0) / v.length, min: Math.min(...v), max: Math.max(...v), n: v.length };
}

function describeSpread(s: { mean: number; min: number; max: number; n: number }, format: (v: number) => string): string {
  return s.n > 1 ? `${format(s.mean)} (${s.n} seeds: ${format(s.min)}–${format(s.max)})` : format(s.mean);
}

function unfinished(run: FindingRun): string | null {
  if (run.status === 'diverged') return `diverged at step ${stepText(run.step)}`;
  if (run.status === 'failed') return `failed (${run.error ?? 'no reason recorded'})`;
  if (run.status === 'cancelled' || run.status === 'interrupted') return `${run.status} at step ${stepText(run.step)}`;
  return null;
}

/** Final held-out accuracy per variant, with the seed spread. */
export function finalAccuracy(input: FindingsInput, key: string = metricKey.testAcc): Finding[] {
  return [...byVariant(input)].map(([variant, runs]) => {
    const s = spread(runs.map((r) => finalValue(input, r.id, key)));
    const problems = runs.map(unfinished).filter(Boolean);
    const statement = s
      ? `${variant}: final ${key === metricKey.testAcc ? 'test' : key} accuracy ${describeSpread(s, pct)}${problems.length ? `; ${problems.join(', ')}` : ''}`
      : `${variant}: no accuracy was logged${problems.length ? ` (${problems.join(', ')})` : ''}`;
    return { id: `final-accuracy:${variant}`, statement, value: s?.mean ?? null, unit: 'fraction', evidence: runs.map((r) => ({ runId: r.id, key })) };
  });
}

/** The step at which each variant first reached `target` held-out accuracy ("never within N steps" otherwise). */
export function stepsToAccuracy(input: FindingsInput, target: number): Finding[] {
  return [...byVariant(input)].map(([variant, runs]) => {
    const steps = runs.map((r) => stepsToTarget(input, r.id, metricKey.testAcc, target));
    const reached = spread(steps);
    const longest = Math.max(...runs.map((r) => r.step));
    const statement = reached
      ? `${variant}: test accuracy reached ${pct(target)} at step ${describeSpread(reached, (v) => stepText(Math.round(v)))}${reached.n < runs.length ? ` (${runs.length - reached.n} of ${runs.length} seeds never did)` : ''}`
      : `${variant}: test accuracy never reached ${pct(target)} within ${stepText(longest)} steps`;
    return { id: `steps-to-${target}:${variant}`, statement, value: reached?.mean ?? null, unit: 'steps', evidence: runs.map((r, i) => ({ runId: r.id, key: metricKey.testAcc, ...(steps[i] !== null ? { step: steps[i]! } : {}) })) };
  });
}

/** Which runs diverged, and where. */
export function divergence(input: FindingsInput): Finding {
  const diverged = input.runs.filter((r) => r.status === 'diverged');
  return {
    id: 'divergence',
    statement: diverged.length
      ? `${diverged.length} of ${input.runs.length} runs diverged: ${diverged.map((r) => `${r.variant} at step ${stepText(r.step)}`).join('; ')}`
      : `none of the ${input.runs.length} runs diverged`,
    value: diverged.length,
    unit: 'runs',
    evidence: diverged.map((r) => ({ runId: r.id, step: r.step })),
  };
}

/** Whether the gap between variants' final accuracies is larger than the spread between seeds. */
export function beyondSeedNoise(input: FindingsInput, key: string = metricKey.testAcc): Finding | null {
  const groups = [...byVariant(input)].map(([variant, runs]) => ({ variant, s: spread(runs.map((r) => finalValue(input, r.id, key))) })).filter((g) => g.s);
  if (groups.length < 2 || groups.every((g) => g.s!.n < 2)) return null;
  const best = groups.reduce((a, b) => (a.s!.mean >= b.s!.mean ? a : b));
  const worst = groups.reduce((a, b) => (a.s!.mean <= b.s!.mean ? a : b));
  const gap = best.s!.mean - worst.s!.mean;
  const noise = Math.max(...groups.map((g) => g.s!.max - g.s!.min));
  return {
    id: 'beyond-seed-noise',
    statement: `${best.variant} beats ${worst.variant} by ${pct(gap)} final accuracy; the widest spread between seeds of one variant is ${pct(noise)} — the difference is ${gap > noise ? 'larger than' : 'within'} seed noise`,
    value: gap - noise,
    unit: 'fraction',
    evidence: [],
  };
}

/**
 * How far γ and β ended from undoing each norm layer, per unit, from the end-of-run snapshots:
 * the range of γ/√(σ²+ε) (1 would undo the scaling) and the fraction of units within 10% of the
 * identity (γ ≈ √(σ²+ε) and β ≈ μ, using the running statistics).
 */
export function undoFindings(input: FindingsInput): Finding[] {
  const findings: Finding[] = [];
  for (const run of input.runs) {
    const snapshot = input.snapshot(run.id);
    for (const layer of snapshot?.layers ?? []) {
      const ratios = layer.gamma.map((g, u) => g / Math.sqrt(layer.runningVar[u]! + layer.epsilon));
      const within = layer.gamma.filter((g, u) => {
        const s = Math.sqrt(layer.runningVar[u]! + layer.epsilon);
        return Math.abs(g - s) / s < 0.1 && Math.abs(layer.beta[u]! - layer.runningMean[u]!) / s < 0.1;
      }).length;
      const fraction = within / layer.gamma.length;
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

/** The final value of a per-layer series (e.g. the fraction of sigmoid inputs with |z| < 1) per variant. */
export function finalSeriesByVariant(input: FindingsInput, key: string, describe: (variant: string, value: string) => string, format: (v: number) => string = pct): Finding[] {
  return [...byVariant(input)].flatMap(([variant, runs]) => {
    const s = spread(runs.map((r) => finalValue(input, r.id, key)));
    if (!s) return [];
    return [{ id: `${key}:${variant}`, statement: describe(variant, describeSpread(s, format)), value: s.mean, unit: format === pct ? 'fraction' : '', evidence: runs.map((r) => ({ runId: r.id, key })) }];
  });
}

/** γ values that ended near zero (|γ| < 0.05): units the network switched off. */
export function gammaNearZero(input: FindingsInput): Finding[] {
  return input.runs.flatMap((run) => {
    const layers = input.snapshot(run.id)?.layers ?? [];
    const all = layers.flatMap((l) => l.gamma);
    if (all.length === 0) return [];
    const off = all.filter((g) => Math.abs(g) < 0.05).length;
    return [{ id: `gamma-near-zero:${run.variant}:${run.seed}`, statement: `${run.variant} (seed ${run.seed}): ${off} of ${all.length} γ (${pct(off / all.length)}) ended with |γ| < 0.05 — units switched off`, value: off / all.length, unit: 'fraction of units', evidence: [{ runId: run.id }] }];
  });
}

/** The gap between eval mode (running statistics) and batch statistics at the end, per variant. */
export function trainEvalGap(input: FindingsInput): Finding[] {
  return [...byVariant(input)].flatMap(([variant, runs]) => {
    const evalAcc = spread(runs.map((r) => finalValue(input, r.id, metricKey.testAcc)));
    const batchAcc = spread(runs.map((r) => finalValue(input, r.id, metricKey.testAccBatchStats)));
    const trainAcc = spread(runs.map((r) => finalValue(input, r.id, metricKey.trainAcc)));
    if (!evalAcc || !batchAcc) return [];
    return [
      {
        id: `train-eval-gap:${variant}`,
        statement: `${variant}: held-out accuracy ${pct(evalAcc.mean)} with running statistics vs ${pct(batchAcc.mean)} with batch statistics${trainAcc ? ` (training batches: ${pct(trainAcc.mean)})` : ''} — a gap of ${pct(batchAcc.mean - evalAcc.mean)}`,
        value: batchAcc.mean - evalAcc.mean,
        unit: 'fraction',
        evidence: runs.flatMap((r) => [{ runId: r.id, key: metricKey.testAcc }, { runId: r.id, key: metricKey.testAccBatchStats }]),
      },
    ];
  });
}

/** How much a percentile band's median moved over training: max − min of the p50 series. */
export function medianDrift(input: FindingsInput, key: string, what: string): Finding[] {
  return [...byVariant(input)].flatMap(([variant, runs]) => {
    const drifts = runs.map((r) => {
      const s = input.series(r.id, key);
      const v = s?.values.filter(Number.isFinite) ?? [];
      return v.length ? Math.max(...v) - Math.min(...v) : null;
    });
    const s = spread(drifts);
    if (!s) return [];
    return [{ id: `drift:${key}:${variant}`, statement: `${variant}: the median of ${what} moved over a range of ${describeSpread(s, (v) => num(v))} during training`, value: s.mean, unit: '', evidence: runs.map((r) => ({ runId: r.id, key })) }];
  });
}

/** Mean of a series over the whole run, per variant (e.g. the landscape measures). */
export function meanOverRun(input: FindingsInput, key: string, describe: (variant: string, value: string) => string): Finding[] {
  return [...byVariant(input)].flatMap(([variant, runs]) => {
    const means = runs.map((r) => {
      const v = input.series(r.id, key)?.values.filter(Number.isFinite) ?? [];
      return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
    });
    const s = spread(means);
    if (!s) return [];
    return [{ id: `mean:${key}:${variant}`, statement: describe(variant, describeSpread(s, (v) => num(v))), value: s.mean, unit: '', evidence: runs.map((r) => ({ runId: r.id, key })) }];
  });
}
