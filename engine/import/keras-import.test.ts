// Keras models: a Keras 3 .keras archive and a Keras 2 .h5, written by make_fixtures.py in Keras's
// own file layout. Parameter counts and outputs match what PyTorch computed from the same weights.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { tf, useBackend } from '../backends';
import { summarizeTopology } from '../../common/model/summary';
import { applyPreprocessing } from '../datasets/prepare';
import { importModel, loadAnyModel } from './import-model';
import { kerasTopology } from './keras-config';
import { summarizeLayersModel } from './summary';
import { expected, fixture, fixtureInput, maxAbsDiff } from './test-helpers';

before(async () => {
  await useBackend('cpu');
});

/** The fixture's recorded inputs, as pixels 0–255, through the model's own preprocessing. */
function fixturePixels(name: string): { pixels: Float32Array; count: number; shape: number[] } {
  const e = expected(name);
  const x = fixtureInput(2, e.inputShape).map((v) => v * e.inputScale! + e.inputOffset!);
  return { pixels: x, count: 2, shape: e.inputShape };
}

for (const name of ['small-cnn.keras', 'small-cnn.h5']) {
  test(`${name}: parameters, outputs and the conversion check match the file`, async () => {
    const r = await importModel(fixture(name), { check: 20 });
    const m = r.model!;
    const e = expected(name);
    assert.equal(r.source, name.endsWith('.keras') ? 'keras' : 'h5');
    assert.equal(m.countParams(), e.params);
    assert.equal(summarizeLayersModel(m).totalParams, e.params);
    assert.deepEqual(r.metadata.inputShape, e.inputShape);
    const { pixels, count, shape } = fixturePixels(name);
    const x = applyPreprocessing(pixels, r.metadata.preprocessing);
    const y = tf.tidy(() => (m.predict(tf.tensor(x, [count, ...shape])) as tf.Tensor).dataSync());
    const diff = maxAbsDiff(y, e.outputs);
    assert.ok(diff <= 1e-4, `${name}: ${diff} from PyTorch's forward pass`);
    assert.equal(r.check.runtime, 'reference (float64 JavaScript)');
    assert.equal(r.check.examples, 20);
    assert.ok(r.check.ok && r.check.maxAbsDiff! <= 1e-4, r.check.message);
    m.dispose();
  });
}

test('Keras 2 .h5: the builder\'s own summary (common/model/summary.ts) counts the same parameters', async () => {
  const r = await importModel(fixture('small-cnn.h5'), { check: false });
  const s = summarizeTopology(r.topology!);
  assert.deepEqual(s.errors, []);
  assert.equal(s.totalParams, expected('small-cnn.h5').params);
  assert.equal(s.totalParams, r.model!.countParams());
  assert.equal(r.topology!.class_name, 'Sequential');
  assert.deepEqual((r.metadata.preprocessing as { scale: number }).scale, 1 / 255, 'no Rescaling layer: pixel/255');
  r.model!.dispose();
});

test('Keras 3 .keras: functional wiring from keras_history, a leading Rescaling means raw pixels, Keras 3 layers mapped', async () => {
  const r = await importModel(fixture('small-cnn.keras'), { check: false });
  const m = r.model!;
  assert.equal(r.topology!.class_name, 'Model');
  assert.deepEqual(m.getLayer('add').inboundNodes[0]!.inboundLayers.map((l) => l.name), ['pw', 'relu6_stem']);
  assert.equal(m.getLayer('relu6_stem').getClassName(), 'ReLU');
  assert.equal(m.getLayer('relu6_stem').getConfig()['maxValue'], 6);
  assert.deepEqual(r.metadata.preprocessing, { kind: 'image', height: 16, width: 16, channels: 3, scale: 1, mean: [0, 0, 0], std: [1, 1, 1] });
  assert.ok(r.notes.some((n) => /starts with a Rescaling layer/.test(n)));
  assert.ok(r.notes.some((n) => /Keras 3\.3\.3/.test(n)));
  m.dispose();
});

test('Keras 3 config details: LeakyReLU negative_slope, ReLU with a slope, single input_layers, Keras 3 hard_sigmoid refused', () => {
  const tensor = (layer: string) => ({ class_name: '__keras_tensor__', config: { shape: [null, 4], dtype: 'float32', keras_history: [layer, 0, 0] } });
  const layer = (class_name: string, name: string, config: Record<string, unknown>, from: string | null) => ({
    module: 'keras.layers', class_name, config: { name, dtype: { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' } }, ...config }, registered_name: null, name,
    inbound_nodes: from ? [{ args: [tensor(from)], kwargs: {} }] : [],
  });
  const model = (layers: unknown[]) => ({ module: 'keras.src.models.functional', class_name: 'Functional', config: { name: 'm', layers, input_layers: ['in', 0, 0], output_layers: ['out', 0, 0] } });
  const t = kerasTopology(model([layer('InputLayer', 'in', { batch_shape: [null, 4] }, null), layer('LeakyReLU', 'lr', { negative_slope: 0.2 }, 'in'), layer('ReLU', 'out', { negative_slope: 0.1, max_value: null, threshold: 0 }, 'lr')]), 'm.keras', true);
  const layers = t.topology.config.layers;
  assert.equal(layers.find((l) => l.config.name === 'lr')!.config['alpha'], 0.2);
  assert.equal(layers.find((l) => l.config.name === 'out')!.class_name, 'LeakyReLU');
  assert.equal(layers.find((l) => l.config.name === 'lr')!.config['dtype'], 'float32');
  assert.throws(
    () => kerasTopology(model([layer('InputLayer', 'in', { batch_shape: [null, 4] }, null), layer('Dense', 'out', { units: 2, activation: 'hard_sigmoid' }, 'in')]), 'm.keras', true),
    /layer 1 "out" \(Dense\) is not supported: the Keras 3 hard_sigmoid activation/,
  );
  assert.throws(
    () => kerasTopology(model([layer('InputLayer', 'in', { batch_shape: [null, 4] }, null), layer('Normalization', 'out', {}, 'in')]), 'm.keras', true),
    /layer 1 "out" \(Normalization\) is not supported: TF\.js has no such layer/,
  );
});

test('a custom layer in a .keras: one line naming the layer and its class', async () => {
  await assert.rejects(importModel(fixture('bad/custom-layer.keras')), (e: Error) => {
    assert.equal(e.name, 'UnsupportedModelError');
    assert.equal(e.message.split('\n').length, 1);
    assert.match(e.message, /custom-layer\.keras: layer 7 "pw" \(Antialias, registered as MyProject>Antialias\) is not supported: it is a custom layer/);
    return true;
  });
});

test('a weights-only .h5: one line saying to save the whole model', async () => {
  await assert.rejects(importModel(fixture('bad/weights-only.h5')), (e: Error) => {
    assert.equal(e.name, 'ModelImportError');
    assert.equal(e.message.split('\n').length, 1);
    assert.match(e.message, /weights-only\.h5 is a weights-only file \(model\.save_weights\(\.\.\.\)\): it has no model config\. Save the whole model with model\.save\(\.\.\.\)/);
    return true;
  });
});

test('truncated and wrong-format Keras files: one clear line each, no crash', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-import-'));
  try {
    const keras = await readFile(fixture('small-cnn.keras'));
    const h5 = await readFile(fixture('small-cnn.h5'));
    const cases: [string, Uint8Array, RegExp][] = [
      ['cut.keras', keras.subarray(0, 2000), /cut\.keras is not a readable \.keras archive/],
      ['cut.h5', h5.subarray(0, 3000), /cut\.h5 (is not a readable HDF5 file|is an HDF5 file without a Keras model config|: the (weights|attributes))/],
      ['text.h5', new TextEncoder().encode('hello'), /text\.h5 is not an HDF5 file/],
      ['zip.keras', keras.subarray(0, 0), /zip\.keras is not a readable \.keras archive/],
    ];
    for (const [name, bytes, message] of cases) {
      await writeFile(path.join(dir, name), bytes);
      await assert.rejects(importModel(path.join(dir, name)), (e: Error) => {
        assert.equal((e as { code?: string }).code, 'bad-input', `${name}: ${e.message}`);
        assert.match(e.message, message);
        assert.equal(e.message.split('\n').length, 1);
        return true;
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a .keras zip bomb is refused from its declared sizes, and entries Keras does not write are never inflated', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'gw-import-'));
  try {
    const entries = unzipSync(await readFile(fixture('small-cnn.keras')));
    const zeros = new Uint8Array(100 * 2 ** 20);
    // 100 MB of zeros next to the real model: skipped, so the import works as without it.
    await writeFile(path.join(dir, 'extra.keras'), zipSync({ ...entries, 'junk.bin': zeros }, { level: 1 }));
    const r = await importModel(path.join(dir, 'extra.keras'), { check: false });
    assert.ok(r.model);
    r.model.dispose();
    // 100 MB of zeros as the weights (about 100 kB stored): refused before it is inflated.
    await writeFile(path.join(dir, 'bomb.keras'), zipSync({ 'config.json': entries['config.json']!, 'model.weights.h5': zeros }, { level: 1 }));
    await assert.rejects(importModel(path.join(dir, 'bomb.keras')), /bomb\.keras: its model\.weights\.h5 would inflate to 100 MB from 0\.1 MB, which no Keras model does/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('loadAnyModel opens imports and TF.js folders alike, and refuses a read-only import with the op named', async () => {
  const a = await loadAnyModel(fixture('small-cnn.h5'));
  assert.ok(a.imported && a.imported.check.ok);
  assert.equal(a.metadata!.classes.length, 10);
  a.model.dispose();
  await assert.rejects(loadAnyModel(fixture('bad/gridsample.onnx')), /node 0 "\/GridSample" \(op GridSample\) is not supported\. It can only be opened read-only/);
  await assert.rejects(loadAnyModel(fixture('nothing-here')), /nothing-here does not exist/);
});
