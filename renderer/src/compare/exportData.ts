/** A comparison as files: long-format CSV (one row per run, key and step) or JSON. */

export interface ExportSeries {
  runId: string;
  label: string;
  key: string;
  steps: ArrayLike<number>;
  values: ArrayLike<number>;
  wallMs: ArrayLike<number>;
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** CSV with a header; non-finite values are written as they are (NaN, Infinity), so divergence survives. */
export function comparisonCsv(series: readonly ExportSeries[]): string {
  const rows = ['run_id,run,key,step,value,wall_ms'];
  for (const s of series) {
    const head = `${csvCell(s.runId)},${csvCell(s.label)},${csvCell(s.key)}`;
    for (let i = 0; i < s.steps.length; i++) rows.push(`${head},${s.steps[i]},${s.values[i]},${s.wallMs[i]}`);
  }
  return rows.join('\n') + '\n';
}

/** JSON with the runs' configs and summary next to the series (NaN/Infinity become strings: JSON has no such numbers). */
export function comparisonJson(payload: { runs: unknown[]; summary: unknown[]; series: readonly ExportSeries[] }): string {
  const num = (v: number) => (Number.isFinite(v) ? v : String(v));
  return JSON.stringify(
    {
      exportedAt: new Date().toISOString(),
      runs: payload.runs,
      summary: payload.summary,
      series: payload.series.map((s) => ({
        runId: s.runId,
        run: s.label,
        key: s.key,
        steps: Array.from(s.steps),
        values: Array.from(s.values, num),
        wallMs: Array.from(s.wallMs),
      })),
    },
    null,
    1,
  );
}
