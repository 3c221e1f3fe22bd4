import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { tf, useBackend } from '../backends';
import { buildModel } from '../../compute/model-builder';
import { loadModel, type GlasswingMetadata } from '../model-io';
import { adaptTemplate, getTemplate } from '../../common/model/templates';
import type { ModelTopology } from '../../common/model/keras-format';
import { exportModel } from './export';
import { importModel } from '../import/import-model';
import { exportOnnxBytes } from './onnx';
import { runOnnx } from './onnx-runtime';
import { seededRandom } from '../../compute/random';

const IRIS = adaptTemplate(getTemplate('iris-mlp'), { inputShape: [4], task: 'classification', outputs: 3 });
const LENET = getTemplate('lenet5');

function inputs(count: number, shape: number[], seed = 1): Float32Array {
  const r = seededRandom(seed);
  return Float32Array.from({ length: count * shape.reduce((a, b) => a * b, 1) }, () => r() * 4 - 2);
}

function meta(inputShape: number[], classes: number): GlasswingMetadata {
  const size = inputShape.reduce((a, b) => a * b, 1);
  return {
    formatVersion: 1,
    task: 'classification',
    classes: Array.from({ length: classes }, (_, i) => `c${i}`),
    inputShape,
    preprocessing: inputShape.length === 3 ? { kind: 'image', height: inputShape[0]!, width: inputShape[1]!, channels: 1, scale: 1 / 255, mean: [0], std: [1] } : { kind: 'table', featureNames: [], mean: new Array(size).fill(0), std: new Array(size).fill(1) },
    dataset: 'test',
  };
}

/** Random weights everywhere (BatchNormalization statistics included), so nothing is trivially zero. */
function randomizeWeights(model: tfl.LayersModel, seed: number): void {
  const r = seededRandom(seed);
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    if (!ws.length) continue;
    layer.setWeights(ws.map((w, i) => {
      const positive = /variance/.test(layer.weights[i]!.originalName);
      return tf.tensor(Float32Array.from({ length: w.size }, () => (positive ? 0.5 + r() : (r() - 0.5) * 0.8)), w.shape);
    }));
  }
}

async function onnxDiff(topology: ModelTopology, shape: number[], count = 6): Promise<number> {
  const model = await buildModel(topology, 5);
  randomizeWeights(model, 9);
  const x = inputs(count, shape);
  const expected = tf.tidy(() => (model.predict(tf.tensor(x, [count, ...shape])) as tf.Tensor).dataSync());
  const got = await runOnnx(exportOnnxBytes(model), x, count, shape);
  assert.equal(got.values.length, expected.length);
  let m = 0;
  for (let i = 0; i < expected.length; i++) m = Math.max(m, Math.abs(expected[i]! - got.values[i]!));
  model.dispose();
  return m;
}

test('ONNX matches TF.js within 1e-4: MLP and LeNet-5', async () => {
  await useBackend('cpu');
  assert.ok((await onnxDiff(IRIS, [4])) <= 1e-4);
  assert.ok((await onnxDiff(LENET, [28, 28, 1], 4)) <= 1e-4);
});

test('ONNX matches TF.js within 1e-4: strides, same padding, BatchNorm, pooling, branches and activations', async () => {
  await useBackend('cpu');
  const conv = (name: string, filters: number, k: number, extra: Record<string, unknown> = {}) => ({ class_name: 'Conv2D', config: { name, filters, kernel_size: [k, k], padding: 'same', activation: 'relu', ...extra } });
  const sequential: ModelTopology = {
    class_name: 'Sequential',
    config: {
      name: 'seq',
      layers: [
        conv('c1', 4, 3, { strides: [2, 2], activation: 'elu', batch_input_shape: [null, 9, 7, 3] }),
        { class_name: 'BatchNormalization', config: { name: 'bn', axis: -1 } },
        { class_name: 'AveragePooling2D', config: { name: 'ap', pool_size: [2, 2], strides: [2, 2], padding: 'same' } },
        conv('c2', 5, 2, { padding: 'valid', activation: 'gelu' }),
        { class_name: 'Reshape', config: { name: 'rs', target_shape: [10] } },
        { class_name: 'Dropout', config: { name: 'dr', rate: 0.5 } },
        { class_name: 'Dense', config: { name: 'd', units: 6, activation: 'tanh' } },
        { class_name: 'BatchNormalization', config: { name: 'bn2' } },
        { class_name: 'Dense', config: { name: 'd2', units: 4, activation: 'sigmoid' } },
        { class_name: 'Activation', config: { name: 'act', activation: 'softmax' } },
      ],
    },
  };
  assert.ok((await onnxDiff(sequential, [9, 7, 3])) <= 1e-4);
  const node = (name: string, className: string, config: Record<string, unknown>, inbound: string[]) => ({
    class_name: className,
    name,
    config: { name, ...config },
    inbound_nodes: inbound.length ? [inbound.map((n) => [n, 0, 0, {}])] : [],
  });
  const functional: ModelTopology = {
    class_name: 'Model',
    config: {
      name: 'branches',
      layers: [
        node('in', 'InputLayer', { batch_input_shape: [null, 8, 8, 2] }, []),
        node('a', 'Conv2D', { filters: 3, kernel_size: [3, 3], padding: 'same', activation: 'relu' }, ['in']),
        node('b', 'Conv2D', { filters: 3, kernel_size: [1, 1], padding: 'same', activation: 'linear' }, ['in']),
        node('sum', 'Add', {}, ['a', 'b']),
        node('mp', 'MaxPooling2D', { pool_size: [3, 3], strides: [2, 2], padding: 'same' }, ['sum']),
        node('cat', 'Concatenate', { axis: -1 }, ['mp', 'mp']),
        node('gap', 'GlobalAveragePooling2D', {}, ['cat']),
        node('fl', 'Flatten', {}, ['mp']),
        node('d1', 'Dense', { units: 5, activation: 'relu6' }, ['fl']),
        node('cat2', 'Concatenate', { axis: -1 }, ['gap', 'd1']),
        node('out', 'Dense', { units: 3, activation: 'softmax' }, ['cat2']),
      ],
      input_layers: [['in', 0, 0]],
      output_layers: [['out', 0, 0]],
    },
  };
  assert.ok((await onnxDiff(functional, [8, 8, 2])) <= 1e-4);
});

test('exports tfjs, onnx and keras-script with a passing check, preprocessing and a model card', async () => {
  await useBackend('cpu');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gw-export-'));
  try {
    const model = await buildModel(IRIS, 1);
    const metadata = meta([4], 3);
    const x = inputs(10, [4], 3);
    const tfjs = await exportModel({ model, metadata, format: 'tfjs', outDir: path.join(dir, 'tfjs'), validation: { x, count: 10 }, settings: { epochs: 3, learningRate: 0.01 } });
    assert.equal(tfjs.check.ok, true);
    assert.equal(tfjs.check.maxAbsDiff, 0);
    for (const f of ['model.json', 'weights.bin', 'training-settings.json', 'model-card.md', 'preprocessing.json']) assert.ok(tfjs.files.includes(f), f);
    const reloaded = await loadModel(path.join(dir, 'tfjs'));
    const a = tf.tidy(() => (model.predict(tf.tensor(x, [10, 4])) as tf.Tensor).dataSync());
    const b = tf.tidy(() => (reloaded.model.predict(tf.tensor(x, [10, 4])) as tf.Tensor).dataSync());
    assert.deepEqual(Array.from(a), Array.from(b));
    assert.deepEqual(reloaded.metadata?.classes, ['c0', 'c1', 'c2']);
    const pre = JSON.parse(await readFile(path.join(dir, 'tfjs', 'preprocessing.json'), 'utf8'));
    assert.deepEqual(pre.classes, ['c0', 'c1', 'c2']);
    assert.match(await readFile(path.join(dir, 'tfjs', 'model-card.md'), 'utf8'), /## Architecture[\s\S]*dense_1[\s\S]*## Intended use/);

    const onnx = await exportModel({ model, metadata, format: 'onnx', outDir: path.join(dir, 'onnx') });
    assert.equal(onnx.check.runtime, 'onnxruntime-web');
    assert.ok(onnx.check.ok && onnx.check.maxAbsDiff! <= 1e-4, onnx.check.message);

    const keras = await exportModel({ model, metadata, format: 'keras-script', outDir: path.join(dir, 'keras') });
    assert.ok(keras.files.includes('train_keras.py'));
    assert.ok(keras.check.ok, keras.check.message);
    if (existsSync('/usr/bin/python3')) {
      execFileSync('/usr/bin/python3', ['-m', 'py_compile', path.join(dir, 'keras', 'train_keras.py')]);
    }
    model.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the keras script for LeNet-5 compiles and names every layer', async () => {
  await useBackend('cpu');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gw-keras-'));
  try {
    const model = await buildModel(LENET, 1);
    const result = await exportModel({ model, metadata: meta([28, 28, 1], 10), format: 'keras-script', outDir: dir });
    const script = await readFile(path.join(dir, 'train_keras.py'), 'utf8');
    for (const name of ['conv2d_1', 'max_pooling2d_1', 'flatten_1', 'dense_3']) assert.match(script, new RegExp(`name="${name}"`));
    assert.match(script, /MirroredStrategy/);
    assert.match(script, /TensorflowTrainer/);
    if (existsSync('/usr/bin/python3')) execFileSync('/usr/bin/python3', ['-m', 'py_compile', path.join(dir, 'train_keras.py')]);
    assert.ok(result.check.ok, result.check.message);
    model.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("Glasswing's own ONNX export opens again: channels-last input and its transposes, classes and scaling from preprocessing.json", async () => {
  await useBackend('cpu');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'gw-roundtrip-'));
  try {
    for (const [topology, shape] of [[LENET, [28, 28, 1]], [IRIS, [4]]] as const) {
      const model = await buildModel(topology, 3);
      randomizeWeights(model, 4);
      const metadata = meta([...shape], 10);
      if (metadata.preprocessing.kind === 'table') {
        metadata.classes = ['setosa', 'versicolor', 'virginica'];
        metadata.preprocessing = { ...metadata.preprocessing, featureNames: ['a', 'b', 'c', 'd'], mean: [5.8, 3, 3.7, 1.2], std: [0.8, 0.4, 1.8, 0.8] };
      }
      const out = path.join(dir, shape.length === 3 ? 'lenet' : 'iris');
      assert.ok((await exportModel({ model, metadata, format: 'onnx', outDir: out })).check.ok);
      const back = await importModel(path.join(out, 'model.onnx'), { check: 8 });
      assert.ok(back.model, back.unsupported.map((u) => u.message).join('; '));
      assert.ok(back.check.ok, back.check.message);
      assert.deepEqual(back.metadata.inputShape, [...shape]);
      assert.deepEqual(back.metadata.classes, metadata.classes);
      assert.deepEqual(back.metadata.preprocessing, metadata.preprocessing);
      assert.match(back.notes.join('\n'), /preprocessing\.json beside model\.onnx/);
      const x = inputs(5, [...shape], 7);
      const a = tf.tidy(() => (model.predict(tf.tensor(x, [5, ...shape])) as tf.Tensor).dataSync());
      const b = tf.tidy(() => (back.model!.predict(tf.tensor(x, [5, ...shape])) as tf.Tensor).dataSync());
      let diff = 0;
      for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
      assert.ok(diff < 1e-5, `${out}: ${diff}`);
      model.dispose();
      back.model!.dispose();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
