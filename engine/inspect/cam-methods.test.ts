// Every registered CAM method on one model (pytorch-grad-cam's "one test runs every method"),
// target-layer discovery inside nested models, the no-conv message, rendering helpers, and the
// randomisation check's bookkeeping.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, useBackend } from '../backends';
import { seededRandom } from '../../compute/random';
import { CAM_METHODS, computeCam, listCamMethods } from './cam/registry';
import { defaultTargetLayer, listLayers, splitModel } from './split-model';
import { featureMaps } from './feature-maps';
import { camOverlayPng, colormap, featureMapPngs, upsampleCam } from './render';
import { modelRandomisationTest } from './model-randomisation';
import { pearson, spearman, ssim } from './similarity';

before(async () => {
  await useBackend('cpu');
});

function smallCnn(seed = 3): tfl.LayersModel {
  const init = (s: number) => tfl.initializers.glorotUniform({ seed: seed * 100 + s });
  return tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1', kernelInitializer: init(1) }),
      tfl.layers.maxPooling2d({ poolSize: 2, name: 'p1' }),
      tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c2', kernelInitializer: init(2) }),
      tfl.layers.dropout({ rate: 0.5, name: 'drop', seed: 1 }),
      tfl.layers.flatten({ name: 'f' }),
      tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out', kernelInitializer: init(3) }),
    ],
  });
}

const random = seededRandom(11);
const input = Float32Array.from({ length: 144 }, () => random());

test('every CAM method runs, returns a normalised map at the layer resolution, and leaks no tensors', () => {
  const model = smallCnn();
  assert.ok(Object.keys(CAM_METHODS).length >= 4);
  assert.ok(listCamMethods().some((m) => !m.usesGradients), 'at least one gradient-free method');
  for (const name of ['gradcam', 'gradcampp', 'scorecam', 'eigencam']) assert.ok(name in CAM_METHODS, name);
  computeCam({ model, input }); // builds the split once (its cache is not a leak)
  const before = tf.memory().numTensors;
  for (const [name, method] of Object.entries(CAM_METHODS)) {
    assert.equal(method.name, name);
    const r = computeCam({ model, input, method: name });
    assert.equal(r.method, name);
    assert.equal(r.layer, 'c2', 'default layer: the last with a spatial output (dropout skipped)');
    assert.deepEqual(r.shape, [6, 6]);
    assert.equal(r.cam.length, 36);
    const max = Math.max(...r.cam);
    assert.ok(max === 1 || max === 0, `${name}: max ${max}`);
    assert.ok(r.cam.every((v) => v >= 0 && Number.isFinite(v)), `${name}: ReLU'd and finite`);
    assert.ok(Number.isFinite(r.score));
    const again = computeCam({ model, input, method: name, layer: 'c1', classIndex: 2 });
    assert.deepEqual(again.shape, [12, 12]);
    assert.equal(again.classIndex, 2);
    assert.equal(tf.memory().numTensors, before, `${name} leaks no tensors`);
  }
  // Inference mode: dropout is off, so the map repeats exactly.
  assert.deepEqual(computeCam({ model, input }).cam, computeCam({ model, input }).cam);
  assert.deepEqual(computeCam({ model, input, layer: 'drop' }).cam, computeCam({ model, input, layer: 'c2' }).cam);
});

test('bad requests give clear errors', () => {
  const model = smallCnn();
  assert.throws(() => computeCam({ model, input, layer: 'nope' }), /no layer "nope"\. Layers: c1, p1, c2, drop, f, out/);
  assert.throws(() => computeCam({ model, input, layer: 'f' }), /output shape \[216\]; a CAM needs a layer with a height × width × channels output: c1, p1, c2, drop/);
  assert.throws(() => computeCam({ model, input, method: 'magic' }), /Unknown CAM method "magic"\. Methods: gradcam, gradcampp/);
  assert.throws(() => computeCam({ model, input, classIndex: 3 }), /Class 3 does not exist: the model has 3 outputs/);
  assert.throws(() => computeCam({ model, input: new Float32Array(10) }), /The input has 10 values; the model takes 12×12×1 = 144/);
  const mlp = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
  assert.throws(() => defaultTargetLayer(mlp), /The model has no convolutional layer .*Conv2D/);
  assert.throws(() => computeCam({ model: mlp, input: new Float32Array(4) }), /no convolutional layer/);
});

test('the default target layer is found inside a nested model (a backbone)', () => {
  const backbone = tfl.sequential({
    name: 'backbone',
    layers: [
      tfl.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: 'relu', name: 'bb_conv1' }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu', name: 'bb_conv2' }),
    ],
  });
  const inp = tfl.input({ shape: [12, 12, 1] });
  const features = backbone.apply(inp) as tfl.SymbolicTensor;
  const pooled = tfl.layers.globalAveragePooling2d({ name: 'gap' }).apply(features) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 2, activation: 'softmax', name: 'head' }).apply(pooled) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: inp, outputs: out });
  assert.equal(defaultTargetLayer(model), 'backbone/bb_conv2');
  const layers = listLayers(model);
  assert.deepEqual(layers.map((l) => l.path), ['backbone', 'backbone/bb_conv1', 'backbone/bb_conv2', 'gap', 'head']);
  assert.deepEqual(layers.find((l) => l.path === 'backbone/bb_conv1')!.outputShape, [10, 10, 4]);
  const before = tf.memory().numTensors;
  const r = computeCam({ model, input });
  assert.equal(r.layer, 'backbone/bb_conv2');
  assert.deepEqual(r.shape, [8, 8]);
  assert.equal(computeCam({ model, input, layer: 'bb_conv1' }).layer, 'backbone/bb_conv1', 'inner names work alone too');
  assert.deepEqual(featureMaps(model, input, 'bb_conv1').shape, [10, 10, 4]);
  assert.equal(splitModel(model, 'backbone/bb_conv2'), splitModel(model, 'backbone/bb_conv2'), 'built once, cached');
  assert.ok(tf.memory().numTensors <= before + 0, 'no leaks');
});

test('rendering: bilinear upsampling, colour maps and PNGs', async () => {
  const up = upsampleCam(Float32Array.from([0, 1, 1, 0]), [2, 2], 4, 4);
  assert.equal(up.length, 16);
  assert.equal(up[0], 0);
  assert.ok(Math.abs(up[1]! - 0.25) < 1e-6 && Math.abs(up[5]! - 0.375) < 1e-6);
  assert.deepEqual(colormap(0, 'jet').map(Math.round), [0, 0, 128]);
  assert.deepEqual(colormap(1, 'jet').map(Math.round), [128, 0, 0]);
  const image = { pixels: new Float32Array(16 * 16).fill(100), height: 16, width: 16, channels: 1 };
  const png = await camOverlayPng(image, Float32Array.from([0, 1, 1, 0]), [2, 2]);
  const { default: sharp } = await import('sharp');
  const meta = await sharp(png).metadata();
  assert.equal(meta.format, 'png');
  assert.equal(meta.width, 16);
  assert.equal(meta.height, 16);
  const maps = await featureMapPngs([3, 3, 2], Float32Array.from({ length: 18 }, (_, i) => i));
  assert.equal(maps.length, 2);
});

test('similarity measures', () => {
  const a = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  assert.equal(spearman(a, a.map((v) => v * v)), 1);
  assert.ok(Math.abs(pearson(a, a.map((v) => -v)) + 1) < 1e-12);
  assert.ok(Math.abs(ssim(a.map((v) => v / 9), a.map((v) => v / 9), 3, 3) - 1) < 1e-12);
  assert.equal(pearson([0, 0, 0], [0, 0, 0]), 1);
  assert.equal(pearson([0, 0, 0], [1, 2, 3]), 0);
});

test('model randomisation runs on a clone and leaves the model untouched', async () => {
  const model = smallCnn();
  const weightsBefore = model.getWeights().map((w) => w.dataSync().slice());
  const before = tf.memory().numTensors;
  const report = await modelRandomisationTest({ model, input, layer: 'c1', seed: 5 });
  assert.deepEqual(report.steps.map((s) => s.layer), ['out', 'c2'], 'cascading, output layer first');
  for (const s of report.steps) {
    for (const k of ['spearman', 'pearson', 'ssim'] as const) assert.ok(s[k] >= -1 && s[k] <= 1, `${k} ${s[k]}`);
  }
  assert.ok(report.final.spearman < 0.99, `the map changed (Spearman ${report.final.spearman})`);
  assert.match(report.summary, /randomised/);
  assert.equal(tf.memory().numTensors, before, 'the clone is disposed');
  model.getWeights().forEach((w, i) => assert.deepEqual(w.dataSync(), weightsBefore[i]));
});

test('image preprocessing: the saved recipe, or 1/255 when a model has none', async () => {
  const { imagePreprocessingFor } = await import('./image-input-for-model');
  assert.deepEqual(imagePreprocessingFor([8, 8, 3], null), { kind: 'image', height: 8, width: 8, channels: 3, scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] });
  const saved = { kind: 'image' as const, height: 8, width: 8, channels: 1 as const, scale: 1 / 255, mean: [0.5], std: [0.25] };
  assert.equal(imagePreprocessingFor([8, 8, 1], { formatVersion: 1, task: 'classification', classes: ['a'], inputShape: [8, 8, 1], preprocessing: saved }), saved);
  assert.throws(() => imagePreprocessingFor([4], null), /takes \[4\], not an image/);
});
