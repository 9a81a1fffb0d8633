/**
 * The bnlab CLI as a user runs it: a child process on a temp BNLAB_HOME, real MNIST and synthetic
 * data, real worker threads. Every preset runs end to end in reduced-steps mode and reports findings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { presets } from '../../shared/presets';
import { RunStore } from '../../electron/lab/store/runStore';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/bnlab.mjs');
let home: string;

function bnlab(args: string[], timeout = 180_000) {
  const result = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, BNLAB_HOME: home }, encoding: 'utf8', timeout });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeExperiment(name: string, training: Record<string, unknown>): string {
  const file = path.join(home, name);
  writeFileSync(
    file,
    JSON.stringify({
      title: name,
      runs: [
        {
          variant: 'only',
          model: { layers: [{ kind: 'dense', id: 'd1', units: 8 }, { kind: 'activation', id: 'a1', fn: 'linear' }, { kind: 'dense', id: 'out', units: 2 }] },
          data: { source: { kind: 'synthetic', generator: 'moons', samples: 400 } },
          training: { batchSize: 16, logEvery: 10, ...training },
        },
      ],
    }),
  );
  return file;
}

beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-cli-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('bnlab run <preset> --steps (reduced mode, every preset)', () => {
  it.each(presets.map((p) => p.id))('%s trains end to end and reports its findings as JSON', (id) => {
    const { code, stdout, stderr } = bnlab(['run', id, '--steps', '12', '--json']);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as { presetId: string; runs: Array<{ status: string; step: number; final: { trainLoss: number | null } }>; findings: Array<{ id: string; statement: string; unit: string }> };
    expect(report.presetId).toBe(id);
    expect(report.runs.length).toBe(presets.find((p) => p.id === id)!.experiment({ steps: 12 }).runs.length);
    for (const run of report.runs) {
      expect(['finished', 'diverged']).toContain(run.status);
      if (run.status === 'finished') expect(run.step).toBe(12);
    }
    expect(code).toBe(report.runs.every((r) => r.status === 'finished') ? 0 : 1);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const finding of report.findings) expect(finding).toMatchObject({ id: expect.any(String), statement: expect.any(String), unit: expect.any(String) });
  });
});

describe('bnlab', () => {
  it('lists presets, datasets and runs', () => {
    const presetsOut = bnlab(['presets', '--json']);
    expect(presetsOut.code).toBe(0);
    expect((JSON.parse(presetsOut.stdout) as Array<{ id: string }>).map((p) => p.id)).toContain('ioffe-fig1');
    const datasets = bnlab(['datasets']);
    expect(datasets.stdout).toMatch(/MNIST\s+mnist\s+28×28×1\s+10\s+60000\s+10000/);
    const runs = bnlab(['runs', '--json']);
    expect((JSON.parse(runs.stdout) as unknown[]).length).toBeGreaterThan(0);
  });

  it('exits 2 with a clear message for bad input, and stores nothing', () => {
    const before = bnlab(['runs', '--json']).stdout;
    const unknown = bnlab(['run', 'no-such-preset']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/"no-such-preset" is neither a preset id \(see `bnlab presets`\) nor an existing file/);
    const invalid = bnlab(['run', writeExperiment('invalid.json', { learningRate: -1, duration: { steps: 10 } })]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/invalid experiment in .*invalid\.json: runs\[0\]\.training\.learningRate: /);
    expect(bnlab(['run', 'ioffe-fig1', '--steps', 'many']).stderr).toMatch(/--steps must be a whole number/);
    expect(bnlab(['frobnicate']).code).toBe(2);
    expect(bnlab(['runs', '--json']).stdout).toBe(before);
  });

  it('exits 1 when a run diverges, and still reports it', () => {
    const { code, stdout } = bnlab(['run', writeExperiment('diverge.json', { learningRate: 50, loss: 'mse', duration: { steps: 300 } })]);
    expect(code).toBe(1);
    expect(stdout).toMatch(/only\s+1\s+diverged/);
    expect(stdout).toMatch(/diverged — the training loss became (NaN|infinite) at step \d+; try a smaller learning rate/);
  });

  it('exports a run as CSV and imports a CSV dataset', () => {
    const runId = (JSON.parse(bnlab(['runs', '--json']).stdout) as Array<{ id: string }>)[0]!.id;
    const csv = bnlab(['export', runId, '--format', 'csv']);
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toBe('run_id,variant,seed,key,step,wall_ms,value');
    const data = path.join(home, 'toy.csv');
    writeFileSync(data, 'a,b,label\n' + Array.from({ length: 40 }, (_, i) => `${i},${i % 5},${i % 2 ? 'odd' : 'even'}`).join('\n'));
    const imported = bnlab(['import', data, '--name', 'toy', '--label-column', 'label']);
    expect(imported.stdout).toMatch(/imported "toy": 40 examples, input 2, 2 classes/);
    expect(bnlab(['datasets']).stdout).toMatch(/toy\s+imported/);
    const bad = path.join(home, 'bad.csv');
    writeFileSync(bad, 'a,b,label\n1,x,2\n');
    const rejected = bnlab(['import', bad, '--name', 'bad']);
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toMatch(/bad\.csv, line 2, column 2 \(b\)/);
  });

  it('survives being killed mid-run: earlier frames are intact and the run becomes interrupted', async () => {
    const file = writeExperiment('long.json', { learningRate: 0.05, duration: { steps: 1_000_000 } });
    const child = spawn(process.execPath, [bin, 'run', file], { env: { ...process.env, BNLAB_HOME: home }, stdio: 'ignore' });
    const store = RunStore.open(home);
    let runId = '';
    await expect
      .poll(
        () => {
          const run = store.listRuns({ text: 'long.json' })[0];
          runId = run?.id ?? '';
          return run ? store.series({ runIds: [run.id], keys: ['train/loss'] })[0]?.steps.length ?? 0 : 0;
        },
        { timeout: 60_000, interval: 250 },
      )
      .toBeGreaterThan(20);
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    const framesAtKill = store.series({ runIds: [runId], keys: ['train/loss'] })[0]!.steps;
    store.close();
    const reopened = RunStore.open(home);
    const run = reopened.getRun(runId);
    expect(run.status).toBe('interrupted');
    const kept = reopened.series({ runIds: [runId], keys: ['train/loss'] })[0]!.steps;
    expect(kept.length).toBeGreaterThanOrEqual(framesAtKill.length);
    expect(kept.slice(0, framesAtKill.length)).toEqual(framesAtKill);
    expect(reopened.listRuns().filter((r) => r.status === 'finished').length).toBeGreaterThan(0);
    reopened.close();
    expect(readdirSync(home)).toContain('lab.sqlite');
  });
});
