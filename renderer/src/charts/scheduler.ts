/**
 * One queue for every chart redraw in the page (charts/redrawQueue.ts on animation frames).
 * Redraws run in frames within a time budget, so eight live charts never add up to one long task;
 * each chart also limits itself to a few redraws per second while data streams in.
 */
import { createChartScheduler } from './redrawQueue';

export type { ChartJob } from './redrawQueue';

const pageScheduler = createChartScheduler(
  (run) => requestAnimationFrame(run),
  () => performance.now(),
);

/** Queues `job` for the next frame with room (a job queued twice runs once). */
export const scheduleChart = pageScheduler.schedule;

/** Removes a job that no longer exists (its chart was unmounted). */
export const cancelChart = pageScheduler.cancel;
