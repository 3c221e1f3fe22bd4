// A new user's first run: open the web host, pick the Iris MLP, train, watch the curves grow.
import { test, expect } from './web-host-fixture';

test('trains the Iris MLP with live curves, the backend shown, and final test metrics', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await expect(page.getByRole('heading', { name: 'Glasswing' })).toBeVisible();
  await page.getByTestId('dataset-iris').click();
  await expect(page.getByTestId('template-select')).toHaveValue('iris-mlp');
  await expect(page.getByTestId('total-params')).toHaveText('191 parameters');
  await page.getByTestId('epochs').fill('150');
  await page.getByTestId('train').click();

  // The curves grow epoch by epoch: sample the number of points while training runs.
  const seen = new Set<number>();
  const lossChart = page.getByTestId('loss-chart');
  await expect(async () => {
    seen.add(Number(await lossChart.getAttribute('data-points')));
    expect(seen.size).toBeGreaterThanOrEqual(4);
  }).toPass({ intervals: [20], timeout: 60_000 });

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
  await page.getByLabel('Learning rate').fill('10');
  await page.getByLabel('Optimizer').selectOption('sgd');
  await page.getByTestId('epochs').fill('50');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText(/Failed|Finished/, { timeout: 60_000 });
  if ((await page.getByTestId('run-status').innerText()) === 'Failed') {
    await expect(page.getByTestId('training-error')).toContainText(/learning rate/);
  }
  await expect(page.getByTestId('train')).toBeEnabled();
});
