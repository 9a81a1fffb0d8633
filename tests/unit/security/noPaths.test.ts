/**
 * File paths from the renderer are never trusted: no contract method takes one, and the one place
 * a file name crosses the boundary (bytes uploaded in browser mode) uses it as a label only. Under
 * Electron, datasets.import asks main's native dialog; whatever path the page sends is dropped.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { contractMethods, lookupMethod } from '../../../shared/api';
import { createLab } from '../../../electron/lab/lab';

/** A small valid CSV (the importer needs enough rows to hold some out for testing). */
const CSV = 'x1,x2,label\n' + Array.from({ length: 20 }, (_, i) => `${i % 3},${(i * 7) % 5},${i % 2 ? 'a' : 'b'}`).join('\n') + '\n';
const temp = mkdtempSync(path.join(os.tmpdir(), 'bnlab-nopaths-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

/** Every property name anywhere in a JSON schema, with where it was found. */
function propertyNames(schema: unknown, at: string, out: Array<{ name: string; at: string }> = []): Array<{ name: string; at: string }> {
  if (Array.isArray(schema)) schema.forEach((s, i) => propertyNames(s, `${at}[${i}]`, out));
  else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === 'properties' && value && typeof value === 'object') {
        for (const [name, sub] of Object.entries(value)) {
          out.push({ name, at: `${at}.${name}` });
          propertyNames(sub, `${at}.${name}`, out);
        }
      } else propertyNames(value, at, out);
    }
  }
  return out;
}

const PATHLIKE = /path|dir|folder|director|location|url|uri|^file$|^files?name$/i;
/** The only file-ish field: an uploaded file's own name, shown in messages, never opened. */
const ALLOWED = new Set(['datasets.import.files.fileName']);

function allFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? allFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

describe('no file paths from the renderer', () => {
  it('no contract method has an input field that could name a path', () => {
    const found: string[] = [];
    for (const { path: method } of contractMethods()) {
      const schema = z.toJSONSchema(lookupMethod(method)!.input, { io: 'input', unrepresentable: 'any' });
      for (const { name, at } of propertyNames(schema, method)) {
        const where = at.replace(/\.(items|anyOf|oneOf|allOf)(\[\d+\])?/g, '');
        if (PATHLIKE.test(name) && !ALLOWED.has(where)) found.push(where);
      }
    }
    expect(found).toEqual([]);
    // The walk really sees nested fields (so an added `path` deep inside would be caught).
    const importFields = propertyNames(z.toJSONSchema(lookupMethod('datasets.import')!.input, { io: 'input', unrepresentable: 'any' }), 'datasets.import').map((p) => p.name);
    expect(importFields).toEqual(expect.arrayContaining(['name', 'format', 'files', 'fileName', 'base64']));
  });

  it("datasets.import under Electron asks main's dialog and ignores any path the page sends", async () => {
    const asked: string[] = [];
    const lab = await createLab({
      dataDir: path.join(temp, 'electron'),
      transport: 'electron',
      appVersion: 'test',
      workers: 1,
      pickDatasetFiles: async (format) => (asked.push(format), [{ fileName: 'picked.csv', bytes: new TextEncoder().encode(CSV) }]),
    });
    try {
      const result = await lab.dispatch('datasets.import', { name: 'picked', format: 'csv', path: '/etc/passwd', filePath: '/etc/shadow', dir: '/' });
      expect(result).toMatchObject({ ok: true, value: { name: 'picked', trainCount: expect.any(Number) } });
      expect(asked).toEqual(['csv']);
    } finally {
      await lab.close();
    }
  });

  it("an uploaded file's name is a label: a traversal in it writes nothing outside the data folder", async () => {
    const outside = path.join(temp, 'browser');
    mkdirSync(outside);
    const dataDir = path.join(outside, 'data');
    const lab = await createLab({ dataDir, transport: 'browser', appVersion: 'test', workers: 1 });
    try {
      for (const [i, fileName] of ['../../escaped.csv', '/tmp/escaped.csv', '..\\..\\escaped.csv'].entries()) {
        const base64 = Buffer.from(`${CSV}${i},${i},a\n`).toString('base64'); // distinct content: each import is new
        const result = await lab.dispatch('datasets.import', { name: 'upload', format: 'csv', files: [{ fileName, base64 }] });
        expect(result, fileName).toMatchObject({ ok: true });
      }
      expect(allFiles(outside).every((file) => file.startsWith(dataDir + path.sep))).toBe(true);
      expect(allFiles(outside).some((file) => path.basename(file).includes('escaped'))).toBe(false);
    } finally {
      await lab.close();
    }
  });
});
