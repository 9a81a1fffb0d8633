/**
 * The run store across processes and versions: a writer killed mid-batch, a live process's runs
 * left alone, migrations from an empty and from an older database, reopening.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { MIGRATIONS } from '../../electron/lab/store/migrations';
import { RunStore } from '../../electron/lab/store/runStore';
import { lossFrames, twoRunExperiment } from '../unit/lab/fixtures';

const writer = path.join(import.meta.dirname, 'fixtures', 'storeWriter.ts');

let home: string;
let child: ChildProcess | null = null;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-store-int-'));
});
afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  child = null;
  rmSync(home, { recursive: true, force: true });
});

/** Starts the writer fixture; resolves with a line reader once it has printed its run id. */
async function startWriter(mode: 'write' | 'hold'): Promise<{ runId: string; lines: AsyncIterator<string> }> {
  child = spawn(process.execPath, ['--import', 'tsx', writer, mode, home], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const first = await lines.next();
  const match = /^run (\S+)$/.exec(String(first.value));
  if (!match) throw new Error(`the writer did not start: ${String(first.value)}`);
  return { runId: match[1]!, lines };
}

function killed(process: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    process.once('exit', () => resolve());
    process.kill('SIGKILL');
  });
}

describe('RunStore across processes', () => {
  it('keeps every committed frame of a writer killed mid-batch, and marks its run interrupted', async () => {
    const { runId, lines } = await startWriter('write');
    let flushed = 0;
    while (flushed < 3000) flushed = Number(/^flushed (\d+)$/.exec(String((await lines.next()).value))![1]);
    await killed(child!);
    const store = RunStore.open(home);
    try {
      expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
      const run = store.getRun(runId);
      expect(run).toMatchObject({ status: 'interrupted', error: 'the lab stopped while this run was in progress' });
      const [series] = store.series({ runIds: [runId], keys: ['k3'] });
      // Everything reported as committed is there; at most the batch being written was lost.
      expect(series!.steps.length).toBeGreaterThanOrEqual(flushed);
      expect(series!.steps.length % 100).toBe(0);
      expect(series!.steps).toEqual(Array.from({ length: series!.steps.length }, (_, i) => i));
      expect(run.step).toBe(series!.steps.at(-1));
      // The killed process's session is forgotten.
      expect(store.db.prepare('SELECT COUNT(*) FROM sessions').pluck().get()).toBe(1);
    } finally {
      store.close();
    }
  });

  it("leaves a live process's running run alone, and interrupts it once that process is gone", async () => {
    const { runId } = await startWriter('hold');
    const store = RunStore.open(home);
    try {
      expect(store.getRun(runId).status).toBe('running');
      await killed(child!);
      expect(store.markInterruptedOnOpen()).toBe(2); // its running run and its queued one
      expect(store.getRun(runId).status).toBe('interrupted');
    } finally {
      store.close();
    }
  });
});

describe('RunStore sessions', () => {
  it('treats a session from before a reboot as dead even if its pid is alive again', () => {
    const store = RunStore.open(home);
    try {
      const { runIds } = store.createExperiment(twoRunExperiment());
      const dayAgo = Date.now() - 86_400_000;
      const live = (boot: number) =>
        Number(store.db.prepare('INSERT INTO sessions (pid, host, started_at, boot_ms) VALUES (?, ?, ?, ?)').run(process.ppid, os.hostname(), new Date(boot).toISOString(), boot).lastInsertRowid);
      const beforeReboot = live(dayAgo);
      const sinceBoot = live(Math.round(Date.now() - os.uptime() * 1000));
      store.db.prepare('UPDATE runs SET status = ?, session_id = ? WHERE id = ?').run('running', beforeReboot, runIds[0]);
      store.db.prepare('UPDATE runs SET status = ?, session_id = ? WHERE id = ?').run('running', sinceBoot, runIds[1]);
      expect(store.markInterruptedOnOpen()).toBe(1);
      expect(store.getRun(runIds[0]!).status).toBe('interrupted');
      expect(store.getRun(runIds[1]!).status).toBe('running');
    } finally {
      store.close();
    }
  });
});

describe('RunStore schema', () => {
  it('migrates an empty folder to the latest schema', () => {
    const store = RunStore.open(path.join(home, 'new', 'nested'));
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    const tables = store.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(['artefacts', 'experiments', 'latest', 'points', 'runs', 'series_keys', 'sessions']);
    expect(store.db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('sessions')).toEqual(['id', 'pid', 'host', 'started_at', 'boot_ms']);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
  });

  it('migrates a version-1 database, keeping its data and interrupting its unfinished runs', () => {
    const db = new Database(path.join(home, 'lab.sqlite'));
    db.exec(MIGRATIONS[0]!);
    db.pragma('user_version = 1');
    db.prepare("INSERT INTO experiments VALUES ('e-old', 'Old one', NULL, '{}', '2026-01-01T00:00:00Z')").run();
    const spec = JSON.stringify(twoRunExperiment().runs[0]);
    for (const [rid, id, status] of [[1, 'r-done', 'finished'], [2, 'r-live', 'running']] as const) {
      db.prepare("INSERT INTO runs (rid, id, experiment_id, variant, seed, spec, status, created_at) VALUES (?, ?, 'e-old', 'with BN', 1, ?, ?, '2026-01-01T00:00:00Z')").run(rid, id, spec, status);
    }
    db.prepare("INSERT INTO series_keys VALUES (1, 'train/loss')").run();
    db.prepare('INSERT INTO points VALUES (1, 1, 10, 5, 0.5)').run();
    db.prepare('INSERT INTO latest VALUES (1, 1, 10, 0.5)').run();
    db.close();

    const store = RunStore.open(home);
    try {
      expect(store.schemaVersion()).toBe(MIGRATIONS.length);
      expect(store.getRun('r-done')).toMatchObject({ status: 'finished', experimentTitle: 'Old one', latest: { 'train/loss': 0.5 } });
      expect(store.getRun('r-live').status).toBe('interrupted');
      expect(store.series({ runIds: ['r-done'], keys: ['train/loss'] })[0]).toMatchObject({ steps: [10], values: [0.5], wallMs: [5] });
      // New writes work on the migrated schema.
      store.appendFrames('r-done', lossFrames(2, 100));
      expect(store.keys('r-done')).toEqual(['epoch', 'train/acc', 'train/loss']);
    } finally {
      store.close();
    }
  });

  it('refuses a database from a newer version of the app, and a file that is no database', () => {
    const db = new Database(path.join(home, 'lab.sqlite'));
    db.pragma('user_version = 99');
    db.close();
    expect(() => RunStore.open(home)).toThrow(`the run database was written by a newer BatchNorm Lab (schema 99, this version knows ${MIGRATIONS.length}); update the app`);
    const other = path.join(home, 'other');
    RunStore.open(other).close();
    writeFileSync(path.join(other, 'lab.sqlite'), 'this is not a database, just some text that is long enough'.repeat(100));
    rmSync(path.join(other, 'lab.sqlite-wal'), { force: true });
    expect(() => RunStore.open(other)).toThrow(/^cannot open the run database at .*lab\.sqlite: the file is not a BatchNorm Lab database or is damaged/);
  });

  it('keeps everything across a reopen', () => {
    let store = RunStore.open(home);
    const { runIds } = store.createExperiment(twoRunExperiment());
    store.markStarted(runIds[0]!, 'webgl', 50, { app: '0.1.0' });
    store.appendFrames(runIds[0]!, lossFrames(30));
    store.putArtefact(runIds[0]!, 'normSnapshot', { step: 50, layers: [] });
    store.markEnded(runIds[0]!, 'finished', 290);
    const before = { run: store.getRun(runIds[0]!), series: store.series({ runIds: [runIds[0]!], keys: store.keys(runIds[0]!) }) };
    store.close();
    store = RunStore.open(home);
    try {
      expect(store.getRun(runIds[0]!)).toEqual(before.run);
      expect(store.series({ runIds: [runIds[0]!], keys: store.keys(runIds[0]!) })).toEqual(before.series);
      expect(store.snapshot(runIds[0]!)).toEqual({ step: 50, layers: [] });
      expect(store.listRuns()).toHaveLength(2);
    } finally {
      store.close();
    }
  });
});
