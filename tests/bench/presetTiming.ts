/**
 * Times presets the way a person runs them: the real `bnlab` process (bin/bnlab.mjs from source)
 * on real data in a temporary BNLAB_HOME, the lab's default worker pool (one worker thread per
 * core, wasm backend). Shared by presets.bench.ts (every quick variant) and ioffe-full.bench.ts.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BenchResult } from './types';

const bin = path.resolve(import.meta.dirname, '../../bin/bnlab.mjs');

/** What `bnlab run --json` reports (the parts timed here). */
interface RunReport {
  seconds: number;
  runs: Array<{ variant: string; status: string; step: number; totalSteps: number }>;
}

/** Wall time of `bnlab run <presetId> [...args] --json`, and the report it printed. */
async function timeBnlab(presetId: string, args: string[], home: string, timeoutSeconds: number): Promise<{ wallSeconds: number; report: RunReport }> {
  const started = performance.now();
  const child = spawn(process.execPath, [bin, 'run', presetId, ...args, '--json'], { env: { ...process.env, BNLAB_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutSeconds * 1000);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearTimeout(timer);
  const wallSeconds = (performance.now() - started) / 1000;
  // Exit 1 only says a run diverged or failed (some presets diverge on purpose); the report says which.
  if (code !== 0 && code !== 1) throw new Error(`bnlab run ${presetId} ${args.join(' ')} exited ${code ?? 'killed'} after ${wallSeconds.toFixed(0)} s (limit ${timeoutSeconds} s): ${stderr.trim()}`);
  return { wallSeconds, report: JSON.parse(stdout) as RunReport };
}

/** "2 runs finished, 1 diverged". */
function statuses(report: RunReport): string {
  const counts = new Map<string, number>();
  for (const run of report.runs) counts.set(run.status, (counts.get(run.status) ?? 0) + 1);
  return [...counts].map(([status, n]) => `${n} ${status}`).join(', ');
}

/** The machine as the figures should be read: cores, and the 1-minute load average before and after. */
export function machineNote(loadBefore: number, loadAfter: number): string {
  return `${os.availableParallelism()} cores, load ${loadBefore.toFixed(1)}→${loadAfter.toFixed(1)}`;
}

/**
 * One row per preset: wall time of its `bnlab run` against `targetSeconds` (ratio > 1: over the
 * target), with the in-process training time, what became of the runs, and the machine's load.
 */
export async function timePresets(presetIds: string[], args: string[], targetSeconds: number, label: string, timeoutSeconds: number): Promise<BenchResult[]> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-bench-presets-'));
  const rows: BenchResult[] = [];
  try {
    for (const id of presetIds) {
      process.stdout.write(`  ${id} ${label}…\n`);
      const loadBefore = os.loadavg()[0]!;
      const { wallSeconds, report } = await timeBnlab(id, args, home, timeoutSeconds);
      rows.push({
        name: `${id} ${label}, ${report.runs.length} runs`,
        value: wallSeconds,
        unit: 's',
        baseline: targetSeconds,
        ratio: wallSeconds / targetSeconds,
        note: `${wallSeconds <= targetSeconds ? 'within' : 'OVER'} the ${targetSeconds} s target; training ${report.seconds.toFixed(1)} s of it; ${statuses(report)}; ${machineNote(loadBefore, os.loadavg()[0]!)}`,
      });
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return rows;
}
