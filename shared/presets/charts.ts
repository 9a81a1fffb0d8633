/**
 * Declarative charts: which series (by metricKey), drawn how, for which runs. A schema rather than
 * only a type because charts also travel in workshop files, which are validated on open.
 */
import { z } from 'zod';
import { LayerId } from '../spec/model';

/** A series key as metricKey builds it ("test/acc", "pre/act3/u0/p50"). */
export const SeriesKey = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, 'a series key is names joined by "/" (as metricKey builds them)');

const common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,59}$/, 'a chart id uses lower-case letters, digits and "-"'),
  title: z.string().min(1).max(200),
  /** A hint shown with the chart: what to look for. */
  note: z.string().max(1000).optional(),
  /** Only the runs of these variants (all runs when absent). */
  variants: z.array(z.string().min(1).max(80)).min(1).max(64).optional(),
};

export const ChartSpec = z.discriminatedUnion('kind', [
  /** One line per key per run. */
  z.object({ kind: z.literal('line'), ...common, keys: z.array(SeriesKey).min(1).max(12), logY: z.boolean().optional() }).strict(),
  /** Percentile band (p15 / p50 / p85 keys) per run, drawn side by side (Ioffe & Szegedy Fig. 1). */
  z.object({ kind: z.literal('band'), ...common, keys: z.tuple([SeriesKey, SeriesKey, SeriesKey]) }).strict(),
  /** End-of-run per-unit scatter from the norm snapshot: γ against √(σ²+ε), or β against μ. */
  z
    .object({ kind: z.literal('scatter'), ...common, layerId: LayerId, x: z.enum(['std', 'mean']), y: z.enum(['gamma', 'beta']) })
    .strict(),
]);
export type ChartSpec = z.infer<typeof ChartSpec>;

/** The series keys a chart reads (none for a scatter, which reads the end-of-run snapshot). */
export function chartKeys(chart: ChartSpec): string[] {
  return chart.kind === 'scatter' ? [] : [...chart.keys];
}
