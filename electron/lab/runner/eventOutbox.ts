/**
 * Bounded buffering of lab events for a consumer that may be slower than training. Events wait in
 * an outbox coalesced per run: frames are concatenated up to a cap (the oldest dropped beyond it),
 * only the latest progress and the latest status of a run are kept, and other events are kept in
 * order up to a cap. Whatever is dropped is in the store: the run's next frames go out marked
 * `gapBefore`, and a window re-reads them. A stalled consumer costs bounded memory and never blocks
 * the emitter.
 */
import type { LabEvent } from '../../../shared/api';
import type { MetricFrame } from '../../../shared/engine/frame';
import type { LabEvents } from '../events';

type RunStatusEvent = Extract<LabEvent, { type: 'runStatus' }>;
type RunProgressEvent = Extract<LabEvent, { type: 'runProgress' }>;

export interface OutboxOptions {
  /** Frames held per run; older ones are dropped beyond it. Default 2000. */
  maxFramesPerRun?: number;
  /** Non-run events (dataset changes, menu commands) held; older ones are dropped beyond it. Default 100. */
  maxOtherEvents?: number;
}

interface PendingRun {
  frames: MetricFrame[];
  /** Frames of this run were dropped (here or upstream) since the last batch taken. */
  gap: boolean;
  progress: RunProgressEvent | null;
  status: RunStatusEvent | null;
}

export class EventOutbox {
  private runs = new Map<string, PendingRun>();
  private others: LabEvent[] = [];
  private droppedFrames = 0;
  private readonly maxFrames: number;
  private readonly maxOthers: number;

  constructor(options: OutboxOptions = {}) {
    this.maxFrames = Math.max(1, options.maxFramesPerRun ?? 2000);
    this.maxOthers = Math.max(1, options.maxOtherEvents ?? 100);
  }

  /** Adds an event, coalescing it with what is already waiting for its run. */
  push(event: LabEvent): void {
    if (event.type !== 'runFrames' && event.type !== 'runProgress' && event.type !== 'runStatus') {
      // Repeats of a payload-free notice say nothing new.
      if (event.type === 'datasetsChanged' && this.others.some((e) => e.type === 'datasetsChanged')) return;
      this.others.push(event);
      if (this.others.length > this.maxOthers) this.others.shift();
      return;
    }
    let run = this.runs.get(event.runId);
    if (!run) this.runs.set(event.runId, (run = { frames: [], gap: false, progress: null, status: null }));
    if (event.type === 'runProgress') run.progress = event;
    else if (event.type === 'runStatus') run.status = event;
    else {
      for (const frame of event.frames) run.frames.push(frame);
      if (event.gapBefore) run.gap = true;
      const excess = run.frames.length - this.maxFrames;
      if (excess > 0) {
        run.frames.splice(0, excess);
        this.droppedFrames += excess;
        run.gap = true;
      }
    }
  }

  /** Everything waiting, per run as frames → progress → status (a final status comes last), then other events. */
  take(): LabEvent[] {
    const out: LabEvent[] = [];
    for (const [runId, run] of this.runs) {
      if (run.frames.length) out.push({ type: 'runFrames', runId, frames: run.frames, ...(run.gap ? { gapBefore: true as const } : {}) });
      if (run.progress) out.push(run.progress);
      if (run.status) out.push(run.status);
    }
    out.push(...this.others);
    this.runs = new Map();
    this.others = [];
    return out;
  }

  /** Frames waiting, over all runs. */
  get pendingFrames(): number {
    let count = 0;
    for (const run of this.runs.values()) count += run.frames.length;
    return count;
  }

  /** Events that `take()` would return now. */
  get pendingEvents(): number {
    let count = this.others.length;
    for (const run of this.runs.values()) count += (run.frames.length ? 1 : 0) + (run.progress ? 1 : 0) + (run.status ? 1 : 0);
    return count;
  }

  /** Frames dropped so far because a run's cap was reached. */
  get dropped(): number {
    return this.droppedFrames;
  }
}

export interface BoundedSubscription {
  unsubscribe(): void;
  /** The subscriber's own outbox (for tests and diagnostics). */
  readonly outbox: EventOutbox;
}

/**
 * Subscribes a consumer that can say when it is busy: `deliver` gets batches, one at a time; if it
 * returns a promise, the next batch waits for it and events coalesce meanwhile. A consumer whose
 * promise never settles (a stalled socket, a hung window) holds at most the outbox's caps.
 * A `deliver` that throws is unsubscribed, as the hub does with a broken listener.
 */
export function subscribeBounded(events: Pick<LabEvents, 'subscribe'>, deliver: (batch: LabEvent[]) => void | Promise<unknown>, options: OutboxOptions = {}): BoundedSubscription {
  const outbox = new EventOutbox(options);
  let busy = false;
  let scheduled = false;
  let closed = false;

  const drain = (): void => {
    scheduled = false;
    if (busy || closed) return;
    const batch = outbox.take();
    if (batch.length === 0) return;
    busy = true;
    let result: void | Promise<unknown>;
    try {
      result = deliver(batch);
    } catch {
      unsubscribe();
      return;
    }
    const next = () => {
      busy = false;
      if (outbox.pendingEvents > 0) schedule();
    };
    if (result && typeof (result as Promise<unknown>).then === 'function') (result as Promise<unknown>).then(next, unsubscribe);
    else next();
  };
  // Events emitted in the same tick (a status right after its last frames) travel as one batch.
  const schedule = (): void => {
    if (scheduled || closed) return;
    scheduled = true;
    setImmediate(drain);
  };
  const stop = events.subscribe((event) => {
    outbox.push(event);
    if (!busy) schedule();
  });
  const unsubscribe = (): void => {
    closed = true;
    stop();
    outbox.take();
  };
  return { unsubscribe, outbox };
}
