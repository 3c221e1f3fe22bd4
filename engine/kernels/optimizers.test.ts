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

// Gradients far below anything that can move a float32 weight (what softmax leaves once a model fits
// its data): the fused updates flush them and the state they would leave subnormal (Intel cores run
// subnormal arithmetic a hundred times slower), so weights match the stock optimizers to within
// lr * 1e-20 and the state holds no subnormal. With epsilon 0 nothing is flushed (0/0 would follow).
async function tinySteps(backend: string, make: () => tf.Optimizer, fused: boolean, scale: number): Promise<Float32Array[]> {
  if (fused) registerFastKernels();
  else unregisterFastKernels();
  await tf.setBackend(backend);
  const n = 301;
  const v = tf.variable(tf.tensor1d(rand(n, 5)), true, `opt_tiny_${backend}_${fused}_${Math.random()}`);
  const opt = make();
  for (let step = 0; step < 4; step++) {
    const g = tf.mul(tf.tensor1d(rand(n, 50 + step)), scale);
    opt.applyGradients({ [v.name]: g });
    g.dispose();
  }
  const out = [v.dataSync() as Float32Array, ...(await opt.getWeights()).slice(1).map((w) => w.tensor.dataSync() as Float32Array)];
  opt.dispose();
  v.dispose();
  registerFastKernels();
  return out;
}

const isSubnormal = (x: number): boolean => x !== 0 && Math.abs(x) < 1.1754943508222875e-38;

for (const backend of ['cpu', 'wasm']) {
  test(`fused optimizer updates flush tiny gradients and state, and only those (${backend})`, async () => {
    const tinyMakers: [string, () => tf.Optimizer][] = [
      ['adam', () => tf.train.adam(0.01)],
      ['momentum', () => tf.train.momentum(0.05, 0.9)],
      ['rmsprop', () => tf.train.rmsprop(0.01, 0.9, 0.5, 1e-7)],
    ];
    for (const [name, make] of tinyMakers) {
      for (const scale of [1e-20, 1e-36, 1e-40]) {
        const want = await tinySteps(backend, make, false, scale);
        const got = await tinySteps(backend, make, true, scale);
        for (let i = 0; i < want[0]!.length; i++) {
          assert.ok(Math.abs(got[0]![i]! - want[0]![i]!) <= 1e-7 * Math.abs(want[0]![i]!), `${name} at ${scale}: weight ${i} ${got[0]![i]} vs ${want[0]![i]}`);
        }
        if (scale === 1e-40) assert.ok(want.slice(1).some((s) => s.some(isSubnormal)), `${name}: the stock state should hold subnormals (the case is real)`);
        got.slice(1).forEach((s, k) => assert.ok(!s.some(isSubnormal), `${name} at ${scale}: state ${k} holds a subnormal`));
      }
    }
    // Epsilon 0: the same operations as stock, subnormals (and the infinities of m/0) included.
    const adamNoEps = (): tf.Optimizer => tf.train.adam(0.01, 0.9, 0.999, 0);
    const want = await tinySteps(backend, adamNoEps, false, 1e-20);
    const got = await tinySteps(backend, adamNoEps, true, 1e-20);
    got.forEach((g, i) => { const j = g.findIndex((x, k) => !Object.is(x, want[i]![k])); assert.equal(j, -1, `adam with epsilon 0: tensor ${i} differs at ${j}: ${g[j]} vs ${want[i]![j]}`); });
  });
}
