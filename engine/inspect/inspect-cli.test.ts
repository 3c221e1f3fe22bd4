// `glasswing featuremaps` and `glasswing gradcam` on a small saved model: the JSON shapes, the PNG
// outputs, and bad input as one line with exit code 2 (the mapping cli/main.ts applies).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tfl from '@tensorflow/tfjs-layers';
import { useBackend } from '../backends';
import { saveModel, loadModel, type GlasswingMetadata } from '../model-io';
import { imageForModel } from '../image-input';
import { applyPreprocessing } from '../datasets/prepare';
import { featureMaps } from './feature-maps';
import { computeCam } from './cam/registry';
import { CAM_METHODS } from './cam/registry';
import { runFeatureMaps } from '../../cli/commands/featuremaps';
import { runGradCam } from '../../cli/commands/gradcam';
import { CliError } from '../../cli/cli-error';

let dir = '';
let modelDir = '';
let imageFile = '';
const metadata: GlasswingMetadata = {
  formatVersion: 1,
  task: 'classification',
  classes: ['cat', 'dog', 'owl'],
  inputShape: [8, 8, 1],
  preprocessing: { kind: 'image', height: 8, width: 8, channels: 1, scale: 1 / 255, mean: [0.5], std: [0.25] },
};

before(async () => {
  await useBackend('cpu');
  dir = await mkdtemp(path.join(tmpdir(), 'gw-inspect-'));
  modelDir = path.join(dir, 'model');
  const init = (s: number) => tfl.initializers.glorotUniform({ seed: s });
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv1', kernelInitializer: init(1) }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2', kernelInitializer: init(2) }),
      tfl.layers.flatten({ name: 'flatten' }),
      tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out', kernelInitializer: init(3) }),
    ],
  });
  await saveModel(model, modelDir, metadata);
  // A 12×16 RGB image: the command converts it to grayscale and resizes it to 8×8.
  const { default: sharp } = await import('sharp');
  const rgb = Buffer.alloc(12 * 16 * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = (i * 37) % 256;
  imageFile = path.join(dir, 'input.png');
  await sharp(rgb, { raw: { width: 16, height: 12, channels: 3 } }).png().toFile(imageFile);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(fn: (argv: string[]) => Promise<number>, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  const write = process.stdout.write.bind(process.stdout);
  // The commands write strings; the test runner's own reports to its parent are binary (Node's
  // serialised reporter), so those pass through untouched.
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== 'string') return write(chunk, ...rest);
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    const code = await fn(argv);
    return { code, stdout, stderr: '' };
  } catch (e) {
    // As cli/main.ts: one line, CliError's code, 2 for other bad input, else 1.
    const err = e as Error & { exitCode?: number; code?: string };
    const code = e instanceof CliError ? e.exitCode : err.code === 'bad-input' ? 2 : 1;
    return { code, stdout, stderr: `glasswing: ${err.message.split('\n')[0]}\n` + (err.message.includes('\n') ? '(multi-line message)\n' : '') };
  } finally {
    process.stdout.write = write;
  }
}

/** The model's input computed independently of the command: raw pixels, then the saved preprocessing. */
async function expectedInput(): Promise<Float32Array> {
  return applyPreprocessing(await imageForModel(imageFile, [8, 8, 1]), metadata.preprocessing);
}

test('featuremaps writes {"layer","shape","data"} with the layer output after its activation', async () => {
  const out = path.join(dir, 'fm.json');
  const r = await run(runFeatureMaps, '--model', modelDir, '--image', imageFile, '--layer', 'conv1', '--out', out);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Wrote .*fm\.json: layer conv1, 8×8×3/);
  const json = JSON.parse(await readFile(out, 'utf8'));
  assert.deepEqual(Object.keys(json), ['layer', 'shape', 'data']);
  assert.equal(json.layer, 'conv1');
  assert.deepEqual(json.shape, [8, 8, 3]);
  assert.equal(json.data.length, 192);
  assert.ok(json.data.every((v: number) => v >= 0), 'after ReLU');
  const { model } = await loadModel(modelDir);
  const expected = featureMaps(model, await expectedInput(), 'conv1');
  assert.deepEqual(json.data, Array.from(expected.data));
  // Without --out, the same JSON on stdout; a dense layer gives [units].
  const printed = await run(runFeatureMaps, '--model', modelDir, '--image', imageFile, '--layer', 'out');
  assert.equal(printed.code, 0, printed.stderr);
  const dense = JSON.parse(printed.stdout);
  assert.deepEqual(dense.shape, [3]);
  assert.ok(Math.abs(dense.data.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-5, 'the softmax output, after its activation');
});

test('featuremaps writes one PNG per channel into a folder', async () => {
  const out = path.join(dir, 'maps');
  const r = await run(runFeatureMaps, '--model', modelDir, '--image', imageFile, '--layer', 'conv2', '--out', out, '--zoom', '4');
  assert.equal(r.code, 0, r.stderr);
  const files = (await readdir(out)).sort();
  assert.deepEqual(files, ['channel-000.png', 'channel-001.png', 'channel-002.png', 'channel-003.png']);
  const { default: sharp } = await import('sharp');
  const meta = await sharp(path.join(out, files[0]!)).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, 16);
  assert.equal(meta.height, 16);
});

test('gradcam writes {"layer","method","classIndex","score","shape","cam"} and PNG overlays', async () => {
  const out = path.join(dir, 'cam.json');
  const r = await run(runGradCam, '--model', modelDir, '--image', imageFile, '--out', out);
  assert.equal(r.code, 0, r.stderr);
  const json = JSON.parse(await readFile(out, 'utf8'));
  assert.deepEqual(Object.keys(json), ['layer', 'method', 'classIndex', 'score', 'shape', 'cam']);
  assert.equal(json.layer, 'conv2');
  assert.equal(json.method, 'gradcam');
  assert.deepEqual(json.shape, [4, 4]);
  assert.equal(json.cam.length, 16);
  const { model } = await loadModel(modelDir);
  const expected = computeCam({ model, input: await expectedInput() });
  assert.equal(json.classIndex, expected.classIndex);
  assert.ok(Math.abs(json.score - expected.score) < 1e-6);
  assert.deepEqual(json.cam, Array.from(expected.cam));

  const byName = JSON.parse((await run(runGradCam, '--model', modelDir, '--image', imageFile, '--class', 'owl', '--layer', 'conv1')).stdout);
  assert.equal(byName.classIndex, 2);
  assert.deepEqual(byName.shape, [8, 8]);
  assert.equal(JSON.parse((await run(runGradCam, '--model', modelDir, '--image', imageFile, '--class', '1')).stdout).classIndex, 1);

  const { default: sharp } = await import('sharp');
  for (const method of Object.keys(CAM_METHODS)) {
    const png = path.join(dir, `cam-${method}.png`);
    const p = await run(runGradCam, '--model', modelDir, '--image', imageFile, '--method', method, '--out', png);
    assert.equal(p.code, 0, p.stderr);
    const meta = await sharp(png).metadata();
    assert.deepEqual([meta.format, meta.width, meta.height], ['png', 8, 8], method);
  }
});

test('--help, and bad input as one line with exit code 2', async () => {
  for (const [fn, name] of [[runFeatureMaps, 'featuremaps'], [runGradCam, 'gradcam']] as const) {
    const h = await run(fn, '--help');
    assert.equal(h.code, 0);
    assert.match(h.stdout, new RegExp(`^Usage: glasswing ${name} `));
  }
  const m = ['--model', modelDir, '--image', imageFile];
  const cases: [(argv: string[]) => Promise<number>, string[], RegExp][] = [
    [runFeatureMaps, [...m, '--layer', 'nope'], /no layer "nope"\. Layers: conv1, pool1, conv2, flatten, out\./],
    [runFeatureMaps, m, /--layer is required\. Layers: conv1 \(8×8×3\), pool1 \(4×4×3\), conv2 \(4×4×4\), flatten \(64\), out \(3\)\./],
    [runFeatureMaps, [...m, '--layer', 'flatten', '--out', path.join(dir, 'flat')], /outputs \[64\], not one image per channel; use --out FILE\.json/],
    [runFeatureMaps, [...m, '--layer', 'conv1', '--out', path.join(dir, 'x.png')], /--out must be a \.json file or a folder/],
    [runFeatureMaps, ['--image', imageFile, '--layer', 'conv1'], /--model is required/],
    [runGradCam, [...m, '--layer', 'nope'], /no layer "nope"\. Layers: conv1, pool1, conv2, flatten, out\./],
    [runGradCam, [...m, '--layer', 'flatten'], /a CAM needs a layer with a height × width × channels output: conv1, pool1, conv2\./],
    [runGradCam, [...m, '--class', 'zebra'], /--class "zebra" is not a class of this model: 0 \(cat\), 1 \(dog\), 2 \(owl\)\./],
    [runGradCam, [...m, '--class', '3'], /--class "3" is not a class/],
    [runGradCam, [...m, '--method', 'magic'], /Unknown --method "magic"\. Methods: gradcam, gradcampp/],
    [runGradCam, [...m, '--out', path.join(dir, 'cam.txt')], /--out must end in \.json or \.png/],
    [runGradCam, ['--model', modelDir, '--image', path.join(dir, 'missing.png')], /missing\.png does not exist/],
    [runGradCam, ['--model', path.join(dir, 'nomodel'), '--image', imageFile], /nomodel does not exist/],
    [runGradCam, [...m, '--frobnicate'], /Unknown option '--frobnicate'/],
    [runGradCam, [...m, '--alpha', '2'], /--alpha must be a number from 0 to 1/],
  ];
  for (const [fn, argv, message] of cases) {
    const r = await run(fn, ...argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  // A file that is not an image.
  const notImage = path.join(dir, 'model', 'model.json');
  const r = await run(runGradCam, '--model', modelDir, '--image', notImage);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot be decoded as an image/);
});
