/**
 * Workshop mode in Chromium against the real lab services: an instructor saves the bench's
 * experiment as a workshop file with questions and locked/hidden controls; a participant (a fresh
 * browser profile) opens it through the file picker, sees the questions and the locked controls
 * disabled, trains it and watches the workshop's charts beside the questions; a tampered file
 * dropped on the window is refused with what is wrong and changes nothing; leaving the workshop
 * gives the bench back, and a draft saved by an earlier version still opens.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Download, Page } from 'playwright-core';
import { getPreset, presetWorkshop } from '../../shared/presets';
import { parseWorkshopFile, workshopFileText, type WorkshopFile } from '../../shared/spec/workshop';
import { defaultDraft } from '../../renderer/src/build/draft';
import { labInChromium, recordForeignRequests, screenshot } from './harness';

const env = labInChromium({ lab: { workers: 2 } });
let saved: { name: string; text: string };

/** Page errors and Vue warnings, which must stay empty. */
function problemsOf(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || (message.type() === 'warning' && message.text().startsWith('[Vue warn]'))) problems.push(`${message.type()}: ${message.text()}`);
  });
  return problems;
}

/** Sets a number field the way a person does (the editors apply values on change). */
async function setNumber(page: Page, label: string, value: number): Promise<void> {
  await page.getByLabel(label, { exact: true }).fill(String(value));
  await page.getByLabel(label, { exact: true }).dispatchEvent('change');
}

/** Drops a file built in the page (a DataTransfer, as a real drop carries); says whether the page cancelled the drop's default (navigation). */
function dropFile(page: Page, name: string, text: string): Promise<boolean> {
  return page.evaluate(
    ({ name, text }) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([text], name, { type: 'application/json' }));
      const target = document.querySelector('main') ?? document.body;
      const fire = (type: string) => {
        const event = new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true });
        target.dispatchEvent(event);
        return event.defaultPrevented;
      };
      const overPrevented = fire('dragover');
      return overPrevented && fire('drop');
    },
    { name, text },
  );
}

const banner = (page: Page) => page.getByTestId('workshop-banner');

describe('workshop mode', () => {
  it('an instructor saves the bench’s experiment with questions, locked and hidden controls', async () => {
    const page = await env.browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems = problemsOf(page);
    await page.goto(env.session.server.url);
    await page.getByTestId('tab-build').click();
    await page.getByLabel('Experiment title').fill('Moons workshop');
    await setNumber(page, 'Duration', 150);
    await setNumber(page, 'Log every', 5);
    await setNumber(page, 'Evaluate every', 50);
    await page.getByRole('radio', { name: 'with / without BN' }).check({ force: true });
    expect(await page.getByTestId('start-experiment').innerText()).toBe('Train 2 runs');

    await page.getByTestId('save-workshop').click();
    const dialog = page.getByTestId('workshop-dialog');
    await dialog.getByLabel('Question 1', { exact: true }).fill('Which run reaches 90% accuracy first?');
    await dialog.getByTestId('add-prompt').click();
    await dialog.getByLabel('Question 2', { exact: true }).fill('How does the input to act2 move without BN?');
    await dialog.getByLabel('Model layers: locked').check();
    await dialog.getByLabel('Training settings: locked').check();
    await dialog.getByLabel('Seeds: hidden').check();
    await screenshot(page, 'workshop-save-dialog');
    const [download] = await Promise.all([page.waitForEvent('download') as Promise<Download>, dialog.getByTestId('workshop-save').click()]);
    saved = { name: download.suggestedFilename(), text: readFileSync((await download.path())!, 'utf8') };
    await expect.poll(() => dialog.count()).toBe(0);

    expect(saved.name).toBe('Moons-workshop.bnlab.json');
    const file = parseWorkshopFile(saved.text, saved.name);
    expect(file.experiment.title).toBe('Moons workshop');
    expect(file.experiment.runs.map((r) => r.variant)).toEqual(['with BN', 'without BN']);
    expect(file.experiment.runs.every((r) => 'steps' in r.training.duration && r.training.duration.steps === 150)).toBe(true);
    expect(file.prompts).toEqual(['Which run reaches 90% accuracy first?', 'How does the input to act2 move without BN?']);
    expect(file).toMatchObject({ locked: ['model', 'training'], hidden: ['seeds'] });
    expect(file.charts.map((c) => c.id)).toEqual(['accuracy', 'loss', 'pre-act2', 'undo-bn1', 'undo-bn2']);

    // A preset's page saves the preset with its own charts and questions.
    await page.getByTestId('tab-experiments').click();
    await page.getByTestId('preset-noisy-bn').click();
    await page.getByTestId('preset-save-workshop').click();
    await dialog.getByLabel('Data: locked').check();
    const [presetDownload] = await Promise.all([page.waitForEvent('download') as Promise<Download>, dialog.getByTestId('workshop-save').click()]);
    const presetFile = parseWorkshopFile(readFileSync((await presetDownload.path())!, 'utf8'), presetDownload.suggestedFilename());
    const preset = presetWorkshop(getPreset('noisy-bn')!);
    expect(presetFile).toEqual({ ...preset, locked: ['data'] });
    expect(problems).toEqual([]);
    await page.close();
  });

  it('a participant opens it, sees the questions and locked controls, and trains it', async () => {
    // A fresh profile: the participant's own machine.
    const context = await env.browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await context.newPage();
    const problems = problemsOf(page);
    const foreign = recordForeignRequests(page, env.session.server.origin);
    await page.goto(env.session.server.url);
    await page.getByTestId('tab-build').click();
    expect(await page.getByLabel('Experiment title').inputValue()).toBe('BN on two moons');

    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('open-file').click()]);
    await chooser.setFiles({ name: saved.name, mimeType: 'application/json', buffer: Buffer.from(saved.text) });
    await expect.poll(() => banner(page).innerText().catch(() => '')).toMatch(/Workshop: Moons workshop/);
    expect(await banner(page).innerText()).toMatch(/locked: model layers, training settings.*hidden: seeds/s);

    // The questions, the locked controls shown but disabled and labelled, the hidden one absent.
    const prompts = page.getByTestId('workshop-prompts');
    expect(await prompts.locator('li').allInnerTexts()).toEqual(['Which run reaches 90% accuracy first?', 'How does the input to act2 move without BN?']);
    expect(await page.getByLabel('Learning rate', { exact: true }).isDisabled()).toBe(true);
    expect(await page.getByLabel('Units of d1').isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Remove bn1' }).isDisabled()).toBe(true);
    expect(await page.locator('[data-locked=training]').innerText()).toContain('locked by the workshop file');
    expect(await page.locator('[data-locked=model]').count()).toBe(1);
    expect(await page.getByLabel('Seeds per variant').count()).toBe(0);
    // Norm options are not locked: the participant may change them.
    expect(await page.getByLabel('Mode of bn1').isEnabled()).toBe(true);
    expect(await page.getByTestId('start-experiment').innerText()).toBe('Train 2 runs');
    await screenshot(page, 'workshop-participant-build');

    // Still a workshop after a restart.
    await page.reload();
    await expect.poll(() => banner(page).innerText().catch(() => '')).toMatch(/Workshop: Moons workshop/);
    expect(await page.getByLabel('Learning rate', { exact: true }).isDisabled()).toBe(true);

    await page.getByTestId('start-experiment').click();
    await expect.poll(() => page.getByTestId('tab-watch').getAttribute('aria-selected'), { timeout: 15_000 }).toBe('true');
    const charts = page.getByTestId('workshop-charts');
    await expect.poll(() => charts.locator('[data-panel=accuracy] canvas').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    expect(await charts.locator('[data-panel]').evaluateAll((els) => els.map((el) => el.getAttribute('data-panel')))).toEqual(['accuracy', 'loss', 'pre-act2', 'undo-bn1', 'undo-bn2']);
    expect(await charts.getByTestId('workshop-prompts').locator('li').count()).toBe(2);
    await expect
      .poll(() => page.locator('[data-testid=watch-runs] [data-testid=run-status]').allInnerTexts(), { timeout: 150_000, interval: 1000 })
      .toEqual(['finished at step 150', 'finished at step 150']);
    const runs = (await env.session.lab.store.listRuns()).filter((r) => r.experimentTitle === 'Moons workshop');
    expect(runs.map((r) => r.variant).sort()).toEqual(['with BN', 'without BN']);
    await screenshot(page, 'workshop-participant-watch');

    // A tampered file dropped on the window: refused with what is wrong, the open workshop unchanged.
    const tampered = JSON.parse(saved.text) as WorkshopFile;
    tampered.charts[0] = { ...tampered.charts[0]!, variants: ['ghost'] };
    expect(await dropFile(page, 'tampered.bnlab.json', JSON.stringify(tampered))).toBe(true);
    const notice = page.locator('.global-notice[role=alert]');
    await expect.poll(() => notice.innerText().catch(() => '')).toContain('invalid tampered.bnlab.json: charts[0].variants[0]: no run of the experiment is variant "ghost"');
    expect(await banner(page).innerText()).toMatch(/Workshop: Moons workshop/);
    expect(page.url()).toBe(env.session.server.url);
    await screenshot(page, 'workshop-tampered-drop');

    // A valid file dropped opens in its place; leaving gives back the bench from before the first.
    const other = workshopFileText({ ...presetWorkshop(getPreset('small-batches')!), locked: ['variants'], hidden: ['model'] });
    expect(await dropFile(page, 'small-batches.bnlab.json', other)).toBe(true);
    await expect.poll(() => banner(page).innerText().catch(() => '')).toMatch(/Workshop: .*batch/i);
    // The model hidden, its norm layers' options still there to change; the comparison locked.
    expect(await page.getByRole('heading', { name: 'Normalization layers' }).count()).toBe(1);
    expect(await page.locator('article.layer-card').count()).toBe(0);
    expect(await page.getByLabel('Mode of bn1').isEnabled()).toBe(true);
    expect(await page.getByRole('radio', { name: 'nothing' }).isDisabled()).toBe(true);
    expect(await page.locator('[data-locked=variants]').count()).toBe(1);
    await screenshot(page, 'workshop-hidden-model');
    await page.getByTestId('leave-workshop').click();
    expect(await banner(page).count()).toBe(0);
    expect(await page.getByLabel('Experiment title').inputValue()).toBe('BN on two moons');
    expect(await page.getByLabel('Learning rate', { exact: true }).isEnabled()).toBe(true);
    expect(await page.getByLabel('Seeds per variant').count()).toBe(1);

    // A draft saved by an earlier version (no "format" field) still opens onto the bench.
    expect(await dropFile(page, 'old-draft.json', JSON.stringify({ ...defaultDraft(), title: 'An old draft' }))).toBe(true);
    await expect.poll(() => page.getByLabel('Experiment title').inputValue()).toBe('An old draft');
    expect(await banner(page).count()).toBe(0);

    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
