// The fused optimizer updates give exactly the stock optimizers' weights and state (same float32
// operations in the same order): Adam, momentum SGD and RMSProp, a few steps, on cpu and wasm, with
// sizes that leave vector tails and that split into several tasks across threads (their float
// arguments must reach the helper threads as floats).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf } from '../backends';
import { registerFastKernels, unregisterFastKernels } from './index';
import { rand } from './test-util';

const SIZES = [1, 7, 130, 300_001];
const makers: [string, () => tf.Optimizer][] = [
  ['adam', () => tf.train.adam(0.01)],
  ['momentum', () => tf.train.momentum(0.05, 0.9)],
  ['rmsprop', () => tf.train.rmsprop(0.01, 0.9, 0.5)],
];

async function run(backend: string, make: () => tf.Optimizer, fused: boolean): Promise<Float32Array[]> {
  if (fused) registerFastKernels();
  else unregisterFastKernels();
  await tf.setBackend(backend);
  const vars = SIZES.map((n, i) => tf.variable(tf.tensor1d(rand(n, 10 + i)), true, `opt_test_${backend}_${fused}_${i}_${Math.random()}`));
  const opt = make();
  for (let step = 0; step < 3; step++) {
    const grads: tf.NamedTensorMap = {};
    vars.forEach((v, i) => (grads[v.name] = tf.mul(tf.tensor1d(rand(SIZES[i]!, 100 * step + i)), step + 1)));
    opt.applyGradients(grads);
    tf.dispose(Object.values(grads));
  }
  const weights = vars.map((v) => v.dataSync() as Float32Array);
  const state = (await opt.getWeights()).slice(1).map((w) => w.tensor.dataSync() as Float32Array);
  opt.dispose();
  tf.dispose(vars);
  registerFastKernels();
  return [...weights, ...state];
}

for (const backend of ['cpu', 'wasm']) {
  test(`fused optimizer updates equal the stock optimizers bit for bit (${backend})`, async () => {
    for (const [name, make] of makers) {
      const want = await run(backend, make, false);
      const got = await run(backend, make, true);
      assert.equal(got.length, want.length);
      got.forEach((g, i) => assert.deepEqual(g, want[i], `${name}: tensor ${i} differs`));
    }
  });
}
