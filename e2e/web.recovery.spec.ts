// Nothing a person made is lost because a page went away: unsaved model edits and finished runs
// are kept by the engine, a reload continues them without asking, a page that was closed (a crash,
// the browser quit) offers them to the next page, and a saved project reopens with its own data —
// an imported file read again as the project read it — not with whatever data the page had.
import { test, expect, startWebHost as startHost } from './web-host-fixture';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';

test.setTimeout(180_000);

/** Three classes of beans, separable by their two measurements. */
function beansCsv(): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'gw-beans-')), 'beans.csv');
  const rows = Array.from({ length: 150 }, (_, i) => {
    const k = i % 3;
    return `${(k * 2 + ((i * 7) % 10) / 10).toFixed(2)},${(5 - k + ((i * 3) % 10) / 20).toFixed(2)},${['adzuki', 'borlotti', 'cannellini'][k]}`;
  });
  writeFileSync(file, `length,width,kind\n${rows.join('\n')}\n`);
  return file;
}

const pageIdOf = (page: Page): Promise<string> => page.evaluate(() => sessionStorage.getItem('glasswing.pageId')!);

test('unsaved runs survive a reload and a closed page; a saved project reopens with its own imported data', async ({ page, context, webHost }) => {
  const slot = (id: string) => path.join(webHost.projectsDir, '.config', 'unsaved', `${id}.json`);
  const leaveDialogs: string[] = [];
  page.on('dialog', (d) => {
    leaveDialogs.push(d.type());
    void d.accept();
  });

  // An imported table, trained on: one finished run, not saved in any project.
  await page.goto(webHost.url);
  await page.getByTestId('nav-data').click();
  await page.getByTestId('file-input').setInputFiles(beansCsv());
  await page.getByTestId('use-dataset').click();
  await page.getByTestId('nav-train').click();
  await page.getByTestId('epochs').fill('6');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 90_000 });
  const row = page.getByTestId('run-row');
  await expect(row).toHaveCount(1);
  const runName = (await row.locator('td').nth(1).innerText()).trim();
  const id1 = await pageIdOf(page);
  await expect.poll(() => existsSync(slot(id1)), { message: 'the engine keeps the page’s unsaved work' }).toBe(true);

  // A reload continues: the run, its data (read again) and the settings, without a leave prompt.
  await page.reload();
  expect(leaveDialogs).toEqual([]);
  expect(await pageIdOf(page)).toBe(id1);
  await page.getByTestId('nav-train').click();
  await expect(page.getByTestId('run-row')).toHaveCount(1);
  await expect(page.getByTestId('run-row').first()).toContainText(runName);
  await expect(page.getByTestId('run-row').first()).toContainText('beans');
  await expect(page.getByTestId('epochs')).toHaveValue('6');
  // The model is still the template it was (the next run is named after it).
  await expect(page.getByTestId('template-select')).toHaveValue('iris-mlp');
  // …and the Train view shows that run's results again, as before the reload.
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', '6');
  await expect(page.getByTestId('test-accuracy')).toContainText('%');
  await page.screenshot({ path: test.info().outputPath('reloaded-train-1440.png') });
  await page.getByTestId('nav-data').click();
  await expect(page.getByTestId('data-name')).toHaveText('beans.csv', { timeout: 30_000 });
  await expect(page.getByTestId('use-dataset')).toHaveText('In use for training');

  // The page goes away; the next page offers its work, newest first, and continues it.
  await page.close();
  const page2 = await context.newPage();
  page2.on('dialog', (d) => void d.accept());
  await page2.goto(webHost.url);
  const offer = page2.getByTestId('recovery-item').first();
  await expect(offer).toContainText('Unsaved work from today');
  await expect(offer).toContainText('1 finished run');
  await page2.setViewportSize({ width: 1024, height: 700 });
  await page2.screenshot({ path: test.info().outputPath('recovery-offer-1024.png') });
  await offer.getByTestId('recovery-continue').click();
  await page2.getByTestId('nav-train').click();
  await expect(page2.getByTestId('run-row')).toHaveCount(1);
  await expect(page2.getByTestId('run-row').first()).toContainText(runName);
  // This page keeps it now; the closed page's slot is gone.
  const id2 = await pageIdOf(page2);
  expect(id2).not.toBe(id1);
  await expect.poll(() => existsSync(slot(id2))).toBe(true);
  await expect.poll(() => existsSync(slot(id1))).toBe(false);

  // Saved as a project, nothing is unsaved: the slot only remembers the project, for a reload.
  await page2.getByTestId('nav-build').click();
  await page2.getByTestId('save-as').click();
  await page2.getByTestId('project-path').fill('beans-project');
  await page2.getByTestId('project-confirm').click();
  await expect(page2.getByTestId('project-message')).toContainText('Saved');
  const kept = () => JSON.parse(readFileSync(slot(id2), 'utf8')) as { path: string | null; dirty: boolean; unsavedRuns: number };
  await expect.poll(() => kept().unsavedRuns).toBe(0);
  expect(kept()).toMatchObject({ dirty: false, path: path.join(webHost.projectsDir, 'beans-project.glasswing.json') });
  // Another page is not offered it (nothing is unsaved)…
  const peek = await context.newPage();
  await peek.goto(webHost.url);
  await expect(peek.locator('[data-recovery="ready"]')).toHaveCount(1);
  await expect(peek.getByTestId('recovery-item').filter({ hasText: 'beans-project' })).toHaveCount(0);
  await peek.close();
  // …but a reload of this page reopens it.
  await page2.reload();
  await expect(page2.getByTestId('project-name')).toHaveText('beans-project');
  await page2.getByTestId('nav-train').click();
  await expect(page2.getByTestId('run-row').first()).toContainText(runName);
  // New: nothing open, nothing unsaved: the slot goes.
  await page2.getByTestId('nav-build').click();
  await page2.getByTestId('new-project').click();
  await expect(page2.getByTestId('project-name')).toHaveText('Untitled');
  await expect.poll(() => existsSync(slot(id2))).toBe(false);

  // A fresh page opens the project: its own data comes back (read again), with its run.
  const page3 = await context.newPage();
  page3.on('dialog', (d) => void d.accept());
  await page3.goto(webHost.url);
  await page3.getByTestId('nav-build').click();
  await page3.getByTestId('open-project').click();
  await page3.getByTestId('project-path').fill('beans-project');
  await page3.getByTestId('project-confirm').click();
  await expect(page3.getByTestId('project-message')).toContainText('Opened');
  await page3.getByTestId('nav-data').click();
  await expect(page3.getByTestId('data-name')).toHaveText('beans.csv', { timeout: 30_000 });
  await expect(page3.getByTestId('use-dataset')).toHaveText('In use for training');
  await page3.getByTestId('nav-train').click();
  await expect(page3.getByTestId('run-row').first()).toContainText(runName);
  await expect(page3.getByTestId('run-row').first()).not.toHaveClass(/other/);

  // A model edit on page 3, then page 3 closes: the next page may discard it, after a confirmation.
  await page3.getByTestId('nav-build').click();
  await page3.getByRole('button', { name: 'Tidy' }).click();
  await expect(page3.getByTestId('project-name')).toContainText('•');
  const id3 = await pageIdOf(page3);
  await expect.poll(() => existsSync(slot(id3))).toBe(true);
  await page3.close();
  const page4 = await context.newPage();
  const asked: string[] = [];
  page4.on('dialog', (d) => {
    asked.push(d.message());
    void d.accept();
  });
  await page4.goto(webHost.url);
  await expect(page4.getByTestId('recovery-item').first()).toContainText('with unsaved changes');
  await page4.getByTestId('recovery-item').first().getByTestId('recovery-discard').click();
  await expect.poll(() => existsSync(slot(id3))).toBe(false);
  expect(asked.join('\n')).toContain('cannot be undone');
});

test('after the app is closed and started again, unsaved runs are offered, and a continued run still exports', async ({ browser }) => {
  const home = mkdtempSync(path.join(tmpdir(), 'gw-restart-'));
  const first = await startHost(home);
  const context1 = await browser.newContext();
  const page = await context1.newPage();
  try {
    await page.goto(first.url);
    await page.getByTestId('dataset-iris').click();
    await page.getByTestId('epochs').fill('5');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 90_000 });
    const id = await pageIdOf(page);
    await expect.poll(() => existsSync(path.join(home, '.config', 'unsaved', `${id}.json`))).toBe(true);
  } finally {
    await context1.close();
    first.child.kill('SIGKILL');
  }

  // The next start of the app: a new page, a new engine.
  const second = await startHost(home);
  const context2 = await browser.newContext();
  try {
    const page2 = await context2.newPage();
    await page2.goto(second.url);
    const offer = page2.getByTestId('recovery-item');
    await expect(offer).toHaveCount(1);
    await expect(offer).toContainText('1 finished run');
    await offer.getByTestId('recovery-continue').click();
    await expect(page2.getByTestId('recovery')).toHaveCount(0);
    await expect(page2.getByTestId('run-row')).toHaveCount(1);
    await expect(page2.getByTestId('test-accuracy')).toContainText('%');
    // The engine reads the run back from its folder: it exports, and the exported model checks out.
    await page2.getByTestId('nav-tune').click();
    await page2.getByTestId('export-dir').fill('iris-after-restart');
    await page2.getByTestId('export-button').click();
    await expect(page2.getByTestId('export-check')).toHaveAttribute('data-ok', 'true', { timeout: 60_000 });
    expect(existsSync(path.join(home, 'exports', 'iris-after-restart', 'model.json'))).toBe(true);
  } finally {
    await context2.close();
    second.child.kill('SIGTERM');
  }
});

test('open tabs keep their own work: another tab is not offered it, and a duplicated tab continues a copy under its own id', async ({ context, webHost }) => {
  const slot = (id: string) => path.join(webHost.projectsDir, '.config', 'unsaved', `${id}.json`);
  const tabA = await context.newPage();
  tabA.on('dialog', (d) => void d.accept());
  await tabA.goto(webHost.url);
  await expect(tabA.locator('[data-recovery="ready"]')).toHaveCount(1);
  // An edit in tab A.
  await tabA.getByTestId('nav-build').click();
  await tabA.getByRole('button', { name: 'Tidy' }).click();
  await expect(tabA.getByTestId('project-name')).toHaveText('Untitled •');
  const idA = await pageIdOf(tabA);
  await expect.poll(() => existsSync(slot(idA))).toBe(true);

  // Tab B opens while A is open: A's work is A's, not offered here.
  const tabB = await context.newPage();
  await tabB.goto(webHost.url);
  await expect(tabB.locator('[data-recovery="ready"]')).toHaveCount(1);
  // (Only the newest offer is shown, and A's would be the newest: its slot was just written.)
  await expect(tabB.locator(`[data-kept-id="${idA}"]`)).toHaveCount(0);
  expect(await pageIdOf(tabB)).not.toBe(idA);

  // A duplicated tab (window.open copies sessionStorage, page id included) shows A's work and then keeps its own.
  const [dup] = await Promise.all([context.waitForEvent('page'), tabA.evaluate(() => void window.open(location.href.split('?')[0], '_blank'))]);
  dup.on('dialog', (d) => void d.accept());
  await expect(dup.locator('[data-recovery="ready"]')).toHaveCount(1, { timeout: 30_000 });
  await expect(dup.getByTestId('project-name')).toHaveText('Untitled •');
  const idDup = await pageIdOf(dup);
  expect(idDup).not.toBe(idA);
  await expect(dup.locator(`[data-kept-id="${idA}"]`)).toHaveCount(0);
  await expect.poll(() => existsSync(slot(idDup))).toBe(true);
  // The copy discards its work (New): A's slot and work are untouched.
  await dup.getByTestId('nav-build').click();
  await dup.getByTestId('new-project').click();
  await expect.poll(() => existsSync(slot(idDup))).toBe(false);
  expect(existsSync(slot(idA))).toBe(true);
  await tabA.reload();
  await expect(tabA.getByTestId('project-name')).toHaveText('Untitled •');
  await Promise.all([tabB.close(), dup.close(), tabA.close()]);
});

test('a project opens with its own reading of its data, even when the page reads that file another way; a project whose data is gone trains on nothing else', async ({ page, context, webHost }) => {
  page.on('dialog', (d) => void d.accept());
  // Plants: two possible labels; the project's is `kind` (3 classes), read with `size` ignored.
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-plants-'));
  const rows = Array.from({ length: 120 }, (_, i) => `${(i % 3) + ((i * 7) % 10) / 10},${(i * 3) % 10},${i % 2 ? 'big' : 'small'},${['fern', 'moss', 'ivy'][i % 3]}`);
  writeFileSync(path.join(dir, 'plants.csv'), `height,leaves,size,kind\n${rows.join('\n')}\n`);
  await page.goto(webHost.url);
  await page.getByTestId('nav-data').click();
  await page.getByTestId('file-input').setInputFiles(path.join(dir, 'plants.csv'));
  await expect(page.getByTestId('label-column')).toHaveValue('kind');
  await page.getByRole('row', { name: /size/ }).getByRole('button', { name: 'ignore' }).click();
  await expect(page.getByTestId('data-shape')).toHaveText('(2)');
  await page.getByTestId('use-dataset').click();
  await page.getByTestId('nav-build').click();
  await page.getByTestId('save-as').click();
  await page.getByTestId('project-path').fill('plants-project');
  await page.getByTestId('project-confirm').click();
  await expect(page.getByTestId('project-message')).toContainText('Saved');
  const uploaded = (await page.getByTestId('data-ref').innerText()).trim();

  // The page reads the same file another way (label `size`)…
  await page.getByTestId('nav-data').click();
  await page.getByTestId('label-column').selectOption('size');
  await expect(page.getByTestId('data-shape')).not.toHaveText('(2)');
  await page.getByTestId('use-dataset').click();
  // …and opening the project reads it the project's way again.
  await page.getByTestId('nav-build').click();
  await page.getByTestId('open-project').click();
  await page.getByTestId('project-path').fill('plants-project');
  await page.getByTestId('project-confirm').click();
  await expect(page.getByTestId('project-message')).toContainText('Opened');
  await page.getByTestId('nav-data').click();
  await expect(page.getByTestId('label-column')).toHaveValue('kind');
  await expect(page.getByTestId('data-shape')).toHaveText('(2)');
  await expect(page.getByTestId('use-dataset')).toHaveText('In use for training');

  // The data is deleted; a fresh page opens the project: it says so, and Train waits for data.
  rmSync(uploaded, { recursive: true, force: true });
  const fresh = await context.newPage();
  fresh.on('dialog', (d) => void d.accept());
  await fresh.goto(webHost.url);
  await fresh.getByTestId('nav-build').click();
  await fresh.getByTestId('open-project').click();
  await fresh.getByTestId('project-path').fill('plants-project');
  await fresh.getByTestId('project-confirm').click();
  await expect(fresh.getByTestId('project-message')).toContainText('but its data could not be read');
  await fresh.getByTestId('nav-train').click();
  await expect(fresh.getByTestId('train')).toBeDisabled();
  await expect(fresh.getByTestId('train-blocker')).toContainText("This project's data could not be read");
  await fresh.getByTestId('nav-data').click();
  await expect(fresh.getByTestId('data-error')).toContainText('does not exist');
  await fresh.getByTestId('nav-train').click();
  await fresh.setViewportSize({ width: 1024, height: 700 });
  await fresh.screenshot({ path: test.info().outputPath('data-missing-train-1024.png') });
  // Choosing other data ends it: Train is ready and the Data view no longer shows the old error.
  await fresh.getByTestId('dataset-iris').click();
  await expect(fresh.getByTestId('train')).toBeEnabled();
  await fresh.getByTestId('nav-data').click();
  await expect(fresh.getByTestId('data-error')).toHaveCount(0);
  await fresh.close();

  // New after opening it leaves nothing of the missing data behind either.
  const another = await context.newPage();
  another.on('dialog', (d) => void d.accept());
  await another.goto(webHost.url);
  await another.getByTestId('nav-build').click();
  await another.getByTestId('open-project').click();
  await another.getByTestId('project-path').fill('plants-project');
  await another.getByTestId('project-confirm').click();
  await expect(another.getByTestId('project-message')).toContainText('but its data could not be read');
  await another.getByTestId('new-project').click();
  await another.getByTestId('nav-train').click();
  await expect(another.getByTestId('template-select')).toHaveValue('iris-mlp');
  await expect(another.getByTestId('train')).toBeEnabled();
  await another.close();
});

test('a save a moment before the page closes is what the next page finds: nothing is offered as unsaved', async ({ context, webHost }) => {
  const page = await context.newPage();
  page.on('dialog', (d) => void d.accept());
  await page.goto(webHost.url);
  await page.getByTestId('dataset-iris').click();
  await page.getByTestId('epochs').fill('3');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 90_000 });
  const id = await pageIdOf(page);
  const slot = path.join(webHost.projectsDir, '.config', 'unsaved', `${id}.json`);
  await expect.poll(() => existsSync(slot)).toBe(true);
  await page.getByTestId('nav-build').click();
  await page.getByTestId('save-as').click();
  await page.getByTestId('project-path').fill('quick-save');
  await page.getByTestId('project-confirm').click();
  await expect(page.getByTestId('project-message')).toContainText('Saved');
  // Closed at once, as a tab is closed: its beforeunload sends the keep that was waiting for its second.
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => (JSON.parse(readFileSync(slot, 'utf8')) as { unsavedRuns: number }).unsavedRuns).toBe(0);
  const next = await context.newPage();
  await next.goto(webHost.url);
  await expect(next.locator('[data-recovery="ready"]')).toHaveCount(1);
  await expect(next.getByTestId('recovery-item').filter({ hasText: 'quick-save' })).toHaveCount(0);
  await next.close();
});

test('a hand-edited project with settings training would refuse opens with those settings named and left as they were', async ({ page, webHost }) => {
  const file = path.join(webHost.projectsDir, 'edited.glasswing.json');
  const model = { class_name: 'Sequential', config: { name: 'm', layers: [{ class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 4], dtype: 'float32' } }, { class_name: 'Dense', config: { name: 'out', units: 3, activation: 'softmax' } }] } };
  writeFileSync(file, JSON.stringify({ format: 'glasswing-project', version: 1, name: 'edited', savedAt: '', model, layout: {}, dataset: { ref: 'iris' }, training: { epochs: 'abc', learningRate: 0.05, batchSize: -3 }, runs: [] }));
  await page.goto(webHost.url);
  await page.getByTestId('nav-build').click();
  await page.getByTestId('open-project').click();
  await page.getByTestId('project-path').fill('edited');
  await page.getByTestId('project-confirm').click();
  await expect(page.getByTestId('project-message')).toContainText('Training settings that were not valid were left as they were: epochs, batchSize.');
  await page.getByTestId('nav-train').click();
  await expect(page.getByTestId('learning-rate')).toHaveValue('0.05');
  await expect(page.getByTestId('epochs')).not.toHaveValue('abc');
  await expect(page.getByTestId('train')).toBeEnabled();
});
