/**
 * Run store benchmarks (issue 4's targets): metric-point write throughput through appendFrames
 * (≥ 200k points/s), against a naive one-insert-per-transaction writer measured in the same run
 * on the same schema, and reading one run's 50k-step series (< 50 ms), full and thinned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunStore } from '../../electron/lab/store/runStore';
import { twoRunExperiment, wideFrames } from '../unit/lab/fixtures';
import type { BenchResult } from './types';

/** Keys per frame: about what a small model with BN instruments logs each step. */
const KEYS = 20;
/** Frames per appendFrames call: the runner flushes about once a second. */
const BATCH = 500;

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function run(): Promise<BenchResult[]> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-bench-store-'));
  const store = RunStore.open(home);
  try {
    const { runIds } = store.createExperiment(twoRunExperiment());
    const [batchedRun, naiveRun] = runIds as [string, string];

    // Batched: 100k frames × 20 keys = 2M points, in transactions of 500 frames.
    // Frames are built before timing (the engine makes them, not the store) and dropped after, so
    // their garbage doesn't slow the reads below.
    const frames = 100_000;
    const batchedRate = (() => {
      const batches = Array.from({ length: frames / BATCH }, (_, b) => wideFrames(BATCH, KEYS, b * BATCH));
      const start = performance.now();
      for (const batch of batches) store.appendFrames(batchedRun, batch);
      return (frames * (KEYS + 1)) / ((performance.now() - start) / 1000); // + each frame's epoch point
    })();

    // Naive: every point its own INSERT and its own transaction (SQLite's autocommit).
    const naivePoints = 20_000;
    const insert = store.db.prepare('INSERT INTO points (run_rid, key_id, step, wall_ms, value) VALUES (?, ?, ?, ?, ?)');
    const rid = store.db.prepare('SELECT rid FROM runs WHERE id = ?').pluck().get(naiveRun) as number;
    const start = performance.now();
    for (let i = 0; i < naivePoints; i++) insert.run(rid, 1 + (i % KEYS), Math.floor(i / KEYS), i, Math.sin(i));
    const naiveRate = naivePoints / ((performance.now() - start) / 1000);

    // Reads: one key of the batched run has 100k steps; read a 50k-step range of it, and a whole
    // 50k-step series of a run that has only that many.
    const { runIds: readRuns } = store.createExperiment(twoRunExperiment('read'));
    for (let b = 0; b < 50_000 / BATCH; b++) store.appendFrames(readRuns[0]!, wideFrames(BATCH, KEYS, b * BATCH));
    const time = (fn: () => unknown) => {
      for (let i = 0; i < 3; i++) fn(); // let the JIT settle first
      const samples: number[] = [];
      for (let i = 0; i < 15; i++) {
        const t = performance.now();
        fn();
        samples.push(performance.now() - t);
      }
      return median(samples);
    };
    let points = 0;
    const full = time(() => (points = store.series({ runIds: [readRuns[0]!], keys: ['k7'] })[0]!.steps.length));
    if (points !== 50_000) throw new Error(`expected 50,000 points, read ${points}`);
    // Baseline: the obvious read, one JS row object per point.
    const naiveSelect = store.db.prepare('SELECT step, wall_ms, value FROM points WHERE run_rid = ? AND key_id = ? ORDER BY step');
    const readRid = store.db.prepare('SELECT rid FROM runs WHERE id = ?').pluck().get(readRuns[0]!) as number;
    const k7 = store.db.prepare("SELECT id FROM series_keys WHERE key = 'k7'").pluck().get() as number;
    const naiveRead = time(() => {
      const rows = naiveSelect.all(readRid, k7) as Array<{ step: number; wall_ms: number; value: number | null }>;
      return { steps: rows.map((r) => r.step), wallMs: rows.map((r) => r.wall_ms), values: rows.map((r) => r.value ?? NaN) };
    });
    const thinned = time(() => store.series({ runIds: [readRuns[0]!], keys: ['k7'], maxPoints: 1000 }));
    const list = time(() => store.listRuns());

    return [
      {
        name: 'frame writes (appendFrames, 500-frame batches)',
        value: Math.round(batchedRate),
        unit: 'points/s',
        baseline: Math.round(naiveRate),
        ratio: batchedRate / naiveRate,
        note: `target ≥ 200,000; ${KEYS} keys/frame + epoch; baseline: one INSERT per transaction`,
      },
      {
        name: "read one run's 50k-step series",
        value: Number(full.toFixed(2)),
        unit: 'ms',
        baseline: Number(naiveRead.toFixed(2)),
        ratio: full / naiveRead,
        note: 'target < 50 ms; full resolution, median of 15; baseline: one row object per point',
      },
      { name: "read one run's 50k-step series, thinned to 1000", value: Number(thinned.toFixed(2)), unit: 'ms', baseline: Number(full.toFixed(2)), ratio: thinned / full, note: 'min/max per bucket' },
      { name: 'list runs with latest values', value: Number(list.toFixed(3)), unit: 'ms', note: `${store.listRuns().length} runs` },
    ];
  } finally {
    store.close();
    rmSync(home, { recursive: true, force: true });
  }
}
