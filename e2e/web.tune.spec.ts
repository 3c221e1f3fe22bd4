// Tune & export: a 10-trial TPE search on the Iris MLP, the best configuration applied to the
// builder and the training settings in one click, then a trained run exported with its check.
import { test, expect } from './web-host-fixture';

test.use({ viewport: { width: 1500, height: 1100 } });

test('a 10-trial TPE search on the Iris MLP, apply the best, train it and export it with a check', async ({ page, webHost }) => {
  await page.goto(webHost.url);
  await page.getByTestId('dataset-iris').click();
  await expect(page.getByTestId('template-select')).toHaveValue('iris-mlp');

  await page.getByTestId('nav-tune').click();
  // The builder's hidden Dense layers are listed as searchable widths.
  await expect(page.getByTestId('space-units.dense_1')).toBeVisible();
  await page.getByTestId('space-units.dense_1-on').check();
  await page.getByTestId('tune-trials').fill('10');
  await page.getByTestId('tune-epochs').fill('15');
  await page.getByTestId('tune-seed').fill('2');
  await page.getByTestId('tune-study-name').fill('iris-e2e');
  await page.getByTestId('tune-start').click();
  // A fast machine can finish ten Iris trials between two polls, so 'running' is not waited for.
  await expect(page.getByTestId('tune-status')).toHaveAttribute('data-status', /^(running|finished)$/);
  await expect(page.getByTestId('tune-status')).toHaveAttribute('data-status', 'finished', { timeout: 90_000 });
  await expect(page.getByTestId('trial-row')).toHaveCount(10);
  await expect(page.getByTestId('objective-chart')).toHaveAttribute('data-points', '10');
  await expect(page.getByTestId('parallel-coords').locator('polyline').first()).toBeVisible();
  const best = Number(await page.getByTestId('tune-best-value').innerText());
  expect(best).toBeLessThan(0.6);
  await expect(page.getByTestId('study-list')).toContainText('iris-e2e');
  await page.screenshot({ path: test.info().outputPath('tune-trials.png'), fullPage: true });

  // Apply best: the builder gets the tuned model, the Train settings its learning rate.
  await page.getByTestId('apply-best').click();
  await expect(page.getByTestId('applied-message')).toContainText('Applied trial');
  const applied = await page.getByTestId('applied-message').innerText();
  const lr = Number(/lr = ([\d.e-]+)/.exec(applied)![1]);
  const units = Number(/units\.dense_1 = (\d+)/.exec(applied)![1]);
  await page.getByTestId('nav-build').click();
  await expect(page.getByTestId('node-dense_1')).toContainText(String(units));
  await expect(page.getByTestId('canvas').locator('.svelte-flow__node').filter({ hasText: 'Dropout' }).first()).toBeVisible();
  await page.getByTestId('nav-train').click();
  // The message rounds to 3 significant digits; the setting holds the exact value.
  expect(Math.abs(Number(await page.getByTestId('learning-rate').inputValue()) / lr - 1)).toBeLessThan(0.005);

  // Train the tuned model, then export it and read the check.
  await page.getByTestId('epochs').fill('40');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 60_000 });
  await page.getByTestId('nav-tune').click();
  await page.getByTestId('export-format').selectOption('onnx');
  await page.getByTestId('export-dir').fill('iris-onnx');
  await page.getByTestId('export-button').click();
  await expect(page.getByTestId('export-check')).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
  await expect(page.getByTestId('export-files')).toContainText('model.onnx');
  expect(Number(await page.getByTestId('export-maxdiff').innerText())).toBeLessThan(1e-4);
  await expect(page.getByTestId('export-check')).toContainText('30 validation examples');
  await page.getByTestId('export-panel').locator('xpath=..').screenshot({ path: test.info().outputPath('tune-export.png') });
});
