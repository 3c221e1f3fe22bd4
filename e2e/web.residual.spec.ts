// A residual block drawn by hand (Conv2D → Conv2D → Add, with the skip wire) and trained.
import { test, expect } from './web-host-fixture';
import { dropLayer, setParam, wire } from './builder-actions';

test.use({ viewport: { width: 1500, height: 1000 } });

test('draw a residual block with a skip wire and train it', async ({ page, webHost }) => {
  page.on('dialog', (d) => void d.accept());
  await page.goto(webHost.url);
  await page.getByTestId('dataset-mnist').click();
  await page.getByTestId('nav-build').click();
  await page.getByTestId('new-project').click();
  const box = (await page.getByTestId('canvas').boundingBox())!;
  const plan: [string, number, number][] = [
    ['InputLayer', box.width / 2, box.height / 2],
    ['Conv2D', 140, 150], ['Conv2D', 140, 300], ['Add', 140, 450],
    ['GlobalAveragePooling2D', box.width - 160, 220], ['Dense', box.width - 160, 380],
  ];
  for (const [i, [cls, x, y]] of plan.entries()) {
    await dropLayer(page, cls, x, y);
    await expect(page.getByTestId('canvas').locator('.svelte-flow__node')).toHaveCount(i + 1);
    await page.getByTestId('canvas').click({ position: { x: 30, y: box.height - 220 } });
  }
  await setParam(page, 'input_1', 'batch_input_shape', '28, 28, 1');
  await setParam(page, 'conv2d_1', 'padding', 'same');
  await setParam(page, 'conv2d_2', 'padding', 'same');
  await wire(page, 'input_1', 'conv2d_1');
  await wire(page, 'conv2d_1', 'conv2d_2');
  await wire(page, 'conv2d_2', 'add_1');
  await wire(page, 'conv2d_1', 'add_1'); // the skip wire
  await wire(page, 'add_1', 'global_average_pooling2d_1');
  await wire(page, 'global_average_pooling2d_1', 'dense_1');
  await setParam(page, 'dense_1', 'units', '10');
  await setParam(page, 'dense_1', 'activation', 'softmax');
  // 3×3×1×8+8 + 3×3×8×8+8 + 8×10+10 = 80 + 584 + 90
  await expect(page.getByTestId('builder-total-params')).toHaveText('754');
  await expect(page.getByTestId('error-list')).toHaveCount(0);
  await page.getByTestId('show-json').click();
  await expect(page.getByTestId('model-json')).toContainText('"class_name": "Model"');
  await expect(page.getByTestId('model-json')).toContainText('"add_1"');
  await page.getByTestId('close-json').click();
  await page.getByTestId('nav-train').click();
  await page.getByTestId('epochs').fill('1');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 120_000 });
  await expect(page.getByTestId('test-accuracy')).toBeVisible();
});
