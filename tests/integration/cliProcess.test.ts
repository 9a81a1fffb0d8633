/**
 * The real `bnlab` process (bin/bnlab.mjs from source) on a temp BNLAB_HOME: presets end to end in
 * reduced mode, exit codes as the shell sees them, and crash safety under SIGKILL. The commands'
 * details are tested in-process in cli.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { presets } from '../../shared/presets';
import { RunStore } from '../../electron/lab/store/runStore';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/bnlab.mjs');
let home: string;

function bnlab(args: string[], timeout = 120_000) {
  const result = spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, BNLAB_HOME: home }, encoding: 'utf8', timeout });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function writeExperiment(name: string, training: Record<string, unknown>): string {
  const file = path.join(home, name);
  const run = {
    variant: 'only',
    model: { layers: [{ kind: 'dense', id: 'd1', units: 8 }, { kind: 'activation', id: 'a1', fn: 'linear' }, { kind: 'dense', id: 'out', units: 2 }] },
    data: { source: { kind: 'synthetic', generator: 'moons', samples: 400 } },
    training: { batchSize: 16, logEvery: 10, ...training },
  };
  writeFileSync(file, JSON.stringify({ title: name, runs: [run] }));
  return file;
}

beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-cli-process-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

// One preset of each kind the CLI handles differently in nothing but cost: an MLP on MNIST, a
// synthetic-data comparison, and a CNN. Every preset's runs are trained by the engine's preset test
// and every finding is tested on synthetic results in tests/unit/presets.
const SAMPLE = ['ioffe-fig1', 'why-standardize', 'max-pool-statistics'];

describe('bnlab run <preset> --steps (reduced mode)', () => {
  it('samples exist in the registry, and cover a CNN and a synthetic-data preset', () => {
    const sampled = SAMPLE.map((id) => presets.find((p) => p.id === id)!.experiment({ steps: 12 }));
    expect(sampled.some((e) => e.runs.some((r) => r.model.layers.some((l) => l.kind === 'conv2d')))).toBe(true);
    expect(sampled.some((e) => e.runs.every((r) => r.data.source.kind === 'synthetic'))).toBe(true);
  });

  it.each(SAMPLE)('%s trains end to end and reports its findings as JSON', (id) => {
    const { code, stdout, stderr } = bnlab(['run', id, '--steps', '12', '--json']);
    expect(stderr).toBe('');
    const report = JSON.parse(stdout) as { presetId: string; runs: Array<{ status: string; step: number }>; findings: Array<{ id: string; statement: string; unit: string }> };
    expect(report.presetId).toBe(id);
    expect(report.runs.length).toBe(presets.find((p) => p.id === id)!.experiment({ steps: 12 }).runs.length);
    for (const run of report.runs) {
      expect(['finished', 'diverged']).toContain(run.status);
      if (run.status === 'finished') expect(run.step).toBe(12);
    }
    expect(code).toBe(report.runs.every((r) => r.status === 'finished') ? 0 : 1);
    expect(report.findings.length).toBeGreaterThan(0);
  });
});

describe('bnlab process', () => {
  it('exits with 2 for bad input and 1 for a diverged run, as the shell sees it', () => {
    const bad = bnlab(['run', 'no-such-preset']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('bnlab: "no-such-preset" is neither a preset id (see `bnlab presets`) nor an existing file\n');
    const diverged = bnlab(['run', writeExperiment('diverge.json', { learningRate: 50, loss: 'mse', duration: { steps: 300 } })]);
    expect(diverged.code).toBe(1);
    expect(diverged.stdout).toMatch(/only\s+1\s+diverged/);
  });

  it('survives being killed mid-run: frames up to the last flush are intact and the run becomes interrupted', async () => {
    const file = writeExperiment('long.json', { learningRate: 0.05, duration: { steps: 1_000_000 } });
    const child = spawn(process.execPath, [bin, 'run', file], { env: { ...process.env, BNLAB_HOME: home }, stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const store = RunStore.open(home);
    let runId = '';
    // Several flushes (one a second at most) must have landed before the kill.
    await expect
      .poll(
        () => {
          const run = store.listRuns({ text: 'long.json' })[0];
          runId = run?.id ?? '';
          return run ? (store.series({ runIds: [run.id], keys: ['train/loss'] })[0]?.steps.length ?? 0) : 0;
        },
        { timeout: 60_000, interval: 100 },
      )
      .toBeGreaterThan(20);
    expect(store.getRun(runId).status).toBe('running');
    child.kill('SIGKILL');
    await exited;
    const framesAtKill = store.series({ runIds: [runId], keys: ['train/loss'] })[0]!.steps;
    store.close();

    const reopened = RunStore.open(home);
    const run = reopened.getRun(runId);
    expect(run.status).toBe('interrupted');
    const kept = reopened.series({ runIds: [runId], keys: ['train/loss'] })[0]!.steps;
    // Nothing read before the kill is lost; the only frames after it are ones already committed.
    expect(kept.slice(0, framesAtKill.length)).toEqual(framesAtKill);
    expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => (i + 1) * 10));
    expect(reopened.db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    reopened.close();
  });
});
