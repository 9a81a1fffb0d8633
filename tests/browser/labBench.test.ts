/**
 * The lab bench end to end in real Chromium against the real lab services: build a model with BN,
 * turn γ learning off, see an invalid combination explained, train two variants on a 2-D set,
 * watch the charts update, compare the runs and read the config diff, and find it all again
 * after a reload.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Download, Page } from 'playwright-core';
import { artifactsDir, launchChromium, recordForeignRequests, screenshot, startLabSession, type LabSession } from './harness';

let session: LabSession;
let browser: Browser;
let page: Page;
const problems: string[] = [];

beforeAll(async () => {
  session = await startLabSession({ workers: 2 });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || (message.type() === 'warning' && message.text().startsWith('[Vue warn]'))) problems.push(`${message.type()}: ${message.text()}`);
  });
});
afterAll(async () => {
  await browser?.close();
  await session?.close();
});

/** The text of what a click downloads. */
async function downloaded(click: () => Promise<void>): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download') as Promise<Download>, click()]);
  return { name: download.suggestedFilename(), text: readFileSync((await download.path())!, 'latin1') };
}
const normCards = () => page.locator('article.layer-card[data-kind=norm]');
/** ECharts' accessible description of a chart (it lists the series and their data). */
const chartLabel = (panel: string) => page.locator(`[data-panel="${panel}"] [data-testid=chart-canvas]`).first().getAttribute('aria-label').then((v) => v ?? '');

describe('lab bench', () => {
  it('builds a model with BN and explains invalid norm settings inline', async () => {
    const foreign = recordForeignRequests(page, session.server.origin);
    await page.goto(session.server.url);
    await expect.poll(() => normCards().count(), { timeout: 30_000 }).toBe(2);

    // Remove bn2, then insert a fresh BN layer before act2 with the "+ BN here" bar.
    await page.getByRole('button', { name: 'Remove bn2' }).click();
    await expect.poll(() => normCards().count()).toBe(1);
    await page.getByRole('button', { name: 'Insert batch norm before act2' }).click();
    await expect.poll(() => normCards().count()).toBe(2);
    const inserted = normCards().nth(1);
    expect(await inserted.getAttribute('data-layer-id')).toBe('bn2');
    expect(await page.locator('article.layer-card').nth(4).getAttribute('data-layer-id')).toBe('bn2');

    // Alt+↑/↓ moves the focused card.
    await page.locator('[data-layer-id=act1]').focus();
    await page.keyboard.press('Alt+ArrowUp');
    await expect.poll(() => page.locator('article.layer-card').nth(1).getAttribute('data-layer-id')).toBe('act1');
    await page.keyboard.press('Alt+ArrowDown');
    await expect.poll(() => page.locator('article.layer-card').nth(2).getAttribute('data-layer-id')).toBe('act1');

    // γ learning off: the rendered formula names γ's fixed value instead of the symbol.
    const formula = page.locator('[data-layer-id=bn1] [data-testid=norm-formula] [role=math]').first();
    expect(await formula.getAttribute('aria-label')).toContain('learned gamma');
    await page.getByLabel('Learn γ (gamma) of bn1').uncheck();
    await expect.poll(() => formula.getAttribute('aria-label')).toContain('gamma fixed at 1');
    expect(await page.locator('[data-layer-id=bn1] .katex').first().innerText()).not.toContain('γ');

    // An invalid combination is explained where it is and blocks training; nothing is fixed silently.
    await page.getByLabel('Mode of bn2').selectOption('frozen');
    await page.getByLabel('Learn β (beta) of bn2').check();
    const bn2Problems = page.locator('[data-layer-id=bn2] [data-testid=norm-problems]');
    await expect.poll(() => bn2Problems.innerText().catch(() => '')).toMatch(/"frozen" keeps γ and β at fixed values/);
    expect(await page.getByLabel('Learn β (beta) of bn2').isChecked()).toBe(true);
    expect(await page.getByTestId('start-experiment').isDisabled()).toBe(true);
    await screenshot(page, 'bench-build-invalid');
    await page.getByLabel('Mode of bn2').selectOption('batchnorm');
    await expect.poll(() => bn2Problems.count()).toBe(0);
    expect(await page.getByTestId('start-experiment').isEnabled()).toBe(true);
    expect(foreign).toEqual([]);
  });

  it('trains two variants on a 2-D set and the live charts update', async () => {
    await page.locator('[data-testid=dataset-list] tr', { hasText: 'Circles' }).click();
    await page.getByTestId('duration').fill('200');
    await page.getByTestId('duration').dispatchEvent('change');
    await page.getByLabel('Log every').fill('5');
    await page.getByLabel('Log every').dispatchEvent('change');
    await page.getByLabel('Evaluate every').fill('50');
    await page.getByLabel('Evaluate every').dispatchEvent('change');
    await page.getByLabel('Experiment title').fill('BN vs none on circles');
    await page.getByRole('radio', { name: 'norm mode' }).check({ force: true });
    // none vs batchnorm is the default pair of modes to compare.
    expect(await page.getByRole('group', { name: 'Normalization modes to compare' }).getByRole('checkbox', { checked: true }).count()).toBe(2);
    // Each variant over two seeds, so the comparison can tell a difference from seed noise.
    await page.getByLabel('Seeds per variant').fill('2');
    await page.getByLabel('Seeds per variant').dispatchEvent('change');
    expect(await page.getByTestId('start-experiment').innerText()).toBe('Train 4 runs');
    await screenshot(page, 'bench-build');

    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.getByTestId('tab-watch').getAttribute('aria-selected'), { timeout: 15_000 }).toBe('true');
    const rows = page.locator('[data-testid=watch-runs] tbody tr');
    await expect.poll(() => rows.count(), { timeout: 15_000 }).toBe(4);

    // The loss chart appears and its content changes while the runs train.
    await expect.poll(() => page.locator('[data-panel=loss] [data-testid=chart-canvas] canvas').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    await expect.poll(() => chartLabel('loss'), { timeout: 30_000 }).toMatch(/\d/);
    const first = await chartLabel('loss');
    await expect.poll(() => chartLabel('loss'), { timeout: 60_000 }).not.toBe(first);
    await screenshot(page, 'bench-watch-live');

    await expect
      .poll(() => page.locator('[data-testid=watch-runs] [data-testid=run-status]').allInnerTexts(), { timeout: 150_000, interval: 1000 })
      .toEqual(new Array(4).fill('finished at step 200'));
    expect(await page.locator('[data-panel=accuracy]').count()).toBe(1);
    expect(await page.locator('[data-panel="gamma:bn1"]').count()).toBe(1);
    await screenshot(page, 'bench-watch-finished');
  });

  it('compares the two variants: diff table, summary, and it survives a reload', async () => {
    await page.getByTestId('tab-compare').click();
    await page.getByRole('button', { name: 'BN vs none on circles' }).click();
    const diff = page.locator('[data-testid=config-diff]');
    await expect.poll(() => diff.locator('tbody tr').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    // Only what differs: the variant name and the norm layers' mode and γ/β use.
    const paths = await diff.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-path')));
    expect(paths).toContain('variant');
    expect(paths).toContain('model.layers.bn1.mode');
    expect(paths).not.toContain('training.learningRate');
    const modeRow = await diff.locator('tr[data-path="model.layers.bn1.mode"] td').allInnerTexts();
    expect(modeRow).toEqual(['none', 'none', 'batchnorm', 'batchnorm']);
    expect(await diff.locator('tr[data-path="training.seed"] td').allInnerTexts()).toEqual(['1', '2', '1', '2']);

    // Seeds grouped by variant: one legend entry (mean with a band) per variant; ungrouped, one per run.
    const legend = page.locator('[data-testid=compare-legend] li');
    await expect.poll(() => legend.allInnerTexts()).toEqual(['no BN (2 seeds)', 'batchnorm (2 seeds)']);
    await expect.poll(() => chartLabel('loss'), { timeout: 15_000 }).toContain('no BN (2 seeds)');
    await page.getByLabel('group seeds').uncheck();
    await expect.poll(() => legend.count()).toBe(4);
    await page.getByLabel('group seeds').check();

    // Hide a variant: it leaves the charts, and comes back.
    await page.getByRole('button', { name: 'Hide no BN (2 seeds)' }).click();
    await expect.poll(() => chartLabel('loss')).not.toContain('no BN');
    await page.getByRole('button', { name: 'Show no BN (2 seeds)' }).click();
    await expect.poll(() => chartLabel('loss')).toContain('no BN');

    // Wheel zoom on a chart, then reset.
    const canvas = page.locator('[data-testid=compare-charts] [data-panel=loss] [data-testid=chart-canvas]');
    const box = (await canvas.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.wheel(0, -400);
    const reset = page.locator('[data-testid=compare-charts] [data-panel=loss]').getByRole('button', { name: 'reset zoom' });
    await expect.poll(() => reset.count()).toBe(1);
    await reset.click();
    await expect.poll(() => reset.count()).toBe(0);

    // Drag a box across the chart: it zooms to that range; a click does not zoom.
    const across = async (from: number, to: number) => {
      await page.mouse.move(box.x + box.width * from, box.y + box.height / 2);
      await page.mouse.down();
      await page.mouse.move(box.x + box.width * to, box.y + box.height / 2, { steps: 5 });
      await page.mouse.up();
    };
    await across(0.5, 0.5);
    await page.waitForTimeout(300);
    expect(await reset.count()).toBe(0);
    await across(0.4, 0.75);
    await expect.poll(() => reset.count()).toBe(1);
    await reset.click();
    await expect.poll(() => reset.count()).toBe(0);

    // The tooltip lists runs largest first, or nearest the pointer first: just inside the plot's
    // top edge (above both curves) and just inside its bottom edge (below both).
    const tooltipOrder = async (edge: 'top' | 'bottom') => {
      const y = edge === 'top' ? box.y + 16 : box.y + box.height - 40;
      await page.mouse.move(box.x + box.width * 0.6, y, { steps: 3 });
      const rows = page.locator('[data-testid=compare-charts] [data-panel=loss] div[style*="justify-content"] > span');
      // Every line the chart draws, each at its point nearest the cursor: both variants' train and test loss.
      await expect.poll(() => rows.count()).toBe(4);
      const names = await rows.allInnerTexts();
      expect(names.filter((n) => n.startsWith('no BN')).length).toBe(2);
      expect(names.filter((n) => n.startsWith('batchnorm')).length).toBe(2);
      return names;
    };
    const byValue = await tooltipOrder('top');
    expect(await tooltipOrder('bottom')).toEqual(byValue);
    await page.getByLabel('Tooltip order').selectOption('nearest');
    expect(await tooltipOrder('top')).toEqual(byValue);
    expect(await tooltipOrder('bottom')).toEqual([...byValue].reverse());
    await page.getByLabel('Tooltip order').selectOption('value');

    const summary = page.locator('[data-testid=summary-table] tbody tr');
    await expect.poll(() => summary.count()).toBe(4);
    await expect.poll(() => summary.first().innerText(), { timeout: 15_000 }).toMatch(/finished[\s\S]*\d+\.\d%/);
    await expect.poll(() => page.locator('[data-testid=compare-charts] [data-panel=loss] canvas').count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => chartLabel('loss'), { timeout: 30_000 }).toMatch(/no BN|batchnorm/);
    // End-of-run snapshots per unit: γ against √(σ² + ε) and β against μ for each norm layer.
    const scatters = page.locator('[data-testid=snapshot-scatter]');
    await expect.poll(() => scatters.count()).toBe(4);
    await expect.poll(() => scatters.first().locator('.chart-empty').count(), { timeout: 15_000 }).toBe(0);
    expect(await scatters.first().locator('[_echarts_instance_]').getAttribute('aria-label')).toMatch(/batchnorm/);
    await scatters.first().scrollIntoViewIfNeeded();
    await scatters.first().screenshot({ path: path.join(artifactsDir, 'bench-snapshot-scatter.png') });
    await screenshot(page, 'bench-compare');

    // Exports: a chart as PNG and SVG, the comparison as CSV.
    const png = await downloaded(() => page.getByRole('button', { name: 'Save Loss as PNG' }).first().click());
    expect(png.name).toBe('loss.png');
    expect(png.text.slice(1, 4)).toBe('PNG');
    const svg = await downloaded(() => page.getByRole('button', { name: 'Save Loss as SVG' }).first().click());
    expect(svg.text).toMatch(/^<svg[\s\S]*<path[\s\S]*<\/svg>$/);
    // The lines are in it (the page draws them on its own canvas; an export draws them as ECharts
    // series): the four curves are paths of many segments, where axes and ticks are short ones.
    const segments = [...svg.text.matchAll(/<path d="([^"]*)"/g)].map((m) => (m[1]!.match(/L/g) ?? []).length);
    expect(segments.filter((n) => n >= 20).length).toBeGreaterThanOrEqual(4);
    const csv = await downloaded(() => page.getByRole('button', { name: 'Export CSV' }).click());
    const lines = csv.text.trim().split('\n');
    expect(lines[0]).toBe('run_id,run,key,step,value,wall_ms');
    expect(lines.filter((l) => l.includes(',train/loss,')).length).toBe(4 * 40);

    await page.getByTestId('diff-only').uncheck();
    expect(await diff.locator('tbody tr').count()).toBeGreaterThan(paths.length);
    await page.getByTestId('diff-only').check();

    // Side by side: one column per variant (its seed group).
    await page.getByRole('radio', { name: 'Side by side' }).check({ force: true });
    const columns = page.locator('[data-testid=compare-charts] [data-panel=loss]');
    await expect.poll(() => columns.count()).toBe(2);
    // One cursor for the row: pointing at the left column's chart shows both columns' values there.
    const left = (await columns.nth(0).locator('[data-testid=chart-canvas]').boundingBox())!;
    await page.mouse.move(left.x + left.width * 0.6, left.y + left.height / 2, { steps: 3 });
    const tooltipNames = (column: number) => columns.nth(column).locator('div[style*="justify-content"] > span').allInnerTexts();
    await expect.poll(() => tooltipNames(0)).toEqual([expect.stringMatching(/^no BN/), expect.stringMatching(/^no BN/)]);
    await expect.poll(() => tooltipNames(1)).toEqual([expect.stringMatching(/^batchnorm/), expect.stringMatching(/^batchnorm/)]);
    // Both columns name the same step, the logged one nearest the cursor (not the step of whichever
    // row is largest: held-out loss is logged every 50 steps, train loss every 5).
    const tooltipStep = (column: number) => columns.nth(column).locator('.chart-tooltip > div').first().innerText();
    expect(await tooltipStep(0)).toMatch(/^step \d+$/);
    expect(await tooltipStep(1)).toBe(await tooltipStep(0));
    // The pointed-at column leaves (its runs hidden by keyboard, the pointer still): the column that
    // followed it drops the tooltip and cursor line rather than keeping them.
    await page.getByRole('button', { name: 'Hide no BN (2 seeds)' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => columns.count()).toBe(1);
    await expect.poll(() => tooltipNames(0)).toEqual([]);
    const cursorLine = columns.nth(0).locator('[data-testid=chart-canvas] > div[style*="width: 1px"]');
    expect(await cursorLine.count()).toBe(1);
    expect(await cursorLine.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Show no BN (2 seeds)' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => columns.count()).toBe(2);
    await page.mouse.move(left.x + left.width / 2, left.y - 40);
    await expect.poll(() => tooltipNames(1)).toEqual([]);
    await screenshot(page, 'bench-compare-side-by-side');
    await page.getByRole('radio', { name: 'Overlay' }).check({ force: true });

    // Dark theme by shortcut; the shortcut list opens with "?".
    await page.keyboard.press('Alt+t');
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.waitForTimeout(300);
    await screenshot(page, 'bench-compare-dark');
    await page.locator('body').press('?');
    await expect.poll(() => page.getByRole('dialog', { name: 'Keyboard shortcuts' }).count()).toBe(1);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0);

    // The open comparison and the draft survive a restart.
    await page.reload();
    await expect.poll(() => diff.locator('tr[data-path="model.layers.bn1.mode"] td').allInnerTexts(), { timeout: 30_000 }).toEqual(['none', 'none', 'batchnorm', 'batchnorm']);
    await page.getByTestId('tab-build').click();
    expect(await page.getByLabel('Learn γ (gamma) of bn1').isChecked()).toBe(false);
    expect(await page.getByLabel('Experiment title').inputValue()).toBe('BN vs none on circles');
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    expect(problems).toEqual([]);
  });
});
