// Pooling, matrix products and element-wise kernels against the stock cpu kernels, on the cpu and
// wasm backends (wasm uses its own kernels except where Glasswing registers one).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tf, useBackend } from '../backends';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { fast, rand, randInt, relErr, stock } from './test-util';
import { registerFastKernels } from './index';
import { RELU_GRAD, RELU_GRAD_BIAS } from './gradients';
import { setWasmConvChoice } from './conv';

const TOL = 1e-4;

async function same(backend: string, what: string, f: () => tf.Tensor): Promise<void> {
  const want = await stock('cpu', f);
  const got = await fast(backend, f);
  assert.ok(relErr(got, want) < TOL, `${what}: rel err ${relErr(got, want)}`);
}

for (const backend of ['cpu', 'wasm']) {
  test(`MaxPool, AvgPool and their gradients match stock (${backend})`, async () => {
    for (let s = 1; s <= 20; s++) {
      const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 131 + k);
      const fh = r(1, 3, 1), fw = r(1, 3, 2);
      const sh = r(1, 3, 3), sw = r(1, 3, 4);
      const pad = r(0, 1, 5) ? 'same' : 'valid';
      const shape: [number, number, number, number] = [r(1, 3, 6), r(fh, 10, 7), r(fw, 10, 8), r(1, 7, 9)];
      const x = () => tf.tensor4d(rand(shape.reduce((p, q) => p * q, 1), s), shape);
      const desc = `pool ${fh}x${fw} stride ${sh}x${sw} ${pad} on ${shape}`;
      for (const kind of ['max', 'avg'] as const) {
        const pool = (t: tf.Tensor4D) => (kind === 'max' ? tf.maxPool(t, [fh, fw], [sh, sw], pad) : tf.avgPool(t, [fh, fw], [sh, sw], pad));
        await same(backend, `${kind} ${desc}`, () => pool(x()));
        // Gradient of sum(pool(x) * r): dy is random, so routing errors show.
        const g = () => tf.grad((t: tf.Tensor) => { const y = pool(t as tf.Tensor4D); return tf.sum(tf.mul(y, tf.tensor(rand(y.size, s + 3), y.shape))); })(x());
        await same(backend, `${kind} grad ${desc}`, g);
      }
    }
    // Large inputs take the SIMD path (forward): 2x2, 3x3 stride 2 'same', a dilated window.
    for (const [shape, f, st, pad, dil] of [[[3, 40, 41, 8], 2, 2, 'valid', 1], [[2, 33, 35, 10], 3, 2, 'same', 1], [[2, 30, 30, 19], 2, 1, 'valid', 2]] as [number[], number, number, 'same' | 'valid', number][]) {
      const x = () => tf.tensor4d(rand(shape.reduce((p, q) => p * q, 1), 77), shape as [number, number, number, number]);
      await same(backend, `large max pool ${shape} ${f}/${st} ${pad} d${dil}`, () => tf.pool(x(), [f, f], 'max', pad, dil, st));
      await same(backend, `large avg pool ${shape} ${f}/${st} ${pad} d${dil}`, () => tf.pool(x(), [f, f], 'avg', pad, dil, st));
    }
    // Large max-pool gradients of any window (SIMD): 3x3 stride 2 'same', 4x4 stride 4, a dilated
    // window, 10 and 19 channels (past a multiple of 4), ties, and NaN and -Infinity (never a maximum).
    for (const [shape, f, st, pad, dil, seed] of [[[2, 33, 35, 10], 3, 2, 'same', 1, 81], [[3, 40, 41, 8], 4, 4, 'valid', 1, 82], [[2, 30, 30, 19], 2, 1, 'valid', 2, 83]] as [number[], number, number, 'same' | 'valid', number, number][]) {
      const n = shape.reduce((p, q) => p * q, 1);
      const v = rand(n, seed).map((e, i) => (i % 97 === 5 ? NaN : i % 89 === 3 ? -Infinity : Math.round(e * 4) / 4));
      const g = () => tf.grad((t: tf.Tensor) => {
        const y = tf.pool(t as tf.Tensor4D, [f, f], 'max', pad, dil, st);
        return tf.sum(tf.mul(y, tf.tensor(rand(y.size, seed + 1), y.shape)));
      })(tf.tensor4d(v, shape as [number, number, number, number]));
      await same(backend, `large max grad ${shape} ${f}/${st} ${pad} d${dil}`, g);
    }
    // AvgPoolGrad where the windows tile the image (2x2 and 3x2 'valid', odd sizes leaving rows and
    // columns out, channels past a multiple of 4; the last one large enough for the threads).
    for (const [s, shape, f] of [[41, [2, 9, 7, 5], [2, 2]], [42, [3, 10, 9, 8], [3, 2]], [43, [2, 64, 64, 64], [2, 2]]] as [number, number[], [number, number]][]) {
      const x = () => tf.tensor4d(rand(shape.reduce((p, q) => p * q, 1), s), shape as [number, number, number, number]);
      const g = () => tf.grad((t: tf.Tensor) => { const y = tf.avgPool(t as tf.Tensor4D, f, f, 'valid'); return tf.sum(tf.mul(y, tf.tensor(rand(y.size, s + 3), y.shape))); })(x());
      await same(backend, `avg grad ${f} tiles on ${shape}`, g);
    }
    // The 2×2 / stride 2 fast path of MaxPoolGrad (LeNet's pooling): even and odd sizes, 4-channel
    // vectors plus leftovers, ties (quantised inputs) resolved to the first maximum, and 'same' on odd
    // sizes (whose last window is padded, so it must take the general path).
    const shapes: [number, number[], 'valid' | 'same', boolean][] = [[31, [2, 28, 28, 6], 'valid', false], [32, [3, 9, 7, 5], 'valid', false],
      [33, [1, 10, 10, 16], 'valid', false], [34, [2, 6, 6, 8], 'valid', true], [35, [2, 7, 9, 3], 'same', false], [36, [1, 5, 5, 4], 'same', true],
      // 6 and 10 channels end with an overlapping vector (with ties); 1-3 channels one at a time.
      [37, [2, 8, 8, 6], 'valid', true], [38, [1, 6, 9, 10], 'valid', true], [39, [2, 8, 6, 3], 'valid', true], [40, [1, 6, 8, 2], 'valid', false], [44, [2, 5, 7, 1], 'valid', true]];
    for (const [s, shape, pad, ties] of shapes) {
      const x = () => tf.tensor4d(rand(shape.reduce((p, q) => p * q, 1), s).map((v) => (ties ? Math.round(v * 2) / 2 : v)), shape as [number, number, number, number]);
      const g = () => tf.grad((t: tf.Tensor) => { const y = tf.maxPool(t as tf.Tensor4D, [2, 2], [2, 2], pad); return tf.sum(tf.mul(y, tf.tensor(rand(y.size, s + 3), y.shape))); })(x());
      await same(backend, `max grad 2x2/2 ${pad}${ties ? ' with ties' : ''} on ${shape}`, g);
    }
  });

  test(`BatchMatMul and _FusedMatMul match stock (${backend})`, async () => {
    // A dense layer large enough for wasm's threaded fused product (bias and activation in the epilogue).
    for (const [ta, tb, activation] of [[false, false, 'relu'], [false, true, 'linear'], [true, false, 'relu6'], [false, false, 'sigmoid']] as const) {
      const a = () => tf.tensor(rand(64 * 300, 11), ta ? [300, 64] : [64, 300]);
      const b = () => tf.tensor(rand(300 * 256, 12), tb ? [256, 300] : [300, 256]);
      await same(backend, `dense 64x300x256 ${activation} ta=${ta} tb=${tb}`, () => tf.fused.matMul({ a: a(), b: b(), transposeA: ta, transposeB: tb, bias: tf.tensor1d(rand(256, 13)), activation }));
    }
    for (let s = 1; s <= 24; s++) {
      const r = (lo: number, hi: number, k: number): number => randInt(lo, hi, s * 71 + k);
      const M = r(1, 70, 1), N = r(1, 70, 2), K = r(1, 90, 3);
      const ta = r(0, 1, 4) === 1, tb = r(0, 1, 5) === 1;
      const batch = r(1, 3, 6);
      const bBatch = r(0, 1, 7) ? batch : 1;
      const a = () => tf.tensor(rand(batch * M * K, s), [batch, ...(ta ? [K, M] : [M, K])]);
      const b = () => tf.tensor(rand(bBatch * K * N, s + 1), [bBatch, ...(tb ? [N, K] : [K, N])]);
      const desc = `${batch}x${M}x${K} @ ${bBatch}x${K}x${N} ta=${ta} tb=${tb}`;
      await same(backend, desc, () => tf.matMul(a(), b(), ta, tb));
      // On wasm these small products ran the stock kernel, which applied the bias, PReLU weights and
      // activations wrongly to transposed or batched products (rel. error 0.1-1); a third without bias.
      for (const activation of ['linear', 'relu', 'relu6', 'sigmoid', 'elu', 'leakyrelu', 'prelu'] as const) {
        await same(backend, `fused ${activation} ${desc}`, () => tf.fused.matMul({
          a: a(), b: b(), transposeA: ta, transposeB: tb, bias: s % 3 ? tf.tensor1d(rand(N, s + 2)) : undefined, activation, leakyreluAlpha: 0.1,
          preluActivationWeights: activation === 'prelu' ? tf.tensor1d(rand(N, s + 3)) : undefined,
        }));
      }
    }
  });

  test(`element-wise kernels and Sum match stock (${backend})`, async () => {
    // (The last five are large enough for the cpu backend's threaded SIMD paths, the last three for
    // wasm's threaded row broadcasts: a row of 33, not a multiple of 4, and a row first.)
    const shapes: [number[], number[]][] = [[[5, 7], [5, 7]], [[4, 3, 6], [6]], [[6], [4, 3, 6]], [[3, 4], [1]], [[1], [3, 4]], [[2, 3, 4], [1, 1, 4]], [[2, 3, 4], [3, 1]], [[3, 1], [1, 5]],
      [[256, 301], [256, 301]], [[9], [2, 64, 65, 9]], [[4, 64, 65, 33], [33]], [[32], [16, 32, 32, 32]], [[16, 32, 32, 32], [1, 1, 1, 32]]];
    for (const [i, [sa, sb]] of shapes.entries()) {
      const a = () => tf.tensor(rand(sa.reduce((p, q) => p * q, 1), i), sa);
      const b = () => tf.tensor(rand(sb.reduce((p, q) => p * q, 1), i + 50), sb);
      for (const op of ['add', 'sub', 'mul', 'div', 'maximum', 'minimum', 'squaredDifference'] as const) {
        await same(backend, `${op} ${sa} ${sb}`, () => (tf[op] as (x: tf.Tensor, y: tf.Tensor) => tf.Tensor)(a(), b()));
      }
    }
    const x = () => tf.tensor(rand(2 * 3 * 4 * 5, 7), [2, 3, 4, 5]);
    for (const op of ['relu', 'relu6', 'sqrt', 'square', 'neg', 'step'] as const) {
      await same(backend, op, () => (op === 'sqrt' ? tf.sqrt(tf.abs(x())) : op === 'step' ? tf.step(x(), 0.5) : (tf[op] as (t: tf.Tensor) => tf.Tensor)(x())));
    }
    for (const axis of [0, [0, 1], [0, 1, 2], 3, [2, 3], 1, [1, 2], [0, 2], undefined]) {
      for (const keepDims of [false, true]) await same(backend, `sum ${JSON.stringify(axis)} keepDims=${keepDims}`, () => tf.sum(x(), axis, keepDims));
    }
    const big = () => tf.tensor(rand(2 * 64 * 65 * 12, 8), [2, 64, 65, 12]);
    for (const axis of [[0, 1, 2], [0], [0, 1]]) await same(backend, `large sum ${JSON.stringify(axis)}`, () => tf.sum(big(), axis));
    await same(backend, 'large sum over 9 channels', () => tf.sum(tf.tensor(rand(2 * 64 * 65 * 9, 9), [2, 64, 65, 9]), [0, 1, 2]));
    // Widths that are not a multiple of 4 (summed by periods of lcm(width, 4) floats), with a remainder.
    for (const shape of [[3, 17, 13, 6], [5, 7, 3], [1001, 10], [9, 2], [333, 1], [8, 31, 31, 7]]) {
      await same(backend, `sum over ${shape.at(-1)} channels`, () => tf.sum(tf.tensor(rand(shape.reduce((p, q) => p * q, 1), 10), shape), shape.slice(0, -1).map((_, i) => i)));
    }
    // Identity shares data on wasm: the copy must outlive the original.
    await same(backend, 'identity outlives its source', () => {
      const src = x();
      const copy = tf.engine().runKernel('Identity', { x: src }) as tf.Tensor;
      src.dispose();
      return tf.add(copy, 1);
    });
    await same(backend, 'cast float32 to float32', () => tf.engine().runKernel('Cast', { x: x() }, { dtype: 'float32' }) as tf.Tensor);
    // int32 inputs go to the stock kernels.
    await same(backend, 'int32 add', () => tf.cast(tf.add(tf.tensor([1, 2, 3], [3], 'int32'), tf.tensor([4], [1], 'int32')), 'float32'));
  });

  test(`batch norm, padding, clipping and means match stock (${backend})`, async () => {
    const x = (shape: number[], seed: number) => () => tf.tensor(rand(shape.reduce((p, q) => p * q, 1), seed), shape);
    // (The last shape is large enough for the cpu backend's threaded SIMD path.)
    for (const [shape, seed] of [[[2, 5, 3, 6], 1], [[3, 7], 2], [[1, 4, 4, 9], 3], [[2, 3, 3, 1], 4], [[2, 128, 65, 9], 5]] as [number[], number][]) {
      const C = shape[shape.length - 1]!;
      const p = (s: number, n = C) => tf.tensor1d(rand(n, seed * 10 + s));
      await same(backend, `batchNorm ${shape}`, () => tf.batchNorm(x(shape, seed)(), p(1), tf.abs(p(2)), p(3), p(4), 1e-3));
      await same(backend, `batchNorm ${shape} no offset/scale`, () => tf.batchNorm(x(shape, seed)(), p(1), tf.abs(p(2))));
      await same(backend, `batchNorm ${shape} scalar mean`, () => tf.batchNorm(x(shape, seed)(), p(1, 1), tf.abs(p(2)), undefined, p(4), 0.01));
      await same(backend, `clipByValue ${shape}`, () => tf.clipByValue(tf.mul(x(shape, seed)(), 8), -0.5, 6));
      await same(backend, `relu ${shape}`, () => tf.relu(x(shape, seed)()));
      await same(backend, `relu6 ${shape}`, () => tf.relu6(tf.mul(x(shape, seed)(), 8)));
    }
    for (const [shape, pads, value] of [[[2, 3, 4, 5], [[0, 0], [1, 1], [1, 1], [0, 0]], 0], [[1, 5, 4, 3], [[0, 0], [0, 1], [2, 0], [0, 0]], 0.5],
      [[2, 3, 3, 2], [[1, 0], [1, 1], [0, 0], [0, 1]], 0], [[3, 4], [[1, 2], [0, 1]], 0]] as [number[], [number, number][], number][]) {
      await same(backend, `pad ${shape} ${JSON.stringify(pads)}`, () => tf.pad(x(shape, 9)(), pads, value));
    }
    const x4 = x([2, 5, 6, 7], 11);
    for (const axis of [[1, 2], [0, 1, 2], 3, [2, 3], 0, [2, 1]]) {
      await same(backend, `mean ${JSON.stringify(axis)}`, () => tf.mean(x4(), axis));
      await same(backend, `mean ${JSON.stringify(axis)} keepDims`, () => tf.mean(x4(), axis, true));
      // The gradient, through a weighted sum so that every output's dy differs.
      await same(backend, `mean grad ${JSON.stringify(axis)}`, () => tf.grad((t: tf.Tensor) => {
        const m = tf.mean(t, axis);
        return tf.sum(tf.mul(m, tf.tensor(rand(m.size, 12), m.shape)));
      })(x4()));
    }
    // Global average pooling at a size the cpu backend threads, 6 channels (not a multiple of 4).
    await same(backend, 'mean [1,2] of [4,64,64,6]', () => tf.mean(x([4, 64, 64, 6], 13)(), [1, 2]));
  });

  test(`fused Relu, ClipByValue, LeakyRelu, Tanh and Sigmoid gradients match stock (${backend})`, async () => {
    // (The last two are large enough for SIMD on cpu, the last for wasm's threads.)
    for (const [shape, seed] of [[[3, 5, 7], 1], [[1001], 2], [[2, 4, 4, 3], 3], [[2, 128, 65, 9], 4], [[4, 128, 65, 17], 5]] as [number[], number][]) {
      const n = shape.reduce((p, q) => p * q, 1);
      const x = () => tf.tensor(rand(n, seed), shape);
      const r = () => tf.tensor(rand(n, seed + 1), shape);
      await same(backend, `relu grad ${shape}`, () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu(t), r())))(x()));
      await same(backend, `clip grad ${shape}`, () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(t, -0.5, 0.7), r())))(x()));
      await same(backend, `relu6 grad ${shape}`, () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.relu6(tf.mul(t, 8)), r())))(x()));
      await same(backend, `relu6 as relu + clip grad ${shape}`, () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(tf.relu(tf.mul(t, 8)), 0, 6), r())))(x()));
      await same(backend, `leaky relu ${shape}`, () => tf.leakyRelu(x(), 0.3));
      await same(backend, `leaky relu grad ${shape}`, () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(t, 0.3), r())))(x()));
      await same(backend, `tanh ${shape}`, () => tf.tanh(tf.mul(x(), 4)));
      await same(backend, `tanh grad ${shape}`, () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.tanh(tf.mul(t, 4)), r())))(x()));
      await same(backend, `sigmoid grad ${shape}`, () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.sigmoid(tf.mul(t, 4)), r())))(x()));
    }
  });
}

// The clamps (Relu, Relu6, ClipByValue, and the relu epilogues of the convolution kernels) take
// one pseudo-maximum or -minimum per vector: a NaN input must still come out NaN, as in the stock
// kernels, and every other value as stock's. Small tensors and ones large enough for the threads;
// convolutions through the few-channel kernel (3 channels), Winograd (16) and implicit GEMM (1x1).
for (const backend of ['cpu', 'wasm']) {
  test(`clamps keep NaN and match stock elsewhere (${backend})`, async () => {
    const withNaN = (shape: number[], seed: number) => () => tf.tensor(rand(shape.reduce((p, q) => p * q, 1), seed).map((v, i) => (i % 37 === 3 ? NaN : 8 * v)), shape);
    const check = async (what: string, f: () => tf.Tensor): Promise<void> => {
      const want = await stock('cpu', f);
      const got = await fast(backend, f);
      let nans = 0;
      for (let i = 0; i < want.length; i++) {
        if (Number.isNaN(want[i]!)) {
          nans++;
          assert.ok(Number.isNaN(got[i]!), `${what}: value ${i} should stay NaN, is ${got[i]}`);
        } else assert.ok(Math.abs(got[i]! - want[i]!) <= TOL * Math.max(1, Math.abs(want[i]!)), `${what}: value ${i} ${got[i]} vs stock ${want[i]}`);
      }
      assert.ok(nans > 0, `${what}: the case has NaNs`);
    };
    // (wasm keeps its stock kernels for small tensors and for ClipByValue; they give the lower
    // bound for NaN.)
    for (const shape of backend === 'wasm' ? [[8, 64, 64, 16]] : [[3, 7, 5], [8, 64, 64, 16]]) {
      await check(`relu ${shape}`, () => tf.relu(withNaN(shape, 21)()));
      await check(`relu6 ${shape}`, () => tf.relu6(withNaN(shape, 22)()));
      if (backend === 'cpu') await check(`clipByValue ${shape}`, () => tf.clipByValue(withNaN(shape, 23)(), -0.5, 3));
    }
    // Convolutions through Glasswing's kernels on wasm too (XNNPACK's would take these small ones).
    setWasmConvChoice('glasswing');
    try {
      for (const [C, k] of [[3, 3], [16, 3], [16, 1]] as const) {
        const conv = (activation: 'relu' | 'relu6') => () => tf.fused.conv2d({ x: withNaN([4, 12, 12, C], 24 + C)() as tf.Tensor4D, filter: tf.tensor4d(rand(k * k * C * 16, 25), [k, k, C, 16]), strides: 1, pad: 'same', bias: tf.tensor1d(rand(16, 26)), activation });
        await check(`conv ${k}x${k} ${C} -> 16 relu`, conv('relu'));
        await check(`conv ${k}x${k} ${C} -> 16 relu6`, conv('relu6'));
      }
    } finally {
      setWasmConvChoice('auto');
    }
  });
}

// Max and Min (global max pooling among them) and their gradients in one kernel each: over
// contiguous axes, with ties (every tied value gets dy), keepDims, 7 channels (past a multiple of 4),
// one thread and a threaded size; other axes keep the stock kernels.
for (const backend of ['cpu', 'wasm']) {
  test(`Max and Min and their gradients match stock (${backend})`, async () => {
    const cases: [number[], number[], boolean, number][] = [[[2, 5, 7, 3], [1, 2], false, 51], [[2, 5, 7, 3], [0], false, 52], [[2, 5, 7, 3], [3], true, 53],
      [[2, 5, 7, 3], [1], false, 54], [[2, 5, 7, 3], [0, 1, 2, 3], false, 55], [[2, 5, 7, 3], [0, 2], false, 56], [[4, 64, 64, 40], [1, 2], false, 57],
      [[3, 100, 100, 7], [1, 2], true, 58], [[3, 100, 100, 7], [0, 1], false, 59]];
    for (const [shape, axes, keepDims, seed] of cases) {
      const n = shape.reduce((p, q) => p * q, 1);
      // Quantised values: ties within a reduction.
      const x = () => tf.tensor(rand(n, seed).map((v) => Math.round(v * 8) / 8), shape);
      for (const op of ['max', 'min'] as const) {
        await same(backend, `${op} over ${axes} of ${shape}`, () => tf[op](x(), axes, keepDims));
        await same(backend, `${op} grad over ${axes} of ${shape}`, () => tf.grad((t: tf.Tensor) => {
          const y = tf[op](t, axes, keepDims);
          return tf.sum(tf.mul(y, tf.tensor(rand(y.size, seed + 1), y.shape)));
        })(x()));
      }
    }
  });
}

// Nearest-neighbour resizing (UpSampling2D) and its gradient: whole factors 2x2 and 3x1 (wasm's
// SIMD kernels), 5 channels (past a multiple of 4), a threaded size, other sizes and aligned corners.
for (const backend of ['cpu', 'wasm']) {
  test(`nearest-neighbour resizing matches stock and its gradient is the forward pass's adjoint (${backend})`, async () => {
    const cases: [number[], [number, number], boolean, number][] = [[[2, 5, 7, 5], [10, 14], false, 61], [[3, 4, 6, 8], [12, 6], false, 62],
      [[4, 64, 64, 8], [128, 128], false, 63], [[2, 5, 7, 5], [8, 11], false, 64], [[2, 5, 7, 5], [10, 14], true, 65]];
    for (const [shape, size, alignCorners, seed] of cases) {
      const x = () => tf.tensor4d(rand(shape.reduce((p, q) => p * q, 1), seed), shape as [number, number, number, number]);
      const desc = `${shape} to ${size}${alignCorners ? ' aligning corners' : ''}`;
      await same(backend, `resize ${desc}`, () => tf.image.resizeNearestNeighbor(x(), size, alignCorners));
      // The gradient against the forward pass's adjoint: each dy value to the pixel it was read from
      // (found by resizing the pixels' own indices). The stock cpu kernel is wrong past the first
      // image (it offsets dy by the images' batch stride), so it is no reference.
      const n = shape.reduce((p, q) => p * q, 1);
      const [N, H, W, C] = shape as [number, number, number, number];
      const index = tf.tidy(() => tf.image.resizeNearestNeighbor(tf.tensor4d(Float32Array.from({ length: N * H * W }, (_, i) => i), [N, H, W, 1]), size, alignCorners).dataSync());
      const dyv = rand(N * size[0] * size[1] * C, seed + 1);
      const want = new Float32Array(n);
      for (let p = 0; p < index.length; p++) for (let c = 0; c < C; c++) want[index[p]! * C + c]! += dyv[p * C + c]!;
      const got = await fast(backend, () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(t as tf.Tensor4D, size, alignCorners), tf.tensor4d(dyv, [N, size[0], size[1], C]))))(x()));
      assert.ok(relErr(got, want) < TOL, `resize grad ${desc}: rel err ${relErr(got, want)}`);
    }
  });
}

// wasm's tanh is a rational approximation (kernels.as tanhApprox): within 5e-7 of the exact value
// everywhere, on one thread (small tensors) and on the threads, NaN kept, +-Infinity to +-1.
test('tanh on wasm is within 5e-7 of Math.tanh', async () => {
  registerFastKernels();
  await useBackend('wasm');
  for (const n of [4099, 1 << 20]) {
    const v = new Float32Array(n);
    for (let i = 0; i < n; i++) v[i] = -12 + (24 * i) / (n - 1);
    v.set([0, -0, 1e-30, -3e-4, 4e-4, 0.5, Infinity, -Infinity], 0);
    v[8] = NaN;
    const y = tf.tidy(() => tf.tanh(tf.tensor1d(v)).dataSync());
    let worst = 0;
    for (let i = 0; i < n; i++) {
      if (i === 8) { assert.ok(Number.isNaN(y[i]), 'NaN stays NaN'); continue; }
      worst = Math.max(worst, Math.abs(y[i]! - Math.tanh(v[i]!)));
    }
    assert.ok(worst < 5e-7, `${n} values: max error ${worst}`);
  }
});

// A relu convolution's gradient on wasm masks dy and sums it for the bias in one kernel: the same
// bits as the relu gradient followed by Sum, on one thread (below 2^19 values) and split over the
// threads in chunks, for channel counts that are and are not a multiple of 4.
test('relu gradient with its bias sum gives the bits of the relu gradient then Sum (wasm)', async () => {
  registerFastKernels();
  await useBackend('wasm');
  for (const [shape, seed] of [[[2, 9, 7, 6], 1], [[4, 32, 32, 24], 2], [[8, 64, 64, 16], 3], [[8, 128, 128, 6], 4]] as [number[], number][]) {
    const [fused, want] = tf.tidy(() => {
      const n = shape.reduce((p, q) => p * q, 1);
      const dy = tf.tensor(rand(n, seed), shape);
      // Relu outputs: zero at about half the positions.
      const y = tf.relu(tf.tensor(rand(n, seed + 1), shape));
      const [m, db] = tf.engine().runKernel(RELU_GRAD_BIAS, { dy, x: y }) as tf.Tensor[];
      const m2 = tf.engine().runKernel(RELU_GRAD, { dy, x: y }) as tf.Tensor;
      return [[m!, db!], [m2, tf.sum(m2, [0, 1, 2])]];
    });
    assert.deepEqual(fused[0]!.dataSync(), want[0]!.dataSync(), `masked dy ${shape}`);
    assert.deepEqual(fused[1]!.shape, [shape[3]]);
    assert.deepEqual(fused[1]!.dataSync(), want[1]!.dataSync(), `bias gradient ${shape}`);
    tf.dispose([...fused, ...want]);
  }
});

// A ReLU layer with maxValue 6 runs the single Relu6 op while the fast kernels are registered: same
// outputs and input gradients as tfjs-layers' relu-then-clip.
test('ReLU(maxValue 6) layer as one Relu6 op matches relu + clipByValue', async () => {
  const tfl = await import('@tensorflow/tfjs-layers');
  const layer = tfl.layers.reLU({ maxValue: 6 });
  const x = () => tf.mul(tf.tensor(rand(200, 5), [4, 50]), 8);
  const f = () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, tf.tensor(rand(200, 6), [4, 50]))))(x());
  for (const backend of ['cpu', 'wasm']) {
    await same(backend, 'relu6 layer output', () => layer.apply(x()) as tf.Tensor);
    await same(backend, 'relu6 layer gradient', f);
  }
});

for (const backend of ['cpu', 'wasm']) {
  test(`tile and slice match stock (${backend})`, async () => {
    const x = (shape: number[], seed: number) => () => tf.tensor(rand(shape.reduce((p, q) => p * q, 1), seed), shape);
    for (const [shape, reps] of [[[1, 1, 1, 5], [2, 3, 4, 1]], [[1, 7], [6, 1]], [[1, 2, 3], [4, 1, 1]], [[2, 3], [2, 2]], [[1, 3, 1], [2, 1, 3]],
      [[3, 1, 1, 5], [1, 4, 2, 1]], [[2, 1, 4], [1, 3, 1]], [[2, 1, 1, 1, 3], [1, 2, 2, 2, 1]], [[2, 3], [1, 1]], [[2, 1, 3], [3, 2, 1]]] as [number[], number[]][]) {
      await same(backend, `tile ${shape} by ${reps}`, () => tf.tile(x(shape, 3)(), reps));
    }
    for (const [shape, begin, size] of [[[2, 5, 6, 3], [0, 1, 1, 0], [2, 3, 4, 3]], [[2, 5, 6, 3], [1, 0, 0, 1], [1, 5, 6, 2]], [[4, 6], [1, 2], [2, 3]], [[3, 4, 5], [0, 0, 0], [3, 4, 5]], [[3, 4, 5], [1, 2, 0], [-1, 1, 5]]] as [number[], number[], number[]][]) {
      await same(backend, `slice ${shape} from ${begin} size ${size}`, () => tf.slice(x(shape, 4)(), begin, size));
    }
  });
}

for (const backend of ['cpu', 'wasm']) {
  test(`SpaceToBatchND and BatchToSpaceND of images match stock, and so do their gradients (${backend})`, async () => {
    // [shape, block, paddings]: square and unequal blocks, padding on every side, odd channel counts,
    // and one large enough for the threads (wasm).
    for (const [s, shape, block, pads] of [[1, [2, 6, 8, 3], [2, 2], [[0, 0], [0, 0]]], [2, [1, 7, 5, 4], [2, 3], [[1, 2], [2, 2]]],
      [3, [3, 9, 9, 1], [3, 3], [[3, 3], [0, 3]]], [4, [2, 5, 11, 17], [4, 1], [[1, 2], [0, 0]]], [5, [1, 4, 4, 32], [1, 2], [[0, 0], [1, 1]]],
      [6, [4, 63, 64, 33], [2, 2], [[1, 2], [2, 0]]]] as [number, number[], number[], number[][]][]) {
      const x = () => tf.tensor4d(rand(sizeOf(shape), s), shape as [number, number, number, number]);
      const desc = `${shape} block ${block} pads ${JSON.stringify(pads)}`;
      await same(backend, `space to batch ${desc}`, () => tf.spaceToBatchND(x(), block, pads));
      const phases = tf.tidy(() => tf.spaceToBatchND(x(), block, pads)).shape;
      // Crop what the padding added: back to x exactly, and with other crops (the last row or column kept or not).
      await same(backend, `batch to space ${desc}`, () => tf.batchToSpaceND(tf.spaceToBatchND(x(), block, pads), block, pads));
      const crops = [[0, Math.min(1, phases[1]! * block[0]! - 1)], [Math.min(1, phases[2]! * block[1]! - 1), 0]];
      const y = () => tf.tensor(rand(phases.reduce((p, q) => p * q, 1), s + 9), phases) as tf.Tensor4D;
      await same(backend, `batch to space ${phases} crops ${JSON.stringify(crops)}`, () => tf.batchToSpaceND(y(), block, crops));
      // Gradient of sum(spaceToBatch(x) * r): the stock gradient is a BatchToSpaceND.
      await same(backend, `space to batch gradient ${desc}`, () => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.spaceToBatchND(t, block, pads), tf.tensor(rand(sizeOf(phases), s + 5), phases))))(x()));
    }
  });
}

const sizeOf = (shape: number[]): number => shape.reduce((p, q) => p * q, 1);

// Identity (tf.clone, and the gradient tape's copies of what a gradient will need) shares its
// input's data on wasm instead of copying it: no new buffer, the clone outlives its source, a
// snapshot taken by clone keeps its values when the variable is assigned new ones, and gradients
// through a cloned input are unchanged.
test('Identity shares data on wasm: no copy, and clones stay what they were', async () => {
  registerFastKernels();
  await useBackend('wasm');
  const values = rand(1000, 91);
  const x = tf.tensor1d(values);
  const before = tf.memory();
  const c = tf.clone(x);
  assert.equal(tf.memory().numDataBuffers, before.numDataBuffers, 'a clone takes no new buffer');
  x.dispose();
  assert.deepEqual(c.dataSync(), values, 'the clone outlives its source');
  c.dispose();
  const v = tf.variable(tf.tensor1d(values));
  const snapshot = tf.clone(v);
  v.assign(tf.zeros([1000]));
  assert.deepEqual(snapshot.dataSync(), values, 'a snapshot keeps the values the variable had');
  assert.ok(v.dataSync().every((e) => e === 0));
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.clone(t), tf.clone(t))))(snapshot);
  assert.ok(relErr(g.dataSync() as Float32Array, values.map((e) => 2 * e)) < 1e-6, 'd(sum(t*t))/dt = 2t through clones');
  tf.dispose([v, snapshot, g]);
});
