// The wasm backend's heap is the SIMD kernels' shared memory: the threaded kernels read tensors in
// place and write results straight into output tensors. Checked here: that the sharing happens,
// that in-place and copied operands give the same bits, that no kernel writes into its inputs, and
// that a kernel whose scratch makes the heap grow mid-call still gives the same bits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { tf, useBackend } from '../backends';
import { setMemoryBoundThreads, sharesKernelMemory } from './wasm-heap';
import { simd } from './simd/runtime';
import { rand } from './test-util';

type T4 = tf.Tensor4D;

/** For x [N, H, W, C] and F 3×3 filters, stride s: inputs, then the forward pass and both gradients, a matrix product, and a depthwise convolution with its gradients. */
function convStep(N: number, H: number, C: number, F: number, s: number, seed: number): tf.Tensor[] {
  const x = tf.tensor4d(rand(N * H * H * C, seed), [N, H, H, C]);
  const w = tf.tensor4d(rand(9 * C * F, seed + 1), [3, 3, C, F]);
  const b = tf.tensor1d(rand(F, seed + 2));
  const y = tf.fused.conv2d({ x, filter: w, bias: b, strides: s, pad: 'same', activation: 'relu' });
  const dy = tf.tensor4d(rand(y.size, seed + 3), y.shape);
  const dx = tf.conv2dTranspose(dy, w, x.shape, s, 'same');
  const dw = tf.conv2d(x, w, s, 'same').size > 0 ? tf.grad((ww: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, ww as T4, s, 'same'), dy)))(w) : w;
  const m = tf.matMul(tf.reshape(x, [N * H, H * C]), tf.tensor2d(rand(H * C * 40, seed + 4), [H * C, 40]));
  // A depthwise convolution (channel multiplier 2) and both its gradients.
  const dwf = tf.tensor4d(rand(9 * C * 2, seed + 5), [3, 3, C, 2]);
  const yd = tf.depthwiseConv2d(x, dwf, s, 'same');
  const dyd = tf.tensor4d(rand(yd.size, seed + 6), yd.shape);
  const [gx, gw] = tf.grads((xx: tf.Tensor, ww: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(xx as T4, ww as T4, s, 'same'), dyd)))([x, dwf]);
  return [x, w, b, dy, y, dx, dw, m, yd, gx!, gw!];
}

const values = (ts: tf.Tensor[]): Float32Array[] => ts.map((t) => Float32Array.from(t.dataSync() as Float32Array));

test('the wasm backend runs in the kernels\' shared memory', async () => {
  await useBackend('wasm');
  assert.ok(sharesKernelMemory(tf.backend() as BackendWasm), 'the heap is the kernels\' memory');
  assert.ok(simd().attached, 'the kernels\' scratch comes from the heap\'s allocator');
  assert.ok(simd().memory.buffer instanceof SharedArrayBuffer);
});

test('in-place and copied operands give the same bits, and inputs are left untouched', async () => {
  await useBackend('wasm');
  const rt = simd();
  // Winograd (stride 1), implicit GEMM (stride 2), few channels (the direct kernels).
  for (const [N, H, C, F, s, seed] of [[4, 12, 16, 24, 1, 1], [3, 15, 8, 16, 2, 7], [5, 10, 3, 8, 1, 13]] as const) {
    const got: Float32Array[][] = [];
    for (const inPlace of [true, false]) {
      rt.inPlace = inPlace;
      const ts = tf.tidy(() => convStep(N, H, C, F, s, seed));
      got.push(values(ts));
      // The operands still hold what they were made from.
      const [x, w, b, dy] = got.at(-1)!;
      assert.deepEqual([x, w, b], [rand(N * H * H * C, seed), rand(9 * C * F, seed + 1), rand(F, seed + 2)]);
      assert.deepEqual(dy, rand(dy!.length, seed + 3));
      tf.dispose(ts);
    }
    rt.inPlace = true;
    got[0]!.forEach((v, i) => assert.deepEqual(v, got[1]![i], `shape ${[N, H, C, F, s]}: tensor ${i}`));
  }
});

test('a kernel that makes the heap grow mid-call gives the same bits as with copies', async () => {
  await useBackend('wasm');
  const rt = simd();
  const before = rt.memory.buffer.byteLength;
  // A convolution whose scratch (Winograd tiles, the padded input) is larger than the heap's free
  // space: the arena takes a new block, and the memory grows while the output tensor exists.
  const bigH = Math.ceil(Math.sqrt(before / 4 / 16 / 2)) + 8;
  const got: Float32Array[] = [];
  for (const inPlace of [true, false]) {
    rt.inPlace = inPlace;
    const r = tf.tidy(() => {
      const x = tf.tensor4d(rand(2 * bigH * bigH * 16, 5), [2, bigH, bigH, 16]);
      const w = tf.tensor4d(rand(9 * 16 * 16, 6), [3, 3, 16, 16]);
      return tf.sum(tf.conv2d(x, w, 1, 'same'), [1, 2]);
    });
    got.push(Float32Array.from(r.dataSync() as Float32Array));
    r.dispose();
  }
  rt.inPlace = true;
  assert.ok(rt.memory.buffer.byteLength > before, 'the memory grew');
  assert.deepEqual(got[0], got[1]);
});

test('memory-bound kernels split over the threads give the same bits as on one thread (or as the stock kernels)', async () => {
  await useBackend('wasm');
  const n = 1 << 19; // the smallest size that is split
  const run = (): Float32Array[] => {
    const out = tf.tidy(() => {
      const x = tf.tensor4d(rand(n, 21), [8, 64, 64, 16]);
      const b = tf.tensor1d(rand(16, 22));
      const dy = tf.tensor4d(rand(n, 23), x.shape);
      // The relu gradient (through relu's fused gradient kernel), the bias add, the 2×2 max-pool gradient.
      const reluGrad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.relu(v), dy)))(x);
      const biased = tf.add(x, b);
      const poolGrad = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(v as T4, 2, 2, 'valid'), tf.slice(dy, [0, 0, 0, 0], [8, 32, 32, 16]))))(x);
      // Forward ops: relu, relu6, equal-shape add and multiply, max pooling (2×2 and a padded 3×3 stride 2).
      const y = tf.tensor4d(rand(n, 26), x.shape);
      const forward = [tf.relu(x), tf.relu6(tf.mul(x, 8)), tf.add(x, y), tf.mul(x, y), tf.maxPool(x, 2, 2, 'valid'), tf.maxPool(x, 3, 2, 'same')];
      // Batch norm at inference and spatial zero padding (MobileNetV2's memory-bound kernels).
      const stat = (seed: number): tf.Tensor1D => tf.add(tf.tensor1d(rand(16, seed)), 1.5) as tf.Tensor1D;
      forward.push(tf.batchNorm(x, stat(27), stat(28), stat(29), stat(30), 0.001), tf.pad(x, [[0, 0], [1, 2], [0, 1], [0, 0]]));
      // The bias gradient's sum over leading axes: per-chunk float64 sums on the threads, a
      // different order than the one-thread kernel (compared within rounding below).
      return [reluGrad, biased, poolGrad, ...forward, tf.sum(dy, [0, 1, 2])];
    });
    // One Adam step on a variable of n values.
    const v = tf.variable(tf.tensor1d(rand(n, 24)));
    const opt = tf.train.adam(0.01);
    opt.applyGradients([{ name: v.name, tensor: tf.tensor1d(rand(n, 25)) }]);
    const values = [...out, v].map((t) => Float32Array.from(t.dataSync() as Float32Array));
    tf.dispose([...out, v]);
    opt.dispose();
    return values;
  };
  setMemoryBoundThreads(true);
  const threaded = run();
  setMemoryBoundThreads(false);
  const single = run();
  setMemoryBoundThreads(true);
  const sumAt = threaded.length - 2; // the sum, then the Adam step's variable
  threaded.forEach((v, i) => {
    if (i !== sumAt) assert.deepEqual(v, single[i], `result ${i}`);
    else v.forEach((e, j) => assert.ok(Math.abs(e - single[i]![j]!) <= 1e-5 * Math.max(1, Math.abs(e)), `sum ${j}: ${e} vs ${single[i]![j]}`));
  });
});
