// Transfer learning (issue 8): a generated set of six shape classes goes in through the Data view;
// in Tune & export, a new head on the frozen ImageNet MobileNetV2 and, in the same click, LeNet-5
// from scratch with the same epochs, batch size and learning rate. The backbone must win clearly.
import { test, expect } from './web-host-fixture';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeManyShapesFolder } from './shapes-many';

test.use({ viewport: { width: 1500, height: 1100 } });

test('a frozen MobileNetV2 + head beats LeNet-5 from scratch on 300 shape images', async ({ page, webHost }) => {
  test.setTimeout(240_000);
  const root = mkdtempSync(path.join(tmpdir(), 'gw-shapes6-'));
  const dir = path.join(root, 'shapes6');
  const made = await makeManyShapesFolder(dir, { perClass: 50, size: 56, channels: 3, seed: 7 });
  expect(made.count).toBe(300);

  await page.goto(webHost.url);
  // With a table chosen for training (Iris, the default), the panel says why it cannot run.
  await page.getByTestId('nav-tune').click();
  await page.getByTestId('transfer-panel').scrollIntoViewIfNeeded();
  await expect(page.getByTestId('transfer-data-warning')).toContainText('is a table');
  await expect(page.getByTestId('transfer-start')).toBeDisabled();

  await page.getByTestId('nav-data').click();
  await page.getByTestId('folder-input').setInputFiles(dir);
  await expect(page.getByTestId('data-preview')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('class-counts').locator('li')).toHaveCount(6);
  await page.getByTestId('image-size').fill('32x32');
  await page.getByTestId('image-size').press('Enter');
  await expect(page.getByTestId('data-shape')).toHaveText('(32, 32, 1)', { timeout: 60_000 });
  await page.getByLabel('Colour').selectOption('rgb');
  await expect(page.getByTestId('data-shape')).toHaveText('(32, 32, 3)', { timeout: 60_000 });
  await page.getByTestId('use-dataset').click();
  await expect(page.getByTestId('use-dataset')).toHaveText('In use for training');

  await page.getByTestId('nav-tune').click();
  const panel = page.getByTestId('transfer-panel');
  await panel.scrollIntoViewIfNeeded();
  await expect(page.getByTestId('transfer-data-warning')).toHaveCount(0);
  await expect(page.getByTestId('transfer-data')).toContainText('6 classes');
  await expect(page.getByTestId('transfer-backbone')).toContainText('MobileNetV2 (ImageNet)');
  await expect(page.getByTestId('transfer-cut')).toContainText('block_10_expand_relu (suggested)');
  await page.getByTestId('transfer-unfreeze').fill('0');
  await page.getByTestId('transfer-head').fill('64');
  await page.getByTestId('transfer-epochs').fill('10');
  await page.getByTestId('transfer-batch').fill('16');
  await page.getByTestId('transfer-lr').fill('0.001');
  await expect(page.getByTestId('transfer-compare')).toBeChecked();

  // Every status the panel shows, and whether its progress bar was shown, is recorded as it
  // changes: on a fast machine the from-scratch phase can last less than one of Playwright's polls,
  // so waiting for it to be on screen would race.
  await page.getByTestId('transfer-status').evaluate((el) => {
    const seen = { statuses: [el.getAttribute('data-status') ?? ''], progressShown: false };
    (window as unknown as { transferSeen: typeof seen }).transferSeen = seen;
    new MutationObserver(() => {
      const now = el.getAttribute('data-status') ?? '';
      if (seen.statuses[seen.statuses.length - 1] !== now) seen.statuses.push(now);
      if (el.querySelector('[data-testid="transfer-progress"]')) seen.progressShown = true;
    }).observe(el, { attributes: true, attributeFilter: ['data-status'], childList: true, subtree: true });
  });
  const started = Date.now();
  await page.getByTestId('transfer-start').click();
  await expect(page.getByTestId('transfer-status')).toHaveAttribute('data-status', 'finished', { timeout: 200_000 });
  const seconds = (Date.now() - started) / 1000;
  const seen = await page.evaluate(() => (window as unknown as { transferSeen: { statuses: string[]; progressShown: boolean } }).transferSeen);
  // The backbone's run, then LeNet-5 from scratch, then the verdict, and nothing failed on the way.
  expect(seen.statuses.filter((s) => s !== 'starting')).toEqual(['idle', 'running', 'baseline', 'finished']);
  expect(seen.progressShown).toBe(true);
  await expect(page.getByTestId('transfer-test-accuracy')).toContainText('%');

  const ours = Number(await page.getByTestId('transfer-test-accuracy').getAttribute('data-value'));
  const scratch = Number(await page.getByTestId('baseline-test-accuracy').getAttribute('data-value'));
  const table = await page.getByTestId('transfer-table').innerText();
  console.log(`transfer e2e: MobileNetV2 + head ${(ours * 100).toFixed(1)}% vs LeNet-5 from scratch ${(scratch * 100).toFixed(1)}% test accuracy; ${seconds.toFixed(0)} s in all\n${table}`);
  expect(ours - scratch).toBeGreaterThanOrEqual(0.1);
  await expect(page.getByTestId('transfer-verdict')).toContainText('points');
  // The head alone trains: 384 features → 64 → 6.
  await expect(page.getByTestId('transfer-trainable')).toHaveText((384 * 64 + 64 + 64 * 6 + 6).toLocaleString('en-US'));
  await expect(page.getByTestId('transfer-chart').locator('polyline.ours')).toHaveAttribute('points', /\d/);
  await panel.locator('xpath=..').screenshot({ path: test.info().outputPath('transfer.png') });
});
