// Training BatchNormalization layers through one op (GlasswingBatchNormTrain) against tfjs-layers'
// own path (tf.moments + batchNorm and their gradients): loss, every weight's gradient and the moving
// statistics after a step; the op's gradients through its mean and variance outputs against
// tf.moments'; the same bits on 1 thread as on 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, useBackend } from '../backends';
import { registerFastKernels, setKernelThreads, kernelThreads } from './index';
import { BATCH_NORM_TRAIN, patchBatchNormLayer } from './batch-norm-layer';
import { rand, relErr } from './test-util';

const TOL = 1e-4;

/** conv (C filters, linear) → batch norm → relu → dense (batch norm over C6 features) → softmax; channel counts not multiples of 4 included. */
function model(C: number): tfl.LayersModel {
  const m = tfl.sequential();
  m.add(tfl.layers.conv2d({ inputShape: [9, 7, 3], filters: C, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
  m.add(tfl.layers.batchNormalization({ momentum: 0.9, gammaInitializer: tfl.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: 2 }), betaInitializer: tfl.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: 3 }) }));
  m.add(tfl.layers.activation({ activation: 'relu' }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 6, kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }));
  m.add(tfl.layers.batchNormalization({ epsilon: 0.01 }));
  m.add(tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }) }));
  return m;
}

interface Step { loss: number; grads: Float32Array[]; moving: Float32Array[]; kernels: string[] }

/** One training step's loss and gradients (the layer called with training: true), and the moving statistics it leaves. */
async function step(C: number, fused: boolean): Promise<Step> {
  patchBatchNormLayer(fused);
  const m = model(C);
  const x = tf.tensor4d(rand(5 * 9 * 7 * 3, 7).map((v) => 3 * v + 1), [5, 9, 7, 3]);
  const y = tf.oneHot(tf.tensor1d([0, 2, 1, 1, 0], 'int32'), 3);
  const vars = m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  let out = { loss: 0, grads: [] as Float32Array[] };
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    out = { loss: value.dataSync()[0]!, grads: vars.map((v) => grads[v.name]!.dataSync() as Float32Array) };
    tf.dispose([value, ...Object.values(grads)]);
  });
  const moving = m.weights.filter((w) => /moving/.test(w.name)).map((w) => w.read().dataSync() as Float32Array);
  tf.dispose([x, y]);
  m.dispose();
  return { ...out, moving, kernels: info.kernels.map((k) => k.name) };
}

for (const backend of ['cpu', 'wasm']) {
  test(`training batch normalization runs one op with the stock path's loss, gradients and moving statistics (${backend})`, async () => {
    registerFastKernels();
    await useBackend(backend as 'cpu');
    try {
      for (const C of [8, 6, 33]) {
        const stock = await step(C, false);
        const fused = await step(C, true);
        assert.ok(Math.abs(fused.loss - stock.loss) < 1e-5, `${C} channels: loss ${fused.loss} vs ${stock.loss}`);
        fused.grads.forEach((g, i) => assert.ok(relErr(g, stock.grads[i]!) < TOL, `${C} channels, weight ${i}: rel err ${relErr(g, stock.grads[i]!)}`));
        assert.equal(fused.moving.length, 4);
        fused.moving.forEach((v, i) => assert.ok(relErr(v, stock.moving[i]!) < TOL, `${C} channels, moving statistic ${i}: rel err ${relErr(v, stock.moving[i]!)}`));
        assert.equal(fused.kernels.filter((k) => k === BATCH_NORM_TRAIN).length, 2);
        assert.equal(stock.kernels.filter((k) => k === BATCH_NORM_TRAIN).length, 0);
      }
    } finally {
      patchBatchNormLayer(true);
    }
  });

  test(`the op's gradients through its mean and variance outputs match tf.moments' (${backend})`, async () => {
    registerFastKernels();
    await useBackend(backend as 'cpu');
    const x = tf.tensor2d(rand(40 * 6, 11).map((v) => 2 * v - 0.5), [40, 6]);
    const gamma = tf.tensor1d(rand(6, 12)), beta = tf.tensor1d(rand(6, 13));
    const wy = tf.tensor2d(rand(40 * 6, 14), [40, 6]), wm = tf.tensor1d(rand(6, 15)), wv = tf.tensor1d(rand(6, 16));
    // A loss reading all three outputs, so that every term of the input gradient counts.
    const loss = (y: tf.Tensor, mean: tf.Tensor, variance: tf.Tensor): tf.Scalar => tf.addN([tf.sum(tf.mul(y, wy)), tf.sum(tf.mul(mean, wm)), tf.sum(tf.mul(variance, wv))]) as tf.Scalar;
    const ours = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const [y, mean, variance] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x: a, gamma: g, beta: b }, { epsilon: 0.001 }) as tf.Tensor[];
      return loss(y!, mean!, variance!);
    })([x, gamma, beta]);
    const theirs = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const { mean, variance } = tf.moments(a, [0]);
      return loss(tf.batchNorm(a, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 0.001), mean, variance);
    })([x, gamma, beta]);
    ours.forEach((g, i) => assert.ok(relErr(g.dataSync() as Float32Array, theirs[i]!.dataSync() as Float32Array) < TOL, `gradient ${i}: rel err ${relErr(g.dataSync() as Float32Array, theirs[i]!.dataSync() as Float32Array)}`));
    tf.dispose([x, gamma, beta, wy, wm, wv, ...ours, ...theirs]);
  });
}

test('the op gives the same bits on 1 thread as on 3', async () => {
  registerFastKernels();
  await useBackend('wasm');
  const before = kernelThreads();
  const run = (): Float32Array[] => {
    const x = tf.tensor4d(rand(16 * 20 * 20 * 12, 17), [16, 20, 20, 12]);
    const gamma = tf.tensor1d(rand(12, 18)), beta = tf.tensor1d(rand(12, 19)), w = tf.tensor4d(rand(16 * 20 * 20 * 12, 20), [16, 20, 20, 12]);
    const gs = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
      const [y] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x: a, gamma: g, beta: b }, { epsilon: 0.001 }) as tf.Tensor[];
      return tf.sum(tf.mul(y!, w));
    })([x, gamma, beta]);
    const out = gs.map((g) => Float32Array.from(g.dataSync() as Float32Array));
    tf.dispose([x, gamma, beta, w, ...gs]);
    return out;
  };
  try {
    setKernelThreads(1);
    const single = run();
    setKernelThreads(3);
    run().forEach((g, i) => assert.deepEqual(g, single[i], `gradient ${i}: not the single-threaded bits`));
  } finally {
    setKernelThreads(before);
  }
});
