import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RunStore } from '../../../electron/lab/store/runStore';
import { ExperimentSpec } from '../../../shared/spec/experiment';
import type { MetricFrame } from '../../../shared/engine/frame';

const experiment = ExperimentSpec.parse({
  title: 'BN vs none',
  presetId: 'demo',
  runs: ['with BN', 'without BN'].map((variant) => ({
    variant,
    model: { layers: [{ kind: 'dense', id: 'out', units: 2 }] },
    data: { source: { kind: 'synthetic', generator: 'moons' } },
    training: { learningRate: 0.1, batchSize: 16, duration: { steps: 100 } },
  })),
});

function frames(count: number, from = 0): MetricFrame[] {
  return Array.from({ length: count }, (_, i) => ({
    step: (from + i) * 10,
    epoch: 0,
    wallMs: (from + i) * 5,
    values: { 'train/loss': 1 / (from + i + 1), 'train/acc': (from + i) / 100 },
  }));
}

let home: string;
let store: RunStore;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-store-'));
  store = RunStore.open(home);
});
afterEach(() => {
  store.close();
  chmodSync(home, 0o755);
  rmSync(home, { recursive: true, force: true });
});

describe('RunStore', () => {
  it('records experiments, runs, frames and latest values', () => {
    const { experimentId, runIds } = store.createExperiment(experiment);
    expect(runIds).toHaveLength(2);
    store.markStarted(runIds[0]!, 'wasm', 100, { tfjs: '4.22.0' });
    store.appendFrames(runIds[0]!, frames(10));
    store.markEnded(runIds[0]!, 'finished', 100);
    const run = store.getRun(runIds[0]!);
    expect(run).toMatchObject({ experimentId, variant: 'with BN', status: 'finished', backend: 'wasm', step: 100, totalSteps: 100, presetId: 'demo', versions: { tfjs: '4.22.0' } });
    expect(run.latest['train/loss']).toBeCloseTo(1 / 10);
    expect(run.spec.variant).toBe('with BN');
    expect(store.keys(runIds[0]!)).toEqual(['train/acc', 'train/loss']);
    const [loss] = store.series({ runIds: [runIds[0]!], keys: ['train/loss'] });
    expect(loss!.steps).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(loss!.wallMs[3]).toBe(15);
  });

  it('filters runs by status, experiment and text', () => {
    const { runIds } = store.createExperiment(experiment);
    store.markEnded(runIds[1]!, 'diverged', 40, 'loss became NaN at step 40');
    expect(store.listRuns({ status: ['diverged'] }).map((r) => r.id)).toEqual([runIds[1]]);
    expect(store.listRuns({ text: 'without' }).map((r) => r.variant)).toEqual(['without BN']);
    expect(store.listRuns({ text: '100%' })).toEqual([]);
    expect(store.listRuns()).toHaveLength(2);
  });

  it('keeps NaN values (divergence) as NaN', () => {
    const { runIds } = store.createExperiment(experiment);
    store.appendFrames(runIds[0]!, [{ step: 5, epoch: 0, wallMs: 1, values: { 'train/loss': NaN } }]);
    expect(store.series({ runIds: [runIds[0]!], keys: ['train/loss'] })[0]!.values).toEqual([NaN]);
  });

  it('marks runs a crash left running or queued as interrupted on reopen, keeping their frames', () => {
    const { runIds } = store.createExperiment(experiment);
    store.markStarted(runIds[0]!, 'wasm', 100, {});
    store.appendFrames(runIds[0]!, frames(5));
    store.close();
    store = RunStore.open(home);
    const runs = store.listRuns();
    expect(runs.map((r) => r.status)).toEqual(['interrupted', 'interrupted']);
    expect(store.series({ runIds: [runIds[0]!], keys: ['train/loss'] })[0]!.steps).toHaveLength(5);
  });

  it('thins series keeping spikes', () => {
    const { runIds } = store.createExperiment(experiment);
    const many = frames(5000);
    many[3217]!.values['train/loss'] = 50;
    store.appendFrames(runIds[0]!, many);
    const [thin] = store.series({ runIds: [runIds[0]!], keys: ['train/loss'], maxPoints: 200 });
    expect(thin!.steps.length).toBeLessThanOrEqual(200);
    expect(Math.max(...thin!.values)).toBe(50);
    expect(thin!.steps).toContain(32170);
    const [range] = store.series({ runIds: [runIds[0]!], keys: ['train/loss'], stepRange: [100, 200] });
    expect(range!.steps).toEqual([100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200]);
  });

  it('round-trips runs through a JSON export and import', () => {
    const { runIds } = store.createExperiment(experiment);
    store.markStarted(runIds[0]!, 'wasm', 100, {});
    store.appendFrames(runIds[0]!, frames(20));
    store.putArtefact(runIds[0]!, 'normSnapshot', { step: 100, layers: [] });
    store.markEnded(runIds[0]!, 'finished', 190);
    const exported = store.exportRuns([runIds[0]!], 'json');
    expect(exported.fileName).toMatch(/\.json$/);
    const [imported] = store.importRuns(exported.content);
    const copy = store.getRun(imported!);
    expect(copy).toMatchObject({ variant: 'with BN', status: 'finished', step: 190, experimentTitle: 'BN vs none' });
    expect(store.series({ runIds: [imported!], keys: ['train/loss'] })[0]!.values).toEqual(store.series({ runIds: [runIds[0]!], keys: ['train/loss'] })[0]!.values);
    expect(store.snapshot(imported!)).toEqual({ step: 100, layers: [] });
    const csv = store.exportRuns([runIds[0]!], 'csv').content.split('\n');
    expect(csv[0]).toBe('run_id,variant,seed,key,step,wall_ms,value');
    expect(csv).toHaveLength(1 + 40 + 1);
  });

  it('rejects a bad import with a clear message and stores nothing', () => {
    expect(() => store.importRuns('{nope')).toThrow(/not a BatchNorm Lab export: the file is not valid JSON/);
    expect(() => store.importRuns(JSON.stringify({ format: 'bnlab-runs', version: 2, runs: [] }))).toThrow(/invalid runs export: version/);
    expect(store.listRuns()).toEqual([]);
  });

  it('removes runs with their series', () => {
    const { runIds } = store.createExperiment(experiment);
    store.appendFrames(runIds[0]!, frames(3));
    expect(store.removeRuns([runIds[0]!, 'r-missing'])).toBe(1);
    expect(() => store.getRun(runIds[0]!)).toThrow('no run');
    expect(store.listRuns()).toHaveLength(1);
  });

  it('reports a read-only data folder clearly and loses nothing', () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions: make the database itself read-only through SQLite instead.
      const { runIds } = store.createExperiment(experiment);
      store.appendFrames(runIds[0]!, frames(3));
      store.db.pragma('query_only = ON');
      expect(() => store.appendFrames(runIds[0]!, frames(3, 3))).toThrow(/could not be written|readonly/i);
      store.db.pragma('query_only = OFF');
      expect(store.series({ runIds: [runIds[0]!], keys: ['train/loss'] })[0]!.steps).toHaveLength(3);
      return;
    }
    store.close();
    chmodSync(home, 0o555);
    expect(() => RunStore.open(path.join(home, 'sub'))).toThrow(/cannot open the run database .* Check that the folder is writable/);
  });
});
