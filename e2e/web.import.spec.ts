// Bring your own model, the course's last step: a ResNet-18 exported from PyTorch as ONNX opens on
// the canvas with its weights, becomes a transfer backbone cut at its global pooling, gets a new
// 10-class head trained on an image folder, and the result is inspected with Grad-CAM like any run.
// Where Debian's python3-torch is installed, the ONNX is torchvision's full ResNet-18 (512
// features); elsewhere (CI) the checked-in ResNet-18-shaped fixture at 1/8 width (64 features).
import { test, expect } from './web-host-fixture';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { mnistFolder } from './mnist-folder';

test.setTimeout(420_000);

const FIXTURE = path.join(__dirname, '..', 'engine', 'import', 'fixtures', 'resnet18-narrow.onnx');

/** torchvision's ResNet-18 (random weights, 10 classes, 3×32×32) exported by torch.onnx.export, when torch is here. */
function resnet18Onnx(): { file: string; features: number } {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'gw-resnet-')), 'resnet18.onnx');
  const script = [
    'import sys, torch, torchvision',
    'torch.manual_seed(0)',
    'm = torchvision.models.resnet18(num_classes=10).eval()',
    'torch.onnx.export(m, torch.randn(1, 3, 32, 32), sys.argv[1], opset_version=13, input_names=["input"], output_names=["logits"])',
  ].join('\n');
  const r = existsSync('/usr/bin/python3') ? spawnSync('/usr/bin/python3', ['-c', script, out], { encoding: 'utf8', timeout: 180_000 }) : null;
  if (r && r.status === 0 && existsSync(out)) return { file: out, features: 512 };
  return { file: FIXTURE, features: 64 };
}

test('a ResNet-18 from PyTorch: on the canvas, as a backbone cut at global pooling with a new 10-class head, trained on a folder, then Grad-CAM', async ({ page, webHost }) => {
  const resnet = resnet18Onnx();
  const digits = await mnistFolder(30);
  await page.goto(webHost.url);

  // The Build view opens it with its weights: the whole graph on the canvas.
  await page.getByTestId('nav-build').click();
  await page.getByTestId('open-model-file-input').setInputFiles(resnet.file);
  await expect(page.getByTestId('build-model-file')).toContainText(path.basename(resnet.file), { timeout: 120_000 });
  await expect(page.getByTestId('node-avgpool')).toBeVisible();
  await expect(page.getByTestId('builder-total-params')).not.toHaveText('0');
  // What the import assumed and checked is in the banner; class names come from a text file.
  await expect(page.getByTestId('model-file-check')).toContainText('Conversion check');
  const names = path.join(mkdtempSync(path.join(tmpdir(), 'gw-names-')), 'digits.txt');
  writeFileSync(names, Array.from({ length: 10 }, (_, i) => `digit ${i}`).join('\n'));
  await page.getByTestId('model-file-classes-input').setInputFiles(names);
  await expect(page.getByTestId('model-file-classes')).toHaveText('Classes: digits.txt', { timeout: 60_000 });
  await page.getByTestId('model-file-preprocess').selectOption('unit');
  await page.getByTestId('model-file-details').click();
  await expect(page.getByTestId('model-file-notes')).toContainText('Pixels as you chose: pixel/255, so values from 0 to 1', { timeout: 60_000 });
  await expect(page.getByTestId('model-file-notes')).not.toContainText('Assumed torchvision');
  await page.screenshot({ path: test.info().outputPath('resnet-canvas.png') });

  // The data: ten classes of images in a folder.
  await page.getByTestId('nav-data').click();
  await page.getByTestId('folder-input').setInputFiles(digits);
  await expect(page.getByTestId('data-preview')).toBeVisible({ timeout: 60_000 });
  await page.getByTestId('use-dataset').click();

  // Transfer: the file as a backbone, cut at its global average pooling.
  await page.getByTestId('nav-tune').click();
  const panel = page.getByTestId('transfer-panel');
  await panel.scrollIntoViewIfNeeded();
  await page.getByTestId('transfer-open-file-input').setInputFiles(resnet.file);
  await expect(page.getByTestId('transfer-backbone')).toContainText(path.basename(resnet.file), { timeout: 120_000 });
  // Glasswing suggests the global pooling's output; choosing it by name is the same cut.
  await page.getByTestId('transfer-cut').selectOption({ label: 'avgpool (suggested)' });
  await expect(panel).toContainText(`output ${resnet.features}`);
  await expect(page.getByTestId('transfer-data')).toContainText('10 classes');
  await page.getByTestId('transfer-unfreeze').fill('0');
  await page.getByTestId('transfer-head').fill('0');
  await page.getByTestId('transfer-epochs').fill('15');
  await page.getByTestId('transfer-batch').fill('16');
  await page.getByTestId('transfer-lr').fill('0.01');
  await page.getByTestId('transfer-compare').uncheck();
  await page.getByTestId('transfer-start').click();
  await expect(page.getByTestId('transfer-status')).toHaveAttribute('data-status', 'finished', { timeout: 300_000 });
  await expect(page.getByTestId('transfer-test-accuracy')).toContainText('%');
  await expect(page.getByTestId('transfer-run')).toContainText('Kept as');
  await page.screenshot({ path: test.info().outputPath('transfer-result.png'), fullPage: true });

  // The backbone + head is a run: Inspect draws Grad-CAM on one of its test images.
  await page.getByTestId('transfer-inspect').click();
  await expect(page.getByTestId('inspect-main')).toBeVisible();
  await page.getByTestId('inspect-tab-cam').click();
  await expect(page.getByTestId('cam-overlay')).toBeVisible({ timeout: 120_000 });
  await expect(page.getByTestId('cam-explained')).not.toBeEmpty();
  await page.screenshot({ path: test.info().outputPath('resnet-gradcam.png') });
  // …and it is listed with the project's runs under its own name.
  await page.getByTestId('nav-train').click();
  await expect(page.getByTestId('runs-table')).toContainText('+ new head');
});

test('a LeNet-5 exported from PyTorch, opened in the Train view, fine-tunes on MNIST from the Train view and is evaluated like any run', async ({ page, webHost }) => {
  const lenet = path.join(__dirname, '..', 'engine', 'import', 'fixtures', 'lenet5.onnx');
  await page.goto(webHost.url);
  // Opened where training is set up; the Build view shows it with its check.
  await page.getByTestId('dataset-mnist').click();
  await page.getByTestId('setup-open-model-input').setInputFiles(lenet);
  await expect(page.getByTestId('template-select')).toContainText('lenet5.onnx (model file)', { timeout: 60_000 });
  await page.getByTestId('nav-build').click();
  await expect(page.getByTestId('build-model-file')).toContainText('lenet5.onnx');
  await expect(page.getByTestId('builder-total-params')).toHaveText('61,706');
  await expect(page.getByTestId('model-file-check')).toContainText('largest difference');

  await page.getByTestId('nav-train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Ready to train');
  await page.getByTestId('epochs').fill('1');
  await page.getByTestId('learning-rate').fill('0.001');
  await page.getByTestId('train').click();
  await expect(page.getByTestId('run-status')).toHaveText('Finished', { timeout: 120_000 });
  await expect(page.getByTestId('run-subject')).toContainText('lenet5.onnx');
  await expect(page.getByTestId('confusion').locator('tbody tr')).toHaveCount(10);
  await expect(page.getByTestId('test-metrics')).toContainText('%');
  await page.screenshot({ path: test.info().outputPath('lenet-onnx-trained.png') });
  // The run belongs to the model on the canvas: Inspect shows it (the file's functional topology
  // and the canvas's Sequential are one model).
  await page.getByTestId('nav-inspect').click();
  await expect(page.getByTestId('inspect-run')).toContainText('lenet5.onnx');
  await expect(page.getByTestId('inspect-main')).toBeVisible({ timeout: 60_000 });
});
