import { describe, expect, it } from 'vitest';
import { channelOf, contractMethods, LabError, lookupMethod, type CallResult, type LabHandlers } from '../../../shared/api';
import { createLabClient } from '../../../shared/apiClient';
import { createDispatcher, UserError } from '../../../electron/lab/api/dispatch';

// Handlers for the few methods these tests call; the rest are never reached.
const handlers = {
  app: { info: () => ({ appVersion: 'x' }) },
  runs: {
    get: ({ runId }: { runId: string }) => {
      throw new UserError(`no run "${runId}"`);
    },
    list: (input: unknown) => input,
    cancel: () => {
      throw new Error('database is locked');
    },
  },
} as unknown as LabHandlers;

describe('the contract', () => {
  it('derives one unique channel per method', () => {
    const channels = contractMethods().map(({ path }) => channelOf(path));
    expect(new Set(channels).size).toBe(channels.length);
    expect(channels).toContain('bnlab:datasets.list');
    expect(channels).toContain('bnlab:experiments.start');
  });

  it('does not resolve inherited or malformed names', () => {
    expect(lookupMethod('app.info')).toBeDefined();
    expect(lookupMethod('app.toString')).toBeUndefined();
    expect(lookupMethod('__proto__.x')).toBeUndefined();
    expect(lookupMethod('app.info.extra')).toBeUndefined();
    expect(lookupMethod('app')).toBeUndefined();
  });
});

describe('the dispatcher', () => {
  const errors: unknown[] = [];
  const dispatch = createDispatcher(handlers, (_path, error) => errors.push(error));

  it('runs a valid call', async () => {
    expect(await dispatch('app.info', undefined)).toEqual({ ok: true, value: { appVersion: 'x' } });
  });

  it('applies schema defaults before the handler sees the input', async () => {
    expect(await dispatch('runs.list', undefined)).toEqual({ ok: true, value: { limit: 500 } });
  });

  it('rejects unknown methods and bad input with messages a person can act on', async () => {
    expect(await dispatch('runs.drop', {})).toEqual({ ok: false, error: { message: 'unknown lab method "runs.drop"' } });
    const bad = await dispatch('runs.series', { runIds: [], keys: ['train/loss'], maxPoints: 3 });
    expect(bad.ok).toBe(false);
    const { error } = bad as Extract<CallResult, { ok: false }>;
    expect(error.issues).toEqual(expect.arrayContaining([expect.stringMatching(/^runIds: /), expect.stringMatching(/^maxPoints: /)]));
    expect(error.message).toMatch(/^invalid input to runs\.series: /);
  });

  it('rejects an invalid experiment spec and says where', async () => {
    const result = await dispatch('experiments.start', {
      experiment: { title: 'x', runs: [{ variant: 'a', model: { layers: [{ kind: 'dense', id: 'out', units: 0 }] }, data: { source: { kind: 'mnist' } }, training: { learningRate: 0.1, batchSize: 60, duration: { steps: 10 } } }] },
    });
    expect(result).toMatchObject({ ok: false, error: { message: expect.stringContaining('experiment.runs[0].model.layers[0].units') } });
  });

  it("passes user errors' messages through and reports unexpected ones", async () => {
    expect(await dispatch('runs.get', { runId: 'r1' })).toEqual({ ok: false, error: { message: 'no run "r1"' } });
    expect(errors).toHaveLength(0);
    expect(await dispatch('runs.cancel', { runId: 'r1' })).toEqual({ ok: false, error: { message: 'database is locked' } });
    expect(errors).toHaveLength(1);
  });
});

describe('the client', () => {
  it('exposes every contract method and rethrows lab errors as LabError', async () => {
    const calls: string[] = [];
    const client = createLabClient({
      call: async (path) => {
        calls.push(path);
        return path === 'app.info' ? { ok: true, value: 42 } : { ok: false, error: { message: 'nope', issues: ['a: b'] } };
      },
      subscribe: () => () => {},
    });
    for (const { group, name } of contractMethods()) {
      expect(typeof (client as unknown as Record<string, Record<string, unknown>>)[group]![name]).toBe('function');
    }
    expect(await client.app.info()).toBe(42);
    const failure = await client.datasets.list().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(LabError);
    expect((failure as LabError).message).toBe('nope');
    expect((failure as LabError).issues).toEqual(['a: b']);
    expect(calls).toEqual(['app.info', 'datasets.list']);
  });
});
