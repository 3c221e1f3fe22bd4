// Dilated Conv2D, Conv1D, SeparableConv2D and DepthwiseConv2D layers train (dilated-conv.ts): their
// output (predicted, and under a gradient tape) equals the same convolution written undilated with
// the kernel spread out by zeros, and so do their gradients (input, kernels, bias), which TF.js has
// for that form; a layer's declared output shape is the one it computes. On cpu and wasm (whose
// undilated convolutions run on Glasswing's kernels).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tfl from '@tensorflow/tfjs-layers';
import { tf, useBackend } from '../engine/backends';
import { atrousConv2d } from './dilated-conv';
import { seededRandom } from './random';

const rand = (shape: number[], seed: number): tf.Tensor => {
  const r = seededRandom(seed);
  return tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1), shape);
};

/** The kh×kw kernel [kh, kw, C, F] dilated by [dh, dw] as an undilated one, taps (a·dh, b·dw) and zeros between: differentiable (pad, reshape, slice). */
function spread(k: tf.Tensor4D, [dh, dw]: number[]): tf.Tensor4D {
  const [kh, kw, c, f] = k.shape;
  const rows = tf.slice(tf.reshape(tf.pad(tf.expandDims(k, 1), [[0, 0], [0, dh - 1], [0, 0], [0, 0], [0, 0]]), [kh * dh, kw, c, f]), 0, (kh - 1) * dh + 1);
  const h = (kh - 1) * dh + 1;
  return tf.slice(tf.reshape(tf.pad(tf.expandDims(rows, 2), [[0, 0], [0, 0], [0, dw - 1], [0, 0], [0, 0]]), [h, kw * dw, c, f]), [0, 0, 0, 0], [h, (kw - 1) * dw + 1, c, f]) as tf.Tensor4D;
}

function close(actual: tf.Tensor, expected: tf.Tensor, what: string): void {
  assert.deepEqual(actual.shape, expected.shape, `${what}: shape`);
  const a = actual.dataSync(), e = expected.dataSync();
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - e[i]!) / (1 + Math.abs(e[i]!)));
  assert.ok(worst < 1e-4, `${what}: differs by ${worst}`);
}

interface Case { kind: 'conv2d' | 'conv1d' | 'separable' | 'depthwise'; input: number[]; kernel: number[]; dilation: number[]; padding: 'same' | 'valid'; activation: string; bias: boolean; filters: number }
const CASES: Case[] = [
  { kind: 'conv2d', input: [2, 9, 11, 3], kernel: [3, 3], dilation: [2, 2], padding: 'same', activation: 'relu', bias: true, filters: 5 },
  { kind: 'conv2d', input: [2, 12, 10, 4], kernel: [3, 3], dilation: [2, 2], padding: 'valid', activation: 'linear', bias: true, filters: 8 },
  { kind: 'conv2d', input: [1, 13, 14, 2], kernel: [2, 3], dilation: [3, 2], padding: 'same', activation: 'tanh', bias: false, filters: 3 },
  { kind: 'conv2d', input: [2, 16, 16, 8], kernel: [3, 3], dilation: [4, 4], padding: 'same', activation: 'relu', bias: true, filters: 16 },
  { kind: 'conv2d', input: [1, 15, 15, 1], kernel: [5, 5], dilation: [3, 3], padding: 'valid', activation: 'linear', bias: false, filters: 2 },
  { kind: 'conv1d', input: [3, 20, 4], kernel: [3], dilation: [2], padding: 'same', activation: 'relu', bias: true, filters: 6 },
  { kind: 'conv1d', input: [2, 17, 3], kernel: [2], dilation: [4], padding: 'valid', activation: 'linear', bias: true, filters: 2 },
  { kind: 'separable', input: [2, 10, 9, 4], kernel: [3, 3], dilation: [2, 2], padding: 'same', activation: 'relu', bias: true, filters: 6 },
  { kind: 'depthwise', input: [2, 11, 10, 3], kernel: [3, 3], dilation: [2, 2], padding: 'valid', activation: 'relu', bias: true, filters: 0 },
  { kind: 'depthwise', input: [1, 9, 12, 4], kernel: [3, 2], dilation: [3, 2], padding: 'same', activation: 'linear', bias: false, filters: 0 },
];

function layerOf(c: Case): tfl.layers.Layer {
  const common = { padding: c.padding, activation: c.activation as 'relu', useBias: c.bias, filters: c.filters, inputShape: c.input.slice(1) };
  if (c.kind === 'conv1d') return tfl.layers.conv1d({ ...common, kernelSize: c.kernel[0]!, dilationRate: c.dilation[0]! });
  const spatial = { ...common, kernelSize: c.kernel as [number, number], dilationRate: c.dilation as [number, number] };
  if (c.kind === 'depthwise') return tfl.layers.depthwiseConv2d({ ...spatial, depthMultiplier: 2 });
  return c.kind === 'separable' ? tfl.layers.separableConv2d({ ...spatial, depthMultiplier: 2 }) : tfl.layers.conv2d(spatial);
}

/** The case's output written with stock ops: undilated convolutions by spread kernels. */
function reference(c: Case, x: tf.Tensor, weights: tf.Tensor[]): tf.Tensor {
  const dil = c.kind === 'conv1d' ? [1, c.dilation[0]!] : c.dilation;
  const x4 = (c.kind === 'conv1d' ? tf.expandDims(x, 1) : x) as tf.Tensor4D;
  let y: tf.Tensor;
  if (c.kind === 'separable' || c.kind === 'depthwise') {
    const depth = tf.depthwiseConv2d(x4, spread(weights[0] as tf.Tensor4D, dil), 1, c.padding);
    y = c.kind === 'separable' ? tf.conv2d(depth, weights[1] as tf.Tensor4D, 1, 'valid') : depth;
  } else {
    const k = (c.kind === 'conv1d' ? tf.expandDims(weights[0]!, 0) : weights[0]) as tf.Tensor4D;
    y = tf.conv2d(x4, spread(k, dil), 1, c.padding);
    if (c.kind === 'conv1d') y = tf.squeeze(y, [1]);
  }
  const bias = c.bias ? weights[weights.length - 1]! : null;
  if (bias) y = tf.add(y, bias);
  return c.activation === 'relu' ? tf.relu(y) : c.activation === 'tanh' ? tf.tanh(y) : y;
}

for (const backend of ['cpu', 'wasm'] as const) {
  test(`dilated Conv2D, Conv1D, SeparableConv2D and DepthwiseConv2D layers train on ${backend}: forward and every gradient as the undilated equivalent`, async () => {
    await useBackend(backend);
    for (const [i, c] of CASES.entries()) {
      const what = `${backend} case ${i} (${c.kind} ${c.kernel.join('×')} dilated ${c.dilation.join('×')}, ${c.padding})`;
      const layer = layerOf(c);
      const model = tfl.sequential({ layers: [layer] });
      model.setWeights(model.getWeights().map((w, j) => rand(w.shape, 100 * i + j)));
      const x = rand(c.input, 7 + i);
      const inference = model.predict(x) as tf.Tensor;
      assert.deepEqual(model.outputs[0]!.shape.slice(1), inference.shape.slice(1), `${what}: the layer's output shape`);
      const probe = rand(inference.shape, 50 + i); // a random direction: the loss is sum(y · probe)
      const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
      const xv = tf.variable(x);
      let taped: tf.Tensor | null = null;
      const { grads } = tf.variableGrads(() => {
        taped = tf.keep(layer.apply(xv) as tf.Tensor);
        return tf.sum(tf.mul(taped, probe));
      }, [xv, ...vars]);
      close(taped!, inference, `${what}: output under the tape`);
      const weights = vars.map((v) => v as tf.Tensor);
      const expected = tf.grads((xi: tf.Tensor, ...ws: tf.Tensor[]) => tf.sum(tf.mul(reference(c, xi, ws), probe)))([x, ...weights]);
      close(grads[xv.name]!, expected[0]!, `${what}: input gradient`);
      close(reference(c, x, weights), inference, `${what}: reference output`);
      vars.forEach((v, j) => close(grads[v.name]!, expected[j + 1]!, `${what}: gradient of ${layer.trainableWeights[j]!.name}`));
      xv.dispose();
      model.dispose();
    }
  });
}

test('atrousConv2d: the phases of odd sizes and unequal rates interleave back to the dilated output', async () => {
  await useBackend('cpu');
  const x = rand([1, 7, 10, 2], 3) as tf.Tensor4D, k = rand([3, 2, 2, 3], 4) as tf.Tensor4D;
  for (const padding of ['same', 'valid'] as const) {
    const y = atrousConv2d(x, [3, 2], [2, 3], padding, (p) => tf.conv2d(p, k, 1, 'valid'));
    close(y, tf.conv2d(x, k, 1, padding, 'NHWC', [2, 3]), `atrous ${padding}`);
  }
});

test('a model with a dilated convolution trains with fit (the builder offers dilation)', async () => {
  await useBackend('cpu');
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same', activation: 'relu' }),
      tfl.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'valid' }),
      tfl.layers.flatten(), tfl.layers.dense({ units: 2, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  const x = rand([16, 12, 12, 1], 9);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 2), 'int32'), 2);
  const h = await model.fit(x, y, { epochs: 15, batchSize: 8, verbose: 0 });
  const losses = h.history['loss'] as number[];
  assert.ok(losses.every(Number.isFinite), `losses ${losses}`);
  assert.ok(losses[losses.length - 1]! < losses[0]!, `loss fell: ${losses[0]} → ${losses[losses.length - 1]}`);
});
