/**
 * Every preset's quick (workshop) variant through the real `bnlab run <id> --quick` process, on
 * real data, with the default worker pool: wall time against the quality bar of 2 minutes on a
 * 2-core laptop (issue 6). `npm run bench presets` runs only this; ioffe-full.bench.ts times the
 * full Figure 1 reproduction.
 */
import { pathToFileURL } from 'node:url';
import { presets } from '../../shared/presets';
import { timePresets } from './presetTiming';
import type { BenchResult } from './types';

/** Seconds a quick variant may take (issue 6's quality bar). */
const QUICK_TARGET_SECONDS = 120;

export async function run(): Promise<BenchResult[]> {
  const rows = await timePresets(
    presets.map((p) => p.id),
    ['--quick'],
    QUICK_TARGET_SECONDS,
    'quick',
    // A preset that has not finished in 15 minutes is far past the target: stop it, fail the bench.
    900,
  );
  const slowest = rows.reduce((a, b) => (b.value > a.value ? b : a));
  const within = rows.filter((r) => r.value <= QUICK_TARGET_SECONDS).length;
  return [
    ...rows,
    { name: 'slowest quick preset', value: slowest.value, unit: 's', baseline: QUICK_TARGET_SECONDS, ratio: slowest.value / QUICK_TARGET_SECONDS, note: `${slowest.name}; ${within} of ${rows.length} presets within ${QUICK_TARGET_SECONDS} s` },
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) console.table(await run());
