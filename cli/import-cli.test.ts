// `--model file.onnx|file.keras|file.h5` on every command that takes a model, as a user runs it:
// a separate process (from source, through tsx), exit codes, one-line errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';

const root = path.join(__dirname, '..');
const fixture = (name: string) => path.join(root, 'engine', 'import', 'fixtures', name);
let dir = '';

function glasswing(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(root, 'cli', 'main.ts'), ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'gw-import-cli-'));
  // A 10-class folder of 28×28 grayscale digits-to-be (3 each), one RGB image, class names.
  for (let c = 0; c < 10; c++) {
    await mkdir(path.join(dir, 'digits', String(c)), { recursive: true });
    for (let i = 0; i < 3; i++) {
      const px = Buffer.alloc(28 * 28);
      for (let j = 0; j < px.length; j++) px[j] = (j * (c + 3) + i * 17) % 256;
      await sharp(px, { raw: { width: 28, height: 28, channels: 1 } }).png().toFile(path.join(dir, 'digits', String(c), `${i}.png`));
    }
  }
  const rgb = Buffer.alloc(64 * 64 * 3);
  for (let j = 0; j < rgb.length; j++) rgb[j] = (j * 7) % 256;
  await sharp(rgb, { raw: { width: 64, height: 64, channels: 3 } }).png().toFile(path.join(dir, 'rgb.png'));
  await writeFile(path.join(dir, 'digits.txt'), Array.from({ length: 10 }, (_, i) => String(i)).join('\n') + '\n');
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('summary, predict, featuremaps and gradcam take an imported model', () => {
  const s = glasswing('summary', '--model', fixture('lenet5.onnx'), '--json');
  assert.equal(s.code, 0, s.stderr);
  const summary = JSON.parse(s.stdout);
  assert.equal(summary.totalParams, 61_706);
  assert.ok(summary.layers.some((l: { name: string; className: string }) => l.name === 'conv1' && l.className === 'Conv2D'));
  const keras = JSON.parse(glasswing('summary', '--model', fixture('small-cnn.keras'), '--json').stdout);
  assert.ok(keras.layers.some((l: { className: string }) => l.className === 'SeparableConv2D'));

  const p = glasswing('predict', '--model', fixture('lenet5.onnx'), '--input', path.join(dir, 'digits', '3', '0.png'), '--classes', path.join(dir, 'digits.txt'), '--json');
  assert.equal(p.code, 0, p.stderr);
  const out = JSON.parse(p.stdout);
  assert.ok(Object.keys(out.probabilities).every((k) => /^\d$/.test(k)));
  assert.ok(Math.abs(Object.values(out.probabilities as Record<string, number>).reduce((a, b) => a + b, 0) - 1) < 1e-4);
  assert.match(p.stderr, /import check: .* — ok/);

  const fm = glasswing('featuremaps', '--model', fixture('resnet18-narrow.onnx'), '--image', path.join(dir, 'rgb.png'), '--layer', 'layer1.0.conv1');
  assert.equal(fm.code, 0, fm.stderr);
  assert.deepEqual(JSON.parse(fm.stdout).shape, [16, 16, 8]);

  const cam = glasswing('gradcam', '--model', fixture('resnet18-narrow.onnx'), '--image', path.join(dir, 'rgb.png'), '--layer', 'layer3.1.conv2', '--preprocess', 'unit');
  assert.equal(cam.code, 0, cam.stderr);
  const c = JSON.parse(cam.stdout);
  assert.deepEqual(c.shape, [4, 4]);
  assert.ok(c.cam.every(Number.isFinite));
  assert.match(cam.stderr, /Pixels as you chose: pixel\/255, so values from 0 to 1/);
});

test('evaluate and export take an imported model', async () => {
  const e = glasswing('evaluate', '--model', fixture('lenet5.onnx'), '--dataset', path.join(dir, 'digits'), '--classes', path.join(dir, 'digits.txt'), '--json');
  assert.equal(e.code, 0, e.stderr);
  assert.equal(JSON.parse(e.stdout).examples, 30);
  const unnamed = glasswing('evaluate', '--model', fixture('lenet5.onnx'), '--dataset', path.join(dir, 'digits'));
  assert.equal(unnamed.code, 2);
  assert.match(unnamed.stderr, /has a class "0" the model does not know \(it knows class 0, class 1/);

  for (const [model, format] of [['tiny-mobilenet.onnx', 'onnx'], ['small-cnn.keras', 'onnx'], ['small-cnn.h5', 'tfjs']]) {
    const x = glasswing('export', '--model', fixture(model!), '--format', format!, '--out', path.join(dir, `export-${model}`), '--json');
    assert.equal(x.code, 0, `${model}: ${x.stderr}`);
    const result = JSON.parse(x.stdout);
    assert.equal(result.check.ok, true, result.check.message);
    const pre = JSON.parse(await readFile(path.join(dir, `export-${model}`, 'preprocessing.json'), 'utf8'));
    assert.ok(pre.preprocessing.kind === 'image');
  }
});

test('train fine-tunes an imported model: it starts from the imported weights', () => {
  const out = path.join(dir, 'finetuned');
  // A learning rate so small that the weights barely move: the result must still predict as the import does.
  const t = glasswing('train', '--model', fixture('lenet5.onnx'), '--dataset', path.join(dir, 'digits'), '--epochs', '1', '--batch-size', '10', '--optimizer', 'sgd', '--lr', '1e-9', '--backend', 'cpu', '--out', out, '--json');
  assert.equal(t.code, 0, t.stderr);
  const image = path.join(dir, 'digits', '5', '1.png');
  const before = JSON.parse(glasswing('predict', '--model', fixture('lenet5.onnx'), '--input', image, '--json').stdout);
  const after = JSON.parse(glasswing('predict', '--model', out, '--input', image, '--json').stdout);
  const a = Object.values(before.probabilities as Record<string, number>);
  const b = Object.values(after.probabilities as Record<string, number>);
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i]! - b[i]!) < 1e-4, `class ${i}: ${a[i]} vs ${b[i]}`);
});

test('bad imports and flags: one line on stderr, exit 2', () => {
  const cases: [string[], RegExp][] = [
    [['summary', '--model', fixture('bad/gridsample.onnx')], /node 0 "\/GridSample" \(op GridSample\) is not supported/],
    [['predict', '--model', fixture('bad/truncated.onnx'), '--input', '1'], /truncated\.onnx is not a readable ONNX model/],
    [['summary', '--model', fixture('bad/custom-layer.keras')], /layer 7 "pw" \(Antialias, registered as MyProject>Antialias\) is not supported/],
    [['summary', '--model', fixture('bad/weights-only.h5')], /weights-only file/],
    [['summary', '--model', fixture('lenet5.onnx'), '--preprocess', 'bogus'], /--preprocess must be one of imagenet, unit, none/],
    [['predict', '--model', fixture('lenet5.onnx'), '--input', '1', '--classes', path.join(dir, 'nope.txt')], /nope\.txt cannot be read/],
  ];
  for (const [args, message] of cases) {
    const r = glasswing(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('import'));
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, message);
  }
});
