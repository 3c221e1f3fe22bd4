// The README's and docs/'s pictures of every view, at the two sizes the workbench is made for
// (1440×900 and 1024×700): `npm run screenshots` writes them to docs/screenshots/. Not part of
// `npm test` (it rewrites tracked files); each one is looked at before it is committed.
import { test, expect } from './web-host-fixture';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';

test.setTimeout(300_000);

const SIZES = [
  { width: 1440, height: 900 },
  { width: 1024, height: 700 },
];

const out = (name: string, w: number) => path.join(__dirname, '..', 'docs', 'screenshots', `${name}-${w}.png`);

async function shoot(page: Page, name: string, w: number): Promise<void> {
  await page.waitForTimeout(400);
  await page.screenshot({ path: out(name, w) });
}

for (const size of SIZES) {
  test(`every view at ${size.width}×${size.height}`, async ({ page, webHost }) => {
    // Each size starts as a first launch: no work kept by the other size's page is offered.
    rmSync(path.join(webHost.projectsDir, '.config', 'unsaved'), { recursive: true, force: true });
    await page.setViewportSize(size);
    await page.goto(webHost.url);
    const w = size.width;

    // Data: a CSV of the learner's own, with a typo and its fixes.
    const dir = mkdtempSync(path.join(tmpdir(), 'gw-shots-'));
    const rows = Array.from({ length: 120 }, (_, i) => {
      const kind = ['barolo', 'grignolino', 'barbera'][i % 3]!;
      const acid = i === 5 ? 'abc' : (1.5 + (i % 3) * 1.2 + ((i * 3) % 7) / 10).toFixed(2);
      return `${(12 + (i % 3) * 0.9 + ((i * 7) % 10) / 20).toFixed(2)},${acid},${(2.1 + ((i * 5) % 9) / 20).toFixed(2)},${(i * 37) % 100},${kind}`;
    });
    writeFileSync(path.join(dir, 'wine.csv'), `alcohol,malic_acid,ash,magnesium,cultivar\n${rows.join('\n')}\n`);
    await page.getByTestId('nav-data').click();
    await page.getByTestId('file-input').setInputFiles(path.join(dir, 'wine.csv'));
    await expect(page.getByTestId('data-problems')).toBeVisible();
    await shoot(page, 'data', w);

    // Train: LeNet-5 on MNIST, finished, with a drawn digit.
    await page.getByTestId('nav-train').click();
    await page.getByTestId('dataset-mnist').click();
    await page.getByTestId('template-select').selectOption('lenet5');
    await page.getByTestId('epochs').fill('2');
    await page.getByTestId('learning-rate').fill('0.001');
    await page.getByTestId('train').click();
    await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 120_000 });
    await shoot(page, 'train', w);

    // Build: the same model on the canvas, a layer selected.
    await page.getByTestId('nav-build').click();
    await page.getByTestId('node-conv2d_1').click();
    await shoot(page, 'build', w);

    // Inspect: feature maps of the first convolution.
    await page.getByTestId('nav-inspect').click();
    await expect(page.getByTestId('inspect-main')).toBeVisible();
    await page.waitForTimeout(1500);
    await shoot(page, 'inspect', w);
    await page.getByTestId('inspect-tab-cam').click();
    await expect(page.getByTestId('cam-overlay')).toBeVisible();
    await page.getByTestId('run-sanity').click();
    await expect(page.getByTestId('sanity-result')).toBeVisible({ timeout: 60_000 });
    await shoot(page, 'gradcam', w);

    // Tune & export.
    await page.getByTestId('nav-tune').click();
    await shoot(page, 'tune', w);
  });
}
