// A new user's first run: open the web host, pick the Iris MLP, train, watch the curves grow.
import { test, expect } from './web-host-fixture';

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

test('an unscaled learning rate that explodes is reported, and nothing else breaks', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('dataset-iris').click();
  await page.getByTestId('learning-rate').fill('10');
  await page.getByLabel('Optimizer').selectOption('sgd');
  await page.getByTestId('epochs').fill('50');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText(/Failed|Finished/, { timeout: 60_000 });
  if ((await page.getByTestId('run-status').innerText()) === 'Failed') {
    await expect(page.getByTestId('training-error')).toContainText(/learning rate/);
  }
  await expect(page.getByTestId('train')).toBeEnabled();
});
