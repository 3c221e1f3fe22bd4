// MobileNetV2 fine-tuning on the wasm backend: with its last two blocks (9 and 10, depthwise
// convolutions included) trainable, a few training steps run, the loss stays finite and the
// trainable depthwise kernels change (the stock wasm backend has no depthwise gradient at all).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, useBackend } from '../backends';
import { loadMobileNet } from '../transfer/backbones';
import { rand } from './test-util';

test('MobileNetV2 with its last two blocks trainable trains on wasm (finite loss, depthwise kernels learn)', async () => {
  await useBackend('wasm');
  const backbone = await loadMobileNet(64);
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(backbone.model.outputs[0]!) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }).apply(pooled) as tfl.SymbolicTensor;
  const model = tfl.model({ inputs: backbone.model.inputs, outputs: out });
  for (const l of backbone.model.layers) l.trainable = /^block_(9|10)_/.test(l.name);
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const dw = backbone.model.getLayer('block_9_depthwise');
  const before = dw.getWeights()[0]!.dataSync().slice();
  const x = tf.tensor4d(rand(4 * 64 * 64 * 3, 5), [4, 64, 64, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
  try {
    for (let step = 0; step < 3; step++) {
      const loss = (await model.trainOnBatch(x, y)) as number;
      assert.ok(Number.isFinite(loss), `step ${step}: loss ${loss}`);
    }
    const after = dw.getWeights()[0]!.dataSync();
    assert.notDeepEqual(after, before, 'block_9_depthwise did not change');
    assert.equal(backbone.model.getLayer('block_8_depthwise').trainable, false);
  } finally {
    tf.dispose([x, y]);
    model.dispose();
  }
});
