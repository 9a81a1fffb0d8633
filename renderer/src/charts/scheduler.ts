/**
 * One queue for every chart redraw in the page. Redraws run in animation frames within a time
 * budget, so eight live charts never add up to one long task: what does not fit waits for the next
 * frame. Each chart also limits itself to a few redraws per second while data streams in.
 */
import { chartDiagnostics } from './diagnostics';

export interface ChartJob {
  render(): void;
}

const FRAME_BUDGET_MS = 10;
const dirty = new Set<ChartJob>();
let frameRequested = false;

/** Queues `job` for the next frame with room (a job queued twice runs once). */
export function scheduleChart(job: ChartJob): void {
  dirty.add(job);
  if (!frameRequested) {
    frameRequested = true;
    requestAnimationFrame(runFrame);
  }
}

/** Removes a job that no longer exists (its chart was unmounted). */
export function cancelChart(job: ChartJob): void {
  dirty.delete(job);
}

function runFrame(): void {
  frameRequested = false;
  const start = performance.now();
  for (const job of [...dirty]) {
    // Stop once half the budget is used: the next chart could cost as much again.
    if (performance.now() - start > FRAME_BUDGET_MS / 2) break;
    dirty.delete(job);
    const t0 = performance.now();
    try {
      job.render();
    } catch (error) {
      console.error('chart redraw failed', error);
    }
    if (chartDiagnostics.measure) performance.measure('bnlab:chart-update', { start: t0, end: performance.now() });
  }
  if (dirty.size > 0 && !frameRequested) {
    frameRequested = true;
    requestAnimationFrame(runFrame);
  }
}
