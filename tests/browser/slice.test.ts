/** The first vertical slice: the renderer, in real Chromium, shows what the lab services report. */
import { describe, expect, it } from 'vitest';
import { version_core } from '@tensorflow/tfjs-core';
import { labInChromium, recordForeignRequests, screenshot } from './harness';

const env = labInChromium();

describe('browser mode', () => {
  it('lists the built-in datasets and engine info from the lab services', async () => {
    const page = await env.browser.newPage();
    const foreign = recordForeignRequests(page, env.session.server.origin);
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(env.session.server.url);

    const rows = page.locator('[data-testid=dataset-list] tbody tr');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBeGreaterThan(1);
    const mnist = page.locator('[data-testid=dataset-list] tr[data-kind=mnist]');
    await expect.poll(() => mnist.count()).toBe(1);
    expect(await mnist.innerText()).toMatch(/60,000[\s\S]*10,000/);
    const expected = (await env.session.lab.datasets.list()).map((d) => d.name);
    expect(await page.locator('[data-testid=dataset-list] tbody tr td:first-child').allInnerTexts()).toEqual(expected);

    await expect.poll(() => page.locator('[data-testid=tfjs-version]').innerText().catch(() => '')).toBe(version_core);
    expect(await page.locator('[data-testid=app-info]').innerText()).toContain('browser mode');

    await screenshot(page, 'slice-datasets');
    expect(pageErrors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('does not reach the lab without the launch token', async () => {
    const page = await env.browser.newPage();
    await page.goto(env.session.server.origin + '/');
    await expect.poll(() => page.locator('[role=alert]').first().innerText().catch(() => ''), { timeout: 15_000 }).toMatch(/cannot reach the lab server/);
    await page.close();
  });
});
