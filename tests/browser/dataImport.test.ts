/** Importing a CSV dataset in browser mode: the bytes go to the real dataset manager and the set becomes the draft's data. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { labInChromium, screenshot } from './harness';

const env = labInChromium();

describe('dataset import', () => {
  it('imports a CSV, selects it, previews it, and explains a bad file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bnlab-csv-'));
    const good = path.join(dir, 'ring.csv');
    const rows = ['x,y,label', ...Array.from({ length: 60 }, (_, i) => `${Math.cos(i)},${Math.sin(i)},${i % 2}`)];
    writeFileSync(good, rows.join('\n'));
    const bad = path.join(dir, 'bad.csv');
    writeFileSync(bad, 'x,y,label\n1,2,0\n3,4\n');

    const page = await env.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(env.session.server.url);
    await page.getByRole('button', { name: 'Import dataset…' }).click();
    await page.getByLabel('Files to import').setInputFiles(bad);
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await expect.poll(() => page.locator('.import-form [role=alert]').innerText().catch(() => ''), { timeout: 15_000 }).toMatch(/row|column/i);

    await page.getByLabel('Files to import').setInputFiles(good);
    await page.getByLabel('Dataset name').fill('Ring');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    const row = page.locator('[data-testid=dataset-list] tr[data-kind=imported]');
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    expect(await row.getAttribute('aria-selected')).toBe('true');
    expect(await row.locator('td').first().innerText()).toBe('Ring');
    expect(await page.locator('.import-form').count()).toBe(0);
    await expect.poll(() => page.locator('[data-testid=data-preview] canvas, [data-testid=data-preview] table').count(), { timeout: 15_000 }).toBe(1);
    await screenshot(page, 'data-import');
    await page.close();
  });
});
