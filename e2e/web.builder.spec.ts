// Building LeNet-5 by hand, as a learner would: real pointer drags from the palette and between
// layer handles, live shapes and counts, an error on the right node, undo, save and reopen.
import { test, expect } from './web-host-fixture';
import { dropLayer, setParam, wire } from './builder-actions';


test.use({ viewport: { width: 1500, height: 1000 } });

test('build LeNet-5 from an empty canvas, catch a misplaced Flatten, undo, save, reopen and train', async ({ page, webHost }) => {
  page.on('dialog', (d) => void d.accept());
  await page.goto(webHost.url);
  await page.getByTestId('dataset-mnist').click();
  await page.getByTestId('nav-build').click();
  await page.getByTestId('new-project').click();
  await expect(page.getByTestId('builder-total-params')).toHaveText('0');

  // The Input in the middle, then two columns of layers, all dropped from the palette.
  const box = (await page.getByTestId('canvas').boundingBox())!;
  const right = box.width - 160;
  const plan: [string, number, number][] = [
    ['InputLayer', box.width / 2, box.height / 2],
    ['Conv2D', 140, 150], ['MaxPooling2D', 140, 290], ['Conv2D', 140, 430], ['MaxPooling2D', 140, 570],
    ['Flatten', right, 220], ['Dense', right, 360], ['Dense', right, 500], ['Dense', right, 640],
  ];
  for (const [i, [cls, x, y]] of plan.entries()) {
    await dropLayer(page, cls, x, y);
    await expect(page.getByTestId('canvas').locator('.svelte-flow__node')).toHaveCount(i + 1);
    await page.getByTestId('canvas').click({ position: { x: 30, y: box.height - 220 } }); // deselect
  }
  const names = ['input_1', 'conv2d_1', 'max_pooling2d_1', 'conv2d_2', 'max_pooling2d_2', 'flatten_1', 'dense_1', 'dense_2', 'dense_3'];
  for (const n of names) await expect(page.getByTestId(`node-${n}`)).toBeVisible();
  await setParam(page, 'input_1', 'batch_input_shape', '28, 28, 1');
  for (let i = 0; i + 1 < names.length; i++) await wire(page, names[i]!, names[i + 1]!);

  await setParam(page, 'conv2d_1', 'filters', '6');
  await setParam(page, 'conv2d_1', 'kernel_size', '5');
  await setParam(page, 'conv2d_1', 'padding', 'same');
  await setParam(page, 'conv2d_2', 'filters', '16');
  await setParam(page, 'conv2d_2', 'kernel_size', '5');
  await setParam(page, 'dense_1', 'units', '120');
  await setParam(page, 'dense_2', 'units', '84');
  await setParam(page, 'dense_3', 'units', '10');
  await setParam(page, 'dense_3', 'activation', 'softmax');
  await expect(page.getByTestId('builder-total-params')).toHaveText('61,706');
  await expect(page.getByTestId('node-conv2d_2').getByTestId('node-shape')).toHaveText('(None, 10, 10, 16)');
  await expect(page.getByTestId('error-list')).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('builder-lenet5.png') });

  // A Flatten dropped onto the wire between the first pooling and the second convolution.
  const a = (await page.getByTestId('node-max_pooling2d_1').boundingBox())!;
  const b = (await page.getByTestId('node-conv2d_2').boundingBox())!;
  const canvas = (await page.getByTestId('canvas').boundingBox())!;
  await dropLayer(page, 'Flatten', a.x + a.width / 2 - canvas.x, (a.y + a.height + b.y) / 2 - canvas.y);
  await expect(page.getByTestId('node-conv2d_2').getByTestId('node-error')).toContainText(
    'Conv2D needs an input of shape (height, width, channels); it gets (None, 1176). Add a Reshape or remove the Flatten above it.',
  );
  await expect(page.getByTestId('error-list')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('builder-error.png') });
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('node-flatten_2')).toHaveCount(0);
  await expect(page.getByTestId('error-list')).toHaveCount(0);
  await expect(page.getByTestId('builder-total-params')).toHaveText('61,706');

  await page.getByTestId('show-json').click();
  const before = await page.getByTestId('model-json').innerText();
  await page.getByTestId('close-json').click();
  await page.getByTestId('save-as').click();
  await page.getByTestId('project-path').fill('lenet-by-hand');
  await page.getByTestId('project-confirm').click();
  await expect(page.getByTestId('project-message')).toContainText('Saved');
  await expect(page.getByTestId('project-name')).toHaveText('lenet-by-hand');

  await page.reload();
  await page.getByTestId('nav-build').click();
  await page.getByTestId('open-project').click();
  await page.getByTestId('project-path').fill('lenet-by-hand');
  await page.getByTestId('project-confirm').click();
  await expect(page.getByTestId('project-message')).toContainText('Opened');
  await expect(page.getByTestId('builder-total-params')).toHaveText('61,706');
  await page.getByTestId('show-json').click();
  expect(await page.getByTestId('model-json').innerText()).toBe(before);
  await page.getByTestId('close-json').click();

  await page.getByTestId('nav-train').click();
  await expect(page.getByTestId('template-select')).toHaveValue('');
  await page.getByTestId('epochs').fill('1');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 120_000 });
  await expect(page.getByTestId('loss-chart')).toHaveAttribute('data-points', '1');
});
