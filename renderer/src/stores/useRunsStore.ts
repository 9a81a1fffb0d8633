/**
 * Runs as the lab reports them: the list, live status and progress, and their series. Frames go
 * straight into the non-reactive series cache; `dataVersion` tells charts that something arrived.
 */
import { defineStore } from 'pinia';
import { reactive, ref, shallowRef } from 'vue';
import type { RunDetail, RunSummary } from '../../../shared/api';
import type { Backend, RunStatus } from '../../../shared/engine/frame';
import type { RunProgress } from '../../../shared/engine/protocol';
import type { ExperimentSpecInput } from '../../../shared/spec/experiment';
import { FINAL_STATUSES } from '../../../shared/engine/frame';
import { lab } from '../lab/client';
import { seriesCache } from '../series/seriesCache';
import { messageOf } from '../lib/errors';

export interface LiveProgress {
  progress: RunProgress;
  backend: Backend | null;
}

/** A run's status with what the lab said about it ("diverged at step 420"). */
export interface LiveStatus {
  status: RunStatus;
  step: number;
  message?: string;
}

/** Points per series one history read returns at most (a larger series comes min/max-thinned). */
const HISTORY_POINTS = 20_000;
const RUNS_PER_READ = 8;
/** Thinning returns about maxPoints; a series that fills the budget is taken as thinned. */
const isThinned = (points: number) => points >= HISTORY_POINTS * 0.98;

export const useRunsStore = defineStore('runs', () => {
  const runs = ref<RunSummary[]>([]);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const progress = reactive<Record<string, LiveProgress>>({});
  const statuses = reactive<Record<string, LiveStatus>>({});
  const keysByRun = reactive<Record<string, string[]>>({});
  const details = shallowRef<Record<string, RunDetail>>({});
  /** Bumped whenever frames or histories land in the series cache. */
  const dataVersion = ref(0);

  /**
   * Progress reaches the page several times a second per run; shown at once, each report re-rendered
   * the run table (80 times a second for 8 runs). Reports are shown at most every PROGRESS_MS, the
   * newest per run, except one that pauses or resumes a run, and the first after a quiet spell.
   */
  const PROGRESS_MS = 250;
  const pendingProgress = new Map<string, LiveProgress>();
  let progressTimer: ReturnType<typeof setTimeout> | null = null;
  function showProgress(runId: string, live: LiveProgress): void {
    if (progressTimer && progress[runId]?.progress.paused === live.progress.paused) {
      pendingProgress.set(runId, live);
      return;
    }
    progress[runId] = live;
    pendingProgress.delete(runId);
    progressTimer ??= setTimeout(flushProgress, PROGRESS_MS);
  }
  function flushProgress(): void {
    progressTimer = null;
    if (pendingProgress.size === 0) return;
    for (const [runId, live] of pendingProgress) progress[runId] = live;
    pendingProgress.clear();
    progressTimer = setTimeout(flushProgress, PROGRESS_MS);
  }

  let refreshTimer: ReturnType<typeof setTimeout> | null = null;
  function refreshSoon(): void {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      void refresh();
    }, 300);
  }

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      runs.value = await lab.runs.list({ limit: 2000 });
      error.value = null;
    } catch (e) {
      error.value = messageOf(e);
    } finally {
      loading.value = false;
    }
  }

  lab.onEvent((event) => {
    switch (event.type) {
      case 'runFrames': {
        // Frames were dropped on the way (this window fell behind): the store has them, so the
        // run's series are read again and merged with the live points (seriesCache.replaceHistory).
        if (event.gapBefore) {
          const keys = seriesCache.keys(event.runId);
          seriesCache.invalidate(event.runId);
          if (keys.length) void ensureSeries([event.runId], keys).catch((e: unknown) => (error.value = messageOf(e)));
        }
        seriesCache.appendBatch(event.runId, event.frames);
        // Any frame of the batch can bring a key (an evaluation's test/ and val/ metrics arrive on
        // some steps only): the batch lists every key of every frame in it.
        const known = keysByRun[event.runId];
        if (!known || event.frames.keys.some((k) => !known.includes(k))) keysByRun[event.runId] = [...new Set([...(known ?? []), ...event.frames.keys])];
        dataVersion.value++;
        break;
      }
      case 'runProgress':
        showProgress(event.runId, { progress: event.progress, backend: event.backend });
        seriesCache.expectSteps(event.runId, event.progress.totalSteps);
        break;
      case 'runStatus': {
        statuses[event.runId] = { status: event.status, step: event.step, ...(event.message ? { message: event.message } : {}) };
        const run = runs.value.find((r) => r.id === event.runId);
        if (run) {
          run.status = event.status;
          run.step = event.step;
          if (event.message) run.error = event.message;
        }
        refreshSoon();
        break;
      }
    }
  });

  /** Status of a run: the latest event, else the list's. */
  function statusOf(runId: string): LiveStatus | null {
    const live = statuses[runId];
    if (live) return live;
    const run = runs.value.find((r) => r.id === runId);
    return run ? { status: run.status, step: run.step, ...(run.error ? { message: run.error } : {}) } : null;
  }

  function isActive(runId: string): boolean {
    const s = statusOf(runId)?.status;
    return s !== undefined && !FINAL_STATUSES.includes(s);
  }

  /** Validates, stores and queues every run; resolves to the new run ids. */
  async function startExperiment(experiment: ExperimentSpecInput): Promise<string[]> {
    const { runIds } = await lab.experiments.start({ experiment });
    await refresh();
    return runIds;
  }

  async function cancel(runId: string): Promise<void> {
    await lab.runs.cancel({ runId });
  }

  async function remove(runIds: string[]): Promise<void> {
    await lab.runs.remove({ runIds });
    for (const id of runIds) seriesCache.forget(id);
    await refresh();
  }

  async function loadKeys(runId: string): Promise<string[]> {
    const stored = await lab.runs.keys({ runId });
    const merged = [...new Set([...stored, ...(keysByRun[runId] ?? [])])];
    keysByRun[runId] = merged;
    return merged;
  }

  async function loadDetail(runId: string): Promise<RunDetail> {
    const cached = details.value[runId];
    if (cached && !isActive(runId)) return cached;
    const detail = await lab.runs.get({ runId });
    details.value = { ...details.value, [runId]: detail };
    return detail;
  }

  const inflight = new Map<string, Promise<void>>();
  /**
   * Reads the stored history of `keys` for `runIds` once (live frames keep them current
   * afterwards): every point up to HISTORY_POINTS per series, so smoothing and zoom work on the
   * real data. Longer series arrive min/max-thinned and are marked so; zooming into one reads the
   * zoomed range at full resolution (ensureDetail). One key per request keeps each message small.
   */
  async function ensureSeries(runIds: readonly string[], keys: readonly string[]): Promise<void> {
    const missing: Array<[string, string]> = [];
    for (const runId of runIds) for (const key of keys) if (!seriesCache.isLoaded(runId, key)) missing.push([runId, key]);
    if (missing.length === 0) return;
    const ids = [...new Set(missing.map(([r]) => r))];
    const wanted = [...new Set(missing.map(([, k]) => k))];
    const id = `${ids.join(',')}|${wanted.join(',')}`;
    let pending = inflight.get(id);
    if (!pending) {
      pending = (async () => {
        for (const key of wanted) {
          for (let i = 0; i < ids.length; i += RUNS_PER_READ) {
            const chunk = ids.slice(i, i + RUNS_PER_READ);
            const series = await lab.runs.series({ runIds: chunk, keys: [key], maxPoints: HISTORY_POINTS });
            for (const s of series) seriesCache.setHistory(s, isThinned(s.steps.length));
            // Keys a run never logged count as read, so they are not asked for again.
            for (const runId of chunk) if (!seriesCache.isLoaded(runId, key)) seriesCache.setHistory({ runId, key, steps: [], values: [], wallMs: [] });
          }
          dataVersion.value++;
        }
      })().finally(() => inflight.delete(id));
      inflight.set(id, pending);
    }
    await pending;
  }

  /** For thinned series among `runIds` × `keys`: the points between steps lo and hi at full resolution. */
  async function ensureDetail(runIds: readonly string[], keys: readonly string[], [lo, hi]: [number, number]): Promise<void> {
    for (const key of keys) {
      const ids = runIds.filter((runId) => {
        const s = seriesCache.get(runId, key);
        return s?.thinned && !(s.detail && s.detail.from <= lo && s.detail.to >= hi);
      });
      if (ids.length === 0) continue;
      // A little beyond the view, so small pans need no new read.
      const pad = (hi - lo) * 0.25;
      const range: [number, number] = [Math.floor(lo - pad), Math.ceil(hi + pad)];
      const series = await lab.runs.series({ runIds: ids.slice(0, RUNS_PER_READ * 8), keys: [key], maxPoints: HISTORY_POINTS, stepRange: range });
      for (const s of series) seriesCache.setDetail(s, range[0], range[1]);
    }
    dataVersion.value++;
  }

  return {
    runs,
    loading,
    error,
    progress,
    statuses,
    keysByRun,
    details,
    dataVersion,
    refresh,
    statusOf,
    isActive,
    startExperiment,
    cancel,
    remove,
    loadKeys,
    loadDetail,
    ensureSeries,
    ensureDetail,
  };
});
