/**
 * The queue behind charts/scheduler.ts, on any frame clock (free of the DOM, so unit tests drive it
 * with a fake one): redraws run in frames within a time budget, so eight live charts never add up
 * to one long task; what does not fit waits for the next frame.
 */
import { chartDiagnostics } from './diagnostics';

export interface ChartJob {
  render(): void;
}

/** Main-thread time one frame may spend on chart redraws (a frame at 60 Hz lasts 16.7 ms). */
export const FRAME_BUDGET_MS = 10;

/**
 * Whether another redraw still fits in a frame that has run redraws for `elapsedMs`: only if what
 * it cost last time fits in what is left. (The first redraw of a frame always runs, or one longer
 * than the budget would never run.) Stopping only once half the budget was used let a frame run a
 * second redraw of 10–15 ms after a first of 4, and such pairs were the page's longest tasks.
 */
export function fitsInFrame(elapsedMs: number, expectedMs: number, budgetMs = FRAME_BUDGET_MS): boolean {
  return elapsedMs + expectedMs <= budgetMs;
}

/** A redraw queue on a given frame clock (animation frames in the page; a fake one in tests). */
export function createChartScheduler(requestFrame: (run: () => void) => void, now: () => number, budgetMs = FRAME_BUDGET_MS) {
  const dirty = new Set<ChartJob>();
  /** What each job's last redraw took: the estimate of its next (a job not yet run: half the budget). */
  const lastMs = new WeakMap<ChartJob, number>();
  let frameRequested = false;

  function requestOnce(): void {
    if (frameRequested) return;
    frameRequested = true;
    requestFrame(runFrame);
  }

  function runFrame(): void {
    frameRequested = false;
    const start = now();
    let ran = false;
    for (const job of [...dirty]) {
      if (ran && !fitsInFrame(now() - start, lastMs.get(job) ?? budgetMs / 2, budgetMs)) break;
      ran = true;
      dirty.delete(job);
      const t0 = now();
      try {
        job.render();
      } catch (error) {
        console.error('chart redraw failed', error);
      }
      const t1 = now();
      lastMs.set(job, t1 - t0);
      if (chartDiagnostics.measure) performance.measure('bnlab:chart-update', { start: t0, end: t1 });
    }
    if (dirty.size > 0) requestOnce();
  }

  return {
    /** Queues `job` for the next frame with room (a job queued twice runs once). */
    schedule(job: ChartJob): void {
      dirty.add(job);
      requestOnce();
    },
    /** Removes a job that no longer exists (its chart was unmounted). */
    cancel(job: ChartJob): void {
      dirty.delete(job);
    },
  };
}
