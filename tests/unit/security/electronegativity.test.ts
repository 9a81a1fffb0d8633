/**
 * The Electronegativity gate (`npm run security`, scripts/security.mjs) really fails: the tool's
 * own CLI exits 0 whatever it finds, so the wrapper is what stops `npm test`. Run here on small
 * fixture apps; `npm test` runs it on the project itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');
const temp = mkdtempSync(path.join(os.tmpdir(), 'bnlab-electronegativity-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));

function fixture(name: string, files: Record<string, string>): string {
  const dir = path.join(temp, name);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  return dir;
}

function gate(dir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, 'scripts/security.mjs'), dir], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

// Guards like electron/main/security.ts, so only the window or the CSP under test is at fault.
const guards = `
const { app, session } = require('electron');
app.on('web-contents-created', (_e, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-navigate', (event) => event.preventDefault());
});
session.defaultSession.setPermissionRequestHandler((_c, _p, callback) => callback(false));
`;
const safeWindow = `
const { BrowserWindow } = require('electron');
new BrowserWindow({ webPreferences: { contextIsolation: true, sandbox: true, nodeIntegration: false, disableBlinkFeatures: 'Auxclick' } });
`;
const page = (csp: string) => `<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="${csp}"></head><body></body></html>`;
const ourCsp = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'";

type Outcome = Awaited<ReturnType<typeof gate>>;
let insecure: Outcome, secure: Outcome, looser: Outcome;
// The three scans run at once: most of each is the tool waiting for its (offline) release check.
beforeAll(async () => {
  [insecure, secure, looser] = await Promise.all([
    gate(fixture('insecure', { 'main.js': `${guards}\nconst { BrowserWindow } = require('electron');\nnew BrowserWindow({ webPreferences: { contextIsolation: false, sandbox: false } });\n`, 'index.html': page(ourCsp) })),
    gate(fixture('secure', { 'main.js': `${guards}\n${safeWindow}`, 'index.html': page(ourCsp) })),
    gate(fixture('remote-script', { 'main.js': `${guards}\n${safeWindow}`, 'index.html': page(ourCsp.replace("'wasm-unsafe-eval'", "'wasm-unsafe-eval' https://cdn.example.com")) })),
  ]);
});

describe('npm run security', () => {
  it('fails on insecure webPreferences, names the checks, and passes the same app made secure', () => {
    expect(insecure.code).toBe(1);
    expect(insecure.stderr).toMatch(/HIGH CONTEXT_ISOLATION_JS_CHECK .* at main\.js:/);
    expect(insecure.stderr).toMatch(/MEDIUM SANDBOX_JS_CHECK .* at main\.js:/);
    expect(secure.stderr).toBe('');
    expect(secure.code).toBe(0);
    // Our CSP's LOW note is accepted, and says why.
    expect(secure.stdout).toMatch(/accepted LOW CSP_GLOBAL_CHECK at index\.html.*wasm-unsafe-eval/);
  });

  it("accepts the CSP's LOW note only for a policy as strict as ours", () => {
    expect(looser.code).toBe(1);
    expect(looser.stderr).toMatch(/CSP_GLOBAL_CHECK .* at index\.html/);
  });
});
