/**
 * The LabApi contract: every request the renderer can make and every event it can receive.
 * Main implements it (electron/lab), preload exposes it as `window.bnlab`, the browser-mode
 * server bridges it over a WebSocket, and the renderer consumes it through one client. Each
 * method's input schema is checked on the receiving side; channel names are derived from the
 * contract's keys (`channelOf`), never typed twice.
 */
import { z } from 'zod';
import { DatasetSource } from './spec/data';
import { ExperimentSpec, RunSpec } from './spec/experiment';
import type { Backend, MetricFrame, NormSnapshot, RunStatus } from './engine/frame';
import { RunStatus as RunStatusSchema } from './engine/frame';
import type { BatchInspection, DecisionBoundary, RunProgress } from './engine/protocol';
import { encodeFrameBatch, type FrameBatch } from './frameBatch';

/** A request/response method: `input` is validated by the receiver; `O` is what it resolves to. */
export interface MethodDef<I extends z.ZodType, O> {
  readonly kind: 'method';
  readonly input: I;
  /** Type-level only: the resolved value's type. */
  readonly output?: O;
}

function method<I extends z.ZodType>(input: I) {
  return { returns: <O>(): MethodDef<I, O> => ({ kind: 'method', input }) };
}

const NoInput = z.undefined();
const RunId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected a run id');
const RunIds = z.array(RunId).min(1).max(64);
const LayerIdRef = z.string().min(1).max(40);
/** A dataset's key in lists: "mnist", "synthetic:<json>" is not used; imported sets by hash. */
const DatasetHash = z.string().regex(/^[0-9a-f]{64}$/, 'expected a dataset hash');
/** A file's bytes, when the renderer supplies a file itself (browser mode, drag-and-drop). */
const UploadedFile = z.object({
  fileName: z.string().min(1).max(255),
  base64: z.string().max(200 * 1024 * 1024),
});

// ---- value types resolved by methods ----

export interface BackendInfo {
  name: Backend;
  available: boolean;
}
export interface AppInfo {
  appVersion: string;
  tfjsVersion: string;
  /** Engine backends, in the order workers try them. */
  backends: BackendInfo[];
  /** How the lab is being used: the desktop app, browser mode, or the bnlab CLI. */
  transport: 'electron' | 'browser' | 'cli';
  platform: string;
  dataDir: string;
  workers: number;
}

export interface DatasetInfo {
  /** What a run's `data.source` names to train on this dataset. */
  source: DatasetSource;
  name: string;
  kind: 'mnist' | 'synthetic' | 'imported';
  inputShape: number[];
  numClasses: number;
  classNames?: string[];
  trainCount: number;
  /** Examples of the validation split (0 without one): set aside from the training examples. */
  validationCount: number;
  testCount: number;
  description: string;
  sizeBytes?: number;
  importedAt?: string;
}

export type DatasetPreview =
  | { kind: 'images'; width: number; height: number; channels: number; pixels: number[][]; labels: number[] }
  | { kind: 'points'; points: Array<[number, number, number]> }
  | { kind: 'table'; columns: string[]; rows: number[][]; labels: number[] };

export interface RunSummary {
  id: string;
  experimentId: string;
  experimentTitle: string;
  variant: string;
  seed: number;
  status: RunStatus;
  backend: Backend | null;
  step: number;
  totalSteps: number;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  error: string | null;
  /** Last logged values of the headline series (train/test loss and accuracy). */
  latest: Record<string, number>;
}

export interface RunDetail extends RunSummary {
  spec: RunSpec;
  presetId: string | null;
  datasetHash: string | null;
  versions: Record<string, string>;
}

export interface Series {
  runId: string;
  key: string;
  steps: number[];
  values: number[];
  wallMs: number[];
}

export interface ExportedFile {
  fileName: string;
  mimeType: string;
  content: string;
}

/** A file the user chose in main's dialog: its name (a label, never a path) and its text. */
export interface PickedFile {
  fileName: string;
  text: string;
}

export interface PresetSummary {
  id: string;
  title: string;
  question: string;
  runCount: number;
  citation?: string;
}

// ---- the contract ----

export const labContract = {
  app: {
    info: method(NoInput).returns<AppInfo>(),
  },
  datasets: {
    list: method(NoInput).returns<DatasetInfo[]>(),
    preview: method(z.object({ source: DatasetSource, count: z.number().int().min(1).max(2000).default(64) })).returns<DatasetPreview>(),
    /**
     * Import CSV (one file) or IDX (images + labels). Under Electron `files` is omitted and main
     * asks with a native dialog: the renderer never names a path.
     */
    import: method(
      z.object({
        name: z.string().trim().min(1, 'give the dataset a name').max(80),
        format: z.enum(['csv', 'idx']),
        labelColumn: z.union([z.string().min(1).max(200), z.number().int().min(0)]).optional(),
        files: z.array(UploadedFile).min(1).max(2).optional(),
      }),
    ).returns<DatasetInfo | null>(),
    rename: method(z.object({ hash: DatasetHash, name: z.string().trim().min(1).max(80) })).returns<DatasetInfo>(),
    remove: method(z.object({ hash: DatasetHash })).returns<{ removed: boolean }>(),
  },
  experiments: {
    /** Validates, stores and queues every run of the experiment. */
    start: method(z.object({ experiment: ExperimentSpec })).returns<{ experimentId: string; runIds: string[] }>(),
  },
  runs: {
    list: method(
      z
        .object({
          status: z.array(RunStatusSchema).optional(),
          text: z.string().max(200).optional(),
          experimentId: z.string().max(64).optional(),
          limit: z.number().int().min(1).max(10_000).default(500),
        })
        .default({ limit: 500 }),
    ).returns<RunSummary[]>(),
    get: method(z.object({ runId: RunId })).returns<RunDetail>(),
    cancel: method(z.object({ runId: RunId })).returns<{ cancelled: boolean }>(),
    /** Queues a new run with the same spec and seed. */
    rerun: method(z.object({ runId: RunId })).returns<{ runId: string }>(),
    remove: method(z.object({ runIds: RunIds })).returns<{ removed: number }>(),
    keys: method(z.object({ runId: RunId })).returns<string[]>(),
    /** Series of several runs; thinned to about `maxPoints` per series (min/max kept) unless absent. */
    series: method(
      z.object({
        runIds: RunIds,
        keys: z.array(z.string().min(1).max(200)).min(1).max(200),
        maxPoints: z.number().int().min(10).max(1_000_000).optional(),
        stepRange: z.tuple([z.number(), z.number()]).optional(),
      }),
    ).returns<Series[]>(),
    snapshot: method(z.object({ runId: RunId })).returns<NormSnapshot | null>(),
    /** For 2-D data: the model's class regions at its latest evaluation (null before the first). */
    boundary: method(z.object({ runId: RunId })).returns<DecisionBoundary | null>(),
    export: method(z.object({ runIds: RunIds, format: z.enum(['json', 'csv']) })).returns<ExportedFile>(),
    import: method(z.object({ content: z.string().min(2).max(500 * 1024 * 1024) })).returns<{ runIds: string[] }>(),
    /** Batch inspector controls for a running run. */
    control: method(z.object({ runId: RunId, action: z.enum(['pause', 'resume', 'stepOnce']) })).returns<{ ok: boolean }>(),
    inspect: method(z.object({ runId: RunId, layerId: LayerIdRef })).returns<BatchInspection>(),
  },
  presets: {
    list: method(NoInput).returns<PresetSummary[]>(),
  },
  files: {
    /**
     * File → Open under Electron: main asks for a workshop or experiment file with a native dialog
     * and returns its name and text (null when cancelled). A page cannot open its own file picker
     * from a menu click (no user activation), and it never names a path. Browser mode has no
     * dialog in main: the page uses its file picker or a drop.
     */
    openExperiment: method(NoInput).returns<PickedFile | null>(),
  },
} as const;

export type LabContract = typeof labContract;

/** Events the lab emits (its event hub); each window gets them batched and bounded per run, as PageEvents. */
export type LabEvent =
  | { type: 'runStatus'; runId: string; status: RunStatus; step: number; message?: string }
  | { type: 'runProgress'; runId: string; progress: RunProgress; backend: Backend | null }
  /**
   * `gapBefore`: frames of this run before these were dropped on the way to this window (it could
   * not keep up); the store has them, so the window re-reads the run's series.
   */
  | { type: 'runFrames'; runId: string; frames: MetricFrame[]; gapBefore?: true }
  | { type: 'datasetsChanged' }
  /** Application-menu commands the renderer carries out (File → Import dataset…). */
  | { type: 'menu'; command: MenuCommand };

/**
 * A lab event as a page receives it (through the preload under Electron, the WebSocket in browser
 * mode): the same events, with a run's frames as one columnar FrameBatch instead of an object per
 * frame, which the page would have to build and collect (see frameBatch.ts).
 */
export type PageEvent =
  | Exclude<LabEvent, { type: 'runFrames' }>
  /** `gapBefore` as in LabEvent; a batch that arrived malformed is passed on empty with it set (pageEvents.ts). */
  | { type: 'runFrames'; runId: string; frames: FrameBatch; gapBefore?: true };

/** `event` as it is sent to a page. */
export function toPageEvent(event: LabEvent): PageEvent {
  return event.type === 'runFrames' ? { ...event, frames: encodeFrameBatch(event.frames) } : event;
}

export type MenuCommand = 'importDataset' | 'exportRuns' | 'openExperiment' | 'saveExperiment' | 'about' | 'toggleTheme';

type MethodFn<D> = D extends MethodDef<infer I, infer O>
  ? undefined extends z.input<I>
    ? (input?: z.input<I>) => Promise<O>
    : (input: z.input<I>) => Promise<O>
  : never;

/** The API as the renderer sees it: `api.runs.list()`, plus one event subscription. */
export type LabApi = {
  [G in keyof LabContract]: { [M in keyof LabContract[G]]: MethodFn<LabContract[G][M]> };
} & {
  /** Subscribes to lab events; returns the unsubscribe function. */
  onEvent(listener: (event: PageEvent) => void): () => void;
};

/** The implementation side: same methods, receiving already-validated input. */
export type LabHandlers = {
  [G in keyof LabContract]: {
    [M in keyof LabContract[G]]: LabContract[G][M] extends MethodDef<infer I, infer O>
      ? (input: z.output<I>) => Promise<O> | O
      : never;
  };
};

export type MethodName = {
  [G in keyof LabContract]: `${G & string}.${keyof LabContract[G] & string}`;
}[keyof LabContract];

/** Every method as [group, method, "group.method"], in contract order. */
export function contractMethods(): Array<{ group: string; name: string; path: MethodName }> {
  return Object.entries(labContract).flatMap(([group, methods]) =>
    Object.keys(methods).map((name) => ({ group, name, path: `${group}.${name}` as MethodName })),
  );
}

/** The IPC channel of a method. */
export function channelOf(path: MethodName): string {
  return `bnlab:${path}`;
}
/** The one channel lab events travel on to a page, as batches (PageEvent[]). */
export const EVENT_CHANNEL = 'bnlab:event';
/** The page's preload acknowledges each batch here once its listeners ran (main/windowEvents.ts). */
export const EVENT_ACK_CHANNEL = 'bnlab:event-ack';

/** The method definition for "group.method", or undefined for unknown names (from untrusted input). */
export function lookupMethod(path: string): MethodDef<z.ZodType, unknown> | undefined {
  const [group, name, ...rest] = path.split('.');
  if (!group || !name || rest.length > 0) return undefined;
  // Own keys only, at both levels: "__proto__.constructor" must not reach Object's members.
  if (!Object.hasOwn(labContract, group)) return undefined;
  const methods = (labContract as Record<string, Record<string, MethodDef<z.ZodType, unknown>>>)[group]!;
  if (!Object.hasOwn(methods, name)) return undefined;
  return methods[name];
}

/** What crosses a transport for every call: a value or an error a person can read. */
export type CallResult<O = unknown> = { ok: true; value: O } | { ok: false; error: { message: string; issues?: string[] } };

/** An error returned by the lab, rethrown on the calling side with the lab's message. */
export class LabError extends Error {
  constructor(
    message: string,
    readonly issues: string[] = [],
  ) {
    super(message);
    this.name = 'LabError';
  }
}
