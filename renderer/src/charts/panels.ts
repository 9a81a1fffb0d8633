/**
 * Which charts a set of series keys calls for. Keys are recognised through `metricKey` itself
 * (with a placeholder in the id slot), so their format is written in one place only.
 */
import { metricKey } from '../../../shared/engine/frame';
import type { Goal } from '../../../shared/series/summary';

/** One line of a panel: a key, how to label it, and its dash (runs are told apart by colour). */
export interface PanelLine {
  key: string;
  label: string;
  dash: 'solid' | 'dashed' | 'dotted';
}

/** A shaded band between two keys (percentiles, min/max over units), drawn under the lines. */
export interface PanelBand {
  lo: string;
  hi: string;
  label: string;
}

export interface ChartPanel {
  id: string;
  title: string;
  /** What a reader should look for: shown under the title. */
  hint?: string;
  lines: PanelLine[];
  bands: PanelBand[];
  goal: Goal;
  /** Log scale is the sensible default (losses, gradient norms). */
  logDefault: boolean;
}

const HOLE = '\u0001';
/** A regex matching keys built by `build(HOLE)`, capturing the id slot. */
function pattern(build: (id: string) => string): RegExp {
  const escaped = build(HOLE).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp('^' + escaped.replace(HOLE, '([^/]+)') + '$');
}

const GAMMA_MEAN = pattern((id) => metricKey.normParam(id, 'gamma', 'mean'));
const PRE_P50 = pattern((id) => metricKey.preActivation(id, 'p50'));
const GRAD = pattern((id) => metricKey.gradNorm(id));
const UNDO = pattern((id) => metricKey.undoDistance(id));
const OUT_STD = pattern((id) => metricKey.outputStat(id, 'std'));
const EFFECTIVE_LR = pattern((id) => metricKey.effectiveLr(id));

const UNIT_HOLE = 987_654_321;
/** Tracked units of one norm layer's γ or β: the unit numbers present, ascending. */
function unitsOf(keys: readonly string[], layerId: string, param: 'gamma' | 'beta'): number[] {
  const escaped = metricKey.normParamUnit(layerId, param, UNIT_HOLE).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp('^' + escaped.replace(String(UNIT_HOLE), '(\\d+)') + '$');
  const units = new Set<number>();
  for (const key of keys) {
    const m = re.exec(key);
    if (m) units.add(Number(m[1]));
  }
  return [...units].sort((a, b) => a - b);
}

function ids(keys: readonly string[], re: RegExp): string[] {
  const found: string[] = [];
  for (const key of keys) {
    const m = re.exec(key);
    if (m && !found.includes(m[1]!)) found.push(m[1]!);
  }
  return found;
}

const DASHES: PanelLine['dash'][] = ['solid', 'dashed', 'dotted'];

/** The panels for the keys present, in reading order; panels with no present key are left out. */
export function chartPanels(available: readonly string[]): ChartPanel[] {
  const has = new Set(available);
  const lines = (entries: Array<[string, string]>): PanelLine[] =>
    entries.filter(([key]) => has.has(key)).map(([key, label], i) => ({ key, label, dash: DASHES[i % DASHES.length]! }));
  const band = (lo: string, hi: string, label: string): PanelBand[] => (has.has(lo) && has.has(hi) ? [{ lo, hi, label }] : []);
  const panels: ChartPanel[] = [];
  const add = (panel: ChartPanel) => {
    if (panel.lines.length > 0 || panel.bands.length > 0) panels.push(panel);
  };

  add({
    id: 'loss',
    title: 'Loss',
    lines: lines([
      [metricKey.trainLoss, 'train'],
      [metricKey.testLoss, 'held-out'],
      // After held-out, so runs without a validation split draw exactly as before.
      [metricKey.validationLoss, 'validation'],
    ]),
    bands: [],
    goal: 'min',
    logDefault: true,
  });
  add({
    id: 'accuracy',
    title: 'Accuracy',
    lines: lines([
      [metricKey.trainAcc, 'train'],
      [metricKey.testAcc, 'held-out'],
      [metricKey.validationAcc, 'validation'],
      [metricKey.testAccBatchStats, 'held-out, batch stats'],
    ]),
    bands: [],
    goal: 'max',
    logDefault: false,
  });
  for (const id of ids(available, GAMMA_MEAN)) {
    for (const param of ['gamma', 'beta'] as const) {
      add({
        id: `${param}:${id}`,
        title: `${param === 'gamma' ? 'γ' : 'β'} · ${id}`,
        hint: 'mean over units, band: min–max',
        lines: lines([[metricKey.normParam(id, param, 'mean'), 'mean']]),
        bands: band(metricKey.normParam(id, param, 'min'), metricKey.normParam(id, param, 'max'), 'min–max'),
        goal: 'max',
        logDefault: false,
      });
    }
  }
  for (const id of ids(available, GAMMA_MEAN)) {
    for (const param of ['gamma', 'beta'] as const) {
      const units = unitsOf(available, id, param);
      add({
        id: `${param}Units:${id}`,
        title: `${param === 'gamma' ? 'γ' : 'β'} per tracked unit · ${id}`,
        hint: 'do they move towards the values that undo the normalization?',
        lines: units.map((u, i) => ({ key: metricKey.normParamUnit(id, param, u), label: `unit ${u}`, dash: DASHES[i % DASHES.length]! })),
        bands: [],
        goal: 'max',
        logDefault: false,
      });
    }
  }
  for (const id of ids(available, UNDO)) {
    add({
      id: `undo:${id}`,
      title: `Undo distance · ${id}`,
      hint: '0 means γ, β exactly undo the normalization',
      lines: lines([[metricKey.undoDistance(id), 'distance']]),
      bands: [],
      goal: 'min',
      logDefault: false,
    });
  }
  for (const id of ids(available, PRE_P50)) {
    add({
      id: `pre:${id}`,
      title: `Pre-activation · ${id}`,
      hint: '15th / 50th / 85th percentile (Ioffe & Szegedy, Fig. 1)',
      lines: lines([[metricKey.preActivation(id, 'p50'), 'median']]),
      bands: band(metricKey.preActivation(id, 'p15'), metricKey.preActivation(id, 'p85'), '15–85%'),
      goal: 'max',
      logDefault: false,
    });
  }
  const grads = ids(available, GRAD);
  if (grads.length > 0) {
    add({
      id: 'grad',
      title: 'Gradient norms',
      lines: grads.map((id, i) => ({ key: metricKey.gradNorm(id), label: id, dash: DASHES[i % DASHES.length]! })),
      bands: [],
      goal: 'min',
      logDefault: true,
    });
  }
  const outs = ids(available, OUT_STD);
  if (outs.length > 0) {
    add({
      id: 'outStd',
      title: 'Layer output σ',
      lines: outs.map((id, i) => ({ key: metricKey.outputStat(id, 'std'), label: id, dash: DASHES[i % DASHES.length]! })),
      bands: [],
      goal: 'min',
      logDefault: true,
    });
  }
  const effective = ids(available, EFFECTIVE_LR);
  if (effective.length > 0) {
    add({
      id: 'effectiveLr',
      title: 'Effective learning rate (lr/‖W‖²)',
      lines: effective.map((id, i) => ({ key: metricKey.effectiveLr(id), label: id, dash: DASHES[i % DASHES.length]! })),
      bands: [],
      goal: 'max',
      logDefault: true,
    });
  }
  add({
    id: 'landscape',
    title: 'Loss landscape (Santurkar et al.)',
    lines: lines([
      [metricKey.lossVariation, 'loss variation'],
      [metricKey.gradientPredictiveness, 'gradient predictiveness'],
      [metricKey.betaSmoothness, 'β-smoothness'],
    ]),
    bands: [],
    goal: 'min',
    logDefault: true,
  });
  add({ id: 'lr', title: 'Learning rate', lines: lines([[metricKey.learningRate, 'lr']]), bands: [], goal: 'max', logDefault: false });
  return panels;
}

/** Every key a panel draws. */
export function panelKeys(panel: ChartPanel): string[] {
  return [...panel.lines.map((l) => l.key), ...panel.bands.flatMap((b) => [b.lo, b.hi])];
}
