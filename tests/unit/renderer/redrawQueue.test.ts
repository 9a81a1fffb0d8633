import { describe, expect, it } from 'vitest';
import { createChartScheduler, fitsInFrame, type ChartJob } from '../../../renderer/src/charts/redrawQueue';

/** A fake page: a clock that jobs advance by their cost, and frames run one at a time on request. */
function fakePage(budgetMs = 10) {
  let clock = 0;
  const frames: Array<() => void> = [];
  const scheduler = createChartScheduler((run) => frames.push(run), () => clock, budgetMs);
  const log: string[][] = [];
  const job = (name: string, costMs: number): ChartJob => ({
    render() {
      clock += costMs;
      log[log.length - 1]!.push(name);
    },
  });
  /** Runs the next requested frame; returns the names of the jobs it ran. */
  function frame(): string[] {
    const run = frames.shift();
    if (!run) return [];
    log.push([]);
    run();
    return log[log.length - 1]!;
  }
  return { scheduler, job, frame, pending: () => frames.length };
}

describe('chart redraws share each frame within a budget', () => {
  it('fits a redraw only when its expected cost fits in what is left', () => {
    expect(fitsInFrame(4, 6, 10)).toBe(true);
    expect(fitsInFrame(4, 6.5, 10)).toBe(false);
    expect(fitsInFrame(0, 12, 10)).toBe(false);
  });

  it('runs the first redraw of a frame whatever it costs, and leaves the rest for later frames', () => {
    const page = fakePage();
    const slow = page.job('slow', 25);
    const other = page.job('other', 3);
    page.scheduler.schedule(slow);
    page.scheduler.schedule(other);
    // Neither has a cost yet: each counts as half the budget, so both fit in the first frame.
    expect(page.frame()).toEqual(['slow']);
    expect(page.frame()).toEqual(['other']);
    expect(page.pending()).toBe(0);
  });

  it('estimates a redraw from its last one: a second long redraw does not join a frame that has run one', () => {
    const page = fakePage();
    const a = page.job('a', 4);
    const b = page.job('b', 8);
    const c = page.job('c', 2);
    for (const j of [a, b, c]) page.scheduler.schedule(j);
    expect(page.frame()).toEqual(['a', 'b']); // b unknown (5 ms) fitted after 4 ms; it then took 8
    expect(page.frame()).toEqual(['c']);
    // Now every cost is known: after a (4 ms), b (8 ms) would end at 12 > 10, so it waits; c fits.
    for (const j of [a, b, c]) page.scheduler.schedule(j);
    expect(page.frame()).toEqual(['a']);
    expect(page.frame()).toEqual(['b', 'c']);
  });

  it('runs a job queued twice once, and never one that was cancelled', () => {
    const page = fakePage();
    const a = page.job('a', 1);
    const b = page.job('b', 1);
    page.scheduler.schedule(a);
    page.scheduler.schedule(a);
    page.scheduler.schedule(b);
    page.scheduler.cancel(b);
    expect(page.pending()).toBe(1);
    expect(page.frame()).toEqual(['a']);
    expect(page.pending()).toBe(0);
  });

  it('keeps going after a redraw throws', () => {
    const page = fakePage();
    const broken: ChartJob = {
      render() {
        throw new Error('boom');
      },
    };
    const fine = page.job('fine', 1);
    page.scheduler.schedule(broken);
    page.scheduler.schedule(fine);
    const errors: unknown[] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      expect(page.frame()).toEqual(['fine']);
    } finally {
      console.error = original;
    }
    expect(errors).toHaveLength(1);
  });
});
