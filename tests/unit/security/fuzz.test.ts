/**
 * Fuzzing every LabApi method's input through the one dispatcher: thousands of random and
 * malformed payloads (wrong types, huge and non-finite numbers, prototype-pollution keys, deep
 * nesting). The dispatcher must never throw, never call a handler with input its schema rejects,
 * and always answer with a message.
 */
import { describe, expect, it } from 'vitest';
import { contractMethods, lookupMethod, type CallResult, type LabHandlers } from '../../../shared/api';
import { createDispatcher } from '../../../electron/lab/api/dispatch';
import { Rng } from '../../../shared/engine/random';

const rng = new Rng(20261121);
const KEYS = ['__proto__', 'constructor', 'prototype', 'runId', 'runIds', 'keys', 'experiment', 'name', 'format', 'files', 'source', 'kind', 'hash', 'content', 'action', 'layerId', 'maxPoints', 'stepRange', 'limit', 'status', 'text', 'path'];
const STRINGS = ['', 'r-1', '../../etc/passwd', 'a'.repeat(70), '<script>', 'mnist', 'csv', 'pause', '\u0000', '💥', 'train/loss', 'f'.repeat(64)];

function randomValue(depth = 0): unknown {
  const pick = rng.int(depth > 3 ? 8 : 11);
  switch (pick) {
    case 0: return undefined;
    case 1: return null;
    case 2: return rng.next() < 0.5;
    case 3: return [NaN, Infinity, -Infinity, 1e308, -0, 2 ** 53 + 1, rng.normal() * 1e6, rng.int(100)][rng.int(8)];
    case 4: return STRINGS[rng.int(STRINGS.length)];
    case 5: return rng.int(1000);
    case 6: return Symbol.for('x').description;
    case 7: return BigInt(rng.int(10)).toString();
    case 8: return Array.from({ length: rng.int(5) }, () => randomValue(depth + 1));
    default: {
      const object: Record<string, unknown> = {};
      for (let i = rng.int(6); i > 0; i--) object[KEYS[rng.int(KEYS.length)]!] = randomValue(depth + 1);
      if (rng.next() < 0.1) Object.defineProperty(object, '__proto__', { value: { polluted: true }, enumerable: true });
      return object;
    }
  }
}

describe('LabApi input validation under fuzzing', () => {
  it('never throws, never lets invalid input reach a handler, and always says what was wrong', async () => {
    const reached: Array<{ path: string; input: unknown }> = [];
    // Every handler records what it received and succeeds.
    const handlers = Object.fromEntries(
      Object.entries(contractMethodsByGroup()).map(([group, names]) => [group, Object.fromEntries(names.map((name) => [name, (input: unknown) => (reached.push({ path: `${group}.${name}`, input }), 'ok')]))]),
    ) as unknown as LabHandlers;
    const dispatch = createDispatcher(handlers);
    const methods = contractMethods().map((m) => m.path as string);
    let answered = 0;
    for (let i = 0; i < 6000; i++) {
      const path = rng.next() < 0.95 ? methods[rng.int(methods.length)]! : ['__proto__.x', 'app.constructor', 'runs', '', 'runs.list.x'][rng.int(5)]!;
      const input = randomValue();
      const before = reached.length;
      const result: CallResult = await dispatch(path, input);
      answered++;
      if (result.ok) {
        // Accepted input reached exactly its handler, and satisfies the method's schema.
        expect(reached.length).toBe(before + 1);
        expect(reached.at(-1)!.path).toBe(path);
        expect(lookupMethod(path)!.input.safeParse(input).success).toBe(true);
      } else {
        expect(reached.length).toBe(before);
        expect(result.error.message.length).toBeGreaterThan(5);
      }
    }
    expect(answered).toBe(6000);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

function contractMethodsByGroup(): Record<string, string[]> {
  const groups: Record<string, string[]> = {};
  for (const { group, name } of contractMethods()) (groups[group] ??= []).push(name);
  return groups;
}
