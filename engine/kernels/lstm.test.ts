// LSTM layers through the two kernels against tfjs-layers' own per-timestep ops: outputs, the loss,
// every weight's gradient and the input's, for last outputs and sequences (two LSTMs stacked), hard
// sigmoid and sigmoid, with and without a bias; other configurations keep the stock path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, useBackend } from '../backends';
import { registerFastKernels } from './index';
import { LSTM, patchLstmLayer } from './lstm-layer';
import { rand, relErr } from './test-util';

const TOL = 1e-4;

function model(recurrentActivation: 'hardSigmoid' | 'sigmoid', useBias: boolean, extra: { recurrentDropout?: number } = {}): tfl.LayersModel {
  const init = (seed: number) => ({ kernelInitializer: tfl.initializers.glorotUniform({ seed }), recurrentInitializer: tfl.initializers.orthogonal({ seed: seed + 1 }),
    biasInitializer: tfl.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed + 2 }) });
  const m = tfl.sequential();
  m.add(tfl.layers.lstm({ inputShape: [7, 5], units: 6, returnSequences: true, recurrentActivation, useBias, ...init(1), ...extra }));
  m.add(tfl.layers.lstm({ units: 4, recurrentActivation, useBias, ...init(10) }));
  m.add(tfl.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: 20 }) }));
  return m;
}

async function step(m: tfl.LayersModel, fast: boolean): Promise<{ loss: number; grads: Float32Array[]; dx: Float32Array; out: Float32Array; kernels: string[] }> {
  patchLstmLayer(fast);
  const x = tf.tensor3d(rand(3 * 7 * 5, 5).map((v) => 2 * v), [3, 7, 5]);
  const y = tf.oneHot(tf.tensor1d([0, 2, 1], 'int32'), 3);
  const vars = m.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  let res: { loss: number; grads: Float32Array[]; dx: Float32Array; out: Float32Array } = { loss: 0, grads: [], dx: new Float32Array(), out: new Float32Array() };
  const info = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, m.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    const dx = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(m.apply(t) as tf.Tensor, tf.tensor2d([[1, -2, 3]]))))(x);
    const out = m.predict(x) as tf.Tensor;
    res = { loss: value.dataSync()[0]!, grads: vars.map((v) => grads[v.name]!.dataSync() as Float32Array), dx: dx.dataSync() as Float32Array, out: out.dataSync() as Float32Array };
    tf.dispose([value, dx, out, ...Object.values(grads)]);
  });
  tf.dispose([x, y]);
  return { ...res, kernels: info.kernels.map((k) => k.name) };
}

for (const backend of ['cpu', 'wasm']) {
  test(`LSTM layers through two kernels match tfjs-layers' own steps (${backend})`, async () => {
    registerFastKernels();
    await useBackend(backend as 'cpu');
    try {
      for (const [act, bias] of [['hardSigmoid', true], ['sigmoid', true], ['hardSigmoid', false]] as const) {
        const m = model(act, bias);
        const stock = await step(m, false);
        const fast = await step(m, true);
        const what = `${act}${bias ? '' : ' without bias'}`;
        assert.ok(relErr(fast.out, stock.out) < TOL, `${what}: outputs, rel err ${relErr(fast.out, stock.out)}`);
        assert.ok(Math.abs(fast.loss - stock.loss) < 1e-5, `${what}: loss ${fast.loss} vs ${stock.loss}`);
        fast.grads.forEach((g, i) => assert.ok(relErr(g, stock.grads[i]!) < TOL, `${what}, ${m.trainableWeights[i]!.name}: rel err ${relErr(g, stock.grads[i]!)}`));
        assert.ok(relErr(fast.dx, stock.dx) < TOL, `${what}: input gradient, rel err ${relErr(fast.dx, stock.dx)}`);
        // Two LSTMs, each one op forward in the training step, the input-gradient step and predict.
        assert.equal(fast.kernels.filter((k) => k === LSTM).length, 6);
        assert.equal(stock.kernels.filter((k) => k === LSTM).length, 0);
        m.dispose();
      }
      // Dropout inside the cell keeps the stock path.
      const withDropout = model('hardSigmoid', true, { recurrentDropout: 0.2 });
      const r = await step(withDropout, true);
      assert.equal(r.kernels.filter((k) => k === LSTM).length, 3, 'only the second LSTM (no dropout) takes the op');
      withDropout.dispose();
    } finally {
      patchLstmLayer(true);
    }
  });
}
