/**
 * Schema migrations, applied in order, each in its own transaction; `PRAGMA user_version` records
 * how many have run. Never edit a shipped migration: add the next one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: experiments, runs, interned series keys, points at full resolution, latest values, artefacts.
  `
  CREATE TABLE experiments (
    id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    preset_id TEXT,
    spec TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE TABLE runs (
    rid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    experiment_id TEXT NOT NULL REFERENCES experiments(id),
    variant TEXT NOT NULL,
    seed INTEGER NOT NULL,
    spec TEXT NOT NULL,
    dataset_hash TEXT,
    backend TEXT,
    versions TEXT NOT NULL DEFAULT '{}',
    status TEXT NOT NULL,
    step INTEGER NOT NULL DEFAULT 0,
    total_steps INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    started_at TEXT,
    ended_at TEXT,
    error TEXT
  );
  CREATE INDEX runs_by_experiment ON runs (experiment_id);
  CREATE INDEX runs_by_status ON runs (status);
  -- Series keys are interned: points store a small integer instead of the key text.
  CREATE TABLE series_keys (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
  CREATE TABLE points (
    run_rid INTEGER NOT NULL,
    key_id INTEGER NOT NULL,
    step INTEGER NOT NULL,
    wall_ms REAL NOT NULL,
    value REAL,
    PRIMARY KEY (run_rid, key_id, step)
  ) WITHOUT ROWID;
  CREATE TABLE latest (
    run_rid INTEGER NOT NULL,
    key_id INTEGER NOT NULL,
    step INTEGER NOT NULL,
    value REAL,
    PRIMARY KEY (run_rid, key_id)
  ) WITHOUT ROWID;
  CREATE TABLE artefacts (
    run_rid INTEGER NOT NULL,
    name TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (run_rid, name)
  );
  `,
  // 2: which process owns a run while it is queued or running. Only runs whose process is gone
  // become 'interrupted' on open, so a CLI opening the folder never interrupts the app's live runs.
  `
  CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    started_at TEXT NOT NULL
  );
  ALTER TABLE runs ADD COLUMN session_id INTEGER;
  `,
  // 3: when the machine booted, per session: after a reboot every older session is dead, even
  // if some unrelated process now has its pid.
  `
  ALTER TABLE sessions ADD COLUMN boot_ms INTEGER;
  `,
];
