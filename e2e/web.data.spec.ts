// Importing your own images: a folder of three shape classes goes in through the UI, the preview
// shows what the engine sees, and LeNet-5 learns it.
import { test, expect } from './web-host-fixture';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeShapesFolder } from './shapes';

test('import an image folder through the UI, see the preview, train LeNet-5 on it', async ({ page, webHost }) => {
  const root = mkdtempSync(path.join(tmpdir(), 'gw-shapes-'));
  const dir = path.join(root, 'shapes');
  await makeShapesFolder(dir, 100);
  writeFileSync(path.join(dir, 'circle', 'notes.txt'), 'not an image');
  writeFileSync(path.join(dir, 'square', 'broken.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));

  await page.goto(webHost.url);
  await page.getByTestId('nav-data').click();
  await page.getByTestId('folder-input').setInputFiles(dir);
  await expect(page.getByTestId('data-preview')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('data-shape')).toHaveText('(28, 28, 1)');
  const counts = page.getByTestId('class-counts').locator('li');
  await expect(counts).toHaveCount(3);
  await expect(counts.nth(0)).toContainText('circle');
  await expect(counts.nth(0)).toContainText('100');
  await expect(page.getByTestId('sample-grid').locator('img').first()).toBeVisible();
  await expect(page.getByText('2 file(s) skipped')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('data-preview.png'), fullPage: true });

  await page.getByTestId('use-dataset').click();
  await expect(page.getByTestId('use-dataset')).toHaveText('In use for training');
  await page.getByTestId('nav-train').click();
  await page.getByTestId('template-select').selectOption('lenet5');
  await page.getByTestId('epochs').fill('30');
  await page.getByTestId('batch-size').fill('16');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 150_000 });
  const accuracy = parseFloat(await page.getByTestId('test-accuracy').innerText());
  expect(accuracy).toBeGreaterThanOrEqual(90);
});

test('a broken CSV gets a message naming the line, and nothing else changes', async ({ page, webHost }) => {
  const root = mkdtempSync(path.join(tmpdir(), 'gw-csv-'));
  const file = path.join(root, 'broken.csv');
  writeFileSync(file, 'a,b,label\n1,2,x\n3,4\n5,6,y\n');
  await page.goto(webHost.url);
  await page.getByTestId('nav-data').click();
  await page.getByTestId('file-input').setInputFiles(file);
  await expect(page.getByTestId('data-error').or(page.getByTestId('data-problems'))).toContainText('line 3');
});
