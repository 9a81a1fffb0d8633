/** A small argument parser: positionals, `--flag`, and `--option value` / `--option=value`. */
import { UserError } from '../api/dispatch';

const VALUED = new Set(['steps', 'workers', 'out', 'format', 'name', 'label-column']);

export interface ParsedArgs {
  positional: string[];
  flags: Set<string>;
  options: Map<string, string>;
  /** A positive whole-number option, or undefined when absent; throws for anything else. */
  number(name: string): number | undefined;
}

/** Parses bnlab's arguments; unknown options and missing values are UserErrors (exit code 2). */
export function parseArgs(argv: string[]): ParsedArgs {
  const positional: string[] = [];
  const flags = new Set<string>();
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    if (VALUED.has(name)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UserError(`--${name} needs a value`);
      options.set(name, value);
    } else if (['json', 'help', 'quick'].includes(name)) flags.add(name);
    else throw new UserError(`unknown option --${name}`);
  }
  return {
    positional,
    flags,
    options,
    number(name) {
      const raw = options.get(name);
      if (raw === undefined) return undefined;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < 1) throw new UserError(`--${name} must be a whole number ≥ 1, not "${raw}"`);
      return value;
    },
  };
}
