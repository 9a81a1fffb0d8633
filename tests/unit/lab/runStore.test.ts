import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EPOCH_KEY, RunStore } from '../../../electron/lab/store/runStore';
import { lossFrames, twoRunExperiment } from './fixtures';

const experiment = twoRunExperiment();

let home: string;
let store: RunStore;
beforeEach(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-store-'));
  store = RunStore.open(home);
});
afterEach(() => {
  store.close();
  rmSync(home, { recursive: true, force: true });
});

describe('RunStore', () => {
  it('records experiments, runs, frames and latest values', () => {
    const { experimentId, runIds } = store.createExperiment(experiment);
    expect(runIds).toHaveLength(2);
    expect(store.getRun(runIds[1]!)).toMatchObject({ status: 'queued', variant: 'without BN', seed: 1, backend: null, startedAt: null });
    store.markStarted(runIds[0]!, 'wasm', 100, { tfjs: '4.22.0' });
    expect(store.getRun(runIds[0]!).startedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    store.appendFrames(runIds[0]!, lossFrames(10));
    store.markEnded(runIds[0]!, 'finished', 100);
    const run = store.getRun(runIds[0]!);
    expect(run).toMatchObject({ experimentId, experimentTitle: 'BN vs none', variant: 'with BN', status: 'finished', backend: 'wasm', step: 100, totalSteps: 100, presetId: 'demo', versions: { tfjs: '4.22.0' }, error: null });
    expect(run.latest).toEqual({ 'train/loss': 1 / 10, 'train/acc': 9 / 100 });
    expect(run.spec.variant).toBe('with BN');
    expect(store.keys(runIds[0]!)).toEqual([EPOCH_KEY, 'train/acc', 'train/loss']);
    const [loss, epoch] = store.series({ runIds: [runIds[0]!], keys: ['train/loss', EPOCH_KEY] });
    expect(loss!.steps).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(loss!.values[3]).toBe(1 / 4);
    expect(loss!.wallMs[3]).toBe(15);
    expect(epoch!.values).toEqual(new Array(10).fill(0));
  });

  it('answers unknown runs and experiments with the id in the message', () => {
    expect(() => store.getRun('r-nope')).toThrow('no run "r-nope"');
    expect(() => store.markStarted('r-nope', 'wasm', 1, {})).toThrow('no run "r-nope"');
    expect(() => store.appendFrames('r-nope', lossFrames(1))).toThrow('no run "r-nope"');
    expect(() => store.createRun('e-nope', experiment.runs[0]!)).toThrow('no experiment "e-nope"');
  });

  it('adds and clones runs into an experiment', () => {
    const { experimentId, runIds } = store.createExperiment(experiment);
    const added = store.createRun(experimentId, { ...experiment.runs[0]!, variant: 'extra' });
    const clone = store.cloneRun(runIds[1]!);
    expect(store.listRuns({ experimentId }).map((r) => r.variant).sort()).toEqual(['extra', 'with BN', 'without BN', 'without BN']);
    expect(store.getRun(clone)).toMatchObject({ status: 'queued', variant: 'without BN', seed: 1, experimentId });
    expect(store.getRun(added).spec.variant).toBe('extra');
  });

  it('sets statuses and keeps the latest value per key even when frames arrive out of order', () => {
    const { runIds } = store.createExperiment(experiment);
    const id = runIds[0]!;
    store.setStatus(id, 'running');
    store.appendFrames(id, lossFrames(5, 5));
    store.appendFrames(id, lossFrames(5, 0)); // a late, older batch must not win
    expect(store.getRun(id)).toMatchObject({ status: 'running', step: 90, latest: { 'train/loss': 1 / 10 } });
    store.setStatus(id, 'failed', 'worker crashed');
    expect(store.getRun(id)).toMatchObject({ status: 'failed', error: 'worker crashed' });
    expect(() => store.setStatus(id, 'exploded' as never)).toThrow();
  });

  it('filters runs by status, experiment and text (LIKE wildcards are literal)', () => {
    const { experimentId, runIds } = store.createExperiment(experiment);
    const other = store.createExperiment(twoRunExperiment('Other 100% test'));
    store.markEnded(runIds[1]!, 'diverged', 40, 'loss became NaN at step 40');
    expect(store.listRuns({ status: ['diverged'] }).map((r) => r.id)).toEqual([runIds[1]]);
    expect(store.listRuns({ status: ['diverged', 'queued'] })).toHaveLength(4);
    expect(store.listRuns({ text: 'without' }).map((r) => r.variant)).toEqual(['without BN', 'without BN']);
    expect(store.listRuns({ text: '100%' }).map((r) => r.experimentId)).toEqual([other.experimentId, other.experimentId]);
    expect(store.listRuns({ text: '1_0' })).toEqual([]);
    expect(store.listRuns({ experimentId }).map((r) => r.id).sort()).toEqual([...runIds].sort());
    expect(store.listRuns({ limit: 3 })).toHaveLength(3);
    // Newest first.
    expect(store.listRuns()[0]!.experimentId).toBe(other.experimentId);
  });

  it('keeps NaN and ±Infinity (divergence) exactly', () => {
    const { runIds } = store.createExperiment(experiment);
    store.appendFrames(runIds[0]!, [
      { step: 5, epoch: 0, wallMs: 1, values: { 'train/loss': NaN } },
      { step: 6, epoch: 0, wallMs: 2, values: { 'train/loss': Infinity } },
      { step: 7, epoch: 0, wallMs: 3, values: { 'train/loss': -Infinity } },
    ]);
    expect(store.series({ runIds: [runIds[0]!], keys: ['train/loss'] })[0]!.values).toEqual([NaN, Infinity, -Infinity]);
    expect(store.getRun(runIds[0]!).latest['train/loss']).toBe(-Infinity);
  });

  it('refuses malformed frames whole, saying what was wrong', () => {
    const { runIds } = store.createExperiment(experiment);
    const good = lossFrames(2);
    expect(() => store.appendFrames(runIds[0]!, [...good, { step: 2.5, epoch: 0, wallMs: 0, values: {} }])).toThrow(
      `run ${runIds[0]}: a metric frame has step 2.5, wallMs 0, epoch 0; expected a whole step ≥ 0 and numbers`,
    );
    expect(() => store.appendFrames(runIds[0]!, [...good, { step: 30, epoch: 0, wallMs: 0, values: { 'train/loss': undefined as unknown as number } }])).toThrow(
      `run ${runIds[0]}: series "train/loss" at step 30 is undefined, not a number`,
    );
    expect(store.keys(runIds[0]!)).toEqual([]); // nothing of either batch was stored
  });

  it('thins series keeping spikes, and reads step ranges', () => {
    const { runIds } = store.createExperiment(experiment);
    const many = lossFrames(5000);
    many[3217]!.values['train/loss'] = 50;
    many[1234]!.values['train/loss'] = -50;
    store.appendFrames(runIds[0]!, many);
    const [thin] = store.series({ runIds: [runIds[0]!], keys: ['train/loss'], maxPoints: 200 });
    expect(thin!.steps.length).toBeLessThanOrEqual(200);
    expect(thin!.steps.length).toBeGreaterThan(150);
    expect(thin!.steps).toContain(32170);
    expect(thin!.steps).toContain(12340);
    expect(thin!.values[thin!.steps.indexOf(32170)]).toBe(50);
    expect(thin!.steps[0]).toBe(0);
    expect(thin!.steps.at(-1)).toBe(49990);
    expect([...thin!.steps].sort((a, b) => a - b)).toEqual(thin!.steps);
    const [range] = store.series({ runIds: [runIds[0]!], keys: ['train/loss'], stepRange: [100, 200] });
    expect(range!.steps).toEqual([100, 110, 120, 130, 140, 150, 160, 170, 180, 190, 200]);
  });

  it('reads several runs and keys at once, skipping pairs without points', () => {
    const { runIds } = store.createExperiment(experiment);
    store.appendFrames(runIds[0]!, lossFrames(3));
    store.appendFrames(runIds[1]!, [{ step: 0, epoch: 0, wallMs: 0, values: { 'test/acc': 0.5 } }]);
    const series = store.series({ runIds, keys: ['train/loss', 'test/acc', 'never/logged'] });
    expect(series.map((s) => [s.runId, s.key])).toEqual([
      [runIds[0], 'train/loss'],
      [runIds[1], 'test/acc'],
    ]);
  });

  it('stores artefacts, NaN and Infinity of a diverged snapshot included, through export and import', () => {
    const { runIds } = store.createExperiment(experiment);
    const snapshot = { step: 100, layers: [{ id: 'bn1', gamma: [1, NaN], beta: [0, Infinity], runningMean: [0.1, -Infinity], runningVar: [1.2, 1], batchMean: [0.2, 0], batchVar: [1.1, 1], epsilon: 1e-3 }] };
    expect(store.snapshot(runIds[0]!)).toBeNull();
    store.putArtefact(runIds[0]!, 'normSnapshot', snapshot);
    store.putArtefact(runIds[0]!, 'notes', { text: 'NaN', box: { $num: 'not a number box' }, list: [NaN] });
    expect(store.snapshot(runIds[0]!)).toEqual(snapshot);
    expect(store.getArtefact(runIds[0]!, 'notes')).toEqual({ text: 'NaN', box: { $num: 'not a number box' }, list: [NaN] });
    expect(store.getArtefact(runIds[0]!, 'missing')).toBeNull();
    const [copy] = store.importRuns(store.exportRuns([runIds[0]!], 'json').content);
    expect(store.snapshot(copy!)).toEqual(snapshot);
    store.putArtefact(runIds[0]!, 'normSnapshot', { not: 'a snapshot' });
    expect(store.snapshot(runIds[0]!)).toBeNull();
  });

  it('marks runs left running or queued as interrupted when the store is closed, keeping their frames', () => {
    const { runIds } = store.createExperiment(experiment);
    store.markStarted(runIds[0]!, 'wasm', 100, {});
    store.appendFrames(runIds[0]!, lossFrames(5));
    store.markEnded(runIds[1]!, 'finished', 100);
    store.close();
    store = RunStore.open(home);
    expect(store.getRun(runIds[0]!)).toMatchObject({ status: 'interrupted', error: 'the lab was closed while this run was in progress' });
    expect(store.getRun(runIds[1]!)).toMatchObject({ status: 'finished', error: null });
    expect(store.series({ runIds: [runIds[0]!], keys: ['train/loss'] })[0]!.steps).toHaveLength(5);
  });

  it('leaves the runs of another live store on the same folder alone', () => {
    const { runIds } = store.createExperiment(experiment);
    store.markStarted(runIds[0]!, 'wasm', 100, {});
    const second = RunStore.open(home); // same process: alive
    expect(second.getRun(runIds[0]!).status).toBe('running');
    second.close();
    expect(store.getRun(runIds[0]!).status).toBe('running');
  });

  it('round-trips runs through a JSON export and import, NaN and Infinity included', () => {
    const { runIds } = store.createExperiment(experiment);
    store.markStarted(runIds[0]!, 'wasm', 100, { tfjs: '4.22.0' });
    const frames = lossFrames(120);
    frames[100]!.values['train/loss'] = Infinity;
    frames[101]!.values['train/loss'] = NaN;
    store.appendFrames(runIds[0]!, frames);
    store.putArtefact(runIds[0]!, 'normSnapshot', { step: 100, layers: [] });
    store.markEnded(runIds[0]!, 'diverged', 1190, 'loss became Infinity at step 1000');
    store.markEnded(runIds[1]!, 'finished', 0);
    const exported = store.exportRuns(runIds, 'json');
    expect(exported).toMatchObject({ mimeType: 'application/json', fileName: expect.stringMatching(/^bnlab-runs-.*\.json$/) });
    const imported = store.importRuns(exported.content);
    expect(imported).toHaveLength(2);
    expect(imported).not.toContain(runIds[0]);
    const copy = store.getRun(imported[0]!);
    const original = store.getRun(runIds[0]!);
    expect(copy.experimentId).not.toBe(original.experimentId);
    expect(store.getRun(imported[1]!).experimentId).toBe(copy.experimentId); // one experiment, as exported
    const strip = ({ id: _id, experimentId: _e, ...rest }: typeof copy) => rest;
    expect(strip(copy)).toEqual(strip(original));
    const keys = store.keys(runIds[0]!);
    expect(store.keys(imported[0]!)).toEqual(keys);
    const strip2 = (s: { runId: string }) => ({ ...s, runId: '' });
    expect(store.series({ runIds: [imported[0]!], keys }).map(strip2)).toEqual(store.series({ runIds: [runIds[0]!], keys }).map(strip2));
    expect(store.snapshot(imported[0]!)).toEqual({ step: 100, layers: [] });
  });

  it('exports a long-format CSV', () => {
    const { runIds } = store.createExperiment(experiment);
    store.appendFrames(runIds[0]!, lossFrames(20));
    store.appendFrames(runIds[0]!, [{ step: 200, epoch: 0, wallMs: 100, values: { 'train/loss': NaN } }]);
    const csv = store.exportRuns([runIds[0]!], 'csv');
    expect(csv.mimeType).toBe('text/csv');
    const lines = csv.content.trimEnd().split('\n');
    expect(lines[0]).toBe('run_id,variant,seed,key,step,wall_ms,value');
    expect(lines).toHaveLength(1 + 21 * 2 + 20); // header, epoch + loss at 21 steps, acc at 20
    expect(lines).toContain(`${runIds[0]},with BN,1,train/loss,30,15,0.25`);
    expect(lines).toContain(`${runIds[0]},with BN,1,train/loss,200,100,NaN`);
  });

  it.each([
    ['{nope', /^not a BatchNorm Lab export: the file is not valid JSON/],
    [JSON.stringify({ format: 'bnlab-runs', version: 2, runs: [] }), /^invalid runs export: version/],
    [JSON.stringify({ format: 'bnlab-runs', version: 1, runs: [] }), /the export holds no runs/],
    [JSON.stringify({ format: 'something-else' }), /^invalid runs export: format/],
  ])('rejects a bad import %# with a clear message and stores nothing', (content, message) => {
    expect(() => store.importRuns(content)).toThrow(message);
    expect(store.listRuns()).toEqual([]);
  });

  it('rejects an export whose series lengths disagree, storing none of its runs', () => {
    const { runIds } = store.createExperiment(experiment);
    store.appendFrames(runIds[0]!, lossFrames(3));
    const document = JSON.parse(store.exportRuns(runIds, 'json').content);
    document.runs[1].series['train/loss'] = { steps: [0, 10], wallMs: [0], values: [1, 2] };
    expect(() => store.importRuns(JSON.stringify(document))).toThrow(/series "train\/loss" of run .* has 2 steps, 2 values and 1 wall times/);
    expect(store.listRuns()).toHaveLength(2);
  });

  it('removes runs with their series and drops emptied experiments', () => {
    const { experimentId, runIds } = store.createExperiment(experiment);
    store.appendFrames(runIds[0]!, lossFrames(3));
    expect(store.removeRuns([runIds[0]!, 'r-missing'])).toBe(1);
    expect(() => store.getRun(runIds[0]!)).toThrow('no run');
    expect(store.listRuns()).toHaveLength(1);
    expect(store.db.prepare('SELECT COUNT(*) FROM points').pluck().get()).toBe(0);
    store.removeRuns([runIds[1]!]);
    expect(store.db.prepare('SELECT COUNT(*) FROM experiments WHERE id = ?').pluck().get(experimentId)).toBe(0);
  });

  it('reports a read-only database clearly and loses nothing', () => {
    const { runIds } = store.createExperiment(experiment);
    store.appendFrames(runIds[0]!, lossFrames(3));
    // Permissions don't bind root (CI containers): make the connection read-only through SQLite.
    store.db.pragma('query_only = ON');
    expect(() => store.appendFrames(runIds[0]!, lossFrames(3, 3))).toThrow(/the run database \(.*lab\.sqlite\) could not be written \(SQLITE_READONLY\); check that the data folder is writable/);
    store.db.pragma('query_only = OFF');
    expect(store.series({ runIds: [runIds[0]!], keys: ['train/loss'] })[0]!.steps).toEqual([0, 10, 20]);
  });

  it('reports a full disk clearly, loses nothing, and works again once there is space', () => {
    const { runIds } = store.createExperiment(experiment);
    const id = runIds[0]!;
    store.appendFrames(id, lossFrames(10));
    // SQLite's page limit stands in for a full disk: the same SQLITE_FULL, the same rollback.
    const pages = store.db.pragma('page_count', { simple: true }) as number;
    store.db.pragma(`max_page_count = ${pages}`);
    const big = lossFrames(5000, 10).map((f) => ({ ...f, values: { ...f.values, 'new/key': 1 } }));
    expect(() => store.appendFrames(id, big)).toThrow(/^the disk is full: the run database \(.*\) could not be written. Nothing stored before was lost/);
    expect(store.series({ runIds: [id], keys: ['train/loss'] })[0]!.steps).toHaveLength(10);
    expect(store.keys(id)).not.toContain('new/key');
    store.db.pragma('max_page_count = 1073741823');
    // Key ids handed out in the rolled-back transaction must not be reused for other keys.
    store.appendFrames(id, [{ step: 1000, epoch: 0, wallMs: 0, values: { 'other/key': 7, 'new/key': 3 } }]);
    expect(store.series({ runIds: [id], keys: ['other/key', 'new/key'] }).map((s) => [s.key, s.values])).toEqual([
      ['other/key', [7]],
      ['new/key', [3]],
    ]);
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
  });
});
