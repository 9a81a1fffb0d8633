/**
 * `bnlab`: the lab without a display. Every command uses the same lab services as the app (one
 * createLab), so a CLI run is stored, listed and exported exactly like one started from a window.
 * Exit codes: 0 success, 1 a run failed/diverged/was cancelled (still reported), 2 bad input.
 * `runCli` is the whole program minus the process (main.ts): tests call it with their own streams.
 */
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { LabEvent, RunDetail, RunSummary } from '../../../shared/api';
import { metricKey } from '../../../shared/engine/frame';
import { ExperimentSpec } from '../../../shared/spec/experiment';
import { parseSpec, SpecError } from '../../../shared/spec/parse';
import { UserError } from '../api/dispatch';
import { createLab, type Lab } from '../lab';
import { resolveDataDir } from '../paths';
import { experimentFromFile, findPreset, listPresets, presetFindings, withSteps, type CliFinding } from './experiments';
import { parseArgs, type ParsedArgs } from './args';
import { ProgressView, type OutputStream } from './progress';

const USAGE = `bnlab — BatchNorm Lab from the command line

  bnlab presets                                   list the built-in experiments
  bnlab run <preset-id | file.json> [--quick] [--steps N] [--workers N] [--json] [--out DIR]
                                                  train every run of an experiment in parallel
                                                  (--quick: a preset's short workshop version)
  bnlab runs [--json]                             list stored runs
  bnlab export <run-id> [--format json|csv] [--out FILE]
  bnlab datasets [--json]                         list datasets
  bnlab import <file> [<labels-file>] --name NAME [--label-column C]

Data folder: $BNLAB_HOME, else ${resolveDataDir()}
Exit codes: 0 success, 1 a run failed or diverged, 2 bad input.`;

/** Where the CLI writes: the process's streams, or a test's. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
}

// The streams of the command in progress: a process runs one command at a time (runCli refuses a second).
let io: CliIo = { stdout: process.stdout, stderr: process.stderr };
let busy = false;
const print = (text: string) => io.stdout.write(`${text}\n`);

/** Runs one bnlab command and resolves to its exit code; errors are printed, never thrown. */
export async function runCli(argv: string[], streams: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  if (busy) throw new Error('runCli runs one command at a time');
  busy = true;
  io = streams;
  try {
    return await command(argv);
  } catch (error) {
    // Bad input (a UserError or an invalid spec) was refused before anything was stored.
    const input = error instanceof SpecError || error instanceof UserError;
    io.stderr.write(`bnlab: ${error instanceof Error ? error.message : String(error)}\n`);
    return input ? 2 : 1;
  } finally {
    busy = false;
  }
}

async function command(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const command = args.positional[0];
  if (!command) {
    io.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (command === 'help' || args.flags.has('help')) {
    print(USAGE);
    return 0;
  }
  switch (command) {
    case 'presets':
      return presetsCommand(args);
    case 'run':
      return runCommand(args);
    case 'runs':
      return withLab(async (lab) => printRuns(lab.store.listRuns(), args.flags.has('json')));
    case 'export':
      return exportCommand(args);
    case 'datasets':
      return withLab(async (lab) => {
        const list = lab.datasets.list();
        if (args.flags.has('json')) print(JSON.stringify(list, null, 2));
        else printTable(['name', 'kind', 'input', 'classes', 'train', 'test'], list.map((d) => [d.name, d.kind, d.inputShape.join('×'), String(d.numClasses), String(d.trainCount), String(d.testCount)]));
        return 0;
      });
    case 'import':
      return importCommand(args);
    default:
      throw new UserError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

async function withLab(fn: (lab: Lab) => Promise<number>, workers?: number): Promise<number> {
  const lab = await createLab({ dataDir: resolveDataDir(), transport: 'cli', appVersion: version(), ...(workers ? { workers } : {}) });
  try {
    return await fn(lab);
  } finally {
    await lab.close();
  }
}

function presetsCommand(args: ParsedArgs): number {
  const presets = listPresets();
  if (args.flags.has('json')) print(JSON.stringify(presets, null, 2));
  else printTable(['id', 'runs', 'question'], presets.map((p) => [p.id, String(p.runCount), p.question]));
  return 0;
}

async function runCommand(args: ParsedArgs): Promise<number> {
  const target = args.positional[1];
  if (!target) throw new UserError('run what? give a preset id (see `bnlab presets`) or an experiment file');
  const steps = args.number('steps');
  const workers = args.number('workers');
  const json = args.flags.has('json');
  // Validate everything before anything is stored.
  const preset = findPreset(target);
  const quick = args.flags.has('quick');
  if (quick && !preset) throw new UserError('--quick picks a preset\'s short version; for an experiment file use --steps N');
  let experiment: ExperimentSpec = preset ? preset.experiment({ steps, quick }) : experimentFromFile(target);
  if (!preset && steps) experiment = withSteps(experiment, steps);
  experiment = parseSpec(ExperimentSpec, experiment, 'experiment');

  return withLab(async (lab) => {
    const started = Date.now();
    const { runIds } = lab.handlers.experiments.start({ experiment }) as { runIds: string[] };
    const view = json ? null : new ProgressView(io.stdout, runIds.map((id, i) => ({ id, label: `${experiment.runs[i]!.variant} · seed ${experiment.runs[i]!.training.seed}` })));
    const unsubscribe = lab.events.subscribe((event: LabEvent) => view?.update(event));
    const stop = () => runIds.forEach((id) => lab.runner.cancel(id));
    process.once('SIGINT', stop);
    await lab.runner.whenIdle();
    process.off('SIGINT', stop);
    unsubscribe();
    view?.finish();

    const runs = runIds.map((id) => lab.store.getRun(id));
    const results = runs.map((run) => summarizeRun(lab, run));
    const findings: CliFinding[] = preset ? presetFindings(preset, lab, runs) : [];
    if (args.options.has('out')) {
      const dir = path.resolve(args.options.get('out')!);
      mkdirSync(dir, { recursive: true });
      for (const format of ['json', 'csv'] as const) {
        const file = lab.store.exportRuns(runIds, format);
        writeFileSync(path.join(dir, file.fileName), file.content);
      }
      writeFileSync(path.join(dir, 'summary.json'), JSON.stringify({ experiment: experiment.title, runs: results, findings }, null, 2));
    }
    if (json) {
      print(JSON.stringify({ experiment: experiment.title, presetId: preset?.id ?? null, seconds: (Date.now() - started) / 1000, runs: results, findings }, null, 2));
    } else {
      print(`\n${experiment.title}: ${runs.length} run${runs.length === 1 ? '' : 's'} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      // Validation columns only when some run has a validation split.
      const validated = results.some((r) => 'validationAcc' in r.final);
      printTable(
        ['run', 'variant', 'seed', 'status', 'steps', 'train loss', ...(validated ? ['val acc'] : []), 'test acc', 'best test acc'],
        results.map((r) => [r.id, r.variant, String(r.seed), r.status, String(r.step), fmt(r.final.trainLoss), ...(validated ? [fmt(r.final.validationAcc ?? null)] : []), fmt(r.final.testAcc), fmt(r.best.testAcc)]),
      );
      for (const r of results.filter((r) => r.error)) print(`\n${r.variant}: ${r.status} — ${r.error}`);
      if (findings.length) {
        print('\nFindings');
        for (const finding of findings) print(`  • ${finding.statement}`);
      }
    }
    return runs.every((run) => run.status === 'finished') ? 0 : 1;
  }, workers);
}

/**
 * Status, final and best metrics of one run, as the summary table and --json report them;
 * validation metrics only for a run with a validation split.
 */
function summarizeRun(lab: Lab, run: RunDetail) {
  const series = lab.store.series({ runIds: [run.id], keys: [metricKey.testAcc, metricKey.trainLoss, metricKey.validationLoss, metricKey.validationAcc] });
  const values = (key: string) => series.find((s) => s.key === key)?.values.filter(Number.isFinite) ?? [];
  const last = (key: string) => values(key).at(-1) ?? null;
  const best = (key: string) => (values(key).length ? Math.max(...values(key)) : null);
  const validated = run.spec.data.validationFraction > 0;
  return {
    id: run.id,
    variant: run.variant,
    seed: run.seed,
    status: run.status,
    step: run.step,
    totalSteps: run.totalSteps,
    backend: run.backend,
    error: run.error,
    final: {
      trainLoss: last(metricKey.trainLoss),
      testAcc: last(metricKey.testAcc),
      ...(validated ? { validationLoss: last(metricKey.validationLoss), validationAcc: last(metricKey.validationAcc) } : {}),
    },
    best: { testAcc: best(metricKey.testAcc), ...(validated ? { validationAcc: best(metricKey.validationAcc) } : {}) },
  };
}

async function exportCommand(args: ParsedArgs): Promise<number> {
  const runId = args.positional[1];
  if (!runId) throw new UserError('export which run? give a run id (see `bnlab runs`)');
  const format = args.options.get('format') ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new UserError(`--format must be json or csv, not "${format}"`);
  return withLab(async (lab) => {
    const file = lab.store.exportRuns([runId], format);
    const out = args.options.get('out');
    if (out) {
      writeFileSync(out, file.content);
      io.stderr.write(`wrote ${out}\n`);
    } else io.stdout.write(file.content);
    return 0;
  });
}

async function importCommand(args: ParsedArgs): Promise<number> {
  const files = args.positional.slice(1);
  const name = args.options.get('name');
  if (files.length === 0) throw new UserError('import which file? bnlab import <file.csv> --name NAME, or <images.idx> <labels.idx> --name NAME');
  if (!name) throw new UserError('give the dataset a name with --name');
  const format = files.length === 2 ? 'idx' : files[0]!.toLowerCase().endsWith('.csv') || files[0]!.toLowerCase().endsWith('.txt') ? 'csv' : null;
  if (!format) throw new UserError(`"${files[0]}" is not a .csv file; an IDX import takes two files (images and labels)`);
  const labelOption = args.options.get('label-column');
  const labelColumn = labelOption === undefined ? undefined : /^\d+$/.test(labelOption) ? Number(labelOption) : labelOption;
  const read = files.map((file) => {
    try {
      return { fileName: path.basename(file), bytes: new Uint8Array(readFileSync(file)) };
    } catch (error) {
      throw new UserError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
  });
  return withLab(async (lab) => {
    const info = lab.datasets.importFiles({ name, format, files: read, ...(labelColumn !== undefined ? { labelColumn } : {}) });
    print(`imported "${info.name}": ${info.trainCount + info.testCount} examples, input ${info.inputShape.join('×')}, ${info.numClasses} classes`);
    return 0;
  });
}

function printRuns(runs: RunSummary[], json: boolean): number {
  if (json) print(JSON.stringify(runs, null, 2));
  else if (runs.length === 0) print('no runs yet: try `bnlab presets`, then `bnlab run <preset-id>`');
  else printTable(['run', 'experiment', 'variant', 'status', 'step', 'test acc', 'created'], runs.map((r) => [r.id, r.experimentTitle, r.variant, r.status, `${r.step}/${r.totalSteps}`, fmt(r.latest[metricKey.testAcc] ?? null), r.createdAt.slice(0, 19).replace('T', ' ')]));
  return 0;
}

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  print(line(header));
  print(line(widths.map((w) => '─'.repeat(w))));
  for (const row of rows) print(line(row));
}

function fmt(value: number | null | undefined): string {
  return value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(4);
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'dev';
  }
}
