// The Inspector, as issue 6 asks: LeNet-5 trained for one epoch on MNIST, the 6 maps of its first
// convolution for a test digit, stepping through layers, Grad-CAM for two classes, the gallery
// filtered to wrong predictions, the epoch timeline of a pinned sample over a second run, and the
// shortcut audit on the built-in watermark data with the watermarked class 'B' at the top.
import { test, expect } from './web-host-fixture';
import type { Page } from '@playwright/test';
import sharp from 'sharp';


test.use({ viewport: { width: 1440, height: 1000 } });

async function train(page: Page, epochs: number): Promise<void> {
  await page.getByTestId('nav-train').click();
  await page.getByTestId('epochs').fill(String(epochs));
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 90_000 });
}

test('inspect LeNet-5 on MNIST: maps, layers, Grad-CAM, wrong predictions, a pinned timeline, and the shortcut audit', async ({ page, webHost }) => {
  test.setTimeout(180_000);
  await page.goto(webHost.url);
  await page.getByTestId('dataset-mnist').click();
  await page.getByTestId('template-select').selectOption('lenet5');
  await train(page, 1);

  // The 6 maps of the first convolution for a test digit.
  await page.getByTestId('nav-inspect').click();
  await expect(page.getByTestId('gallery-item').first()).toBeVisible();
  await expect(page.getByTestId('maps-layer')).toHaveText('conv2d_1');
  await expect(page.getByTestId('feature-map')).toHaveCount(6);
  await expect(page.getByTestId('sample-label')).toBeVisible();
  await expect(page.getByTestId('filter-card')).toHaveCount(6);
  // Hover reads a value; click enlarges.
  await page.getByTestId('feature-map').nth(2).hover();
  await expect(page.getByTestId('maps-readout')).toContainText('channel 3');
  await page.getByTestId('feature-map').nth(2).click();
  await expect(page.getByTestId('map-enlarged')).toBeVisible();
  await page.getByTestId('map-close').click();
  await page.getByTestId('gallery-item').nth(1).click();
  await expect(page.getByTestId('feature-map')).toHaveCount(6);
  await page.mouse.move(0, 0);
  await page.getByTestId('inspect-main').screenshot({ path: test.info().outputPath('inspect-featuremaps.png') });
  await page.screenshot({ path: test.info().outputPath('inspect-activations-page.png') });

  // Switching layers: the keyboard steps through them, a click jumps.
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('maps-layer')).toHaveText('max_pooling2d_1');
  await expect(page.getByTestId('feature-map')).toHaveCount(6);
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('maps-layer')).toHaveText('conv2d_2');
  await expect(page.getByTestId('feature-map')).toHaveCount(16);
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('maps-layer')).toHaveText('max_pooling2d_1');
  await page.getByTestId('layer-dense_1').click();
  await expect(page.getByTestId('dense-bars')).toBeVisible();
  await expect(page.getByTestId('feature-map')).toHaveCount(0);

  // Grad-CAM for the predicted class, then for another class.
  await page.getByTestId('inspect-tab-cam').click();
  await expect(page.getByTestId('cam-overlay')).toBeVisible();
  const predicted = (await page.getByTestId('sample-predicted').innerText()).trim();
  await expect(page.getByTestId('cam-explained')).toHaveText(predicted);
  const other = predicted === '3' ? '5' : '3';
  await page.getByTestId('cam-class').selectOption({ label: other });
  await expect(page.getByTestId('cam-explained')).toHaveText(other);
  await page.getByTestId('cam-class').selectOption({ index: 0 });
  await expect(page.getByTestId('cam-explained')).toHaveText(predicted);
  await page.getByTestId('cam-opacity').fill('0.6');
  await page.getByTestId('run-sanity').click();
  await expect(page.getByTestId('sanity-result')).toBeVisible();
  await page.getByTestId('inspect-main').screenshot({ path: test.info().outputPath('inspect-gradcam.png') });

  // An image file from disk goes through the engine's image path (decode, resize, preprocessing).
  const bar = Buffer.alloc(56 * 56);
  for (let y = 8; y < 48; y++) for (let x = 25; x < 31; x++) bar[y * 56 + x] = 255;
  const png = await sharp(bar, { raw: { width: 56, height: 56, channels: 1 } }).png().toBuffer();
  await page.getByTestId('image-file').setInputFiles({ name: 'one.png', mimeType: 'image/png', buffer: png });
  await expect(page.getByTestId('sample-card')).toContainText('one.png');
  await expect(page.getByTestId('sample-label')).toHaveCount(0);
  await expect(page.getByTestId('cam-overlay')).toBeVisible();

  // The gallery filtered to wrong predictions.
  await page.getByTestId('gallery-filter-wrong').click();
  await expect(page.getByTestId('gallery-item').first()).toBeVisible();
  const flags = await page.getByTestId('gallery-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-wrong')));
  expect(flags.length).toBeGreaterThan(0);
  expect(flags.every((f) => f === 'true')).toBe(true);
  await page.getByTestId('gallery-filter-all').click();

  // Pin a test digit, train two more epochs, scrub its timeline.
  await page.getByTestId('gallery-item').first().click();
  await page.getByTestId('pin-sample').click();
  await expect(page.getByTestId('pin-sample')).toContainText('Pinned');
  await train(page, 2);
  await page.getByTestId('nav-inspect').click();
  await page.getByTestId('inspect-tab-timeline').click();
  await expect(page.getByTestId('pinned-sample')).toHaveCount(1);
  await expect(page.getByTestId('timeline-epoch')).toHaveText('2');
  await expect(page.getByTestId('timeline-cam')).toBeVisible();
  const slider = page.getByTestId('timeline-slider');
  await expect(slider).toHaveAttribute('max', '2');
  await slider.fill('0');
  await expect(page.getByTestId('timeline-epoch')).toHaveText('0');
  await slider.fill('1');
  await expect(page.getByTestId('timeline-epoch')).toHaveText('1');
  await page.screenshot({ path: test.info().outputPath('inspect-timeline.png') });

  // The shortcut audit on the watermark data: class B (the marked one) on top.
  await page.getByTestId('nav-train').click();
  await page.getByTestId('dataset-watermark').click();
  await expect(page.getByTestId('template-select')).toHaveValue('lenet5');
  await page.getByTestId('batch-size').fill('32');
  await page.getByTestId('learning-rate').fill('0.005');
  await train(page, 8);
  await page.getByTestId('nav-inspect').click();
  await expect(page.getByTestId('inspect-run')).toContainText('Watermark');
  await page.getByTestId('inspect-tab-audit').click();
  await page.getByTestId('run-audit').click();
  await expect(page.getByTestId('audit-class').first()).toHaveAttribute('data-class', 'B');
  await expect(page.getByTestId('audit-warnings')).toContainText('Class "B"');
  const top = await page.getByTestId('audit-image').evaluateAll((els) => els.slice(0, 10).map((e) => e.getAttribute('data-label')));
  expect(top.every((l) => l === 'B')).toBe(true);
  await page.screenshot({ path: test.info().outputPath('inspect-audit.png'), fullPage: true });
});
