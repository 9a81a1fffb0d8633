/** The validation split end to end in real Chromium: set in the Data panel, trained by the lab, drawn in Watch. */
import { describe, expect, it } from 'vitest';
import { metricKey } from '../../shared/engine/frame';
import { labInChromium, screenshot } from './harness';

const env = labInChromium();

describe('validation split', () => {
  it('a validation fraction set in the Data panel is trained with, stored, and drawn in the loss and accuracy charts', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(env.session.server.url);

    const fraction = page.getByLabel('Validation fraction');
    await expect.poll(() => fraction.inputValue(), { timeout: 30_000 }).toBe('0');
    // The title explains where the examples come from.
    expect(await page.locator('label', { has: fraction }).getAttribute('title')).toMatch(/fraction of the training examples aside/);
    await fraction.fill('0.2');
    await fraction.dispatchEvent('change');
    await page.getByTestId('duration').fill('100');
    await page.getByTestId('duration').dispatchEvent('change');
    await page.getByLabel('Evaluate every').fill('50');
    await page.getByLabel('Evaluate every').dispatchEvent('change');
    await page.getByTestId('start-experiment').click();
    await expect.poll(() => page.getByTestId('tab-watch').getAttribute('aria-selected'), { timeout: 15_000 }).toBe('true');
    await expect.poll(() => page.getByTestId('run-status').allInnerTexts(), { timeout: 120_000, interval: 1000 }).toEqual(['finished at step 100']);

    const runId = (await page.locator('[data-testid=watch-runs] tbody tr').getAttribute('data-run-id'))!;
    const run = env.session.lab.store.getRun(runId);
    expect(run.spec.data.validationFraction).toBe(0.2);
    const [validationAcc] = env.session.lab.store.series({ runIds: [runId], keys: [metricKey.validationAcc] });
    expect(validationAcc!.steps).toEqual([50, 100]);

    // ECharts' accessible description names every series: the validation curves are drawn.
    const chartLabel = (panel: string) => page.locator(`[data-panel="${panel}"] [data-testid=chart-canvas]`).first().getAttribute('aria-label').then((v) => v ?? '');
    await expect.poll(() => chartLabel('loss'), { timeout: 30_000 }).toContain('validation');
    await expect.poll(() => chartLabel('accuracy'), { timeout: 30_000 }).toContain('validation');
    await screenshot(page, 'validation-watch');
    expect(errors).toEqual([]);
    await page.close();
  });
});
