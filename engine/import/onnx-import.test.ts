// PyTorch models exported to ONNX, opened as Glasswing models: outputs equal ONNX Runtime's (and
// PyTorch's own recorded outputs), feature maps equal ONNX Runtime's intermediate values, Grad-CAM
// runs, the model saves, reloads and trains. The fixtures come from fixtures/make_fixtures.py.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tf, useBackend } from '../backends';
import { loadModel, saveModel } from '../model-io';
import { compileModel } from '../../compute/model-builder';
import { featureMaps } from '../inspect/feature-maps';
import { computeCam } from '../inspect/cam/registry';
import { importModel, type ImportResult } from './import-model';
import { ReadOnlyModel, nchwToNhwc, nhwcToNchw } from './read-only-model';
import { readOnnx } from './onnx-reader';
import { predictLayers, checkInputs } from './check';
import { expected, fixture, fixtureInput, maxAbsDiff } from './test-helpers';
import { readFileSync } from 'node:fs';

before(async () => {
  await useBackend('cpu');
});

const cache = new Map<string, Promise<ImportResult>>();
/** Each fixture imported once (with a 20-example check), shared by the tests below. */
function imported(name: string): Promise<ImportResult> {
  let p = cache.get(name);
  if (!p) cache.set(name, (p = importModel(fixture(name), { check: 20 })));
  return p;
}

/** The converted model's logits for make_fixtures.py's fixed inputs (NCHW there, NHWC here). */
function logitsOnFixtureInputs(r: ImportResult, name: string): Float32Array {
  const e = expected(name);
  const n = e.examples ?? 2;
  const [c, h, w] = e.inputShape as [number, number, number];
  const x = nchwToNhwc(fixtureInput(n, e.inputShape), n, c, h, w);
  return predictLayers(r.model!, [r.logitsLayer ?? r.model!.outputs[0]!.sourceLayer.name], x, n, [h, w, c])[0]!;
}

for (const name of ['lenet5.onnx', 'lenet5-opset11.onnx', 'resnet18-narrow.onnx', 'resnet18-narrow-opset17-bn.onnx', 'tiny-mobilenet.onnx', 'misc-ops.onnx']) {
  test(`${name}: converted outputs equal ONNX Runtime's within 1e-4 on 20 random inputs, and PyTorch's recorded outputs`, async () => {
    const r = await imported(name);
    assert.ok(r.model, `${name} converts`);
    assert.equal(r.source, 'onnx');
    assert.deepEqual(r.unsupported, []);
    assert.equal(r.check.runtime, 'onnxruntime-web');
    assert.equal(r.check.examples, 20);
    assert.ok(r.check.maxAbsDiff !== null && r.check.maxAbsDiff <= 1e-4, `${name}: ${r.check.message}`);
    assert.equal(r.check.ok, true);
    // Independent of ONNX Runtime: PyTorch's own outputs for the fixed inputs.
    const diff = maxAbsDiff(logitsOnFixtureInputs(r, name), expected(name).outputs);
    assert.ok(diff <= 1e-4, `${name}: ${diff} from PyTorch`);
    assert.equal(r.topology!.class_name, 'Model');
  });
}

test('the conversion check is not a tautology: the same check on a damaged conversion fails', async () => {
  const r = await imported('lenet5.onnx');
  const layer = r.model!.getLayer('conv1');
  const [kernel, bias] = layer.getWeights();
  const graph = readOnnx(new Uint8Array(readFileSync(fixture('lenet5.onnx'))), 'lenet5.onnx');
  const original = await ReadOnlyModel.open(new Uint8Array(readFileSync(fixture('lenet5.onnx'))), graph, 'lenet5.onnx', [1, 28, 28]);
  try {
    layer.setWeights([tf.reverse(kernel!, 0), bias!]); // kernel flipped upside down: what a wrong transpose does
    const x = checkInputs(r.metadata, 4);
    const expect = (await original.run(x, 4))['logits']!.data;
    const got = predictLayers(r.model!, [r.logitsLayer!], x, 4, [28, 28, 1])[0]!;
    assert.ok(maxAbsDiff(expect, got) > 10 * 1e-4, 'well above the tolerance');
  } finally {
    layer.setWeights([kernel!, bias!]);
    await original.dispose();
  }
});

test('LeNet-5: the view(x.size(0), -1) chain folds away, layers keep PyTorch module names, and a softmax is added after the logits', async () => {
  const r = await imported('lenet5.onnx');
  const names = r.model!.layers.map((l) => `${l.name}:${l.getClassName()}`);
  assert.deepEqual(names, [
    'input:InputLayer', 'conv1:Conv2D', 'relu:Activation', 'pool1:MaxPooling2D', 'conv2:Conv2D', 'relu_1:Activation', 'pool2:MaxPooling2D',
    'flatten:Flatten', 'fc1:Dense', 'relu_2:Activation', 'fc2:Dense', 'relu_3:Activation', 'fc3:Dense', 'softmax:Activation',
  ]);
  assert.equal(r.logitsLayer, 'fc3');
  assert.equal(r.model!.getLayer('conv1').getConfig()['padding'], 'same');
  assert.deepEqual(r.metadata.inputShape, [28, 28, 1]);
  assert.equal(r.metadata.task, 'classification');
  assert.deepEqual(r.metadata.classes, Array.from({ length: 10 }, (_, i) => `class ${i}`));
  // 1 channel: pixel/255, not ImageNet statistics.
  assert.deepEqual(r.metadata.preprocessing, { kind: 'image', height: 28, width: 28, channels: 1, scale: 1 / 255, mean: [0], std: [1] });
  const p = tf.tidy(() => tf.sum(r.model!.predict(tf.randomNormal([3, 28, 28, 1], 0, 1, 'float32', 5)) as tf.Tensor, 1).dataSync());
  for (const s of p) assert.ok(Math.abs(s - 1) < 1e-5, 'probabilities sum to 1');
  assert.equal(r.model!.countParams(), expected('lenet5.onnx').params, 'same parameters as the PyTorch model');
});

test('ResNet-18 (narrow): stem padding, residual adds and GAP → Flatten → Gemm; 3 channels get ImageNet preprocessing', async () => {
  const r = await imported('resnet18-narrow.onnx');
  const m = r.model!;
  const classes = new Set(m.layers.map((l) => l.getClassName()));
  for (const c of ['Conv2D', 'ZeroPadding2D', 'MaxPooling2D', 'Add', 'GlobalAveragePooling2D', 'Dense']) assert.ok(classes.has(c), c);
  assert.ok(!classes.has('Permute') && !classes.has('Reshape'), 'no layout shuffles between layers');
  assert.equal(m.layers.filter((l) => l.getClassName() === 'Add').length, 8);
  assert.equal(m.layers.filter((l) => l.getClassName() === 'Conv2D').length, 20);
  assert.deepEqual(r.metadata.preprocessing, { kind: 'image', height: 64, width: 64, channels: 3, scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });
  // The opset-17 export keeps BatchNormalization nodes: they become BatchNormalization layers.
  const bn = await imported('resnet18-narrow-opset17-bn.onnx');
  assert.equal(bn.model!.layers.filter((l) => l.getClassName() === 'BatchNormalization').length, 20);
  assert.ok(bn.model!.getLayer('layer1.0.bn1'));
});

test('tiny MobileNet: depthwise convolutions (multiplier 1 and 2), ReLU6 and HardSwish', async () => {
  const r = await imported('tiny-mobilenet.onnx');
  const dw = r.model!.layers.filter((l) => l.getClassName() === 'DepthwiseConv2D');
  assert.equal(dw.length, 2);
  assert.deepEqual(dw.map((l) => l.getConfig()['depthMultiplier']), [1, 2]);
  assert.equal(r.model!.layers.filter((l) => l.getClassName() === 'Activation' && l.getConfig()['activation'] === 'relu6').length, 3);
});

test('feature maps of a converted conv equal ONNX Runtime\'s intermediate value (NCHW → NHWC) within 1e-4', async () => {
  for (const [name, value] of [['resnet18-narrow.onnx', '/layer2/layer2.0/conv1/Conv_output_0'], ['resnet18-narrow-opset17-bn.onnx', '/layer3/layer3.1/bn2/BatchNormalization_output_0'], ['tiny-mobilenet.onnx', '/dw2/dw2.0/Conv_output_0']] as const) {
    const r = await imported(name);
    const layer = r.layerOf[value];
    assert.ok(layer, `${value} has a layer`);
    const bytes = new Uint8Array(readFileSync(fixture(name)));
    const e = expected(name);
    const original = await ReadOnlyModel.open(bytes, readOnnx(bytes, name), name, e.inputShape);
    try {
      const x = checkInputs(r.metadata, 1, 77);
      const fm = featureMaps(r.model!, x, layer!);
      const ort = (await original.run(x, 1, [value]))[value]!;
      assert.equal(ort.dims.length, 4);
      assert.deepEqual(fm.shape, ort.dims.slice(1), `${name} ${layer} shape`);
      const diff = maxAbsDiff(fm.data, ort.data);
      assert.ok(diff <= 1e-4, `${name} ${layer}: ${diff}`);
      assert.ok(Math.max(...fm.data) - Math.min(...fm.data) > 1e-3, 'a real, varied feature map');
    } finally {
      await original.dispose();
    }
  }
});

test('NCHW ↔ NHWC helpers invert each other and put channels last', () => {
  const x = Float32Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i);
  const nhwc = nchwToNhwc(x, 2, 3, 4, 5);
  assert.equal(nhwc[1], 20); // (n0, h0, w0, c1) = NCHW index 1·4·5
  assert.deepEqual(Array.from(nhwcToNchw(nhwc, 2, 4, 5, 3)), Array.from(x));
});

test('Grad-CAM runs on the converted ResNet and gives a finite, non-constant map', async () => {
  const r = await imported('resnet18-narrow.onnx');
  const x = checkInputs(r.metadata, 1, 5);
  for (const layer of [undefined, 'layer3.1.conv2']) {
    const cam = computeCam({ model: r.model!, input: x, layer, method: 'gradcam' });
    assert.ok(cam.cam.every(Number.isFinite));
    assert.ok(Math.max(...cam.cam) - Math.min(...cam.cam) > 0.05, `${cam.layer}: not constant`);
    assert.ok(Number.isFinite(cam.score));
    // The score is the logit (before the appended softmax).
    const logits = predictLayers(r.model!, [r.logitsLayer!], x, 1, r.metadata.inputShape)[0]!;
    assert.ok(Math.abs(cam.score - logits[cam.classIndex]!) < 1e-4);
  }
});

test('a converted model saves and reloads (engine/model-io) with the same outputs and its metadata', async () => {
  const r = await imported('resnet18-narrow.onnx');
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-import-'));
  try {
    await saveModel(r.model!, dir, r.metadata);
    const back = await loadModel(dir);
    const x = checkInputs(r.metadata, 3, 9);
    const a = tf.tidy(() => (r.model!.predict(tf.tensor(x, [3, 64, 64, 3])) as tf.Tensor).dataSync());
    const b = tf.tidy(() => (back.model.predict(tf.tensor(x, [3, 64, 64, 3])) as tf.Tensor).dataSync());
    assert.ok(maxAbsDiff(a, b) <= 1e-6);
    assert.deepEqual(back.metadata, r.metadata);
    back.model.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a fine-tuning step (compile + trainOnBatch) runs on converted models and changes the weights', async () => {
  for (const name of ['resnet18-narrow-opset17-bn.onnx', 'tiny-mobilenet.onnx']) {
    // A fresh import: training changes the weights the other tests compare.
    const r = await importModel(fixture(name), { check: false });
    const m = r.model!;
    compileModel(m, 'classification', 'sgd', 0.05);
    const [h, w, c] = r.metadata.inputShape as [number, number, number];
    const x = tf.tensor(checkInputs(r.metadata, 4, 3), [4, h, w, c]);
    const y = tf.cast(tf.oneHot(tf.tensor1d([0, 1, 2, 3], 'int32'), r.metadata.classes.length), 'float32');
    const trainable = m.trainableWeights.find((v) => v.shape.length === 4)!;
    const before = trainable.read().dataSync().slice();
    const loss = (await m.trainOnBatch(x, y)) as number[];
    assert.ok(Number.isFinite(loss[0]!), `${name} loss ${loss[0]}`);
    assert.ok(maxAbsDiff(before, trainable.read().dataSync()) > 0, `${name}: weights moved`);
    tf.dispose([x, y]);
    m.dispose();
  }
});

test('an unsupported op: one line naming node, name and op; the model still opens read-only in ONNX Runtime', async () => {
  const r = await importModel(fixture('bad/gridsample.onnx'));
  assert.equal(r.model, null);
  assert.equal(r.unsupported.length, 1);
  assert.equal(r.unsupported[0]!.message, 'node 0 "/GridSample" (op GridSample) is not supported');
  assert.equal(r.check.ok, false);
  assert.match(r.check.message, /^not converted: node 0 "\/GridSample" \(op GridSample\)/);
  const ro = r.readOnly!;
  try {
    assert.deepEqual(ro.inputShape, [8, 8, 1]);
    const e = expected('bad/gridsample.onnx');
    const x = nchwToNhwc(fixtureInput(1, e.inputShape), 1, 1, 8, 8);
    const out = await ro.predict(x, 1);
    assert.ok(maxAbsDiff(out.data, e.outputs) <= 1e-4, 'ONNX Runtime reproduces PyTorch');
    // Intermediate values by name (channels-last), as Score-CAM/Eigen-CAM will want them.
    const names = ro.values().map((v) => v.name);
    assert.ok(names.includes('/GridSample_output_0') && names.includes('/Relu_output_0'));
    const mid = await ro.run(x, 1, ['/Relu_output_0']);
    assert.deepEqual(mid['/Relu_output_0']!.dims, [1, 8, 8, 2]);
    assert.ok(mid['/Relu_output_0']!.data.every((v) => v >= 0));
    await assert.rejects(ro.run(x, 1, ['nope']), /has no value "nope"/);
  } finally {
    await ro.dispose();
  }
});

test('a truncated or garbage .onnx: one clear line naming the file', async () => {
  await assert.rejects(importModel(fixture('bad/truncated.onnx')), (e: Error) => {
    assert.equal(e.name, 'ModelImportError');
    assert.equal((e as { code?: string }).code, 'bad-input');
    assert.match(e.message, /truncated\.onnx is not a readable ONNX model/);
    assert.equal(e.message.split('\n').length, 1);
    return true;
  });
  await assert.rejects(importModel(fixture('README.md').replace(/\.md$/, '.onnx')), /README\.onnx does not exist/);
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-import-'));
  try {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(path.join(dir, 'text.onnx'), 'this is not a model at all, just some text\n');
    await assert.rejects(importModel(path.join(dir, 'text.onnx')), /text\.onnx is not (a readable ONNX model|an ONNX model)/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
