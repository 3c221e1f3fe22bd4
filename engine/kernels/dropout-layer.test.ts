// Training Dropout layers through the fast mask: what is kept is scaled by 1 / (1 - rate), the
// share dropped is the rate, the gradient is the same mask, masks differ call to call; inference,
// seeded layers and noise shapes keep tfjs-layers' code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, useBackend } from '../backends';
import { registerFastKernels } from './index';
import { dropoutMask } from './dropout-layer';

test('the mask keeps 1 - rate of the values, scaled by 1 / (1 - rate), and differs call to call', () => {
  for (const rate of [0.1, 0.25, 0.5, 0.9]) {
    const n = 200_000, keep = 1 - rate;
    const a = dropoutMask(n, keep), b = dropoutMask(n, keep);
    const kept = a.filter((v) => v !== 0);
    assert.ok(kept.every((v) => v === Math.fround(1 / Math.fround(keep))), `rate ${rate}: kept values are 1 / keep`);
    // Binomial: the share kept is within 5 standard deviations of keep.
    const sd = Math.sqrt(keep * rate / n);
    assert.ok(Math.abs(kept.length / n - keep) < 5 * sd, `rate ${rate}: kept ${kept.length / n}, expected ${keep}`);
    assert.ok(a.some((v, i) => v !== b[i]), 'two masks are not the same');
    // No pattern along the tensor: the first and second halves keep alike.
    const half = (m: Float32Array, lo: number) => m.subarray(lo, lo + n / 2).filter((v) => v !== 0).length / (n / 2);
    assert.ok(Math.abs(half(a, 0) - half(a, n / 2)) < 10 * sd);
  }
});

for (const backend of ['cpu', 'wasm']) {
  test(`a training Dropout layer masks its input and its gradient alike; inference passes it through (${backend})`, async () => {
    registerFastKernels();
    await useBackend(backend as 'cpu');
    const layer = tfl.layers.dropout({ rate: 0.3 });
    const x = tf.add(tf.randomUniform([8, 16, 16, 4]), 1);
    // The gradient of sum(y * 2) is 2 times the mask y / x was drawn with.
    let y: tf.Tensor | null = null;
    const dx = tf.grad((t: tf.Tensor) => {
      y = tf.keep(layer.apply(t, { training: true }) as tf.Tensor);
      return tf.sum(tf.mul(y, 2));
    })(x);
    const xv = x.dataSync(), yv = (y as unknown as tf.Tensor).dataSync(), g = dx.dataSync();
    const scale = Math.fround(1 / Math.fround(0.7));
    let dropped = 0;
    for (let i = 0; i < xv.length; i++) {
      if (yv[i] === 0) dropped++;
      else assert.ok(Math.abs(yv[i]! - xv[i]! * scale) < 1e-5 * Math.abs(yv[i]!), `value ${i}: ${yv[i]} is not ${xv[i]} / 0.7`);
      assert.ok(yv[i] === 0 ? g[i] === 0 : Math.abs(g[i]! - 2 * scale) < 1e-5, `gradient ${i}: ${g[i]} where the value is ${yv[i]}`);
    }
    assert.ok(Math.abs(dropped / xv.length - 0.3) < 0.03, `dropped ${dropped / xv.length}`);
    const inference = layer.apply(x, { training: false }) as tf.Tensor;
    assert.deepEqual(inference.dataSync(), xv);
    tf.dispose([x, y!, dx, inference]);
  });
}

test('seeded layers and noise shapes keep tfjs-layers\' own dropout', async () => {
  registerFastKernels();
  await useBackend('cpu');
  const x = tf.ones([4, 6, 6, 3]);
  // A seeded layer draws the same mask every call (tf.randomUniform with that seed).
  const seeded = tfl.layers.dropout({ rate: 0.5, seed: 7 });
  const a = (seeded.apply(x, { training: true }) as tf.Tensor).dataSync(), b = (seeded.apply(x, { training: true }) as tf.Tensor).dataSync();
  assert.deepEqual(a, b);
  // A noise shape [4, 1, 1, 3] drops whole channels of an image: constant over the 6x6 positions.
  const spatial = tfl.layers.dropout({ rate: 0.5, noiseShape: [4, 1, 1, 3] });
  const s = (spatial.apply(x, { training: true }) as tf.Tensor).arraySync() as number[][][][];
  for (const img of s) for (let c = 0; c < 3; c++) assert.equal(new Set(img.flat().map((p) => p[c])).size, 1);
  x.dispose();
});
