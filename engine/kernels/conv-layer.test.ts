// Conv2D layers (relu, linear or another activation, with or without a bias) under a gradient tape take the one-op path
// (GlasswingConv2DBiasRelu): the loss and every weight gradient match tfjs-layers' own path (Conv2D +
// Add + Relu, or tfjs-core's fused conv2d), and a first layer's input gradient is not computed (the
// fused conv2d's custom gradient computes it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, useBackend } from '../backends';
import { registerFastKernels } from './index';
import { CONV_BIAS_RELU, patchConv2DLayer } from './conv-layer';
import { rand, relErr } from './test-util';

/** Five convolutions (relu, strided relu, relu without a bias, linear, tanh); `linearFirst`: the first is linear without a bias, batch-normalized. */
function model(linearFirst = false): tfl.LayersModel {
  const init = (seed: number) => ({ kernelInitializer: tfl.initializers.glorotUniform({ seed }), biasInitializer: tfl.initializers.randomUniform({ minval: -0.2, maxval: 0.2, seed: seed + 50 }) });
  const m = tfl.sequential();
  if (linearFirst) {
    m.add(tfl.layers.conv2d({ inputShape: [13, 11, 4], filters: 12, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }));
    m.add(tfl.layers.batchNormalization({}));
    m.add(tfl.layers.activation({ activation: 'relu' }));
  } else {
    m.add(tfl.layers.conv2d({ inputShape: [13, 11, 4], filters: 12, kernelSize: 3, padding: 'same', activation: 'relu', ...init(1) }));
  }
  m.add(tfl.layers.conv2d({ filters: 8, kernelSize: 5, strides: 2, padding: 'valid', activation: 'relu', ...init(2) }));
  m.add(tfl.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', useBias: false, kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }));
  m.add(tfl.layers.conv2d({ filters: 6, kernelSize: 1, activation: 'linear', ...init(4) }));
  m.add(tfl.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', activation: 'tanh', ...init(6) }));
  m.add(tfl.layers.flatten());
  m.add(tfl.layers.dense({ units: 3, activation: 'softmax', ...init(5) }));
  return m;
}

/** Loss and gradients of every trainable weight, with the kernel names the step ran. */
async function gradients(m: tfl.LayersModel, fused: boolean): Promise<{ loss: number; grads: Float32Array[]; kernels: string[] }> {
  patchConv2DLayer(fused);
  const x = tf.tensor4d(rand(2 * 13 * 11 * 4, 7), [2, 13, 11, 4]);
  const y = tf.oneHot(tf.tensor1d([0, 2], 'int32'), 3);
  let out: { loss: number; grads: Float32Array[] } = { loss: 0, grads: [] };
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.apply(x) as tf.Tensor) as tf.Scalar, m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val));
    out = { loss: value.dataSync()[0]!, grads: m.trainableWeights.map((w) => grads[(w as unknown as { val: tf.Variable }).val.name]!.dataSync() as Float32Array) };
    tf.dispose([value, ...Object.values(grads)]);
  });
  tf.dispose([x, y]);
  return { ...out, kernels: info.kernels.map((k) => k.name) };
}

for (const backend of ['cpu', 'wasm']) {
  for (const linearFirst of [false, true]) {
    test(`training Conv2D layers run one op with the stock path's gradients (${backend}${linearFirst ? ', a linear batch-normalized first layer' : ''})`, async () => {
      registerFastKernels();
      await useBackend(backend as 'cpu');
      const m = model(linearFirst);
      try {
        const stock = await gradients(m, false);
        const fused = await gradients(m, true);
        assert.ok(Math.abs(fused.loss - stock.loss) < 1e-6, `loss ${fused.loss} vs ${stock.loss}`);
        fused.grads.forEach((g, i) => assert.ok(relErr(g, stock.grads[i]!) < 1e-5, `${m.trainableWeights[i]!.name}: rel err ${relErr(g, stock.grads[i]!)}`));
        const count = (ks: string[], name: string) => ks.filter((k) => k === name).length;
        // Every layer takes the op: relu, linear or tanh (after it), with or without a bias.
        assert.equal(count(fused.kernels, CONV_BIAS_RELU), 5);
        assert.equal(count(stock.kernels, CONV_BIAS_RELU), 0);
        assert.equal(count(fused.kernels, 'Tanh'), 1);
        // Input gradients for layers 2-5 only: never for the first layer's input (the stock path
        // computes it where tfjs-core's fused conv2d runs: a linear first layer).
        assert.equal(count(fused.kernels, 'Conv2DBackpropInput'), 4);
        if (linearFirst) assert.equal(count(stock.kernels, 'Conv2DBackpropInput'), 5);
        assert.ok(count(fused.kernels, 'Relu') < count(stock.kernels, 'Relu'), 'fewer separate Relu ops');
      } finally {
        patchConv2DLayer(true);
        m.dispose();
      }
    });
  }
}

test('inference (no gradient tape) keeps tfjs-layers\' own fused path', async () => {
  registerFastKernels();
  await useBackend('cpu');
  const m = model();
  try {
    const x = tf.tensor4d(rand(13 * 11 * 4, 9), [1, 13, 11, 4]);
    const info = await tf.profile(() => tf.dispose(m.predict(x) as tf.Tensor));
    assert.equal(info.kernels.filter((k) => k.name === CONV_BIAS_RELU).length, 0);
    x.dispose();
  } finally {
    m.dispose();
  }
});
