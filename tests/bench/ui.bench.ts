/**
 * UI benchmark: 8 runs × 50,000 logged steps streamed as live frames into the Watch view's charts
 * in Chromium (the built renderer, through the real WebSocket bridge and client). Reports the
 * longest main-thread task while streaming (PerformanceObserver "longtask"; the goal is < 50 ms),
 * the longest of every task the page's main thread ran, with its CPU time, and the major garbage
 * collections (from a Chromium trace: the longtask observer sees only tasks over 50 ms) and the
 * median chart-update time. Baseline, measured in the same run: the same stream drawn without
 * thinning (every point drawn), which is what naive live charts do.
 *
 * The lab behind the page is a synthetic one (fixed run list, frames from a formula), so the
 * figure measures the renderer alone, not training speed.
 */
import { existsSync } from 'node:fs';
import type { Page } from 'playwright-core';
import os from 'node:os';
import path from 'node:path';
import type { LabEvent, LabHandlers, RunDetail, RunSummary } from '../../shared/api';
import { metricKey, type MetricFrame } from '../../shared/engine/frame';
import { RunSpec } from '../../shared/spec/experiment';
import { createDispatcher } from '../../electron/lab/api/dispatch';
import { startBrowserServer } from '../../electron/lab/server/browserServer';
import { launchChromium, rootDir } from '../browser/harness';
import type { BenchResult } from './types';

const RUNS = 8;
const STEPS = 50_000;
/** Frames per run per tick; 100 ms ticks stream 50k steps in about 20 s. */
const PER_TICK = 250;
const TICK_MS = 100;

const spec = RunSpec.parse({
  variant: 'bench',
  model: { layers: [{ kind: 'dense', id: 'dense1', units: 16 }, { kind: 'norm', id: 'bn1' }, { kind: 'activation', id: 'act1', fn: 'relu' }, { kind: 'dense', id: 'out', units: 2 }] },
  data: { source: { kind: 'synthetic', generator: 'moons' } },
  training: { learningRate: 0.1, batchSize: 32, duration: { steps: STEPS }, logEvery: 1 },
});
const runIds = Array.from({ length: RUNS }, (_, i) => `bench-${i}`);
const keys = [
  metricKey.trainLoss,
  metricKey.trainAcc,
  metricKey.testLoss,
  metricKey.testAcc,
  metricKey.normParam('bn1', 'gamma', 'mean'),
  metricKey.normParam('bn1', 'gamma', 'min'),
  metricKey.normParam('bn1', 'gamma', 'max'),
  metricKey.preActivation('act1', 'p15'),
  metricKey.preActivation('act1', 'p50'),
  metricKey.preActivation('act1', 'p85'),
  metricKey.gradNorm('dense1'),
];

function frame(run: number, step: number): MetricFrame {
  const t = step / STEPS;
  const noise = Math.sin(step * 12.9898 + run * 78.233) * 0.5;
  const loss = 0.05 + Math.exp(-6 * t - run * 0.1) + 0.03 * noise + (step % 9973 === 0 ? 2 : 0);
  const values: Record<string, number> = {
    [keys[0]!]: loss,
    [keys[1]!]: 1 - loss / 2,
    [keys[4]!]: 1 + 0.2 * t + 0.01 * noise,
    [keys[5]!]: 0.8 + 0.1 * t,
    [keys[6]!]: 1.2 + 0.3 * t,
    [keys[7]!]: -1 + 0.05 * noise,
    [keys[8]!]: 0.02 * noise,
    [keys[9]!]: 1 + 0.05 * noise,
    [keys[10]!]: 0.5 * Math.exp(-2 * t) + 0.05 * Math.abs(noise),
  };
  if (step % 10 === 0) {
    values[keys[2]!] = loss * 1.1;
    values[keys[3]!] = 1 - loss / 1.8;
  }
  return { step, epoch: step / 25, wallMs: step * 2 + run, values };
}

function summary(i: number, status: RunSummary['status'], step: number): RunSummary {
  return {
    id: runIds[i]!,
    experimentId: 'bench',
    experimentTitle: 'UI benchmark',
    variant: `variant ${i}`,
    seed: 1,
    status,
    backend: 'wasm',
    step,
    totalSteps: STEPS,
    createdAt: new Date(0).toISOString(),
    startedAt: new Date(0).toISOString(),
    endedAt: null,
    error: null,
    latest: {},
  };
}

interface Measured {
  longestTaskMs: number;
  longTasks: number;
  /** Every task of the page's main thread while streaming, traced (ms, longest first). */
  tracedTasksMs: number[];
  /** The thread (CPU) time of each of those tasks, in the same order: wall minus it is time the OS gave elsewhere. */
  tracedTasksCpuMs: number[];
  /** Each full (major) garbage collection on that thread while streaming (ms, longest first). */
  majorGcMs: number[];
  /** When each task over 40 ms started, in seconds after the first traced task. */
  over40AtS: number[];
  medianUpdateMs: number;
  p95UpdateMs: number;
  maxUpdateMs: number;
  updates: number;
  finalUpdateMs: number;
}

interface TraceEvent {
  ph: string;
  name: string;
  pid: number;
  tid: number;
  /** Start, µs. */
  ts: number;
  /** Wall and thread (CPU) duration, µs. */
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

/**
 * Starts a Chromium trace of the page's scheduler tasks (the cheap 'toplevel' category) and of V8's
 * garbage collections ('v8': also one event per call into JS from a task, a few hundred a second);
 * the returned function ends it and gives every task the page's main thread ran, in ms, longest
 * first (with each one's thread time: on a busy machine a task's wall time includes time the OS gave
 * other processes), when those over 40 ms began, and the thread's major GCs (a full collection landing in a
 * chart redraw is what long tasks were mostly made of). The longtask observer reports only tasks
 * over 50 ms, so it cannot tell 45 from 5.
 */
async function traceMainThreadTasks(page: Page): Promise<() => Promise<{ tasksMs: number[]; tasksCpuMs: number[]; majorGcMs: number[]; over40AtS: number[] }>> {
  const cdp = await page.context().newCDPSession(page);
  const events: TraceEvent[] = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...(e.value as unknown as TraceEvent[])));
  await cdp.send('Tracing.start', { traceConfig: { includedCategories: ['toplevel', 'v8', '__metadata'] }, transferMode: 'ReportEvents' });
  return async () => {
    const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
    await cdp.send('Tracing.end');
    await complete;
    await cdp.detach();
    const mainThreads = new Set(events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain').map((e) => `${e.pid}:${e.tid}`));
    const byThread = new Map<string, { tasks: TraceEvent[]; majorGcMs: number[] }>();
    for (const e of events) {
      const thread = `${e.pid}:${e.tid}`;
      if (e.ph !== 'X' || !mainThreads.has(thread)) continue;
      let found = byThread.get(thread);
      if (!found) byThread.set(thread, (found = { tasks: [], majorGcMs: [] }));
      if (e.name === 'ThreadControllerImpl::RunTask') found.tasks.push(e);
      else if (e.name === 'MajorGC') found.majorGcMs.push(e.dur! / 1000);
    }
    // The streaming page's renderer ran by far the most tasks (other renderers sit idle).
    const { tasks, majorGcMs } = [...byThread.values()].sort((a, b) => b.tasks.length - a.tasks.length)[0] ?? { tasks: [], majorGcMs: [] };
    const first = Math.min(...tasks.map((t) => t.ts));
    const longestFirst = tasks.slice().sort((a, b) => b.dur! - a.dur!);
    return {
      tasksMs: longestFirst.map((t) => t.dur! / 1000),
      tasksCpuMs: longestFirst.map((t) => (t.tdur ?? NaN) / 1000),
      majorGcMs: majorGcMs.sort((a, b) => b - a),
      over40AtS: tasks.filter((t) => t.dur! > 40_000).map((t) => (t.ts - first) / 1e6).sort((a, b) => a - b),
    };
  };
}

/** Streams the whole workload into one fresh page showing `view`; `noThinning` draws every point. */
async function measure(view: 'watch' | 'compare', noThinning: boolean): Promise<Measured> {
  const listeners = new Set<(event: LabEvent) => void>();
  const emit = (event: LabEvent) => listeners.forEach((l) => l(event));
  let step = 0;
  const handlers = {
    app: { info: () => ({ appVersion: 'bench', tfjsVersion: '-', backends: [], transport: 'browser', platform: process.platform, dataDir: '-', workers: RUNS }) },
    datasets: { list: () => [], preview: () => ({ kind: 'points', points: [] }) },
    runs: {
      list: () => runIds.map((_, i) => summary(i, step >= STEPS ? 'finished' : 'running', step)),
      get: ({ runId }: { runId: string }): RunDetail => ({ ...summary(runIds.indexOf(runId), 'running', step), spec, presetId: null, datasetHash: null, versions: {} }),
      keys: () => keys,
      series: () => [],
    },
    presets: { list: () => [] },
  } as unknown as LabHandlers;
  const server = await startBrowserServer({
    rendererDir: path.join(rootDir, 'out/renderer'),
    dispatch: createDispatcher(handlers),
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.addInitScript(({ ids, view }: { ids: string[]; view: string }) => {
      localStorage.setItem('bnlab.ui.v1', JSON.stringify({ view, theme: 'light' }));
      localStorage.setItem('bnlab.watch.v1', JSON.stringify({ runIds: ids, smoothing: 0.6, logPanels: {} }));
      localStorage.setItem('bnlab.compare.v1', JSON.stringify({ runIds: ids, smoothing: 0.6, groupSeeds: false }));
      const bench = { longTasks: [] as number[], updates: [] as number[], on: false };
      (window as unknown as { __bench: typeof bench }).__bench = bench;
      new PerformanceObserver((list) => {
        if (bench.on) for (const e of list.getEntries()) bench.longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
      new PerformanceObserver((list) => {
        if (bench.on) for (const e of list.getEntries()) if (e.name === 'bnlab:chart-update') bench.updates.push(e.duration);
      }).observe({ type: 'measure', buffered: true });
    }, { ids: runIds, view });
    await page.goto(`${server.url}&measure=1${noThinning ? '&noThinning=1' : ''}`);
    await page.locator('[data-panel=loss] canvas').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(1000);
    const endTrace = await traceMainThreadTasks(page);
    await page.evaluate(() => ((window as unknown as { __bench: { on: boolean } }).__bench.on = true));

    while (step < STEPS) {
      const from = step + 1;
      step = Math.min(STEPS, step + PER_TICK);
      runIds.forEach((runId, i) => {
        const frames: MetricFrame[] = [];
        for (let s = from; s <= step; s++) frames.push(frame(i, s));
        emit({ type: 'runFrames', runId, frames });
        emit({ type: 'runProgress', runId, backend: 'wasm', progress: { step, totalSteps: STEPS, stepsPerSecond: (PER_TICK * 1000) / TICK_MS, etaSeconds: ((STEPS - step) / PER_TICK) * (TICK_MS / 1000), paused: false } });
      });
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    await page.waitForTimeout(1500);
    const result = await page.evaluate(() => {
      const b = (window as unknown as { __bench: { longTasks: number[]; updates: number[]; on: boolean } }).__bench;
      b.on = false;
      return { longTasks: b.longTasks.slice(), updates: b.updates.slice() };
    });
    const { tasksMs: tracedTasksMs, tasksCpuMs: tracedTasksCpuMs, majorGcMs, over40AtS } = await endTrace();
    // One more full redraw at 50k points per series: the cost of, e.g., moving the smoothing slider.
    const finalUpdateMs = await page.evaluate(async () => {
      const b = (window as unknown as { __bench: { updates: number[]; on: boolean } }).__bench;
      b.updates.length = 0;
      b.on = true;
      const slider = document.querySelector('input[aria-label^=Smoothing]') as HTMLInputElement;
      slider.value = '0.7';
      slider.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((resolve) => setTimeout(resolve, 1500));
      b.on = false;
      return b.updates.length ? Math.max(...b.updates) : NaN;
    });
    const sorted = result.updates.slice().sort((a, b) => a - b);
    return {
      longestTaskMs: result.longTasks.length ? Math.max(...result.longTasks) : 0,
      longTasks: result.longTasks.length,
      tracedTasksMs,
      tracedTasksCpuMs,
      majorGcMs,
      over40AtS,
      medianUpdateMs: sorted.length ? sorted[Math.floor(sorted.length / 2)]! : NaN,
      p95UpdateMs: sorted.length ? sorted[Math.floor(sorted.length * 0.95)]! : NaN,
      maxUpdateMs: sorted.length ? sorted[sorted.length - 1]! : NaN,
      updates: sorted.length,
      finalUpdateMs,
    };
  } finally {
    await browser.close();
    await server.close();
  }
}

export async function run(): Promise<BenchResult[]> {
  if (!existsSync(path.join(rootDir, 'out/renderer/index.html'))) throw new Error('out/renderer is missing: run `npm run build` first');
  const ours = await measure('watch', false);
  const naive = await measure('watch', true);
  const compare = await measure('compare', false);
  // Long tasks include time the OS gave to other processes: the load average says how busy it was.
  const note = `${RUNS} runs × ${STEPS.toLocaleString('en-US')} steps, ${keys.length} keys/frame; load average ${os.loadavg()[0]!.toFixed(1)} on ${os.availableParallelism()} cores`;
  const updates = (m: Measured) => `${m.updates} updates; p95 ${m.p95UpdateMs.toFixed(1)} ms, max ${m.maxUpdateMs.toFixed(1)} ms`;
  const traced = (m: Measured) =>
    `${m.tracedTasksMs.length} tasks traced: ${m.tracedTasksMs.filter((d) => d > 40).length} > 40 ms${m.over40AtS.length ? ` (at ${m.over40AtS.map((s) => s.toFixed(1)).join(', ')} s)` : ''}, the longest ${m.tracedTasksMs.slice(0, 5).map((d, i) => `${d.toFixed(0)} (CPU ${m.tracedTasksCpuMs[i]!.toFixed(0)})`).join(', ')} ms; ` +
    `${m.majorGcMs.length} major GCs (${m.majorGcMs.reduce((sum, d) => sum + d, 0).toFixed(0)} ms, the longest ${(m.majorGcMs[0] ?? 0).toFixed(0)} ms)`;
  return [
    { name: 'Watch: longest task while streaming', value: ours.longestTaskMs, unit: 'ms', baseline: naive.longestTaskMs, ratio: ours.longestTaskMs / naive.longestTaskMs, note: `${ours.longTasks} tasks > 50 ms (baseline ${naive.longTasks}); ${note}` },
    { name: 'Watch: longest traced task while streaming', value: ours.tracedTasksMs[0] ?? NaN, unit: 'ms', baseline: naive.tracedTasksMs[0], ratio: (ours.tracedTasksMs[0] ?? NaN) / (naive.tracedTasksMs[0] ?? NaN), note: traced(ours) },
    { name: 'Watch: median chart update', value: ours.medianUpdateMs, unit: 'ms', baseline: naive.medianUpdateMs, ratio: ours.medianUpdateMs / naive.medianUpdateMs, note: `${updates(ours)} (baseline: ${updates(naive)})` },
    { name: 'Watch: chart update at 50k points/series', value: ours.finalUpdateMs, unit: 'ms', baseline: naive.finalUpdateMs, ratio: ours.finalUpdateMs / naive.finalUpdateMs, note: 'slowest single chart redraw after a smoothing change' },
    { name: 'Compare (overlay): longest task while streaming', value: compare.longestTaskMs, unit: 'ms', note: `${compare.longTasks} tasks > 50 ms` },
    { name: 'Compare (overlay): longest traced task while streaming', value: compare.tracedTasksMs[0] ?? NaN, unit: 'ms', note: traced(compare) },
    { name: 'Compare (overlay): median chart update', value: compare.medianUpdateMs, unit: 'ms', note: updates(compare) },
    { name: 'Compare (overlay): chart update at 50k points/series', value: compare.finalUpdateMs, unit: 'ms', note: 'slowest single chart redraw after a smoothing change' },
  ];
}
