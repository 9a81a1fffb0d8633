/**
 * The run store: one SQLite database (WAL) holding experiments, runs, every metric point at full
 * resolution, latest values (for fast lists) and artefacts. Frames are written in one transaction
 * per batch; a crash loses at most the unflushed batch and never corrupts the file (SQLite's
 * journal). Runs a crash left `running` or `queued` become `interrupted` when the store opens.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { ExportedFile, RunDetail, RunSummary, Series } from '../../../shared/api';
import { metricKey, NormSnapshot, RunStatus, type Backend, type MetricFrame } from '../../../shared/engine/frame';
import { ExperimentSpec, RunSpec } from '../../../shared/spec/experiment';
import { parseSpec } from '../../../shared/spec/parse';
import { minMaxThin } from '../../../shared/series/thinning';
import { UserError } from '../api/dispatch';
import { MIGRATIONS } from './migrations';

export interface RunFilter {
  status?: RunStatus[];
  text?: string;
  experimentId?: string;
  limit?: number;
}

export interface SeriesQuery {
  runIds: string[];
  keys: string[];
  maxPoints?: number;
  stepRange?: [number, number];
}

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

/** Export format of runs, at full resolution; `import` accepts exactly this. */
const ExportedRuns = z.object({
  format: z.literal('bnlab-runs'),
  version: z.literal(1),
  runs: z
    .array(
      z.object({
        id: z.string(),
        experimentTitle: z.string().min(1).max(120),
        presetId: z.string().max(60).nullable(),
        variant: z.string().min(1).max(80),
        seed: z.number().int(),
        status: RunStatus,
        backend: z.string().nullable(),
        step: z.number().int().min(0),
        totalSteps: z.number().int().min(0),
        createdAt: z.string(),
        startedAt: z.string().nullable(),
        endedAt: z.string().nullable(),
        error: z.string().nullable(),
        datasetHash: z.string().nullable(),
        versions: z.record(z.string(), z.string()),
        spec: RunSpec,
        series: z.record(z.string(), z.object({ steps: z.array(z.number().int()), wallMs: z.array(z.number()), values: z.array(z.number().nullable()) })),
        artefacts: z.record(z.string(), z.unknown()),
      }),
    )
    .min(1)
    .max(64),
});

/** A short unique id usable in URLs, file names and IPC ("r-lq2x9k-3f9a1c"). */
export function newId(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}

export class RunStore {
  private readonly keyIds = new Map<string, number>();

  private constructor(readonly db: Database.Database) {}

  /** Opens (creating and migrating) the database in `dataDir`, marking crash leftovers interrupted. */
  static open(dataDir: string): RunStore {
    const file = path.join(dataDir, 'lab.sqlite');
    let db: Database.Database;
    try {
      mkdirSync(dataDir, { recursive: true });
      db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
    } catch (error) {
      throw new UserError(`cannot open the run database at ${file}: ${(error as Error).message}. Check that the folder is writable and the disk has space.`);
    }
    const store = new RunStore(db);
    store.migrate();
    store.markInterrupted();
    return store;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private migrate(): void {
    const current = this.db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new UserError(`the run database was written by a newer BatchNorm Lab (schema ${current}, this version knows ${MIGRATIONS.length}); update the app`);
    }
    for (let version = current; version < MIGRATIONS.length; version++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[version]!);
        this.db.pragma(`user_version = ${version + 1}`);
      })();
    }
  }

  /** Runs left `running` or `queued` by a crash or kill can't resume: mark them `interrupted`. */
  markInterrupted(): number {
    return this.db
      .prepare(`UPDATE runs SET status = 'interrupted', ended_at = COALESCE(ended_at, ?), error = COALESCE(error, 'the lab stopped while this run was in progress') WHERE status IN ('running', 'queued')`)
      .run(new Date().toISOString()).changes;
  }

  /** Stores an experiment and one queued run per spec; returns their ids in order. */
  createExperiment(experiment: ExperimentSpec): { experimentId: string; runIds: string[] } {
    const experimentId = newId('e');
    const now = new Date().toISOString();
    const insertRun = this.db.prepare(
      `INSERT INTO runs (id, experiment_id, variant, seed, spec, dataset_hash, status, total_steps, created_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?)`,
    );
    const runIds = this.write(() =>
      this.db.transaction(() => {
        this.db
          .prepare('INSERT INTO experiments (id, title, preset_id, spec, created_at) VALUES (?, ?, ?, ?, ?)')
          .run(experimentId, experiment.title, experiment.presetId ?? null, JSON.stringify(experiment), now);
        return experiment.runs.map((run) => {
          const id = newId('r');
          const hash = run.data.source.kind === 'imported' ? run.data.source.hash : null;
          insertRun.run(id, experimentId, run.variant, run.training.seed, JSON.stringify(run), hash, now);
          return id;
        });
      })(),
    );
    return { experimentId, runIds };
  }

  /** A new queued run in the same experiment with the same spec and seed (re-run). */
  cloneRun(runId: string): string {
    const run = this.row(runId);
    const id = newId('r');
    this.write(() =>
      this.db
        .prepare(`INSERT INTO runs (id, experiment_id, variant, seed, spec, dataset_hash, status, total_steps, created_at) VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, ?)`)
        .run(id, run.experiment_id, run.variant, run.seed, run.spec, run.dataset_hash, new Date().toISOString()),
    );
    return id;
  }

  markStarted(runId: string, backend: Backend, totalSteps: number, versions: Record<string, string>): void {
    this.write(() =>
      this.db
        .prepare(`UPDATE runs SET status = 'running', backend = ?, total_steps = ?, versions = ?, started_at = ? WHERE id = ?`)
        .run(backend, totalSteps, JSON.stringify(versions), new Date().toISOString(), runId),
    );
  }

  /** Records how a run ended; `message` explains failures and divergence. */
  markEnded(runId: string, status: RunStatus, step: number, message?: string): void {
    this.write(() =>
      this.db
        .prepare(`UPDATE runs SET status = ?, step = MAX(step, ?), ended_at = ?, error = ? WHERE id = ?`)
        .run(status, step, new Date().toISOString(), message ?? null, runId),
    );
  }

  /** Appends frames in one transaction and updates the run's step and latest values. */
  appendFrames(runId: string, frames: MetricFrame[]): void {
    if (frames.length === 0) return;
    const rid = this.row(runId).rid;
    const insert = this.db.prepare('INSERT OR REPLACE INTO points (run_rid, key_id, step, wall_ms, value) VALUES (?, ?, ?, ?, ?)');
    const latest = this.db.prepare(
      'INSERT INTO latest (run_rid, key_id, step, value) VALUES (?, ?, ?, ?) ON CONFLICT (run_rid, key_id) DO UPDATE SET step = excluded.step, value = excluded.value WHERE excluded.step >= latest.step',
    );
    this.write(() =>
      this.db.transaction(() => {
        let lastStep = 0;
        const newest = new Map<number, [number, number]>();
        for (const frame of frames) {
          for (const key in frame.values) {
            const keyId = this.keyId(key);
            const value = frame.values[key]!;
            // SQLite has no NaN: NULL stands for it and reads back as NaN.
            insert.run(rid, keyId, frame.step, frame.wallMs, Number.isNaN(value) ? null : value);
            newest.set(keyId, [frame.step, value]);
          }
          lastStep = Math.max(lastStep, frame.step);
        }
        for (const [keyId, [step, value]] of newest) latest.run(rid, keyId, step, Number.isNaN(value) ? null : value);
        this.db.prepare('UPDATE runs SET step = MAX(step, ?) WHERE rid = ?').run(lastStep, rid);
      })(),
    );
  }

  listRuns(filter: RunFilter = {}): RunSummary[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.status?.length) {
      where.push(`r.status IN (${filter.status.map(() => '?').join(', ')})`);
      params.push(...filter.status);
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
    const rows = this.db
      .prepare(
        `SELECT r.*, e.title, e.preset_id FROM runs r JOIN experiments e ON e.id = r.experiment_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY r.created_at DESC, r.rid DESC LIMIT ?`,
      )
      .all(...params, filter.limit ?? 500) as RunRow[];
    return this.withLatest(rows).map(({ row, latest }) => this.summary(row, latest));
  }

  getRun(runId: string): RunDetail {
    const row = this.row(runId);
    const [{ latest }] = this.withLatest([row]);
    return {
      ...this.summary(row, latest!),
      spec: JSON.parse(row.spec) as RunSpec,
      presetId: row.preset_id,
      datasetHash: row.dataset_hash,
      versions: JSON.parse(row.versions) as Record<string, string>,
    };
  }

  /** The series keys a run has logged. */
  keys(runId: string): string[] {
    const rid = this.row(runId).rid;
    return (this.db.prepare('SELECT k.key FROM latest l JOIN series_keys k ON k.id = l.key_id WHERE l.run_rid = ? ORDER BY k.key').pluck().all(rid) as string[]);
  }

  /** Series of several runs by key; thinned to about `maxPoints` (keeping each bucket's min and max). */
  series(query: SeriesQuery): Series[] {
    const out: Series[] = [];
    const [from, to] = query.stepRange ?? [-Infinity, Infinity];
    const select = this.db.prepare('SELECT step, wall_ms, value FROM points WHERE run_rid = ? AND key_id = ? AND step BETWEEN ? AND ? ORDER BY step').raw(true);
    for (const runId of query.runIds) {
      const rid = this.row(runId).rid;
      for (const key of query.keys) {
        const keyId = this.keyIds.get(key) ?? this.lookupKey(key);
        if (keyId === undefined) continue;
        const rows = select.all(rid, keyId, Number.isFinite(from) ? from : -1e18, Number.isFinite(to) ? to : 1e18) as Array<[number, number, number | null]>;
        if (rows.length === 0) continue;
        const steps = new Array<number>(rows.length);
        const wallMs = new Array<number>(rows.length);
        const values = new Array<number>(rows.length);
        rows.forEach(([step, wall, value], i) => {
          steps[i] = step;
          wallMs[i] = wall;
          values[i] = value ?? NaN;
        });
        if (query.maxPoints && rows.length > query.maxPoints) {
          const keep = minMaxThin(values, query.maxPoints);
          out.push({ runId, key, steps: keep.map((i) => steps[i]!), values: keep.map((i) => values[i]!), wallMs: keep.map((i) => wallMs[i]!) });
        } else out.push({ runId, key, steps, values, wallMs });
      }
    }
    return out;
  }

  putArtefact(runId: string, name: string, value: unknown): void {
    const rid = this.row(runId).rid;
    this.write(() => this.db.prepare('INSERT OR REPLACE INTO artefacts (run_rid, name, json) VALUES (?, ?, ?)').run(rid, name, JSON.stringify(value)));
  }

  getArtefact(runId: string, name: string): unknown {
    const rid = this.row(runId).rid;
    const json = this.db.prepare('SELECT json FROM artefacts WHERE run_rid = ? AND name = ?').pluck().get(rid, name) as string | undefined;
    return json === undefined ? null : (JSON.parse(json) as unknown);
  }

  /** The end-of-run per-unit snapshot, if the run got that far. */
  snapshot(runId: string): NormSnapshot | null {
    const value = this.getArtefact(runId, 'normSnapshot');
    return value === null ? null : NormSnapshot.parse(value);
  }

  removeRuns(runIds: string[]): number {
    return this.write(() =>
      this.db.transaction(() => {
        let removed = 0;
        for (const id of runIds) {
          const row = this.db.prepare('SELECT rid FROM runs WHERE id = ?').get(id) as { rid: number } | undefined;
          if (!row) continue;
          for (const table of ['points', 'latest', 'artefacts']) this.db.prepare(`DELETE FROM ${table} WHERE run_rid = ?`).run(row.rid);
          removed += this.db.prepare('DELETE FROM runs WHERE rid = ?').run(row.rid).changes;
        }
        this.db.prepare('DELETE FROM experiments WHERE id NOT IN (SELECT experiment_id FROM runs)').run();
        return removed;
      })(),
    );
  }

  /** Runs as a JSON document (full resolution, re-importable) or a long-format CSV. */
  exportRuns(runIds: string[], format: 'json' | 'csv'): ExportedFile {
    const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-');
    const details = runIds.map((id) => this.getRun(id));
    if (format === 'csv') {
      const lines = ['run_id,variant,seed,key,step,wall_ms,value'];
      for (const run of details) {
        for (const s of this.series({ runIds: [run.id], keys: this.keys(run.id) })) {
          s.steps.forEach((step, i) => lines.push([run.id, csvCell(run.variant), run.seed, csvCell(s.key), step, s.wallMs[i], s.values[i]].join(',')));
        }
      }
      return { fileName: `bnlab-runs-${stamp}.csv`, mimeType: 'text/csv', content: lines.join('\n') + '\n' };
    }
    const document: z.input<typeof ExportedRuns> = {
      format: 'bnlab-runs',
      version: 1,
      runs: details.map((run) => {
        const rid = this.row(run.id).rid;
        const artefacts = Object.fromEntries(
          (this.db.prepare('SELECT name, json FROM artefacts WHERE run_rid = ?').all(rid) as Array<{ name: string; json: string }>).map((a) => [a.name, JSON.parse(a.json)]),
        );
        const series = Object.fromEntries(
          this.series({ runIds: [run.id], keys: this.keys(run.id) }).map((s) => [s.key, { steps: s.steps, wallMs: s.wallMs, values: s.values.map((v) => (Number.isNaN(v) ? null : v)) }]),
        );
        return {
          id: run.id,
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
    return { fileName: `bnlab-runs-${stamp}.json`, mimeType: 'application/json', content: JSON.stringify(document) };
  }

  /** Imports an export as new runs (new ids, one experiment per title); all or nothing. */
  importRuns(content: string): string[] {
    let raw: unknown;
    try {
      raw = JSON.parse(content);
    } catch (error) {
      throw new UserError(`not a BatchNorm Lab export: the file is not valid JSON (${(error as Error).message})`);
    }
    const document = parseSpec(ExportedRuns, raw, 'runs export');
    for (const run of document.runs) {
      const lengths = Object.entries(run.series).find(([, s]) => s.steps.length !== s.values.length || s.steps.length !== s.wallMs.length);
      if (lengths) throw new UserError(`invalid runs export: series "${lengths[0]}" of run ${run.id} has steps, values and wall times of different lengths`);
    }
    return this.write(() =>
      this.db.transaction(() => {
        const experiments = new Map<string, string>();
        return document.runs.map((run) => {
          let experimentId = experiments.get(run.experimentTitle);
          if (!experimentId) {
            experimentId = newId('e');
            experiments.set(run.experimentTitle, experimentId);
            const spec: ExperimentSpec = { title: run.experimentTitle, description: 'Imported', runs: document.runs.filter((r) => r.experimentTitle === run.experimentTitle).map((r) => r.spec), ...(run.presetId ? { presetId: run.presetId } : {}) };
            this.db.prepare('INSERT INTO experiments (id, title, preset_id, spec, created_at) VALUES (?, ?, ?, ?, ?)').run(experimentId, run.experimentTitle, run.presetId, JSON.stringify(spec), new Date().toISOString());
          }
          const id = newId('r');
          // A run that was still going when exported can't continue here.
          const status = run.status === 'running' || run.status === 'queued' ? 'interrupted' : run.status;
          this.db
            .prepare(
              `INSERT INTO runs (id, experiment_id, variant, seed, spec, dataset_hash, backend, versions, status, step, total_steps, created_at, started_at, ended_at, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(id, experimentId, run.variant, run.seed, JSON.stringify(run.spec), run.datasetHash, run.backend, JSON.stringify(run.versions), status, run.step, run.totalSteps, run.createdAt, run.startedAt, run.endedAt, run.error);
          const byStep = new Map<number, MetricFrame>();
          for (const [key, s] of Object.entries(run.series)) {
            s.steps.forEach((step, i) => {
              const frame = byStep.get(step) ?? { step, epoch: 0, wallMs: s.wallMs[i]!, values: {} };
              frame.values[key] = s.values[i] ?? NaN;
              byStep.set(step, frame);
            });
          }
          this.appendFrames(id, [...byStep.values()].sort((a, b) => a.step - b.step));
          for (const [name, value] of Object.entries(run.artefacts)) this.putArtefact(id, name, value);
          return id;
        });
      })(),
    );
  }

  private row(runId: string): RunRow {
    const row = this.db.prepare('SELECT r.*, e.title, e.preset_id FROM runs r JOIN experiments e ON e.id = r.experiment_id WHERE r.id = ?').get(runId) as RunRow | undefined;
    if (!row) throw new UserError(`no run "${runId}"`);
    return row;
  }

  private keyId(key: string): number {
    let id = this.keyIds.get(key) ?? this.lookupKey(key);
    if (id === undefined) {
      id = Number(this.db.prepare('INSERT INTO series_keys (key) VALUES (?)').run(key).lastInsertRowid);
      this.keyIds.set(key, id);
    }
    return id;
  }

  private lookupKey(key: string): number | undefined {
    const id = this.db.prepare('SELECT id FROM series_keys WHERE key = ?').pluck().get(key) as number | undefined;
    if (id !== undefined) this.keyIds.set(key, id);
    return id;
  }

  private withLatest(rows: RunRow[]): Array<{ row: RunRow; latest: Record<string, number> }> {
    const keyIds = HEADLINE_KEYS.map((key) => this.keyIds.get(key) ?? this.lookupKey(key)).filter((id): id is number => id !== undefined);
    const select = keyIds.length
      ? this.db.prepare(`SELECT k.key, l.value FROM latest l JOIN series_keys k ON k.id = l.key_id WHERE l.run_rid = ? AND l.key_id IN (${keyIds.join(',')})`)
      : null;
    return rows.map((row) => ({
      row,
      latest: Object.fromEntries(((select?.all(row.rid) ?? []) as Array<{ key: string; value: number | null }>).map(({ key, value }) => [key, value ?? NaN])),
    }));
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

  /** Runs a write, turning disk-full and read-only failures into messages a person can act on. */
  private write<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (code === 'SQLITE_FULL') throw new UserError('the disk is full: the run database could not be written (nothing stored so far was lost). Free some space and try again.');
      if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_CANTOPEN' || code.startsWith('SQLITE_IOERR')) {
        throw new UserError(`the run database could not be written (${code}); check that the data folder is writable. Nothing stored so far was lost.`);
      }
      throw error;
    }
  }
}

function csvCell(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
