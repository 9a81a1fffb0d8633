/**
 * The run store: one SQLite database (WAL) holding experiments, runs, every metric point at full
 * resolution, latest values (for fast lists) and artefacts. Frames are written in one transaction
 * per batch; a crash loses at most the unflushed batch and never corrupts the file (SQLite's
 * journal). Each open store registers a session; runs a dead session left `running` or `queued`
 * become `interrupted` when a store opens, while runs of a live process (the app, when the CLI
 * opens the same folder) are left alone.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { ExportedFile, RunDetail, RunSummary, Series } from '../../../shared/api';
import { Backend, metricKey, RunStatus, type MetricFrame, type NormSnapshot } from '../../../shared/engine/frame';
import { ExperimentSpec, RunSpec } from '../../../shared/spec/experiment';
import { parseSpec } from '../../../shared/spec/parse';
import { minMaxThin } from '../../../shared/series/thinning';
import { UserError } from '../api/dispatch';
import { fsReason, processAlive } from '../paths';
import { MIGRATIONS } from './migrations';

export interface RunFilter {
  status?: RunStatus[];
  /** Matches variant, experiment title or run id (substring, case-insensitive for ASCII). */
  text?: string;
  experimentId?: string;
  limit?: number;
}

export interface SeriesQuery {
  runIds: string[];
  keys: string[];
  /** Thin each series to about this many points, keeping every bucket's min and max. */
  maxPoints?: number;
  /** Inclusive step range. */
  stepRange?: [number, number];
}

/** The series key under which a frame's epoch is kept (charts may put epochs on the x axis). */
export const EPOCH_KEY = 'epoch';
/** The artefact name of the end-of-run per-unit norm snapshot. */
export const SNAPSHOT_ARTEFACT = 'normSnapshot';
/** The database file inside the data folder. */
export const DATABASE_FILE = 'lab.sqlite';

/** Series shown in run lists; their latest values come from the `latest` table. */
const HEADLINE_KEYS = [metricKey.trainLoss, metricKey.trainAcc, metricKey.testLoss, metricKey.testAcc];

interface RunRow {
  rid: number;
  id: string;
  experiment_id: string;
  title: string;
  preset_id: string | null;
  variant: string;
  seed: number;
  spec: string;
  dataset_hash: string | null;
  backend: Backend | null;
  versions: string;
  status: RunStatus;
  step: number;
  total_steps: number;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  error: string | null;
}

/**
 * JSON has no NaN or ±Infinity, which a diverged run produces. In artefacts (free-form JSON) they
 * are boxed as {"$num": "NaN"}, which no real value looks like; in exported series, whose schema
 * says "numbers", they are plain strings that other tools read easily.
 */
function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { $num: String(v) } : v));
}
function decodeJson(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const box = v as { $num?: unknown };
      if (Object.keys(v).length === 1 && (box.$num === 'NaN' || box.$num === 'Infinity' || box.$num === '-Infinity')) return Number(box.$num);
    }
    return v;
  });
}

/** In exported series, NaN and ±Infinity travel as these strings. */
const ExportedValue = z.union([z.number(), z.null(), z.enum(['NaN', 'Infinity', '-Infinity'])]);
const encodeValue = (value: number): z.infer<typeof ExportedValue> => (Number.isFinite(value) ? value : (String(value) as 'NaN' | 'Infinity' | '-Infinity'));
const decodeValue = (value: z.infer<typeof ExportedValue>): number => (value === null ? NaN : Number(value));

/** Export format of runs, at full resolution; `importRuns` accepts exactly this. */
const ExportedRuns = z.object({
  format: z.literal('bnlab-runs'),
  version: z.literal(1),
  exportedAt: z.string().optional(),
  runs: z
    .array(
      z.object({
        id: z.string(),
        /** Runs sharing it are imported into one experiment. */
        experimentId: z.string().optional(),
        experimentTitle: z.string().min(1).max(120),
        presetId: z.string().max(60).nullable(),
        variant: z.string().min(1).max(80),
        seed: z.number().int(),
        status: RunStatus,
        backend: Backend.nullable(),
        step: z.number().int().min(0),
        totalSteps: z.number().int().min(0),
        createdAt: z.string(),
        startedAt: z.string().nullable(),
        endedAt: z.string().nullable(),
        error: z.string().nullable(),
        datasetHash: z.string().nullable(),
        versions: z.record(z.string(), z.string()),
        spec: RunSpec,
        series: z.record(
          z.string().min(1).max(200),
          z.object({ steps: z.array(z.number().int().min(0)), wallMs: z.array(z.number()), values: z.array(ExportedValue) }),
        ),
        artefacts: z.record(z.string(), z.unknown()),
      }),
    )
    .min(1, 'the export holds no runs')
    .max(64),
});
type ExportedRuns = z.input<typeof ExportedRuns>;

/** A short unique id usable in URLs, file names and IPC ("r-lq2x9k-3f9a1c"). */
export function newId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export class RunStore {
  /** Interned series keys; cleared whenever a write fails, since a rolled-back id may be reused. */
  private readonly keyIds = new Map<string, number>();
  private readonly statements = new Map<string, Database.Statement>();
  private sessionId = 0;

  private constructor(
    /** The open database, for tests and tools; everything else goes through the methods. */
    readonly db: Database.Database,
    readonly file: string,
  ) {}

  /**
   * Opens (creating and migrating) the database at <dataDir>/lab.sqlite, registers this process's
   * session and marks runs that dead sessions left in progress as interrupted.
   */
  static open(dataDir: string): RunStore {
    const file = path.join(dataDir, DATABASE_FILE);
    let db: Database.Database | undefined;
    try {
      mkdirSync(dataDir, { recursive: true });
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode: a power cut may lose the last commits but never corrupts the file.
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // The app and the CLI may share the folder: wait for each other's short write transactions.
      db.pragma('busy_timeout = 5000');
    } catch (error) {
      db?.close();
      const code = (error as { code?: string }).code ?? '';
      const why = code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT' ? 'the file is not a BatchNorm Lab database or is damaged' : fsReason(error);
      throw new UserError(`cannot open the run database at ${file}: ${why}. Check that the folder is writable and the disk has space.`);
    }
    const store = new RunStore(db, file);
    try {
      // The typings allow one argument per step; better-sqlite3 passes as many as the function takes.
      db.aggregate(PACK_POINTS, packPoints as unknown as Parameters<Database.Database['aggregate']>[1]);
      store.migrate();
      store.sessionId = store.write(() =>
        Number(store.sql('INSERT INTO sessions (pid, host, started_at, boot_ms) VALUES (?, ?, ?, ?)').run(process.pid, os.hostname(), now(), bootTime()).lastInsertRowid),
      );
      store.markInterruptedOnOpen();
    } catch (error) {
      db.close();
      throw error;
    }
    return store;
  }

  /** Closes the database; this session's unfinished runs can't continue and become interrupted. */
  close(): void {
    if (!this.db.open) return;
    try {
      this.write(() =>
        this.db.transaction(() => {
          this.interrupt('session_id = ?', [this.sessionId], 'the lab was closed while this run was in progress');
          this.sql('DELETE FROM sessions WHERE id = ?').run(this.sessionId);
        })(),
      );
    } finally {
      this.db.close();
    }
  }

  /** The schema version this database is at (the number of migrations applied). */
  schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  private migrate(): void {
    const current = this.schemaVersion();
    if (current > MIGRATIONS.length) {
      throw new UserError(`the run database was written by a newer BatchNorm Lab (schema ${current}, this version knows ${MIGRATIONS.length}); update the app`);
    }
    for (let version = current; version < MIGRATIONS.length; version++) {
      this.write(() =>
        this.db.transaction(() => {
          this.db.exec(MIGRATIONS[version]!);
          this.db.pragma(`user_version = ${version + 1}`);
        })(),
      );
    }
  }

  /**
   * Runs left `running` or `queued` by a process that is gone (crash, kill, power cut) can't resume:
   * marks them `interrupted` and forgets their sessions. A session is gone when its process is, or
   * when the machine has rebooted since it began (its pid may belong to another process by now). Sessions of other machines sharing the
   * folder are left alone (their processes can't be checked). Returns how many runs it marked.
   */
  markInterruptedOnOpen(): number {
    const host = os.hostname();
    const boot = bootTime();
    const sessions = this.sql('SELECT id, pid, host, boot_ms FROM sessions WHERE id != ?').all(this.sessionId) as Array<{ id: number; pid: number; host: string; boot_ms: number | null }>;
    // Boot times are derived from uptime, so allow a little drift before calling it a reboot.
    const rebooted = (s: { boot_ms: number | null }) => s.boot_ms !== null && Math.abs(s.boot_ms - boot) > 120_000;
    const dead = sessions.filter((s) => s.host === host && (rebooted(s) || !processAlive(s.pid))).map((s) => s.id);
    return this.write(() =>
      this.db.transaction(() => {
        const marked = this.interrupt(
          `(session_id IS NULL OR session_id NOT IN (SELECT id FROM sessions) OR session_id IN (SELECT value FROM json_each(?)))`,
          [JSON.stringify(dead)],
          'the lab stopped while this run was in progress',
        );
        this.sql('DELETE FROM sessions WHERE id IN (SELECT value FROM json_each(?))').run(JSON.stringify(dead));
        return marked;
      })(),
    );
  }

  private interrupt(where: string, params: unknown[], message: string): number {
    return this.sql(
      `UPDATE runs SET status = 'interrupted', ended_at = COALESCE(ended_at, ?), error = COALESCE(error, ?) WHERE status IN ('running', 'queued') AND ${where}`,
    ).run(now(), message, ...params).changes;
  }

  /** Stores an experiment and one queued run per spec; returns their ids in order. */
  createExperiment(experiment: ExperimentSpec): { experimentId: string; runIds: string[] } {
    const experimentId = newId('e');
    const runIds = this.write(() =>
      this.db.transaction(() => {
        this.sql('INSERT INTO experiments (id, title, preset_id, spec, created_at) VALUES (?, ?, ?, ?, ?)').run(
          experimentId,
          experiment.title,
          experiment.presetId ?? null,
          JSON.stringify(experiment),
          now(),
        );
        return experiment.runs.map((run) => this.insertRun(experimentId, run));
      })(),
    );
    return { experimentId, runIds };
  }

  /** Adds a queued run to an existing experiment; returns its id. */
  createRun(experimentId: string, spec: RunSpec): string {
    return this.write(() => {
      if (!this.sql('SELECT 1 FROM experiments WHERE id = ?').get(experimentId)) throw new UserError(`no experiment "${experimentId}"`);
      return this.insertRun(experimentId, spec);
    });
  }

  /** A new queued run in the same experiment with the same spec and seed (re-run). */
  cloneRun(runId: string): string {
    const row = this.row(runId);
    return this.createRun(row.experiment_id, JSON.parse(row.spec) as RunSpec);
  }

  private insertRun(experimentId: string, spec: RunSpec): string {
    const id = newId('r');
    const hash = spec.data.source.kind === 'imported' ? spec.data.source.hash : null;
    this.sql(
      `INSERT INTO runs (id, experiment_id, variant, seed, spec, dataset_hash, status, total_steps, created_at, session_id) VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?)`,
    ).run(id, experimentId, spec.variant, spec.training.seed, JSON.stringify(spec), hash, now(), this.sessionId);
    return id;
  }

  /** Sets a run's status (and error message, cleared when absent); this process becomes its owner. */
  setStatus(runId: string, status: RunStatus, message?: string): void {
    this.update(runId, `status = ?, error = ?, session_id = ?`, [RunStatus.parse(status), message ?? null, this.sessionId]);
  }

  /** The run began training on `backend`; `versions` names the app, engine and tfjs versions. */
  markStarted(runId: string, backend: Backend, totalSteps: number, versions: Record<string, string>): void {
    this.update(runId, `status = 'running', backend = ?, total_steps = ?, versions = ?, started_at = ?, session_id = ?`, [
      backend,
      totalSteps,
      JSON.stringify(versions),
      now(),
      this.sessionId,
    ]);
  }

  /** Records how a run ended; `message` explains failures and divergence. */
  markEnded(runId: string, status: RunStatus, step: number, message?: string): void {
    this.update(runId, `status = ?, step = MAX(step, ?), ended_at = ?, error = ?`, [RunStatus.parse(status), step, now(), message ?? null]);
  }

  private update(runId: string, assignments: string, params: unknown[]): void {
    const changes = this.write(() => this.sql(`UPDATE runs SET ${assignments} WHERE id = ?`).run(...params, runId).changes);
    if (changes === 0) throw new UserError(`no run "${runId}"`);
  }

  /**
   * Appends frames in one transaction: every value as a point (NaN kept, as NULL), the epoch under
   * EPOCH_KEY, the newest value of each key in `latest`, and the run's step. Writing a step again
   * replaces its values.
   */
  appendFrames(runId: string, frames: readonly MetricFrame[]): void {
    if (frames.length === 0) return;
    const rid = this.rid(runId);
    const insert = this.sql('INSERT OR REPLACE INTO points (run_rid, key_id, step, wall_ms, value) VALUES (?, ?, ?, ?, ?)');
    this.write(() =>
      this.db.transaction(() => {
        let lastStep = 0;
        const newest = new Map<number, [number, number]>();
        const epochId = this.keyId(EPOCH_KEY);
        for (const frame of frames) {
          const { step, wallMs } = frame;
          if (!Number.isSafeInteger(step) || step < 0 || typeof wallMs !== 'number' || typeof frame.epoch !== 'number') {
            throw new UserError(`run ${runId}: a metric frame has step ${String(step)}, wallMs ${String(wallMs)}, epoch ${String(frame.epoch)}; expected a whole step ≥ 0 and numbers`);
          }
          for (const key in frame.values) {
            const keyId = this.keyId(key);
            const value = frame.values[key]!;
            if (typeof value !== 'number') throw new UserError(`run ${runId}: series "${key}" at step ${step} is ${String(value)}, not a number`);
            // SQLite has no NaN: NULL stands for it and reads back as NaN.
            insert.run(rid, keyId, step, wallMs, Number.isNaN(value) ? null : value);
            const seen = newest.get(keyId);
            if (!seen || step >= seen[0]) newest.set(keyId, [step, value]);
          }
          insert.run(rid, epochId, step, wallMs, frame.epoch);
          if (step > lastStep) lastStep = step;
        }
        newest.set(epochId, [lastStep, frames.find((f) => f.step === lastStep)!.epoch]);
        const latest = this.sql(
          'INSERT INTO latest (run_rid, key_id, step, value) VALUES (?, ?, ?, ?) ON CONFLICT (run_rid, key_id) DO UPDATE SET step = excluded.step, value = excluded.value WHERE excluded.step >= latest.step',
        );
        for (const [keyId, [step, value]] of newest) latest.run(rid, keyId, step, Number.isNaN(value) ? null : value);
        this.sql('UPDATE runs SET step = MAX(step, ?) WHERE rid = ?').run(lastStep, rid);
      })(),
    );
  }

  /** Runs, newest first, with their headline latest values. */
  listRuns(filter: RunFilter = {}): RunSummary[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status?.length) {
      where.push(`r.status IN (SELECT value FROM json_each(?))`);
      params.push(JSON.stringify(filter.status));
    }
    if (filter.experimentId) {
      where.push('r.experiment_id = ?');
      params.push(filter.experimentId);
    }
    if (filter.text) {
      where.push("(r.variant LIKE ? ESCAPE '\\' OR e.title LIKE ? ESCAPE '\\' OR r.id LIKE ? ESCAPE '\\')");
      const like = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      params.push(like, like, like);
    }
    const rows = this.sql(
      `SELECT r.*, e.title, e.preset_id FROM runs r JOIN experiments e ON e.id = r.experiment_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.created_at DESC, r.rid DESC LIMIT ?`,
    ).all(...params, filter.limit ?? 500) as RunRow[];
    const latest = this.headlineLatest(rows.map((row) => row.rid));
    return rows.map((row) => this.summary(row, latest.get(row.rid) ?? {}));
  }

  /** One run with its spec, dataset hash and versions; throws a UserError for an unknown id. */
  getRun(runId: string): RunDetail {
    const row = this.row(runId);
    return {
      ...this.summary(row, this.headlineLatest([row.rid]).get(row.rid) ?? {}),
      spec: JSON.parse(row.spec) as RunSpec,
      presetId: row.preset_id,
      datasetHash: row.dataset_hash,
      versions: JSON.parse(row.versions) as Record<string, string>,
    };
  }

  /** The series keys a run has logged, sorted. */
  keys(runId: string): string[] {
    return this.sql('SELECT k.key FROM latest l JOIN series_keys k ON k.id = l.key_id WHERE l.run_rid = ? ORDER BY k.key').pluck().all(this.rid(runId)) as string[];
  }

  /**
   * Series of several runs by key (runs × keys, skipping pairs with no points), in step order.
   * With `maxPoints`, each is thinned to about that many points keeping every bucket's min and max,
   * so spikes and divergence survive.
   */
  series(query: SeriesQuery): Series[] {
    const out: Series[] = [];
    const [from, to] = query.stepRange ?? [0, Number.MAX_SAFE_INTEGER];
    // One packed buffer per series, filled by a SQL aggregate in JS (see packPoints): no JS row
    // object per point and no number printing or parsing, about twice as fast as either. The
    // ordered subquery walks the primary key in step order; an ORDER BY in the aggregate would sort.
    const select = this.sql(
      `SELECT ${PACK_POINTS}(step, wall_ms, value) FROM
       (SELECT step, wall_ms, value FROM points WHERE run_rid = ? AND key_id = ? AND step BETWEEN ? AND ? ORDER BY step)`,
    ).pluck();
    for (const runId of query.runIds) {
      const rid = this.rid(runId);
      for (const key of query.keys) {
        const keyId = this.keyIds.get(key) ?? this.lookupKey(key);
        if (keyId === undefined) continue;
        const packed = unpackPoints(select.get(rid, keyId, Math.ceil(from), Math.floor(to)) as Buffer);
        const n = packed.length / 3;
        if (n === 0) continue;
        const steps = new Array<number>(n);
        const wallMs = new Array<number>(n);
        const values = new Array<number>(n);
        for (let i = 0; i < n; i++) {
          steps[i] = packed[3 * i]!;
          wallMs[i] = packed[3 * i + 1]!;
          values[i] = packed[3 * i + 2]!;
        }
        let ordered = true;
        for (let i = 1; i < n && ordered; i++) ordered = steps[i]! > steps[i - 1]!;
        if (!ordered) sortBySteps(steps, wallMs, values); // never seen; guards against a planner change
        if (query.maxPoints && n > query.maxPoints) {
          const keep = minMaxThin(values, query.maxPoints);
          out.push({ runId, key, steps: keep.map((i) => steps[i]!), values: keep.map((i) => values[i]!), wallMs: keep.map((i) => wallMs[i]!) });
        } else out.push({ runId, key, steps, values, wallMs });
      }
    }
    return out;
  }

  /** Stores a JSON artefact of a run under `name`, replacing any earlier one (NaN and ±Infinity kept). */
  putArtefact(runId: string, name: string, value: unknown): void {
    const rid = this.rid(runId);
    const json = encodeJson(value);
    this.write(() => this.sql('INSERT OR REPLACE INTO artefacts (run_rid, name, json) VALUES (?, ?, ?)').run(rid, name, json));
  }

  /** A run's artefact, or null when it has none by that name. */
  getArtefact(runId: string, name: string): unknown {
    const json = this.sql('SELECT json FROM artefacts WHERE run_rid = ? AND name = ?').pluck().get(this.rid(runId), name) as string | undefined;
    return json === undefined ? null : decodeJson(json);
  }

  /**
   * The end-of-run per-unit snapshot, if the run got that far. Not checked number by number: a
   * diverged run's snapshot legitimately holds NaN, which the schema's numbers exclude.
   */
  snapshot(runId: string): NormSnapshot | null {
    const value = this.getArtefact(runId, SNAPSHOT_ARTEFACT) as Partial<NormSnapshot> | null;
    return value && typeof value.step === 'number' && Array.isArray(value.layers) ? (value as NormSnapshot) : null;
  }

  /** Deletes runs with their points and artefacts (and experiments left empty); unknown ids are skipped. */
  removeRuns(runIds: string[]): number {
    return this.write(() =>
      this.db.transaction(() => {
        let removed = 0;
        for (const id of runIds) {
          const rid = this.sql('SELECT rid FROM runs WHERE id = ?').pluck().get(id) as number | undefined;
          if (rid === undefined) continue;
          for (const table of ['points', 'latest', 'artefacts']) this.sql(`DELETE FROM ${table} WHERE run_rid = ?`).run(rid);
          removed += this.sql('DELETE FROM runs WHERE rid = ?').run(rid).changes;
        }
        this.sql('DELETE FROM experiments WHERE id NOT IN (SELECT experiment_id FROM runs)').run();
        return removed;
      })(),
    );
  }

  /**
   * Runs as a JSON document (specs, statuses, artefacts and every series at full resolution;
   * re-importable) or a long-format CSV: run_id, variant, seed, key, step, wall_ms, value.
   */
  exportRuns(runIds: string[], format: 'json' | 'csv'): ExportedFile {
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    const details = runIds.map((id) => this.getRun(id));
    const allSeries = (run: RunDetail) => this.series({ runIds: [run.id], keys: this.keys(run.id) });
    if (format === 'csv') {
      const lines = ['run_id,variant,seed,key,step,wall_ms,value'];
      for (const run of details) {
        const prefix = `${run.id},${csvCell(run.variant)},${run.seed}`;
        for (const s of allSeries(run)) {
          const key = csvCell(s.key);
          for (let i = 0; i < s.steps.length; i++) lines.push(`${prefix},${key},${s.steps[i]},${s.wallMs[i]},${csvNumber(s.values[i]!)}`);
        }
      }
      return { fileName: `bnlab-runs-${stamp}.csv`, mimeType: 'text/csv', content: lines.join('\n') + '\n' };
    }
    const document: ExportedRuns = {
      format: 'bnlab-runs',
      version: 1,
      exportedAt: now(),
      runs: details.map((run) => {
        const artefacts = Object.fromEntries(
          (this.sql('SELECT name, json FROM artefacts WHERE run_rid = ?').all(this.rid(run.id)) as Array<{ name: string; json: string }>).map((a) => [
            a.name,
            decodeJson(a.json),
          ]),
        );
        const series = Object.fromEntries(allSeries(run).map((s) => [s.key, { steps: s.steps, wallMs: s.wallMs, values: s.values.map(encodeValue) }]));
        return {
          id: run.id,
          experimentId: run.experimentId,
          experimentTitle: run.experimentTitle,
          presetId: run.presetId,
          variant: run.variant,
          seed: run.seed,
          status: run.status,
          backend: run.backend,
          step: run.step,
          totalSteps: run.totalSteps,
          createdAt: run.createdAt,
          startedAt: run.startedAt,
          endedAt: run.endedAt,
          error: run.error,
          datasetHash: run.datasetHash,
          versions: run.versions,
          spec: run.spec,
          series,
          artefacts,
        };
      }),
    };
    return { fileName: `bnlab-runs-${stamp}.json`, mimeType: 'application/json', content: encodeJson(document) };
  }

  /**
   * Imports a JSON export as new runs (new ids; runs of one exported experiment share a new
   * experiment). Validated completely first, then written in one transaction: all or nothing.
   */
  importRuns(content: string): string[] {
    let raw: unknown;
    try {
      raw = decodeJson(content);
    } catch (error) {
      throw new UserError(`not a BatchNorm Lab export: the file is not valid JSON (${(error as Error).message})`);
    }
    const document = parseSpec(ExportedRuns, raw, 'runs export');
    for (const run of document.runs) {
      for (const [key, s] of Object.entries(run.series)) {
        if (s.steps.length !== s.values.length || s.steps.length !== s.wallMs.length) {
          throw new UserError(`invalid runs export: series "${key}" of run ${run.id} has ${s.steps.length} steps, ${s.values.length} values and ${s.wallMs.length} wall times; they must match`);
        }
      }
    }
    return this.write(() =>
      this.db.transaction(() => {
        const experiments = new Map<string, string>();
        return document.runs.map((run) => {
          const group = run.experimentId ?? `title:${run.experimentTitle}`;
          let experimentId = experiments.get(group);
          if (!experimentId) {
            experimentId = newId('e');
            experiments.set(group, experimentId);
            const members = document.runs.filter((r) => (r.experimentId ?? `title:${r.experimentTitle}`) === group);
            const spec: ExperimentSpec = {
              title: run.experimentTitle,
              description: 'Imported from a BatchNorm Lab export.',
              runs: members.map((r) => r.spec),
              ...(run.presetId ? { presetId: run.presetId } : {}),
            };
            this.sql('INSERT INTO experiments (id, title, preset_id, spec, created_at) VALUES (?, ?, ?, ?, ?)').run(experimentId, run.experimentTitle, run.presetId, JSON.stringify(spec), now());
          }
          const id = newId('r');
          // A run that was still going when exported can't continue here.
          const status = run.status === 'running' || run.status === 'queued' ? 'interrupted' : run.status;
          this.sql(
            `INSERT INTO runs (id, experiment_id, variant, seed, spec, dataset_hash, backend, versions, status, step, total_steps, created_at, started_at, ended_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          ).run(id, experimentId, run.variant, run.seed, JSON.stringify(run.spec), run.datasetHash, run.backend, JSON.stringify(run.versions), status, run.step, run.totalSteps, run.createdAt, run.startedAt, run.endedAt, run.error);
          this.appendFrames(id, framesOf(run.series));
          for (const [name, value] of Object.entries(run.artefacts)) this.putArtefact(id, name, value);
          return id;
        });
      })(),
    );
  }

  /** A prepared statement, made once per store. */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private row(runId: string): RunRow {
    const row = this.sql('SELECT r.*, e.title, e.preset_id FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = ?').get(runId) as RunRow | undefined;
    if (!row) throw new UserError(`no run "${runId}"`);
    return row;
  }

  private rid(runId: string): number {
    const rid = this.sql('SELECT rid FROM runs WHERE id = ?').pluck().get(runId) as number | undefined;
    if (rid === undefined) throw new UserError(`no run "${runId}"`);
    return rid;
  }

  private keyId(key: string): number {
    let id = this.keyIds.get(key) ?? this.lookupKey(key);
    if (id === undefined) {
      id = Number(this.sql('INSERT INTO series_keys (key) VALUES (?)').run(key).lastInsertRowid);
      this.keyIds.set(key, id);
    }
    return id;
  }

  private lookupKey(key: string): number | undefined {
    const id = this.sql('SELECT id FROM series_keys WHERE key = ?').pluck().get(key) as number | undefined;
    if (id !== undefined) this.keyIds.set(key, id);
    return id;
  }

  /** Headline latest values of many runs in one query: rid → {key: value}. */
  private headlineLatest(rids: number[]): Map<number, Record<string, number>> {
    const out = new Map<number, Record<string, number>>();
    if (rids.length === 0) return out;
    const rows = this.sql(
      `SELECT l.run_rid AS rid, k.key, l.value FROM latest l JOIN series_keys k ON k.id = l.key_id
       WHERE l.run_rid IN (SELECT value FROM json_each(?)) AND k.key IN (SELECT value FROM json_each(?))`,
    ).all(JSON.stringify(rids), JSON.stringify(HEADLINE_KEYS)) as Array<{ rid: number; key: string; value: number | null }>;
    for (const { rid, key, value } of rows) {
      let latest = out.get(rid);
      if (!latest) out.set(rid, (latest = {}));
      latest[key] = value ?? NaN;
    }
    return out;
  }

  private summary(row: RunRow, latest: Record<string, number>): RunSummary {
    return {
      id: row.id,
      experimentId: row.experiment_id,
      experimentTitle: row.title,
      variant: row.variant,
      seed: row.seed,
      status: row.status,
      backend: row.backend,
      step: row.step,
      totalSteps: row.total_steps,
      createdAt: row.created_at,
      startedAt: row.started_at,
      endedAt: row.ended_at,
      error: row.error,
      latest,
    };
  }

  /**
   * Runs a write, turning disk-full and read-only failures into messages a person can act on.
   * SQLite has already rolled the transaction back, so nothing stored before is lost.
   */
  private write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      // Key ids handed out inside a rolled-back transaction no longer exist.
      this.keyIds.clear();
      const code = (error as { code?: string }).code ?? '';
      if (code === 'SQLITE_FULL') {
        throw new UserError(`the disk is full: the run database (${this.file}) could not be written. Nothing stored before was lost; free some space and try again.`);
      }
      if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_PERM') {
        throw new UserError(`the run database (${this.file}) could not be written (${code}); check that the data folder is writable. Nothing stored before was lost.`);
      }
      if (code === 'SQLITE_BUSY') throw new UserError('the run database is busy (another BatchNorm Lab process is writing); try again.');
      throw error;
    }
  }
}

/** Frames rebuilt from exported series (the epoch comes back from its own series). */
function framesOf(series: Record<string, { steps: number[]; wallMs: number[]; values: Array<z.infer<typeof ExportedValue>> }>): MetricFrame[] {
  const byStep = new Map<number, MetricFrame>();
  for (const [key, s] of Object.entries(series)) {
    s.steps.forEach((step, i) => {
      let frame = byStep.get(step);
      if (!frame) byStep.set(step, (frame = { step, epoch: 0, wallMs: s.wallMs[i]!, values: {} }));
      const value = decodeValue(s.values[i]!);
      if (key === EPOCH_KEY) frame.epoch = value;
      else frame.values[key] = value;
    });
  }
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

/** The SQL aggregate that packs (step, wall_ms, value) rows into one float64 buffer. */
const PACK_POINTS = 'bnlab_pack_points';
interface PackState {
  data: Float64Array;
  length: number;
}
const packPoints = {
  start: (): PackState => ({ data: new Float64Array(3 * 1024), length: 0 }),
  step: (state: PackState, step: number, wallMs: number, value: number | null): void => {
    if (state.length + 3 > state.data.length) {
      const bigger = new Float64Array(state.data.length * 2);
      bigger.set(state.data);
      state.data = bigger;
    }
    // NULL stands for NaN in the table (SQLite has no NaN).
    state.data[state.length++] = step;
    state.data[state.length++] = wallMs;
    state.data[state.length++] = value ?? NaN;
  },
  result: (state: PackState): Buffer => Buffer.from(state.data.buffer, 0, state.length * 8),
};

/** The packed buffer as float64 triples (copied when SQLite's copy isn't 8-byte aligned). */
function unpackPoints(buffer: Buffer): Float64Array {
  if (buffer.byteOffset % 8 === 0) return new Float64Array(buffer.buffer, buffer.byteOffset, buffer.byteLength / 8);
  return new Float64Array(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength));
}

/** Sorts three parallel arrays by the first, in place. */
function sortBySteps(steps: number[], wallMs: number[], values: number[]): void {
  const order = steps.map((_, i) => i).sort((a, b) => steps[a]! - steps[b]!);
  const [s, w, v] = [order.map((i) => steps[i]!), order.map((i) => wallMs[i]!), order.map((i) => values[i]!)];
  for (let i = 0; i < order.length; i++) [steps[i], wallMs[i], values[i]] = [s[i]!, w[i]!, v[i]!];
}

/** When this machine booted (ms since the epoch, to within a second or so). */
function bootTime(): number {
  return Math.round(Date.now() - os.uptime() * 1000);
}

function now(): string {
  return new Date().toISOString();
}

function csvCell(text: string): string {
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Numbers as pandas, R and spreadsheets read them back (NaN, inf, -inf). */
function csvNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'inf';
  if (value === -Infinity) return '-inf';
  return String(value);
}
