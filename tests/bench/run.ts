/**
 * `npm run bench`: runs every tests/bench/*.bench.ts (or those named on the command line) and
 * prints one table. Each benchmark measures its own baseline in the same run, so the ratios
 * compare like with like on whatever machine this is. A benchmark that exports `optIn = true`
 * (one that takes many minutes) runs only when named.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BenchResult } from './types';

const benchDir = import.meta.dirname;
const wanted = process.argv.slice(2);
const files = readdirSync(benchDir)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => wanted.length === 0 || wanted.some((name) => file.includes(name)))
  .sort();

const rows: Array<BenchResult & { bench: string }> = [];
let failed = false;
for (const file of files) {
  const bench = path.basename(file, '.bench.ts');
  process.stdout.write(`running ${bench}…\n`);
  try {
    const module = (await import(pathToFileURL(path.join(benchDir, file)).href)) as { run: () => Promise<BenchResult[]>; optIn?: boolean };
    if (module.optIn && wanted.length === 0) {
      process.stdout.write(`  skipped: opt-in, run it with \`npm run bench ${bench}\`\n`);
      continue;
    }
    for (const result of await module.run()) rows.push({ bench, ...result });
  } catch (error) {
    failed = true;
    console.error(`${bench} failed:`, error);
  }
}

const format = (value: number | undefined) => (value === undefined ? '' : Number(value.toPrecision(4)).toLocaleString('en-US'));
console.log('\n' + ['bench', 'measure', 'value', 'unit', 'baseline', 'ratio', 'note'].join('\t'));
for (const row of rows) {
  console.log([row.bench, row.name, format(row.value), row.unit, format(row.baseline), row.ratio === undefined ? '' : `${row.ratio.toFixed(2)}×`, row.note ?? ''].join('\t'));
}
process.exit(failed ? 1 : 0);
