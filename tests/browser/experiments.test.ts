/** The guided experiments page in Chromium, on the real lab services: pick a question, run it, read findings. */
import { describe, expect, it } from 'vitest';
import { labInChromium, recordForeignRequests, screenshot } from './harness';

const env = labInChromium({ lab: { workers: 2 } });

describe('experiments page', () => {
  it('runs a preset and shows findings computed from its runs', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const foreign = recordForeignRequests(page, env.session.server.origin);
    await page.goto(env.session.server.url);
    await page.getByTestId('tab-experiments').click();
    await page.getByTestId('preset-why-standardize').click();
    await expect.poll(() => page.locator('h2', { hasText: 'Why standardize first?' }).count()).toBe(1);
    // The maths is typeset by KaTeX, bundled with the app.
    expect(await page.locator('.katex').count()).toBeGreaterThan(0);
    await page.getByTestId('preset-run-quick').click();
    const findings = page.getByTestId('preset-findings').locator('li');
    await expect.poll(() => findings.count(), { timeout: 150_000, interval: 1000 }).toBeGreaterThan(3);
    const text = (await findings.allInnerTexts()).join('\n');
    // Statements name their numbers and the variants that were actually run.
    expect(text).toMatch(/no norm · lr 0\.05: final test accuracy \d+\.\d%/);
    expect(text).toMatch(/batchnorm · lr 0\.5: final test accuracy \d+\.\d%/);
    expect(text).toMatch(/of the 6 runs diverged|none of the 6 runs diverged/);
    const runs = (await env.session.lab.store.listRuns()).filter((r) => r.experimentTitle.startsWith('Why standardize'));
    expect(runs).toHaveLength(6);
    expect(runs.every((r) => ['finished', 'diverged'].includes(r.status))).toBe(true);
    await screenshot(page, 'experiments-why-standardize');
    expect(foreign).toEqual([]);
    await page.close();
  });
});
