// Transfer learning: a frozen backbone keeps its weights while the head learns; unfreezing the
// last layer changes that layer only; the built-in MobileNetV2 loads offline and gives features.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { useBackend } from '../backends';
import { adaptTemplate, getTemplate } from '../../common/model/templates';
import { buildModel } from '../../compute/model-builder';
import { backboneFromModel, loadMobileNet } from './backbones';
import { generateShapes } from './shapes';
import { featureModel, transferLearn } from './transfer';

const settings = { epochs: 4, batchSize: 16, learningRate: 0.01, optimizer: 'adam' as const, validationSplit: 0.2, testSplit: 0.2, seed: 1 };

function weightsOf(model: tfl.LayersModel, names: string[]): Map<string, Float32Array[]> {
  return new Map(names.map((n) => [n, model.getLayer(n).getWeights().map((w) => w.dataSync() as Float32Array)]));
}

async function lenetBackbone() {
  const data = generateShapes({ perClass: 12, size: 28, channels: 1, classes: 3, seed: 3 });
  const topology = adaptTemplate(getTemplate('lenet5'), { inputShape: [28, 28, 1], task: 'classification', outputs: 10 });
  const model = await buildModel(topology, 5);
  const backbone = await backboneFromModel(model, null, 'test');
  model.dispose();
  return { backbone, data };
}

test('a frozen backbone keeps its weights while the head trains on cached features', async () => {
  await useBackend('cpu');
  const { backbone, data } = await lenetBackbone();
  assert.equal(backbone.info.defaultCut, 'flatten_1');
  const weighted = backbone.model.layers.filter((l) => l.getWeights().length > 0 && backbone.model.layers.indexOf(l) < backbone.model.layers.findIndex((x) => x.name === 'flatten_1')).map((l) => l.name);
  assert.deepEqual(weighted, ['conv2d_1', 'conv2d_2']);
  const before = weightsOf(backbone.model, weighted);
  const progress: string[] = [];
  const out = await transferLearn({ backbone, unfreeze: 0, headUnits: 8, dataset: data, settings, onProgress: (phase) => progress.push(phase) });
  assert.ok(progress.includes('features'));
  assert.equal(out.transfer.history.length, 4);
  assert.equal(out.transfer.frozenParams, 156 + 2416);
  assert.equal(out.transfer.trainableParams, 400 * 8 + 8 + 8 * 3 + 3);
  const after = weightsOf(out.model, weighted);
  for (const n of weighted) after.get(n)!.forEach((w, i) => assert.deepEqual(w, before.get(n)![i], `${n} changed`));
  // The head's standardisation is folded in: the whole model gives the head's predictions.
  assert.deepEqual(out.model.outputs[0]!.shape, [null, 3]);
  out.model.dispose();
});

test('unfreezing the last layer trains that layer and leaves the earlier ones as they were', async () => {
  await useBackend('cpu');
  const { backbone, data } = await lenetBackbone();
  const before = weightsOf(backbone.model, ['conv2d_1', 'conv2d_2']);
  const out = await transferLearn({ backbone, unfreeze: 1, headUnits: 0, dataset: data, settings: { ...settings, epochs: 2 } });
  const after = weightsOf(out.model, ['conv2d_1', 'conv2d_2']);
  after.get('conv2d_1')!.forEach((w, i) => assert.deepEqual(w, before.get('conv2d_1')![i]));
  assert.notDeepEqual(after.get('conv2d_2')![0], before.get('conv2d_2')![0]);
  assert.equal(out.transfer.trainableParams, 2416 + 400 * 3 + 3);
  out.model.dispose();
});

test('the built-in MobileNetV2 (ImageNet) loads offline and gives 384 features at block_10_expand_relu', async () => {
  await useBackend('cpu');
  const mobile = await loadMobileNet(64);
  assert.equal(mobile.info.params, 317_120);
  assert.equal(mobile.info.defaultCut, 'block_10_expand_relu');
  assert.ok(mobile.info.cutLayers.some((c) => c.name === 'block_5_add'));
  assert.match(mobile.info.provenance, /nsfwjs 4\.3\.0 \(MIT/);
  const f = featureModel(mobile);
  assert.deepEqual(f.outputs[0]!.shape, [null, 384]);
  mobile.model.dispose();
});
