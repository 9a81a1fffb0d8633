/**
 * The batch inspector against a real training run: pause, step one batch at a time, and read
 * what the normalization layer did to that batch — the numbers the lab reports, shown as they are.
 */
import { describe, expect, it } from 'vitest';
import { labInChromium, screenshot } from './harness';

const env = labInChromium();

describe('batch inspector', () => {
  it('pauses a run, steps one batch and shows that batch through bn1', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(env.session.server.url);
    await page.getByTestId('duration').fill('200000');
    await page.getByTestId('duration').dispatchEvent('change');
    await page.getByTestId('start-experiment').click();
    await expect.poll(() => page.getByTestId('tab-watch').getAttribute('aria-selected'), { timeout: 15_000 }).toBe('true');

    const status = page.getByTestId('run-status');
    await expect.poll(() => status.innerText(), { timeout: 60_000 }).toBe('running');
    await expect.poll(() => page.getByLabel('Normalization layer to inspect').inputValue()).toBe('bn1');
    await page.getByRole('button', { name: 'Pause' }).click();
    await expect.poll(() => status.innerText(), { timeout: 30_000 }).toBe('paused');

    // Pausing shows the batch the run stopped on; stepping shows exactly the next one.
    const inspection = page.getByTestId('batch-inspection');
    const shownStep = async () => Number(((await inspection.locator('p').first().innerText().catch(() => '')).match(/Step ([\d,]+)/)?.[1] ?? 'NaN').replace(/,/g, ''));
    await expect.poll(shownStep, { timeout: 30_000 }).toBeGreaterThan(0);
    const pausedStep = await shownStep();
    expect(await status.innerText()).toBe('paused');
    await page.getByRole('button', { name: 'Step one batch' }).click();
    await expect.poll(shownStep, { timeout: 30_000 }).toBe(pausedStep + 1);
    const firstStep = pausedStep + 1;

    // The page shows the lab's own numbers for this batch.
    const runId = (await page.locator('[data-testid=watch-runs] tbody tr').getAttribute('data-run-id'))!;
    const truth = await env.session.lab.handlers.runs.inspect({ runId, layerId: 'bn1' });
    expect(truth.step).toBe(firstStep);
    const unit = inspection.locator('.unit').first();
    const batchRow = await unit.locator('tr', { hasText: 'this batch' }).locator('td').allInnerTexts();
    expect(batchRow).toEqual([truth.batchMean[0]!.toPrecision(4), truth.batchVar[0]!.toPrecision(4)]);
    const runningRow = await unit.locator('tr', { hasText: 'running' }).locator('td').allInnerTexts();
    expect(runningRow).toEqual([truth.runningMean[0]!.toPrecision(4), truth.runningVar[0]!.toPrecision(4)]);
    expect(await unit.locator('canvas').count()).toBe(3);
    expect(await unit.locator('[role=math]').count()).toBe(1);
    await screenshot(page, 'inspector-stepped');

    // One more batch: exactly one step further.
    await page.getByRole('button', { name: 'Step one batch' }).click();
    await expect.poll(shownStep, { timeout: 30_000 }).toBe(firstStep + 1);

    await page.getByRole('button', { name: /^Stop / }).click();
    await expect.poll(() => status.innerText(), { timeout: 30_000 }).toBe('cancelled');
    expect(errors).toEqual([]);
    await page.close();
  });
});
