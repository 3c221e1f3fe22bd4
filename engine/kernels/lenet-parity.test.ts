// LeNet-5 trained with the fast kernels follows the stock kernels: same losses step by step, same
// weights to float tolerance, same test accuracy (±0.5 points), on cpu and wasm. The stock cpu
// backend needs ~2 s per step here, so this is a few steps on real MNIST digits, not a full epoch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf } from '../backends';
import { getTemplate } from '../../common/model/templates';
import { registerFastKernels, unregisterFastKernels } from './index';
import { relErr } from './test-util';

const STEPS = 4;
const BATCH = 32;
const TEST = 500;

/** Deterministic digits: sample i is digit i % 10, its (offset + i / 10)-th image in the package. */
function digits(count: number, offset: number): { x: Float32Array; y: Float32Array } {
  const mnist = createRequire(__filename)('mnist') as Record<number, { get(i: number): number[] }>;
  const x = new Float32Array(count * 784);
  const y = new Float32Array(count * 10);
  for (let i = 0; i < count; i++) {
    x.set(mnist[i % 10]!.get(offset + Math.floor(i / 10)), i * 784);
    y[i * 10 + (i % 10)] = 1;
  }
  return { x, y };
}

interface Run { losses: number[]; weights: Float32Array[]; accuracy: number }

async function train(backend: string, useFast: boolean, init: Float32Array[]): Promise<Run> {
  if (useFast) registerFastKernels();
  else unregisterFastKernels();
  await tf.setBackend(backend);
  const model = await tfl.models.modelFromJSON({ modelTopology: getTemplate('lenet5') as unknown as tf.io.ModelJSON['modelTopology'] });
  model.setWeights(model.getWeights().map((w, i) => tf.tensor(init[i]!, w.shape)));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const trainSet = digits(STEPS * BATCH, 0);
  const losses: number[] = [];
  for (let s = 0; s < STEPS; s++) {
    const x = tf.tensor4d(trainSet.x.subarray(s * BATCH * 784, (s + 1) * BATCH * 784), [BATCH, 28, 28, 1]);
    const y = tf.tensor2d(trainSet.y.subarray(s * BATCH * 10, (s + 1) * BATCH * 10), [BATCH, 10]);
    losses.push((await model.trainOnBatch(x, y)) as number);
    tf.dispose([x, y]);
  }
  const testSet = digits(TEST, 200);
  const pred = tf.tidy(() => tf.argMax(model.predict(tf.tensor4d(testSet.x, [TEST, 28, 28, 1])) as tf.Tensor, -1).dataSync());
  let correct = 0;
  for (let i = 0; i < TEST; i++) if (pred[i] === i % 10) correct++;
  const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  registerFastKernels();
  return { losses, weights, accuracy: (100 * correct) / TEST };
}

test('LeNet-5 training with fast kernels matches stock kernels (cpu, wasm)', async () => {
  await tf.setBackend('cpu');
  const seedModel = await tfl.models.modelFromJSON({ modelTopology: getTemplate('lenet5') as unknown as tf.io.ModelJSON['modelTopology'] });
  // Fixed initial weights: glorot-like, from a deterministic generator.
  let s = 12345;
  const next = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const init = seedModel.getWeights().map((w) => {
    const fan = w.shape.length > 1 ? w.shape.slice(0, -1).reduce((p, q) => p * q, 1) + w.shape[w.shape.length - 1]! : 0;
    const scale = fan ? Math.sqrt(6 / fan) : 0;
    return Float32Array.from({ length: w.size }, () => next() * scale);
  });
  seedModel.dispose();

  const reference = await train('cpu', false, init);
  for (const backend of ['cpu', 'wasm']) {
    const got = await train(backend, true, init);
    for (let i = 0; i < STEPS; i++) {
      assert.ok(Math.abs(got.losses[i]! - reference.losses[i]!) <= 1e-3 * Math.abs(reference.losses[i]!), `${backend} step ${i} loss ${got.losses[i]} vs stock ${reference.losses[i]}`);
    }
    got.weights.forEach((w, i) => assert.ok(relErr(w, reference.weights[i]!) < 1e-3, `${backend} weight ${i}: rel err ${relErr(w, reference.weights[i]!)}`));
    assert.ok(Math.abs(got.accuracy - reference.accuracy) <= 0.5, `${backend} accuracy ${got.accuracy} vs stock ${reference.accuracy}`);
  }
  assert.ok(reference.losses[STEPS - 1]! < reference.losses[0]!, 'the loss should fall');
  console.log(`stock accuracy after ${STEPS} steps: ${reference.accuracy}%, losses ${reference.losses.map((l) => l.toFixed(4)).join(' ')}`);
});
