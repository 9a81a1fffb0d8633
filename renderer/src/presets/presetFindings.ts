/**
 * A preset's findings over its stored runs: fetches every run's series and end-of-run snapshot
 * through LabApi, then runs the preset's own findings (shared code, the same the CLI prints).
 */
import type { LabApi, RunDetail } from '../../../shared/api';
import type { Finding, Preset } from '../../../shared/presets';
import type { NormSnapshot } from '../../../shared/engine/frame';

export async function computeFindings(lab: LabApi, preset: Preset, runIds: string[]): Promise<Finding[]> {
  if (runIds.length === 0) return [];
  const details: RunDetail[] = await Promise.all(runIds.map((runId) => lab.runs.get({ runId })));
  const keys = [...new Set((await Promise.all(runIds.map((runId) => lab.runs.keys({ runId })))).flat())];
  const series = new Map<string, { steps: number[]; values: number[] }>();
  // The contract takes at most 200 keys a call.
  for (let i = 0; i < keys.length; i += 200) {
    for (const s of await lab.runs.series({ runIds, keys: keys.slice(i, i + 200), maxPoints: 5000 })) series.set(`${s.runId} ${s.key}`, s);
  }
  const snapshots = new Map<string, NormSnapshot | null>(await Promise.all(runIds.map(async (runId) => [runId, await lab.runs.snapshot({ runId })] as const)));
  return preset.findings({
    runs: details.map((r) => ({ id: r.id, variant: r.variant, seed: r.seed, status: r.status, step: r.step, error: r.error, spec: r.spec })),
    series: (runId, key) => series.get(`${runId} ${key}`) ?? null,
    snapshot: (runId) => snapshots.get(runId) ?? null,
  });
}
