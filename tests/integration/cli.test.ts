/**
 * The bnlab commands in-process (runCli with captured streams) on a temp BNLAB_HOME, real worker
 * threads and real data: what each command prints, its exit code, the `--json` report's shape, and
 * that bad input stores nothing. cliProcess.test.ts runs the real `bnlab` process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../../electron/lab/cli/cli';
import { presets } from '../../shared/presets';

let home: string;

/** Runs one command; what it printed and its exit code. */
async function bnlab(...args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } });
  return { code, stdout, stderr };
}

function writeExperiment(name: string, runs: Array<{ variant: string; bn?: boolean; training: Record<string, unknown>; data?: Record<string, unknown> }>): string {
  const file = path.join(home, name);
  writeFileSync(
    file,
    JSON.stringify({
      title: name,
      runs: runs.map(({ variant, bn = false, training, data }) => ({
        variant,
        model: {
          layers: [{ kind: 'dense', id: 'd1', units: 8 }, ...(bn ? [{ kind: 'norm', id: 'bn1' }] : []), { kind: 'activation', id: 'a1', fn: 'relu' }, { kind: 'dense', id: 'out', units: 2 }],
        },
        data: { source: { kind: 'synthetic', generator: 'moons', samples: 400 }, ...data },
        training: { batchSize: 16, logEvery: 10, evalEvery: 50, learningRate: 0.1, ...training },
      })),
    }),
  );
  return file;
}

const storedRuns = async () => JSON.parse((await bnlab('runs', '--json')).stdout) as Array<{ id: string; status: string; experimentTitle: string }>;

beforeAll(() => {
  home = mkdtempSync(path.join(os.tmpdir(), 'bnlab-cli-'));
  process.env.BNLAB_HOME = home;
});
afterAll(() => {
  delete process.env.BNLAB_HOME;
  rmSync(home, { recursive: true, force: true });
});

describe('bnlab run --json', () => {
  it('reports every run (status, final and best metrics) and exits 0 when all finish', async () => {
    const file = writeExperiment('pair.json', [
      { variant: 'with BN', bn: true, training: { duration: { steps: 100 } } },
      { variant: 'without BN', training: { duration: { steps: 100 } } },
    ]);
    const { code, stdout, stderr } = await bnlab('run', file, '--json', '--workers', '2');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Record<string, unknown> & { runs: Array<Record<string, unknown>> };
    expect(report).toMatchObject({ experiment: 'pair.json', presetId: null, seconds: expect.any(Number), findings: [] });
    expect(report.runs.map((r) => r.variant)).toEqual(['with BN', 'without BN']);
    for (const run of report.runs) {
      expect(run).toEqual({
        id: expect.stringMatching(/^r-/),
        variant: expect.any(String),
        seed: 1,
        status: 'finished',
        step: 100,
        totalSteps: 100,
        backend: 'wasm',
        error: null,
        final: { trainLoss: expect.any(Number), testAcc: expect.any(Number) },
        best: { testAcc: expect.any(Number) },
      });
      const best = (run.best as { testAcc: number }).testAcc;
      expect(best).toBeGreaterThanOrEqual((run.final as { testAcc: number }).testAcc);
      expect(best).toBeLessThanOrEqual(1);
    }
  });

  it('reports validation metrics for runs with a validation split, whose val series are stored and exported', async () => {
    const file = writeExperiment('validation.json', [
      { variant: 'validated', training: { duration: { steps: 100 } }, data: { validationFraction: 0.25 } },
      { variant: 'plain', training: { duration: { steps: 100 } } },
    ]);
    const { code, stdout } = await bnlab('run', file, '--json', '--workers', '2');
    expect(code).toBe(0);
    type Metrics = Record<string, number>;
    const [validated, plain] = (JSON.parse(stdout) as { runs: Array<{ id: string; final: Metrics; best: Metrics }> }).runs;
    expect(validated!.final).toEqual({ trainLoss: expect.any(Number), testAcc: expect.any(Number), validationLoss: expect.any(Number), validationAcc: expect.any(Number) });
    expect(validated!.best).toEqual({ testAcc: expect.any(Number), validationAcc: expect.any(Number) });
    expect(validated!.best.validationAcc).toBeGreaterThanOrEqual(validated!.final.validationAcc!);
    expect(plain!.final).toEqual({ trainLoss: expect.any(Number), testAcc: expect.any(Number) });
    expect(plain!.best).toEqual({ testAcc: expect.any(Number) });

    // The stored series, as an export reads them: val/* at every evaluation, only for the validated run.
    const rows = async (runId: string) =>
      (await bnlab('export', runId, '--format', 'csv')).stdout.trim().split('\n').slice(1).map((line) => line.split(','));
    const validatedRows = await rows(validated!.id);
    const steps = (key: string) => validatedRows.filter((r) => r[3] === key).map((r) => Number(r[4]));
    expect(steps('val/acc')).toEqual([50, 100]);
    expect(steps('val/loss')).toEqual(steps('test/acc'));
    const lastValAcc = Number(validatedRows.filter((r) => r[3] === 'val/acc').at(-1)![6]);
    expect(lastValAcc).toBe(validated!.final.validationAcc);
    // 400 samples − 80 for testing, a quarter of the remaining 320 for validation: accuracy counts 80 examples.
    expect(Math.abs(lastValAcc * 80 - Math.round(lastValAcc * 80))).toBeLessThan(1e-4);
    expect((await rows(plain!.id)).filter((r) => r[3]!.startsWith('val/'))).toEqual([]);
    // The summary table gains a validation column only when some run has the split.
    expect((await bnlab('run', file, '--steps', '20')).stdout).toMatch(/train loss\s+val acc\s+test acc\s+best test acc/);
  });

  it("reports a preset's findings as structured data {id, statement, value, unit}", async () => {
    const preset = presets.find((p) => p.id === 'why-standardize')!;
    const { code, stdout } = await bnlab('run', preset.id, '--steps', '30', '--json');
    const report = JSON.parse(stdout) as { presetId: string; runs: Array<{ status: string; step: number }>; findings: Array<Record<string, unknown>> };
    expect(report.presetId).toBe(preset.id);
    expect(report.runs).toHaveLength(preset.experiment({ steps: 30 }).runs.length);
    expect(code).toBe(report.runs.every((r) => r.status === 'finished') ? 0 : 1);
    expect(report.findings.length).toBeGreaterThan(0);
    for (const finding of report.findings) {
      expect(Object.keys(finding).sort()).toEqual(['id', 'statement', 'unit', 'value']);
      expect(finding).toMatchObject({ id: expect.any(String), statement: expect.any(String), unit: expect.any(String) });
      expect(finding.value === null || typeof finding.value === 'number').toBe(true);
    }
  });

  it("--quick runs a preset's short workshop version (--steps still shortens it)", async () => {
    const preset = presets.find((p) => p.id === 'why-standardize')!;
    // The quick version runs one seed per variant, the full one three: the run count tells them apart.
    expect(preset.experiment({ quick: true }).runs.length).toBeLessThan(preset.experiment().runs.length);
    const { code, stdout } = await bnlab('run', preset.id, '--quick', '--steps', '10', '--json');
    const report = JSON.parse(stdout) as { runs: Array<{ status: string; step: number }> };
    expect(report.runs).toHaveLength(preset.experiment({ quick: true, steps: 10 }).runs.length);
    expect(report.runs.every((r) => r.step === 10)).toBe(true);
    expect(code).toBe(report.runs.every((r) => r.status === 'finished') ? 0 : 1);
  });

  it('exits 1 when a run diverges, and still reports it in the table', async () => {
    const file = writeExperiment('diverge.json', [{ variant: 'huge lr', training: { learningRate: 50, loss: 'mse', duration: { steps: 300 } } }]);
    const { code, stdout } = await bnlab('run', file);
    expect(code).toBe(1);
    expect(stdout).toMatch(/huge lr\s+1\s+diverged/);
    expect(stdout).toMatch(/huge lr: diverged — the training loss became (NaN|infinite) at step \d+; try a smaller learning rate/);
  });

  it('prints plain status lines (no control characters) when stdout is not a terminal, then a summary table', async () => {
    const file = writeExperiment('plain.json', [{ variant: 'only', training: { duration: { steps: 40 } } }]);
    const { code, stdout } = await bnlab('run', file);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/\x1b\[/);
    expect(stdout).toMatch(/^only · seed 1: running\nonly · seed 1: finished \(step 40\)\n/);
    expect(stdout).toMatch(/run\s+variant\s+seed\s+status\s+steps\s+train loss\s+test acc\s+best test acc/);
  });

  it('writes the runs and the summary to --out DIR, and --steps shortens an experiment file', async () => {
    const file = writeExperiment('long.json', [{ variant: 'only', training: { duration: { steps: 100_000 } } }]);
    const out = path.join(home, 'out');
    const { code, stdout } = await bnlab('run', file, '--steps', '25', '--json', '--out', out);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { runs: Array<{ id: string; step: number; totalSteps: number }> };
    expect(report.runs[0]).toMatchObject({ step: 25, totalSteps: 25 });
    const files = readdirSync(out).sort();
    expect(files.filter((f) => f.endsWith('.json') && f !== 'summary.json')).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.csv'))).toHaveLength(1);
    expect(JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'))).toEqual({ experiment: 'long.json', runs: report.runs, findings: [] });
  });
});

describe('bnlab bad input', () => {
  it.each([
    [['run', 'no-such-preset'], /^bnlab: "no-such-preset" is neither a preset id \(see `bnlab presets`\) nor an existing file\n$/],
    [['run'], /run what\? give a preset id/],
    [['run', 'ioffe-fig1', '--steps', 'many'], /--steps must be a whole number ≥ 1, not "many"/],
    [['run', 'ioffe-fig1', '--workers', '0'], /--workers must be a whole number ≥ 1, not "0"/],
    [['run', 'ioffe-fig1', '--bogus'], /unknown option --bogus/],
    [['run', 'ioffe-fig1', '--steps'], /--steps needs a value/],
    [['run', 'experiment.json', '--quick'], /--quick picks a preset's short version; for an experiment file use --steps N/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['export'], /export which run\?/],
    [['export', 'r-nope'], /no run "r-nope"/],
    [['export', 'r-nope', '--format', 'xml'], /--format must be json or csv, not "xml"/],
    [['import', 'data.csv'], /give the dataset a name with --name/],
    [['import', path.join(os.tmpdir(), 'bnlab-missing.csv'), '--name', 'x'], /cannot read .*bnlab-missing\.csv: no such file/],
    [['import', 'data.parquet', '--name', 'x'], /"data\.parquet" is not a \.csv file; an IDX import takes two files/],
  ])('bnlab %j exits 2 with a clear message', async (args, message) => {
    const { code, stderr, stdout } = await bnlab(...args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });

  it('refuses an invalid experiment file naming the field, and stores nothing', async () => {
    const before = await storedRuns();
    const invalid = writeExperiment('invalid.json', [{ variant: 'bad', training: { learningRate: -1, duration: { steps: 10 } } }]);
    const result = await bnlab('run', invalid);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/invalid experiment in .*invalid\.json: runs\[0\]\.training\.learningRate: /);
    const unknownData = path.join(home, 'unknown-data.json');
    const spec = JSON.parse(readFileSync(writeExperiment('tmp.json', [{ variant: 'x', training: { duration: { steps: 10 } } }]), 'utf8')) as { runs: Array<{ data: unknown }> };
    spec.runs[0]!.data = { source: { kind: 'imported', hash: 'f'.repeat(64) } };
    writeFileSync(unknownData, JSON.stringify(spec));
    const missing = await bnlab('run', unknownData);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('bnlab: no imported dataset with hash ffffffffffff… (it may have been deleted)\n');
    expect(await storedRuns()).toEqual(before);
  });

  it('prints the usage on stderr with exit 2 when no command is given, and on stdout for help', async () => {
    const none = await bnlab();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^bnlab — BatchNorm Lab from the command line/);
    const help = await bnlab('help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes: 0 success, 1 a run failed or diverged, 2 bad input\./);
  });
});

describe('bnlab listings, export and import', () => {
  it('lists presets, datasets and runs', async () => {
    const list = JSON.parse((await bnlab('presets', '--json')).stdout) as Array<{ id: string; runCount: number }>;
    expect(list.map((p) => p.id)).toEqual(presets.map((p) => p.id));
    expect((await bnlab('presets')).stdout).toMatch(/^id\s+runs\s+question\n/);
    expect((await bnlab('datasets')).stdout).toMatch(/MNIST\s+mnist\s+28×28×1\s+10\s+60000\s+10000/);
    const runs = await storedRuns();
    expect(runs.length).toBeGreaterThan(0);
    expect((await bnlab('runs')).stdout).toContain(runs[0]!.id);
  });

  it('exports a run as JSON and CSV, to stdout or --out FILE', async () => {
    const run = (await storedRuns()).find((r) => r.status === 'finished')!;
    const csv = await bnlab('export', run.id, '--format', 'csv');
    expect(csv.code).toBe(0);
    expect(csv.stdout.split('\n')[0]).toBe('run_id,variant,seed,key,step,wall_ms,value');
    expect(csv.stdout).toContain(`${run.id},`);
    const file = path.join(home, 'export.json');
    const json = await bnlab('export', run.id, '--out', file);
    expect(json).toMatchObject({ code: 0, stdout: '', stderr: `wrote ${file}\n` });
    expect(readFileSync(file, 'utf8')).toContain(run.id);
  });

  it('imports a CSV dataset, and refuses a malformed one with its line and column', async () => {
    const data = path.join(home, 'toy.csv');
    writeFileSync(data, 'a,b,label\n' + Array.from({ length: 40 }, (_, i) => `${i},${i % 5},${i % 2 ? 'odd' : 'even'}`).join('\n'));
    const imported = await bnlab('import', data, '--name', 'toy', '--label-column', 'label');
    expect(imported).toMatchObject({ code: 0, stdout: 'imported "toy": 40 examples, input 2, 2 classes\n' });
    expect((await bnlab('datasets')).stdout).toMatch(/toy\s+imported/);
    const bad = path.join(home, 'bad.csv');
    writeFileSync(bad, 'a,b,label\n1,x,2\n');
    const rejected = await bnlab('import', bad, '--name', 'bad');
    expect(rejected.code).toBe(2);
    expect(rejected.stderr).toMatch(/bad\.csv, line 2, column 2 \(b\)/);
    expect((await bnlab('datasets')).stdout).not.toMatch(/^bad\s/m);
  });
});
