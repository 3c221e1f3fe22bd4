// Nothing a person made is lost because a page went away: unsaved model edits and finished runs
// are kept by the engine, a reload continues them without asking, a page that was closed (a crash,
// the browser quit) offers them to the next page, and a saved project reopens with its own data —
// an imported file read again as the project read it — not with whatever data the page had.
import { test, expect } from './web-host-fixture';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
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
  const select = page3.getByTestId('template-select');
  const other = await select.evaluate((el: HTMLSelectElement) => [...el.options].find((o) => o.value && o.value !== el.value)!.value);
  await select.selectOption(other);
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

/** A web host of its own over `home` (its Glasswing folder and config), as one run of the app. */
async function startHost(home: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [path.join(__dirname, '..', 'bin', 'glasswing.cjs'), 'serve', '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GLASSWING_PROJECTS_DIR: home, GLASSWING_CONFIG_DIR: path.join(home, '.config') },
  });
  let out = '';
  child.stderr!.on('data', (d) => (out += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`glasswing serve printed no URL in 30 s: ${out}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /(http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => reject(new Error(`glasswing serve exited with ${code}: ${out}`)));
  });
  return { url, child };
}

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
