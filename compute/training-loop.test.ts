import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { evaluationBatch, predictAll } from './training-loop';
import { floatExamples } from './examples';

test('evaluation batches: 512 small examples, fewer large images (about 4 MiB of input), never below 8', () => {
  assert.equal(evaluationBatch([4]), 512);
  assert.equal(evaluationBatch([28, 28, 1]), 512);
  assert.equal(evaluationBatch([32, 32, 3]), 341);
  assert.equal(evaluationBatch([64, 64, 3]), 85);
  assert.equal(evaluationBatch([224, 224, 3]), 8);
});

test('predictAll over several evaluation batches gives every example its own answer, in order', async () => {
  await tf.setBackend('cpu');
  // 64×64×3 inputs: 85 per batch, so 200 examples take three batches; the model sums its input.
  const model = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [64, 64, 3] }), tfl.layers.dense({ units: 1, useBias: false, kernelInitializer: 'ones' })] });
  const size = 64 * 64 * 3;
  const count = 200;
  const x = new Float32Array(count * size);
  for (let i = 0; i < count; i++) x[i * size] = i;
  const out = await predictAll(model, floatExamples(x, new Float32Array(count), []), [64, 64, 3]);
  assert.deepEqual(Array.from(out), Array.from({ length: count }, (_, i) => i));
  model.dispose();
});
