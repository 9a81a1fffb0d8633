/**
 * Full-resolution series held in the page, outside Vue's reactivity: 8 runs × 50k points would
 * make reactive proxies the bottleneck. Frames from the lab are appended in place (amortised
 * growth, no copying of history) and charts read typed-array views. Components learn that data
 * changed through `version`, which the runs store exposes reactively.
 */
import type { Series } from '../../../shared/api';
import type { FrameBatch } from '../../../shared/frameBatch';
import { createEmaSmoother, type EmaSmoother } from '../../../shared/series/smoothing';

let seriesCreated = 0;
/**
 * First capacity of a series, staggered over [64, 128). Series of runs that stream together grow in
 * lockstep: with one common capacity, all of them doubled on the same step (at 32k points, 8 runs ×
 * 11 keys × 2 arrays of half a megabyte each, allocated and copied within one burst of frame
 * messages). Staggered, their doublings fall on different steps.
 */
function staggeredCapacity(): number {
  return 64 + ((seriesCreated++ * 37) % 64);
}

/**
 * Most points one growth allocates on a projection (2 arrays × 8 bytes × 2^16 = 1 MiB per series):
 * a run announcing millions of steps grows by doubling past that, as the points actually arrive.
 */
const MAX_PROJECTED_POINTS = 1 << 16;

/**
 * Points in step order, as parallel step and value columns that grow together: a series' own
 * points, and the run clock's wall times and epochs.
 */
export class StepValues {
  protected steps: Float64Array;
  protected values: Float64Array;
  length = 0;
  /**
   * The step these points are expected to reach (their run's total steps; 0 when unknown). Growing
   * then goes once to about the final size instead of doubling again and again: copying the arrays
   * at each doubling was about a third of the time spent taking in frames.
   */
  expectedLastStep = 0;

  constructor() {
    const capacity = staggeredCapacity();
    this.steps = new Float64Array(capacity);
    this.values = new Float64Array(capacity);
  }

  get x(): Float64Array {
    return this.steps.subarray(0, this.length);
  }
  get y(): Float64Array {
    return this.values.subarray(0, this.length);
  }
  /** Points the arrays hold before they must grow again. */
  get capacity(): number {
    return this.steps.length;
  }
  get lastStep(): number {
    return this.length > 0 ? this.steps[this.length - 1]! : -Infinity;
  }

  push(step: number, value: number): void {
    // Frames can overlap a history read that raced them: keep steps strictly increasing.
    if (step <= this.lastStep) return;
    if (this.length === this.steps.length) this.grow();
    const i = this.length++;
    this.steps[i] = step;
    this.values[i] = value;
  }

  /**
   * Adds the points of (steps, values), both in step order, to these: a sorted union in which the
   * points already here win at equal steps. Used where reads of different keys and live frames
   * each bring some of a run's steps.
   */
  mergeIn(steps: ArrayLike<number>, values: ArrayLike<number>): void {
    const n = steps.length;
    if (n === 0) return;
    if (steps[0]! > this.lastStep) {
      this.grow(this.length + n);
      for (let i = 0; i < n; i++) this.push(steps[i]!, values[i]!);
      return;
    }
    const [oldSteps, oldValues, had] = [this.steps, this.values, this.length];
    this.steps = new Float64Array(Math.max(had + n, this.projectedLength()));
    this.values = new Float64Array(this.steps.length);
    this.length = 0;
    let i = 0;
    let j = 0;
    while (i < had || j < n) {
      // At equal steps the point already here goes first; push then drops the incoming one.
      if (j >= n || (i < had && oldSteps[i]! <= steps[j]!)) {
        this.push(oldSteps[i]!, oldValues[i]!);
        i++;
      } else {
        this.push(steps[j]!, values[j]!);
        j++;
      }
    }
  }

  /**
   * Writes into `out` the value at each of `steps` (in step order), times `scale`; NaN at a step
   * these points lack. One walk along both: the steps asked for are mostly a subset of these.
   */
  valuesAt(steps: ArrayLike<number>, out: Float64Array, scale = 1): Float64Array {
    let j = 0;
    for (let i = 0; i < steps.length; i++) {
      const step = steps[i]!;
      while (j < this.length && this.steps[j]! < step) j++;
      out[i] = j < this.length && this.steps[j] === step ? this.values[j]! * scale : NaN;
    }
    return out;
  }

  /** Reallocates for at least `atLeast` points (default: one more), keeping the first `length`. */
  protected grow(atLeast = this.length + 1): void {
    if (atLeast <= this.steps.length) return;
    const cap = Math.max(atLeast, this.steps.length * 2, this.projectedLength());
    for (const name of ['steps', 'values'] as const) {
      const bigger = new Float64Array(cap);
      bigger.set(this[name].subarray(0, this.length));
      this[name] = bigger;
    }
  }

  /** Points these will hold at expectedLastStep at their pace so far (at most MAX_PROJECTED_POINTS); 0 if unknown. */
  private projectedLength(): number {
    const last = this.lastStep;
    if (!(last > 0) || !(this.expectedLastStep > last)) return 0;
    // 2% spare: logging need not be perfectly even (evaluations, a final frame).
    return Math.min(MAX_PROJECTED_POINTS, Math.ceil((this.length * this.expectedLastStep * 1.02) / last));
  }
}

/**
 * A run's wall time and epoch at each step it logged, kept once per run: every key of a frame shares
 * them, and as two more columns of each series they were half of the page's memory for 8 streaming
 * runs (and allocating it at the start of streaming set off a long full garbage collection).
 */
export class RunClock {
  readonly walls = new StepValues();
  /** From live frames only: stored histories carry no epochs. */
  readonly epochs = new StepValues();

  /** Records a live frame's step. */
  record(step: number, wallMs: number, epoch: number): void {
    this.walls.push(step, wallMs);
    this.epochs.push(step, epoch);
  }

  set expectedLastStep(step: number) {
    this.walls.expectedLastStep = step;
    this.epochs.expectedLastStep = step;
  }
}

/** One run's series for one key, growing as frames arrive. */
export class GrowableSeries extends StepValues {
  /**
   * The stored history arrived thinned (the run logged more points than one read carries): zoomed
   * views then read `detail`, the zoomed step range at full resolution.
   */
  thinned = false;
  detail: { from: number; to: number; series: GrowableSeries } | null = null;
  /** Smoothed values for one weight, extended incrementally as points arrive. */
  private smooth: { weight: number; smoother: EmaSmoother; values: Float64Array; length: number } | null = null;

  /** `clock`: the wall times and epochs of the run's steps. */
  constructor(private readonly clock: RunClock) {
    super();
  }

  /** Wall time at each point (NaN where the run's clock lacks the step). */
  wallMs(scale = 1): Float64Array {
    return this.clock.walls.valuesAt(this.x, new Float64Array(this.length), scale);
  }
  /** Epoch at each point (NaN where the source — a stored series — did not say). */
  epoch(): Float64Array {
    return this.clock.epochs.valuesAt(this.x, new Float64Array(this.length));
  }

  /** Replaces history with a stored series, keeping live points newer than it. */
  replaceHistory(series: Pick<Series, 'steps' | 'values'>): void {
    const liveFrom = this.length;
    const oldSteps = this.steps.slice(0, liveFrom);
    const oldValues = this.values.slice(0, liveFrom);
    this.length = 0;
    this.smooth = null;
    this.grow(series.steps.length + liveFrom);
    for (let i = 0; i < series.steps.length; i++) this.push(series.steps[i]!, series.values[i]!);
    for (let i = 0; i < liveFrom; i++) this.push(oldSteps[i]!, oldValues[i]!);
  }

  /** The values smoothed with `weight` (bias-corrected EMA over the full resolution). */
  smoothed(weight: number): Float64Array {
    if (weight <= 0) return this.y;
    if (!this.smooth || this.smooth.weight !== weight || this.smooth.length > this.length) {
      // A new weight overwrites the old smoothed values in place: a fresh array per series (24 of
      // them, 0.4 MB each, in one chart) at every slider move could set off a full garbage collection.
      const previous = this.smooth?.values;
      const values = previous && previous.length >= this.length ? previous : new Float64Array(this.steps.length);
      this.smooth = { weight, smoother: createEmaSmoother(weight), values, length: 0 };
    }
    const s = this.smooth;
    if (s.values.length < this.length) {
      const bigger = new Float64Array(this.steps.length);
      bigger.set(s.values.subarray(0, s.length));
      s.values = bigger;
    }
    s.smoother.pushRange(this.values, s.length, this.length, s.values);
    s.length = this.length;
    return s.values.subarray(0, this.length);
  }
}

/** One run's series by key, and the run's clock. */
interface RunEntry {
  series: Map<string, GrowableSeries>;
  clock: RunClock;
}

/** Every series the page holds, by run and key. */
export class SeriesCache {
  private readonly runs = new Map<string, RunEntry>();
  /** Keys whose stored history has been read (so it is not read twice). */
  private readonly loaded = new Set<string>();
  /** Each run's total steps, as its progress reports them. */
  private readonly expectedLastStep = new Map<string, number>();

  get(runId: string, key: string): GrowableSeries | undefined {
    return this.runs.get(runId)?.series.get(key);
  }

  keys(runId: string): string[] {
    return [...(this.runs.get(runId)?.series.keys() ?? [])];
  }

  /**
   * Appends live frames straight from the batch's columns, key by key (a frame without the key, NaN
   * in its column, adds no point): no object per frame or per value is made on the way.
   */
  appendBatch(runId: string, { keys, steps, epochs, wallMs, values }: FrameBatch): void {
    const run = this.run(runId);
    for (let i = 0; i < steps.length; i++) run.clock.record(steps[i]!, wallMs[i]!, epochs[i]!);
    const width = keys.length;
    keys.forEach((key, k) => {
      let series = run.series.get(key);
      if (!series) run.series.set(key, (series = this.create(runId, run)));
      for (let i = 0; i < steps.length; i++) {
        const value = values[i * width + k]!;
        if (!Number.isNaN(value)) series.push(steps[i]!, value);
      }
    });
  }

  /** Stores a history read from the lab; `thinned` when the read returned a thinned overview. */
  setHistory(series: Series, thinned = false): void {
    const run = this.run(series.runId);
    let target = run.series.get(series.key);
    if (!target) run.series.set(series.key, (target = this.create(series.runId, run)));
    run.clock.walls.mergeIn(series.steps, series.wallMs);
    target.replaceHistory(series);
    target.thinned = thinned;
    target.detail = null;
    this.loaded.add(`${series.runId}\u0000${series.key}`);
  }

  /** Stores the full-resolution points of a thinned series between steps `from` and `to`. */
  setDetail(series: Series, from: number, to: number): void {
    const run = this.runs.get(series.runId);
    const target = run?.series.get(series.key);
    if (!run || !target) return;
    run.clock.walls.mergeIn(series.steps, series.wallMs);
    const detail = new GrowableSeries(run.clock);
    detail.replaceHistory(series);
    target.detail = { from, to, series: detail };
  }

  isLoaded(runId: string, key: string): boolean {
    return this.loaded.has(`${runId}\u0000${key}`);
  }

  /** The step a run is expected to end at (its total steps): its series grow once to about the size that needs. */
  expectSteps(runId: string, lastStep: number): void {
    if (this.expectedLastStep.get(runId) === lastStep) return;
    this.expectedLastStep.set(runId, lastStep);
    const run = this.runs.get(runId);
    if (!run) return;
    run.clock.expectedLastStep = lastStep;
    for (const series of run.series.values()) series.expectedLastStep = lastStep;
  }

  forget(runId: string): void {
    this.runs.delete(runId);
    this.expectedLastStep.delete(runId);
    this.invalidate(runId);
  }

  /** The run's histories are to be read again (frames were missed); its points stay until a read merges in. */
  invalidate(runId: string): void {
    for (const id of [...this.loaded]) if (id.startsWith(`${runId}\u0000`)) this.loaded.delete(id);
  }

  private create(runId: string, run: RunEntry): GrowableSeries {
    const series = new GrowableSeries(run.clock);
    series.expectedLastStep = this.expectedLastStep.get(runId) ?? 0;
    return series;
  }

  private run(runId: string): RunEntry {
    let run = this.runs.get(runId);
    if (!run) {
      run = { series: new Map(), clock: new RunClock() };
      run.clock.expectedLastStep = this.expectedLastStep.get(runId) ?? 0;
      this.runs.set(runId, run);
    }
    return run;
  }
}

/** The page's one cache. */
export const seriesCache = new SeriesCache();
