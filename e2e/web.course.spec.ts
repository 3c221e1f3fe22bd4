// A learner's course path, start to end, in one page: Iris MLP → LeNet-5 on MNIST (and a drawn 7)
// → an edit in the Build view → their own CSV with a typo (treated as missing) → the model fitted
// to it → Inspect → Tune → Export → Transfer. After every switch of data or model, nothing of the
// previous one may be on screen (numbers, charts, matrices, predict forms, ranges, messages), and a
// run shows one name with its data set and model everywhere it appears. Each view is scanned with
// axe-core for serious accessibility problems.
import { test, expect } from './web-host-fixture';
import AxeBuilder from '@axe-core/playwright';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';

test.setTimeout(300_000);

/** Serious or critical axe-core findings, collected over the walk and checked at its end. */
const findings: string[] = [];

async function axe(page: Page, view: string): Promise<void> {
  const r = await new AxeBuilder({ page }).analyze();
  const serious = r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  findings.push(...serious.map((v) => `${view}: ${v.id} — ${v.help} (${v.nodes.length}×: ${v.nodes.slice(0, 6).map((n) => `${n.target.join(' ')} [${(n.any[0]?.message ?? '').slice(0, 120)}]`).join('; ')})`));
}

/** Nothing of a finished run is on the Train view: no metrics, matrix, predict form, curves. */
async function expectNoResults(page: Page): Promise<void> {
  await page.getByTestId('nav-train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Ready to train');
  await expect(page.getByTestId('test-metrics')).toHaveCount(0);
  await expect(page.getByTestId('confusion')).toHaveCount(0);
  await expect(page.getByTestId('predict-panel')).toHaveCount(0);
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', '0');
  await expect(page.getByTestId('progress')).not.toContainText(/\d+ \/ \d+ \/ \d+/);
}

/** A large 7 over most of the pad: the top bar, then the long diagonal down to the left. */
async function drawSeven(page: Page): Promise<void> {
  const canvas = page.getByTestId('draw-canvas');
  await canvas.scrollIntoViewIfNeeded();
  const b = (await canvas.boundingBox())!;
  const at = (fx: number, fy: number) => [b.x + b.width * fx, b.y + b.height * fy] as const;
  await page.mouse.move(...at(0.12, 0.12));
  await page.mouse.down();
  await page.mouse.move(...at(0.88, 0.12), { steps: 14 });
  await page.mouse.move(...at(0.38, 0.92), { steps: 20 });
  await page.mouse.up();
}

test('the course path: every switch of data or model leaves nothing of the previous one on screen', async ({ page, webHost }) => {
  await page.goto(webHost.url);

  // 1. Iris.
  await page.getByTestId('dataset-iris').click();
  await expect(page.getByTestId('template-select')).toHaveValue('iris-mlp');
  await page.getByTestId('epochs').fill('40');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 60_000 });
  await expect(page.getByTestId('confusion').locator('tbody tr')).toHaveCount(3);
  await expect(page.getByTestId('predict-panel')).toContainText('sepal_length');
  await expect(page.getByTestId('run-subject')).toContainText(/Run \d+ · Iris MLP \(4-12-8-3\) on Iris flowers/);
  // Runs are numbered after every run the engine knows (earlier specs share this web host): the next ones follow on.
  const first = Number(/Run (\d+)/.exec((await page.getByTestId('run-subject').textContent()) ?? '')![1]);
  const run = (k: number) => `Run ${first + k - 1}`;
  await axe(page, 'Train');

  // 2. MNIST and LeNet-5: the Iris results are gone before anything trains.
  await page.getByTestId('dataset-mnist').click();
  await page.getByTestId('template-select').selectOption('lenet5');
  await expectNoResults(page);
  await expect(page.getByText('setosa')).toHaveCount(0);
  await page.getByTestId('epochs').fill('2');
  await page.getByTestId('learning-rate').fill('0.001');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 120_000 });
  await expect(page.getByTestId('confusion').locator('tbody tr')).toHaveCount(10);
  await expect(page.getByTestId('run-subject')).toContainText(`${run(2)} · LeNet-5 on MNIST digits`);
  // A large, clear 7 drawn over most of the pad is read as a 7: it is prepared as MNIST's digits were.
  await drawSeven(page);
  await expect(page.getByTestId('predict-result').locator('.bar.best .label')).toHaveText('7');
  await expect(page.getByTestId('seen-canvas')).toBeVisible();
  await expect(page.getByTestId('predict-panel')).not.toContainText('sepal');

  // Inspect follows the run: one name, its model and data set.
  await page.getByTestId('nav-inspect').click();
  await expect(page.getByTestId('inspect-run').locator('option:checked')).toContainText(`${run(2)} · LeNet-5 on MNIST digits`);
  await expect(page.getByTestId('inspect-run').locator('option')).toHaveCount(2);
  await axe(page, 'Inspect');

  // 3. An edit in the Build view: the Iris MLP, one layer wider. Results of LeNet-5 are gone.
  await page.getByTestId('nav-build').click();
  await page.getByTestId('builder-template').selectOption('iris-mlp');
  // LeNet-5 has a dense_1 too (120 units): click only once the Iris MLP's (12 units) has replaced it,
  // or the click can land on the old node just before the new graph clears the selection.
  await expect(page.getByTestId('node-dense_1')).toContainText(/\(None, 12\)/);
  await page.getByTestId('node-dense_1').click();
  await page.getByTestId('param-units').fill('16');
  await page.getByTestId('param-units').press('Tab');
  await expect(page.getByTestId('node-dense_1')).toContainText('16');
  await axe(page, 'Build');
  await expectNoResults(page);

  // 4. Their own CSV, with a typo in a numeric column: treated as missing, not one-hot encoded.
  const dir = mkdtempSync(path.join(tmpdir(), 'gw-course-'));
  const rows = Array.from({ length: 90 }, (_, i) => {
    const kind = ['barolo', 'grignolino', 'barbera'][i % 3]!;
    const alcohol = (12 + (i % 3) * 0.9 + ((i * 7) % 10) / 20).toFixed(2);
    const acid = i === 5 ? 'abc' : (1.5 + (i % 3) * 1.2 + ((i * 3) % 7) / 10).toFixed(2);
    const ash = (2.1 + ((i * 5) % 9) / 20).toFixed(2);
    return `${alcohol},${acid},${ash},${kind}`;
  });
  writeFileSync(path.join(dir, 'wine.csv'), `alcohol,malic_acid,ash,cultivar\n${rows.join('\n')}\n`);
  await page.getByTestId('nav-data').click();
  await page.getByTestId('file-input').setInputFiles(path.join(dir, 'wine.csv'));
  const problem = page.getByTestId('data-problems');
  await expect(problem).toContainText('line 7, column "malic_acid": "abc" is not a number');
  await expect(problem).not.toContainText('--categorical');
  await expect(page.getByTestId('fix-categorical-malic_acid')).toContainText('adds');
  await page.getByTestId('fix-missing-malic_acid').click();
  await expect(page.getByTestId('data-shape')).toHaveText('(3)');
  await expect(problem).toContainText('read as missing values');
  await axe(page, 'Data');
  await page.getByTestId('use-dataset').click();

  // 5. The edited MLP is fitted to the CSV (3 inputs, 3 classes), and says so.
  await page.getByTestId('nav-train').click();
  await expect(page.getByTestId('fit-notice')).toContainText('fitted to wine.csv');
  await expectNoResults(page);
  await page.getByTestId('epochs').fill('30');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 60_000 });
  await expect(page.getByTestId('run-subject')).toContainText(`${run(3)} · Your model on wine.csv`);
  await expect(page.getByTestId('confusion').locator('tbody tr')).toHaveCount(3);
  await expect(page.getByTestId('predict-panel')).toContainText('malic_acid');
  await expect(page.getByTestId('draw-canvas')).toHaveCount(0);
  // The runs table: one name, data set and model per run; only this data and model's run is shown.
  const table = page.getByTestId('runs-table');
  await expect(table.getByTestId('run-row')).toHaveCount(3);
  await expect(table.getByTestId('run-row').nth(0)).toContainText('Iris flowers');
  await expect(table.getByTestId('run-row').nth(1)).toContainText('LeNet-5');
  await expect(table.getByTestId('run-row').nth(2)).toContainText('wine.csv');
  await expect(table.getByTestId('run-row').nth(2)).toContainText('Your model');

  // 6. Inspect: the same run, the same name.
  await page.getByTestId('nav-inspect').click();
  await expect(page.getByTestId('inspect-run').locator('option:checked')).toContainText(`${run(3)} · Your model on wine.csv`);

  // 7. Tune: ranges are the current model's (16 units), not LeNet-5's; no message of an earlier model.
  await page.getByTestId('nav-tune').click();
  await expect(page.getByTestId('space-units.dense_1-low')).toHaveValue('8');
  await expect(page.getByTestId('space-units.dense_1-high')).toHaveValue('32');
  await expect(page.getByTestId('applied-message')).toHaveCount(0);
  await axe(page, 'Tune & export');

  // 8. Export the run by its name; the training settings travel with it.
  await expect(page.getByTestId('export-run').locator('option:checked')).toContainText(`${run(3)} · Your model on wine.csv`);
  await page.getByTestId('export-button').click();
  await expect(page.getByTestId('export-check')).toHaveAttribute('data-ok', 'true', { timeout: 30_000 });
  await expect(page.getByTestId('export-files')).toContainText('training-settings.json');

  // 9. Transfer lists the image run as a backbone under the same name.
  await expect(page.getByTestId('transfer-backbone')).toContainText(`${run(2)} · LeNet-5 on MNIST digits`);
  expect(findings).toEqual([]);
});
