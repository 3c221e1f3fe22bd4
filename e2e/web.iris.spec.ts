// A new user's first run: open the web host, pick the Iris MLP, train, watch the curves grow.
import { test, expect } from './web-host-fixture';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

test('trains the Iris MLP with live curves, the backend shown, and final test metrics', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await expect(page.getByRole('heading', { name: 'Glasswing' })).toBeVisible();
  await page.getByTestId('dataset-iris').click();
  await expect(page.getByTestId('template-select')).toHaveValue('iris-mlp');
  await expect(page.getByTestId('total-params')).toHaveText('191 parameters');
  await page.getByTestId('epochs').fill('150');
  // Record every value the loss chart's point count takes, to see the curves grow epoch by epoch.
  await page.getByTestId('loss-chart').evaluate((el) => {
    const seen: number[] = [];
    (window as unknown as { pointCounts: number[] }).pointCounts = seen;
    new MutationObserver(() => seen.push(Number(el.getAttribute('data-points')))).observe(el, { attributes: true, attributeFilter: ['data-points'] });
  });
  await page.getByTestId('train').click();
  const lossChart = page.getByTestId('loss-chart');
  await expect(lossChart).toHaveAttribute('data-points', '150', { timeout: 120_000 });
  const counts = await page.evaluate(() => (window as unknown as { pointCounts: number[] }).pointCounts);
  expect(new Set(counts).size, `point counts seen: ${counts.join(',')}`).toBeGreaterThanOrEqual(10);
  expect(counts).toEqual([...counts].sort((a, b) => a - b));

  await expect(page.getByTestId('backend-badge')).toContainText(/cpu|wasm|tensorflow/);
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 120_000 });
  await expect(lossChart).toHaveAttribute('data-points', '150');
  await expect(page.getByTestId('accuracy-chart')).toHaveAttribute('data-points', '150');
  const accuracy = await page.getByTestId('test-accuracy').innerText();
  expect(parseFloat(accuracy)).toBeGreaterThanOrEqual(90);
  await expect(page.getByTestId('confusion').locator('tbody tr')).toHaveCount(3);
  await page.screenshot({ path: test.info().outputPath('iris-trained.png'), fullPage: true });
});

test('a learning rate that explodes is reported with a hint, and nothing else breaks', async ({ page, webHost }) => {
  // An unscaled regression target (prices in the thousands) with SGD at lr 10: the loss is NaN by
  // the first epoch, on every backend and seed.
  const root = mkdtempSync(path.join(tmpdir(), 'gw-explode-'));
  const rows = Array.from({ length: 200 }, (_, i) => {
    const a = (i * 7.3) % 10;
    const b = (i * 3.1) % 5;
    return `${a.toFixed(3)},${b.toFixed(3)},${(1000 * a + 300 * b).toFixed(1)}`;
  });
  writeFileSync(path.join(root, 'houses.csv'), `size,age,price\n${rows.join('\n')}\n`);
  await page.goto(webHost.url);
  await page.getByTestId('nav-data').click();
  await page.getByTestId('file-input').setInputFiles(path.join(root, 'houses.csv'));
  await page.getByTestId('use-dataset').click();
  await page.getByTestId('nav-train').click();
  await page.getByTestId('learning-rate').fill('10');
  await page.getByLabel('Optimizer').selectOption('sgd');
  await page.getByTestId('epochs').fill('20');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Failed', { timeout: 60_000 });
  await expect(page.getByTestId('training-error')).toContainText(/became (NaN|Infinity).*learning rate/);
  await expect(page.getByTestId('train')).toBeEnabled();
  // The next run, with a sane learning rate, trains.
  await page.getByTestId('learning-rate').fill('0.01');
  await page.getByLabel('Optimizer').selectOption('adam');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 60_000 });
});
