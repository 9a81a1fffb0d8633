/**
 * Fuzzing every LabApi method's input through the one dispatcher, as IPC or the browser-mode
 * socket would deliver it: per method, thousands of mutants of a valid call (a value somewhere
 * inside replaced by a wrong type, a huge or non-finite number, a hostile string, a deleted or
 * added key, prototype-pollution keys as JSON.parse makes them) plus random structures, and a few
 * hand-made hostile payloads (cycles, which structured clone carries; very deep nesting; very
 * large arrays). The dispatcher must never throw, never call a handler with input its schema
 * rejects, hand handlers only the parsed value, and always answer with a serializable message.
 */
import { describe, expect, it } from 'vitest';
import { contractMethods, lookupMethod, type CallResult, type LabHandlers } from '../../../shared/api';
import { createDispatcher } from '../../../electron/lab/api/dispatch';
import { Rng } from '../../../shared/engine/random';
import { presets } from '../../../shared/presets/catalog';

const MUTANTS_PER_METHOD = 2000;
const RANDOM_PER_METHOD = 500;
const rng = new Rng(20261121);
const HASH = 'a'.repeat(64);

/** One valid call of every method: the seeds the mutants grow from. */
const validInputs: Record<string, unknown> = {
  'app.info': undefined,
  'datasets.list': undefined,
  'datasets.preview': { source: { kind: 'synthetic', generator: 'moons', samples: 200 }, count: 16 },
  'datasets.import': { name: 'iris', format: 'csv', labelColumn: 'species', files: [{ fileName: 'iris.csv', base64: 'YSxiCjEsMgo=' }] },
  'datasets.rename': { hash: HASH, name: 'renamed' },
  'datasets.remove': { hash: HASH },
  'experiments.start': { experiment: presets[0]!.experiment({ quick: true }) },
  'runs.list': { status: ['finished'], text: 'bn', limit: 20 },
  'runs.get': { runId: 'r-1' },
  'runs.cancel': { runId: 'r-1' },
  'runs.rerun': { runId: 'r-1' },
  'runs.remove': { runIds: ['r-1', 'r_2'] },
  'runs.keys': { runId: 'r-1' },
  'runs.series': { runIds: ['r-1'], keys: ['train/loss'], maxPoints: 100, stepRange: [0, 500] },
  'runs.snapshot': { runId: 'r-1' },
  'runs.boundary': { runId: 'r-1' },
  'runs.export': { runIds: ['r-1'], format: 'csv' },
  'runs.import': { content: '{"runs":[]}' },
  'runs.control': { runId: 'r-1', action: 'pause' },
  'runs.inspect': { runId: 'r-1', layerId: 'bn1' },
  'presets.list': undefined,
  'files.openExperiment': undefined,
};

const HOSTILE_STRINGS = ['', ' ', '../../etc/passwd', '/etc/passwd', 'C:\\Windows\\win.ini', 'file:///etc/passwd', '\\\\server\\share', 'a'.repeat(100_000), '<script>alert(1)</script>', "'; DROP TABLE runs; --", '\u0000', '\ud800', '💥', '__proto__', 'constructor', 'NaN', '1e309', 'f'.repeat(64)];
const HOSTILE_NUMBERS = [NaN, Infinity, -Infinity, 1e308, -1e308, -0, 2 ** 53 + 1, -(2 ** 31), 0.5, -1, 1e-320, Number.MAX_SAFE_INTEGER];
/** Objects with own `__proto__`/`constructor` keys, exactly as JSON.parse builds them from a socket message. */
const POLLUTERS = ['{"__proto__":{"polluted":true}}', '{"constructor":{"prototype":{"polluted":true}}}', '{"__proto__":{"runId":"r-1"},"polluted":1}'];

function pick<T>(values: readonly T[]): T {
  return values[rng.int(values.length)]!;
}

function randomValue(depth = 0): unknown {
  switch (rng.int(depth > 3 ? 7 : 10)) {
    case 0: return pick([undefined, null, true, false]);
    case 1: return pick(HOSTILE_NUMBERS);
    case 2: return pick(HOSTILE_STRINGS);
    case 3: return rng.int(1000) - 500;
    case 4: return JSON.parse(pick(POLLUTERS)) as unknown;
    case 5: return pick([new Date(NaN), new Uint8Array(4), new Map([['runId', 'r-1']]), new Set([1]), /x/, new ArrayBuffer(8), 10n]);
    case 6: return pick(['r-1', 'bn1', 'csv', 'json', 'idx', 'pause', 'mnist', 'synthetic', 'train/loss', HASH]);
    case 7: return Array.from({ length: rng.int(5) }, () => randomValue(depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      const keys = ['__proto__', 'constructor', 'prototype', 'runId', 'runIds', 'keys', 'experiment', 'name', 'format', 'files', 'source', 'kind', 'hash', 'content', 'action', 'layerId', 'path', 'filePath', 'dir'];
      for (let i = rng.int(6); i > 0; i--) Object.defineProperty(object, pick(keys), { value: randomValue(depth + 1), enumerable: true, writable: true, configurable: true });
      return object;
    }
  }
}

/** Every path into `value` (object keys, array indices), including the root ([]). */
function pathsOf(value: unknown, prefix: Array<string | number> = []): Array<Array<string | number>> {
  const paths = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => paths.push(...pathsOf(v, [...prefix, i])));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths.push(...pathsOf(v, [...prefix, k]));
  return paths;
}

/** A deep copy of `seed` with one random change at a random place inside it. */
function mutate(seed: unknown): unknown {
  const copy = seed === undefined ? undefined : (structuredClone(seed) as unknown);
  const paths = pathsOf(copy);
  const target = pick(paths);
  if (target.length === 0) return rng.next() < 0.5 ? randomValue() : JSON.parse(pick(POLLUTERS));
  const parent = target.slice(0, -1).reduce<Record<string | number, unknown>>((node, key) => node[key] as Record<string | number, unknown>, copy as Record<string | number, unknown>);
  const key = target.at(-1)!;
  const action = rng.int(6);
  if (action === 0) delete parent[key];
  else if (action === 1) Object.defineProperty(parent, pick(['__proto__', 'constructor', 'path', 'extra']), { value: randomValue(), enumerable: true, writable: true, configurable: true });
  else if (action === 2) parent[key] = [parent[key]];
  else parent[key] = randomValue();
  return copy;
}

function recordingHandlers(reached: Array<{ path: string; input: unknown }>): LabHandlers {
  const groups: Record<string, Record<string, (input: unknown) => string>> = {};
  for (const { group, name, path } of contractMethods()) {
    (groups[group] ??= {})[name] = (input: unknown) => (reached.push({ path, input }), 'ok');
  }
  return groups as unknown as LabHandlers;
}

describe('LabApi input validation under fuzzing', () => {
  const methods = contractMethods().map((m) => m.path as string);

  it('has a valid seed call for every method of the contract', () => {
    expect(Object.keys(validInputs).sort()).toEqual([...methods].sort());
    for (const path of methods) expect(lookupMethod(path)!.input.safeParse(validInputs[path]).success, path).toBe(true);
  });

  it.each(methods)('%s: never throws, never lets invalid input reach its handler, always says what was wrong', async (path) => {
    const reached: Array<{ path: string; input: unknown }> = [];
    const dispatch = createDispatcher(recordingHandlers(reached));
    const schema = lookupMethod(path)!.input;
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < MUTANTS_PER_METHOD + RANDOM_PER_METHOD; i++) {
      const input = i < MUTANTS_PER_METHOD ? mutate(validInputs[path]) : randomValue();
      const before = reached.length;
      let result: CallResult;
      try {
        result = await dispatch(path, input);
      } catch (error) {
        throw new Error(`dispatch threw on ${path} with ${String(JSON.stringify(input, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).slice(0, 300)}: ${String(error)}`);
      }
      expect(() => JSON.stringify(result)).not.toThrow(); // it must travel back over IPC or the socket
      if (result.ok) {
        accepted++;
        expect(reached.length).toBe(before + 1);
        const received = reached.at(-1)!;
        expect(received.path).toBe(path);
        // The handler got the schema's output, which is itself valid input, with no smuggled keys.
        expect(schema.safeParse(received.input).success).toBe(true);
        if (received.input && typeof received.input === 'object') {
          expect(Object.getPrototypeOf(received.input)).toBe(Object.prototype);
          expect(Object.keys(received.input)).not.toEqual(expect.arrayContaining(['__proto__']));
          expect(Object.keys(received.input)).not.toEqual(expect.arrayContaining(['constructor']));
          if (input && typeof input === 'object') expect(received.input).not.toBe(input);
        }
      } else {
        refused++;
        expect(reached.length).toBe(before);
        expect(result.error.message).toMatch(new RegExp(`^invalid input to ${path.replace('.', '\\.')}: .{3,}`));
      }
    }
    expect(accepted + refused).toBe(MUTANTS_PER_METHOD + RANDOM_PER_METHOD);
    // Both sides were exercised (methods without input accept only undefined and refuse the rest).
    expect(refused).toBeGreaterThan(100);
    if (validInputs[path] !== undefined) expect(accepted).toBeGreaterThan(20);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('runId');
  });

  it('answers unknown and hostile method names without reaching any handler', async () => {
    const reached: Array<{ path: string; input: unknown }> = [];
    const dispatch = createDispatcher(recordingHandlers(reached));
    for (const path of ['__proto__.x', '__proto__.constructor', 'constructor.name', 'app.constructor', 'app.toString', 'app.__proto__', 'runs', 'runs.list.x', '', '.', 'runs.', '.list', 'toString', 'hasOwnProperty.call']) {
      const result = await dispatch(path, undefined);
      expect(result, path).toMatchObject({ ok: false, error: { message: expect.stringMatching(/unknown lab method/) } });
    }
    expect(reached).toEqual([]);
  });

  it('survives cycles, very deep nesting and very large payloads with a message', async () => {
    const reached: Array<{ path: string; input: unknown }> = [];
    const dispatch = createDispatcher(recordingHandlers(reached));
    const cyclic: Record<string, unknown> = { runId: 'r-1' };
    cyclic.self = cyclic;
    const cyclicValue: Record<string, unknown> = {};
    cyclicValue.runId = cyclicValue;
    let deep: unknown = 'r-1';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const hostile: unknown[] = [cyclic, cyclicValue, { runId: deep }, { runIds: deep }, { runIds: new Array(1_000_000).fill('r-1') }, { experiment: deep }, { content: 'x'.repeat(20_000_000) }, deep];
    for (const path of methods) {
      for (const input of hostile) {
        const result = await dispatch(path, input);
        expect(result.ok ? 'ok' : result.error.message.length > 5).toBeTruthy();
        if (!result.ok) continue;
        // Only a valid call may pass: e.g. the cycle hangs off a key the schema strips.
        expect(lookupMethod(path)!.input.safeParse(reached.at(-1)!.input).success).toBe(true);
      }
    }
  });
});
